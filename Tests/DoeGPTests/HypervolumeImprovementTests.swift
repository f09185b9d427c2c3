@testable import DoeBO
import DoeBase
import DoeGP
import DoeLinalg
import Foundation
import Testing

/// The box decomposition against brute force, the hypervolume improvement against hand-computed values and a
/// Monte Carlo estimate, and qLogNEHVI's gradient against finite differences.
@Suite struct HypervolumeImprovementTests {
    /// Points with integer coordinates `0...6` (some dominated, some duplicated).
    func integerFront(m: Int, n: Int, seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in (0..<m).map { _ in Double(Int(rng.nextUnit() * 7)) } }
    }

    @Test func handComputedTwoObjectiveImprovement() {
        // maximized front (1,3), (2,2), (3,1) above (0,0): HV 6; adding (2.5,2.5) makes it 7.25
        let boxes = NondominatedBoxes(front: [[1, 3], [2, 2], [3, 1]], reference: [0, 0])
        #expect(boxes.count == 4, "n + 1 strips for a two-objective staircase")
        #expect(abs(boxes.improvement(of: [2.5, 2.5]) - 1.25) < 1e-12)
        #expect(boxes.improvement(of: [2, 2]) == 0, "a front point adds nothing")
        #expect(boxes.improvement(of: [1.5, 1.5]) == 0, "a dominated point adds nothing")
        #expect(abs(boxes.improvement(of: [4, 0.5]) - 0.5) < 1e-12)
        // 3-D: the front {(1,1,1)} above 0: a point (2,2,2) adds 8 − 1
        #expect(abs(NondominatedBoxes(front: [[1, 1, 1]], reference: [0, 0, 0]).improvement(of: [2, 2, 2]) - 7) < 1e-12)
        // an empty front: the improvement is the box between the reference and the point
        #expect(abs(NondominatedBoxes(front: [], reference: [0, 1, 2]).improvement(of: [1, 2, 4]) - 2) < 1e-12)
    }

    /// With integer coordinates the region is a union of unit cells: the cell at `c` is undominated exactly when no
    /// point has `p ≥ c + 1`. Every cell must lie in exactly one box when undominated and in none otherwise, and the
    /// improvement of any integer point must count its undominated cells.
    @Test(arguments: [2, 3, 4])
    func boxesPartitionTheUndominatedCellsExactly(objectives m: Int) {
        for seed in 0..<(m == 4 ? 4 : 10) {
            let front = integerFront(m: m, n: 1 + seed * 2, seed: UInt64(100 * m + seed))
            let reference = [Double](repeating: -1, count: m)
            let boxes = NondominatedBoxes(front: front, reference: reference)
            var cell = [Int](repeating: -1, count: m)
            var undominated: [[Int]] = []
            while true {
                let centre = cell.map { Double($0) + 0.5 }
                let free = !front.contains { p in (0..<m).allSatisfy { p[$0] >= Double(cell[$0] + 1) } }
                if free { undominated.append(cell) }
                let inside = (0..<boxes.count).filter { boxes.contains(centre, box: $0) }.count
                #expect(inside == (free ? 1 : 0), "cell \(cell) of front \(front): in \(inside) boxes, undominated \(free)")
                var j = 0
                while j < m { cell[j] += 1; if cell[j] < 8 { break }; cell[j] = -1; j += 1 }
                if j == m { break }
            }
            for _ in 0..<20 {
                let y = integerFront(m: m, n: 1, seed: UInt64(seed * 31 + m))[0].map { $0 + 1 }
                let count = undominated.filter { c in (0..<m).allSatisfy { Double(c[$0] + 1) <= y[$0] } }.count
                #expect(abs(boxes.improvement(of: y) - Double(count)) < 1e-9, "improvement of \(y) over \(front)")
            }
        }
    }

    /// Continuous fronts: random points are in one box exactly when no front point dominates them, and the
    /// improvement agrees with a Monte Carlo estimate of the newly dominated volume.
    @Test(arguments: [2, 3, 4])
    func continuousFrontsAgreeWithMonteCarlo(objectives m: Int) {
        var rng = SplitMix64(seed: UInt64(7 + m))
        let front = (0..<(m == 4 ? 12 : 20)).map { _ -> [Double] in
            let v = (0..<m).map { _ in -log(max(rng.nextUnit(), 1e-9)) }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            return v.map { $0 / norm }          // on the positive unit sphere: mostly mutually nondominated
        }
        let reference = [Double](repeating: 0, count: m)
        let boxes = NondominatedBoxes(front: front, reference: reference)
        for _ in 0..<2000 {
            let z = (0..<m).map { _ in 1.2 * rng.nextUnit() }
            let free = !front.contains { p in zip(p, z).allSatisfy { $0 >= $1 } }
            let inside = (0..<boxes.count).filter { boxes.contains(z, box: $0) }.count
            #expect(inside == (free ? 1 : 0))
        }
        let y = [Double](repeating: 0.75, count: m)
        var hits = 0
        let samples = 100_000
        for _ in 0..<samples {
            let z = y.map { $0 * rng.nextUnit() }
            if !front.contains(where: { p in zip(p, z).allSatisfy { $0 >= $1 } }) { hits += 1 }
        }
        let volume = y.reduce(1, *), share = Double(hits) / Double(samples)
        let estimate = volume * share, standardError = volume * (share * (1 - share) / Double(samples)).squareRoot()
        let exact = boxes.improvement(of: y)
        #expect(abs(exact - estimate) <= 5 * standardError + 1e-12, "exact \(exact), Monte Carlo \(estimate) ± \(standardError)")
        #expect(exact > 0)
    }

    /// Two GPs on a 2-D input (independent objectives).
    func models() throws -> [GaussianProcess] {
        let x = randomInputs(n: 12, d: 2, seed: 4)
        let f1 = (0..<12).map { i in -((x[i, 0] - 0.3) * (x[i, 0] - 0.3)) - 0.5 * x[i, 1] }
        let f2 = (0..<12).map { i in -((x[i, 0] - 0.8) * (x[i, 0] - 0.8)) + 0.3 * x[i, 1] * x[i, 1] }
        let h = GPHyperparameters(logLengthscales: [log(0.4), log(0.7)], logSignalVariance: log(0.3), logNoiseVariance: log(0.01),
                                  mean: 0)
        return try [f1, f2].map { try GaussianProcess(inputs: x, outputs: $0, hyperparameters: h, kernel: .matern52) }
    }

    @Test(arguments: [0, 2])
    func qLogNEHVIGradientMatchesFiniteDifferences(earlier: Int) throws {
        let gps = try models()
        var points = (0..<12).map { gps[0].inputs.row($0) }
        points += (0..<earlier).map { [0.2 + 0.5 * Double($0), 0.6] }
        let bases = BaseSamples.independent(models: 3, count: 64, dimension: points.count + 1, seed: 1)
        let samplers = zip(gps, bases).map { JointPosteriorSampler(gp: $0, points: Matrix(points), base: $1) }
        let constraintSampler = JointPosteriorSampler(gp: gps[1], points: Matrix(points), base: bases[2])
        let constraint = SampledConstraint(sampler: constraintSampler, limit: 0.1, temperature: 0.05)
        for constraints in [[], [constraint]] {
            let utility = LogHypervolumeImprovement(objectives: samplers, constraints: constraints, reference: [-2, -2],
                                                    temperature: 1e-2)
            let acquisition = MonteCarloAcquisition(objectives: samplers, constraints: constraints, utility: utility)
            for point in [[0.31, 0.12], [0.77, 0.93], [0.55, 0.45], [0.05, 0.66]] {
                let (value, gradient) = acquisition.valueAndGradient(at: point)
                #expect(value.isFinite)
                #expect(abs(value - acquisition.values(at: Matrix([point]))[0]) < 1e-8)
                expectClose(gradient, finiteDifferences({ acquisition.valueAndGradient(at: $0).value }, at: point),
                            relative: 2e-4, absolute: 1e-5, "qLogNEHVI gradient at \(point), \(constraints.count) constraints")
            }
        }
    }

    @Test func dominatedPointsKeepAFiniteValueAndAGradientTowardsTheFront() {
        // One sample whose front is far above the point: the log-space branch.
        let boxes = NondominatedBoxes(front: [[1, 1]], reference: [0, 0])
        let utility = LogHypervolumeImprovement(boxes: [boxes], temperature: 1e-3)
        var gradient = [0.0, 0.0]
        let value = utility.logUtility(sample: 0, values: [0.5, 0.5], gradient: &gradient)
        #expect(value.isFinite && value < -400)
        #expect(gradient[0] > 0 && gradient[1] > 0)
        let h = 1e-7
        var scratch = [0.0, 0.0]
        let up = utility.logUtility(sample: 0, values: [0.5 + h, 0.5], gradient: &scratch)
        #expect(abs((up - value) / h - gradient[0]) < 1e-3 * abs(gradient[0]))
        // an improving point: log of the exact improvement (the smoothing only acts within τ of a box edge)
        let improving = utility.logUtility(sample: 0, values: [2, 0.5], gradient: &gradient)
        #expect(abs(exp(improving) - boxes.improvement(of: [2, 0.5])) < 1e-6)
    }

    /// The value-only path (screening) agrees with the gradient path, and the log-space branch (one `log` per box,
    /// negligible boxes skipped) agrees with a direct log-sum-exp of every box's Σⱼ log f, on random 2-, 3- and
    /// 4-objective fronts at improving, edge and far-dominated points.
    @Test func valueOnlyPathAndLogSpaceBranchAgreeWithDirectSums() {
        var rng = SplitMix64(seed: 21)
        for m in 2...4 {
            let front = (0..<12).map { _ in (0..<m).map { _ in rng.nextUnit() } }
            let boxes = NondominatedBoxes(front: front, reference: [Double](repeating: 0, count: m))
            let tau = 1e-3
            let utility = LogHypervolumeImprovement(boxes: [boxes], temperature: tau)
            for _ in 0..<200 {
                let y = (0..<m).map { _ in 1.6 * rng.nextUnit() - 0.6 }
                var gradient = [Double](repeating: 0, count: m)
                let value = utility.logUtility(sample: 0, values: y, gradient: &gradient)
                let valueOnly = utility.logValue(sample: 0, values: y)
                #expect(abs(value - valueOnly) <= 1e-12 * max(1, abs(value)), "m = \(m), y = \(y)")
                // direct: log Σ_k exp(Σ_j log f(min(y_j, u_kj) − l_kj))
                let logs = (0..<boxes.count).map { k in
                    (0..<m).reduce(0.0) { t, j in
                        let z = min(y[j], boxes.upper[k * m + j]) - boxes.lower[k * m + j]
                        return t + (z >= tau ? log(z) : log(tau) + z / tau - 1)
                    }
                }
                let top = logs.max()!
                let direct = top + log(logs.reduce(0.0) { $0 + exp($1 - top) })
                #expect(abs(value - direct) <= 1e-9 * max(1, abs(direct)), "m = \(m), y = \(y): \(value) vs \(direct)")
            }
        }
    }

    /// exp(qLogNEHVI) with q = 1 is the expected hypervolume improvement: against an independent estimate from
    /// pseudo-random joint draws (own Cholesky of the joint posterior of the fixed points and the candidate).
    @Test func expectedImprovementMatchesAnIndependentMonteCarloEstimate() throws {
        let gps = try models()
        let fixed = (0..<12).map { gps[0].inputs.row($0) }
        let x = [0.6, 0.2]
        let reference = [-1.5, -1.5]
        let bases = BaseSamples.independent(models: 2, count: 2048, dimension: 13, seed: 3)
        let samplers = zip(gps, bases).map { JointPosteriorSampler(gp: $0, points: Matrix(fixed), base: $1) }
        let utility = LogHypervolumeImprovement(objectives: samplers, reference: reference, temperature: 1e-6)
        let qmc = exp(MonteCarloAcquisition(objectives: samplers, utility: utility).valueAndGradient(at: x).value)
        // independent draws
        var rng = SplitMix64(seed: 77)
        let joint = gps.map { $0.jointPosterior(at: Matrix(fixed + [x])) }
        let factors = try joint.map { j -> Matrix<Double> in
            var c = j.covariance
            for i in 0..<13 { c[i, i] += 1e-8 }
            return try Cholesky(c, initialJitter: 1e-9).lower
        }
        let draws = 20_000
        var total = 0.0, totalSquares = 0.0
        for _ in 0..<draws {
            let samples = zip(joint, factors).map { j, l -> [Double] in
                let z = (0..<13).map { _ -> Double in
                    let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
                    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
                }
                return (0..<13).map { i in j.mean[i] + (0...i).reduce(0) { $0 + l[i, $1] * z[$1] } }
            }
            let front = (0..<12).map { i in [samples[0][i], samples[1][i]] }
            let hvi = NondominatedBoxes(front: front, reference: reference).improvement(of: [samples[0][12], samples[1][12]])
            total += hvi
            totalSquares += hvi * hvi
        }
        let mean = total / Double(draws)
        let standardError = ((totalSquares / Double(draws) - mean * mean) / Double(draws)).squareRoot()
        #expect(mean > 0)
        #expect(abs(qmc - mean) <= 4 * standardError + 0.02 * mean, "QMC \(qmc), independent \(mean) ± \(standardError)")
    }
}
