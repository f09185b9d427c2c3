import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import DoeOptim
import Foundation

/// Maximizes an acquisition over a design space: scrambled-Sobol raw candidates (plus perturbations of the best
/// training points), the best few as starts for bounded L-BFGS with analytic gradients on the continuous
/// relaxation, then rounding to a valid assignment and a local search over discrete neighbours (integers ±1/±2,
/// every other categorical choice). Deterministic for a given seed.
///
/// With parameter constraints (``DesignSpace/parameterConstraints``), only feasible candidates are kept (more Sobol
/// points are drawn when few are), the starts are refined by SLSQP with the constraints' gradients on the
/// continuous relaxation, a refined point that violates a constraint (after rounding) is dropped, and the discrete
/// search visits feasible neighbours only: every returned assignment satisfies every constraint.
public struct AcquisitionOptimizer: Sendable {
    /// Number of raw Sobol candidates.
    public var rawSamples: Int = 1024
    /// Number of L-BFGS starts taken from the best raw candidates.
    public var restarts: Int = 6
    /// L-BFGS evaluation budget per start.
    public var maxEvaluations: Int = 200
    /// Seed of the raw candidates.
    public var seed: UInt64 = 0
    /// Points (features) whose neighbourhoods are searched with extra raw candidates; empty: the five training points
    /// with the largest posterior mean (several objectives pass the observed Pareto front instead).
    public var anchors: [[Double]] = []

    /// The default settings: 1024 raw candidates, 6 starts of at most 200 evaluations, seed 0.
    public init() {}

