import DoeBase
import DoeDesign
import DoeNeural
import DoeOptim
import Foundation

/// What to search a trained surrogate for: objectives on its outputs, bounds on outputs, a box and constraints on the
/// inputs, and a trust limit that keeps the answer where the surrogate is reliable.
public struct SurrogateSearchProblem: Sendable {
    /// An objective: output `output` (index into the model's outputs), minimized or maximized.
    public struct Objective: Sendable, Equatable {
        /// Index of the output.
        public var output: Int
        /// Whether larger is better.
        public var maximize: Bool

        /// An objective on output `output`.
        public init(output: Int, maximize: Bool) {
            self.output = output
            self.maximize = maximize
        }
    }

    /// A bound `output ≤ value` (or `≥`) on a predicted output.
    public struct OutputBound: Sendable, Equatable {
        /// Index of the output.
        public var output: Int
        /// `true` for `output ≤ value`, `false` for `output ≥ value`.
        public var isUpper: Bool
        /// The bound, in the output's unit.
        public var value: Double
        /// The bound as written (`vm_max <= 250`).
        public var text: String

        /// A bound on output `output`.
        public init(output: Int, isUpper: Bool, value: Double, text: String) {
            self.output = output
            self.isUpper = isUpper
            self.value = value
            self.text = text
        }
    }

    /// The trust limit: each involved output's (calibrated) ensemble standard deviation at most `factor` times its
    /// validation RMSE.
    public struct TrustLimit: Sendable, Equatable {
        /// `k` in `std ≤ k · RMSE`.
        public var factor: Double
        /// Validation RMSE of each output (the model's output order), in the output's unit.
        public var rmse: [Double]

        /// A limit of `factor` × `rmse`.
        public init(factor: Double, rmse: [Double]) {
            self.factor = factor
            self.rmse = rmse
        }
    }

    /// The objectives (one, or several for a Pareto set).
    public var objectives: [Objective]
    /// Bounds on predicted outputs.
    public var outputBounds: [OutputBound] = []
    /// Constraints on the inputs, parsed against parameters named like the model's inputs in its order.
    public var parameterConstraints: [ParameterConstraint] = []
    /// Lower end of each input's range (the model's input order).
    public var lower: [Double]
    /// Upper end of each input's range (equal to ``lower`` for a fixed input).
    public var upper: [Double]
    /// The trust limit (`nil`: none; single networks have no standard deviation to limit).
    public var trust: TrustLimit?
    /// Inputs that take integer values (a study's integer parameters): every candidate is rounded there and predicted,
    /// checked and chosen at the rounded point.
    public var integerInputs: [Int] = []

    /// A problem over the box `[lower, upper]`.
    public init(objectives: [Objective], lower: [Double], upper: [Double]) {
        self.objectives = objectives
        self.lower = lower
        self.upper = upper
    }

    /// `x` with its integer inputs rounded (within the box).
    func rounded(_ x: [Double]) -> [Double] {
        var x = x
        for k in integerInputs { x[k] = min(max(x[k].rounded(), lower[k].rounded(.up)), upper[k].rounded(.down)) }
        return x
    }

    /// The outputs the objectives and bounds read, in order, without repeats.
    public var involvedOutputs: [Int] {
        (objectives.map(\.output) + outputBounds.map(\.output)).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    }
}

/// One design the search returns, with the surrogate's prediction there.
public struct SurrogateCandidate: Sendable {
    /// Input values, the model's input order and units.
    public var inputs: [Double]
    /// Predicted outputs (ensemble mean), the model's output order and units.
    public var outputs: [Double]
    /// Their (calibrated) standard deviations, for ensembles.
    public var std: [Double]?
    /// Whether the point came out of a local optimization (`false`: a screened design kept for diversity).
    public var optimized: Bool
}

/// What ``SurrogateSearch/run(_:on:)`` found.
public struct SurrogateSearchResult: Sendable {
    /// The candidates: for one objective the best first, pairwise at least ``SurrogateSearch/minimumDistance`` apart;
    /// for several, non-dominated designs spread along the front.
    public var candidates: [SurrogateCandidate]
    /// Designs screened and local optimizations run.
    public var screened: Int, optimizations: Int
    /// Screened designs that met every constraint (and the trust limit).
    public var feasibleScreened: Int
    /// Wall-clock seconds of the search.
    public var seconds: Double
}

/// Searches a trained surrogate for the best designs: a Sobol screen of the input box (batched prediction), then
/// gradient-based local searches (NLopt's SLSQP with the network's input gradients, output bounds, input constraints and
/// the trust limit as smooth inequality constraints) from the best screened designs. Several objectives are handled
/// by ε-constraints: from each non-dominated screened design, one objective is improved while the others may not get
/// worse, which reaches non-convex parts of the front a weighted sum cannot.
public struct SurrogateSearch: Sendable {
    /// Sobol designs screened.
    public var screenSize = 4096
    /// Local optimizations (starting designs).
    public var starts = 64
    /// Candidates returned.
    public var count = 5
    /// Smallest distance between two candidates, in the unit box scaled by `1/√d` (0.05 = 5 % of the ranges).
    public var minimumDistance = 0.05
    /// Objective evaluations allowed per local optimization.
    public var maxEvaluations = 300
    /// Seed of the Sobol scramble.
    public var seed: UInt64 = 0

    /// Search settings with the defaults.
    public init() {}

    /// Allowed violation of a scaled constraint (output bounds and trust limit in units of the output's spread).
    static let tolerance = 1e-6

    /// Runs the search on `model`.
    public func run(_ request: SurrogateSearchProblem, on model: Surrogate) throws -> SurrogateSearchResult {
        let started = Date()
        let evaluator = SearchEvaluator(model: model, problem: request)
        let problem = request
        let d = problem.lower.count
        let free = (0..<d).filter { problem.upper[$0] > problem.lower[$0] }
        // 1. screen
        let sobol = SobolSequence(dimension: max(free.count, 1), scrambleSeed: seed)
        let screen: [[Double]] = sobol.points(count: screenSize).map { u in
            var x = problem.lower
            for (i, k) in free.enumerated() { x[k] = problem.lower[k] + u[i] * (problem.upper[k] - problem.lower[k]) }
            return problem.rounded(x)
        }
        let screened = evaluator.screen(screen)
        let feasible = screened.filter { $0.violation <= Self.tolerance }
        // 2. local searches
        var pool: [SearchEvaluator.Point] = feasible
        let slsqp = ConstrainedSLSQP(lower: problem.lower, upper: problem.upper, maxEvaluations: maxEvaluations,
                                     relativeFunctionTolerance: 1e-10, relativeParameterTolerance: 1e-8, constraintTolerance: 1e-9)
        var runs = 0
        for (start, primary) in startingDesigns(screened, problem: problem) {
            // one objective: itself; several: objective `primary` improved, the others no worse than at the start
            var epsilon: [Int: Double] = [:]
            if problem.objectives.count > 1 {
                for (j, v) in start.objectives.enumerated() where j != primary { epsilon[j] = v }
            }
            let objective = evaluator.objective(problem.objectives[primary])
            let constraints = evaluator.constraints(epsilon: epsilon)
            runs += 1
            guard let result = try? slsqp.minimize(from: start.x, objective: objective, constraints: constraints) else { continue }
            var point = evaluator.screen([problem.rounded(result.point)])[0]
            point.optimized = true
            if point.violation <= Self.tolerance { pool.append(point) }
        }
        let chosen = problem.objectives.count == 1 ? diverseBest(pool, problem: problem) : spreadFront(pool, problem: problem)
        return SurrogateSearchResult(
            candidates: chosen.map { SurrogateCandidate(inputs: $0.x, outputs: $0.values, std: $0.std, optimized: $0.optimized) },
            screened: screen.count, optimizations: runs, feasibleScreened: feasible.count, seconds: Date().timeIntervalSince(started))
    }

    /// Starting designs and the objective each improves: the best screened (feasible first, then least violating) for
    /// one objective; for several, the non-dominated feasible screened designs spread along the front. The design best
    /// in objective `j` improves objective `j + 1` (so an extreme on a flat edge of the box is polished in the others),
    /// the rest take the objectives in turn.
    func startingDesigns(_ screened: [SearchEvaluator.Point], problem: SurrogateSearchProblem) -> [(SearchEvaluator.Point, Int)] {
        let ranked = screened.sorted { a, b in
            a.violation != b.violation ? a.violation < b.violation : a.score < b.score
        }
        let m = problem.objectives.count
        let feasible = ranked.filter { $0.violation <= Self.tolerance }
        guard m > 1, !feasible.isEmpty else { return distinct(ranked, limit: starts, problem: problem).map { ($0, 0) } }
        return spreadFront(feasible, problem: problem, limit: starts, sorted: false).enumerated().map { i, p in
            (p, i < m ? (i + 1) % m : i % m)
        }
    }