    /// The best assignment not in `excluded`, its features and acquisition value (`gp`: the model whose best
    /// training points seed local candidates).
    /// - Parameter region: an optional box in feature space (`lower`, `upper`) the search is restricted to
    ///   (a trust region around the incumbent); `nil` searches the whole space.
    /// - Parameter fixed: parameters held at a value (index → value): every candidate carries them, their features
    ///   are pinned in L-BFGS's box, and the discrete search does not move them.
    public func maximize(_ acquisition: some AcquisitionFunction, gp: GaussianProcess, encoding: SpaceEncoding,
                         excluded: Set<[ParameterValue]>,
                         region: (lower: [Double], upper: [Double])? = nil,
                         fixed: [Int: ParameterValue] = [:]) -> (assignment: [ParameterValue], features: [Double],
                                                                 value: Double)? {
        let space = encoding.space
        let d = encoding.dimension
        func pin(_ a: [ParameterValue]) -> [ParameterValue] {
            guard !fixed.isEmpty else { return a }
            var a = a
            for (i, v) in fixed where i < a.count { a[i] = v }
            return a
        }
        var boxLower = region?.lower ?? Array(repeating: 0, count: d)
        var boxUpper = region?.upper ?? Array(repeating: 1, count: d)
        if !fixed.isEmpty {   // the fixed parameters' features are pinned at their encoded value
            let pinned = encoding.encode(pin(space.assignment(fromUnit: Array(repeating: 0.5, count: space.dimension))))
            for j in 0..<d where fixed[encoding.featureParameter[j]] != nil {
                boxLower[j] = pinned[j]
                boxUpper[j] = pinned[j]
            }
        }
        // Raw candidates: Sobol in the design cube, mapped to valid assignments.
        var candidates: [[ParameterValue]] = []
        if space.dimension <= SobolSequence.maxDimension {
            let sobol = SobolSequence(dimension: space.dimension, scrambleSeed: seed)
            candidates = sobol.points(count: rawSamples).map(space.assignment(fromUnit:))
        } else {
            var rng = SplitMix64.stream(seed: seed, label: "raw")
            candidates = UniformSampler.points(count: rawSamples, dimension: space.dimension, using: &rng).map(space.assignment(fromUnit:))
        }
        // Local candidates around the best training points (by posterior mean).
        var rng = SplitMix64.stream(seed: seed, label: "local")
        let trainingMeans = (0..<gp.observedCount).map { i in
            gp.outputs[i] - (gp.hyperparameters.noiseVariance + gp.pointNoise[i]) * gp.alpha[i]
        }
        let top = trainingMeans.indices.sorted { trainingMeans[$0] > trainingMeans[$1] }.prefix(5)
        for base in anchors.isEmpty ? top.map(gp.inputs.row) : anchors {
            for _ in 0..<20 {
                let f = base.map { min(max($0 + 0.05 * gaussian(&rng), 0), 1) }
                candidates.append(encoding.decode(f))
            }
        }
        if region != nil {
            // Candidates inside the region: the Sobol points rescaled into it, then made valid.
            let sobol = SobolSequence(dimension: max(d, 1), scrambleSeed: seed ^ 0x5EED)
            candidates = sobol.points(count: rawSamples).map { u in
                encoding.decode((0..<d).map { boxLower[$0] + u[$0] * (boxUpper[$0] - boxLower[$0]) })
            }
        }
        candidates = candidates.map(pin)
        let constrained = !space.parameterConstraints.isEmpty
        if constrained {
            // Rejection: keep the feasible candidates, drawing further Sobol points (in the region, if any) until at
            // least an eighth of the raw budget is feasible or 32 times the budget was drawn.
            candidates = candidates.filter(space.satisfiesParameterConstraints)
            let sobol = SobolSequence(dimension: max(region == nil ? space.dimension : d, 1), scrambleSeed: seed ^ 0xFEA5)
            var drawn = 0
            while candidates.count < max(rawSamples / 8, 1) && drawn < 32 * rawSamples {
                let batch = sobol.points(from: drawn, count: rawSamples).map { u -> [ParameterValue] in
                    guard region != nil else { return pin(space.assignment(fromUnit: u)) }
                    return pin(encoding.decode((0..<d).map { boxLower[$0] + u[$0] * (boxUpper[$0] - boxLower[$0]) }))
                }
                candidates += batch.filter(space.satisfiesParameterConstraints)
                drawn += rawSamples
            }
            guard !candidates.isEmpty else { return nil }
        }
        var features = candidates.map(encoding.encode)
        var values = acquisition.values(at: matrix(features, columns: d))
        for (k, c) in candidates.enumerated() where excluded.contains(c) { values[k] = -.infinity }
        let constraintFunctions = constrained ? encoding.featureConstraints() : []

        // L-BFGS from the best distinct candidates.
        let order = values.indices.sorted { values[$0] > values[$1] }
        var starts: [Int] = []
        var seen = Set<[ParameterValue]>()
        for k in order where values[k].isFinite && seen.insert(candidates[k]).inserted {
            starts.append(k)
            if starts.count == restarts { break }
        }
        let lbfgs = BoundedLBFGS(lower: boxLower, upper: boxUpper,
                                 maxEvaluations: maxEvaluations, relativeFunctionTolerance: 1e-9, relativeParameterTolerance: 1e-7)
        let slsqp = ConstrainedSLSQP(lower: boxLower, upper: boxUpper, maxEvaluations: maxEvaluations)
        let negated: ValueAndGradient = { x, g in
            let (v, grad) = acquisition.valueAndGradient(at: x)
            if !g.isEmpty { for j in g.indices { g[j] = -grad[j] } }
            return -v
        }
        for k in starts {
            let run = constrained ? try? slsqp.minimize(from: features[k], objective: negated, constraints: constraintFunctions)
                                  : try? lbfgs.minimize(from: features[k], objective: negated)
            guard let result = run else { continue }
            var assignment = pin(encoding.decode(result.point))
            if !encoding.hasDiscreteParameters {
                // SLSQP may stop outside the feasible set: such a point is dropped (the start itself stays a candidate).
                let admissible = !excluded.contains(assignment) && space.satisfiesParameterConstraints(assignment)
                candidates.append(assignment)
                features.append(result.point)
                values.append(admissible ? -result.value : -.infinity)
                continue
            }
            if !space.satisfiesParameterConstraints(assignment) { assignment = candidates[k] }   // rounding left the set
            // Local search over discrete neighbours of the rounded point.
            var current = acquisition.values(at: matrix([encoding.encode(assignment)], columns: d))[0]
            if excluded.contains(assignment) { current = -.infinity }
            for _ in 0..<20 {
                let neighbours = encoding.neighbours(of: assignment).filter {
                    !excluded.contains($0) && pin($0) == $0 && space.satisfiesParameterConstraints($0)
                }
                guard !neighbours.isEmpty else { break }
                let nv = acquisition.values(at: matrix(neighbours.map(encoding.encode), columns: d))
                guard let bestIndex = nv.indices.max(by: { nv[$0] < nv[$1] }), nv[bestIndex] > current else { break }
                assignment = neighbours[bestIndex]
                current = nv[bestIndex]
            }
            candidates.append(assignment); features.append(encoding.encode(assignment)); values.append(current)
        }
        guard let best = values.indices.max(by: { values[$0] < values[$1] }), values[best].isFinite else { return nil }
        return (candidates[best], features[best], values[best])
    }

    private func matrix(_ rows: [[Double]], columns: Int) -> Matrix<Double> {
        var m = Matrix<Double>(rows: rows.count, columns: columns)
        for (i, r) in rows.enumerated() { for j in 0..<columns { m[i, j] = r[j] } }
        return m
    }

    private func gaussian(_ rng: inout SplitMix64) -> Double {
        let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