    /// Up to `limit` points, each at least ``minimumDistance`` from those before it.
    func distinct(_ points: [SearchEvaluator.Point], limit: Int, problem: SurrogateSearchProblem) -> [SearchEvaluator.Point] {
        var kept: [SearchEvaluator.Point] = []
        for p in points where kept.count < limit {
            if kept.allSatisfy({ distance($0.x, p.x, problem) >= minimumDistance }) { kept.append(p) }
        }
        return kept
    }

    /// Distance of two designs in the unit box (each input scaled by its range; fixed inputs ignored), divided by `√d`.
    func distance(_ a: [Double], _ b: [Double], _ problem: SurrogateSearchProblem) -> Double {
        var sum = 0.0
        for k in a.indices where problem.upper[k] > problem.lower[k] {
            let t = (a[k] - b[k]) / (problem.upper[k] - problem.lower[k])
            sum += t * t
        }
        return (sum / Double(max(a.count, 1))).squareRoot()
    }

    /// The best feasible points by the objective, pairwise at least ``minimumDistance`` apart.
    func diverseBest(_ pool: [SearchEvaluator.Point], problem: SurrogateSearchProblem) -> [SearchEvaluator.Point] {
        distinct(pool.sorted { $0.score < $1.score }, limit: count, problem: problem)
    }

    /// The non-dominated points of `pool`, at most `limit` (default ``count``) chosen greedily: each objective's best
    /// first, then the point farthest (in objectives scaled by the front's range) from those chosen.
    /// - Parameter sorted: order the result by the first objective (else: the extremes first, in objective order).
    func spreadFront(_ pool: [SearchEvaluator.Point], problem: SurrogateSearchProblem, limit: Int? = nil,
                     sorted: Bool = true) -> [SearchEvaluator.Point] {
        let limit = limit ?? count
        let values = pool.map(\.objectives)
        // A point is dropped when another is no worse than it in every objective, up to 0.5 % of that objective's range
        // over the pool, and better in one: a design that gains a network's round-off in one objective for a real loss
        // in another (common on a flat edge of the box) is not worth an experiment. One greedy pass in order of the
        // objectives' sum (scaled by those tolerances) checks each point against the front kept so far (O(n·front)).
        guard let first = values.first else { return [] }
        let m = first.count
        let slack = (0..<m).map { j in 0.005 * ((values.map { $0[j] }.max() ?? 0) - (values.map { $0[j] }.min() ?? 0)) }
        func dominates(_ a: Int, _ b: Int) -> Bool {
            (0..<m).allSatisfy { values[a][$0] <= values[b][$0] + slack[$0] } && (0..<m).contains { values[a][$0] < values[b][$0] }
        }
        let sums = values.map { v in (0..<m).reduce(0.0) { $0 + v[$1] / max(slack[$1], 1e-300) } }
        var front: [Int] = []
        for i in pool.indices.sorted(by: { sums[$0] < sums[$1] }) where !front.contains(where: { dominates($0, i) }) {
            front.append(i)
        }
        guard !front.isEmpty else { return [] }
        let low = (0..<m).map { j in front.map { values[$0][j] }.min()! }, high = (0..<m).map { j in front.map { values[$0][j] }.max()! }
        func normalized(_ i: Int) -> [Double] { (0..<m).map { (values[i][$0] - low[$0]) / max(high[$0] - low[$0], 1e-300) } }
        let points = front.map(normalized)
        var chosen: [Int] = []
        var gaps = [Double](repeating: .infinity, count: front.count)
        func choose(_ f: Int) {
            chosen.append(front[f])
            for g in front.indices { gaps[g] = min(gaps[g], zip(points[g], points[f]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }) }
        }
        for j in 0..<m where chosen.count < limit {
            // augmented by 1 % of the others, so that of near-ties on a flat edge the one best in the others is taken
            func extreme(_ f: Int) -> Double { points[f][j] + 0.01 * (points[f].reduce(0, +) - points[f][j]) }
            if let best = front.indices.min(by: { extreme($0) < extreme($1) }), !chosen.contains(front[best]) {
                choose(best)
            }
        }
        while chosen.count < min(limit, front.count),
              let next = front.indices.filter({ !chosen.contains(front[$0]) }).max(by: { gaps[$0] < gaps[$1] }) {
            choose(next)
        }
        return (sorted ? chosen.sorted { values[$0][0] < values[$1][0] } : chosen).map { pool[$0] }
    }
}
