import CNLopt

/// Result of a bounded minimization.
public struct OptimizationResult: Sendable {
    /// The best point found.
    public let point: [Double]
    /// The objective at ``point``.
    public let value: Double
    /// Number of objective evaluations.
    public let evaluations: Int
    /// Why the run stopped.
    public let status: NLoptStatus
}

/// An objective that returns its value and fills the gradient (when the buffer is non-empty).
public typealias ValueAndGradient = (_ x: [Double], _ gradient: inout [Double]) -> Double

/// Limited-memory BFGS with box constraints (NLopt's `NLOPT_LD_LBFGS`).
///
/// ```swift
/// let lbfgs = BoundedLBFGS(lower: [-2, -2], upper: [2, 2])
/// let result = try lbfgs.minimize(from: [0, 0]) { x, g in
///     if !g.isEmpty { g[0] = 2 * (x[0] - 1); g[1] = 2 * (x[1] + 1) }
///     return (x[0] - 1) * (x[0] - 1) + (x[1] + 1) * (x[1] + 1)
/// }
/// ```
public struct BoundedLBFGS: Sendable {
    /// Lower bounds, one per dimension.
    public var lower: [Double]
    /// Upper bounds, one per dimension.
    public var upper: [Double]
    /// Maximum number of objective evaluations.
    public var maxEvaluations: Int
    /// Relative tolerance on the objective.
    public var relativeFunctionTolerance: Double
    /// Relative tolerance on the parameters.
    public var relativeParameterTolerance: Double
    /// Number of stored correction pairs (NLopt's vector storage; 0 = NLopt's default).
    public var memory: Int

    /// Creates an optimizer for the box `[lower, upper]`.
    public init(lower: [Double], upper: [Double], maxEvaluations: Int = 1000,
                relativeFunctionTolerance: Double = 1e-10, relativeParameterTolerance: Double = 1e-8, memory: Int = 0) {
        precondition(lower.count == upper.count, "bounds have \(lower.count) and \(upper.count) entries")
        precondition(zip(lower, upper).allSatisfy { $0 <= $1 }, "every lower bound must be ≤ its upper bound")
        self.lower = lower
        self.upper = upper
        self.maxEvaluations = maxEvaluations
        self.relativeFunctionTolerance = relativeFunctionTolerance
        self.relativeParameterTolerance = relativeParameterTolerance
        self.memory = memory
    }

    /// Minimizes `objective` from `start` (clamped into the box).
    ///
    /// Non-finite objective values are treated as `+∞` with a zero gradient, so a bad region is left
    /// rather than crashing the run. The best point seen is returned even when NLopt stops on round-off.
    /// - Throws: ``NLoptError`` when NLopt produced no point (invalid arguments, out of memory).
    public func minimize(from start: [Double], objective: @escaping ValueAndGradient) throws -> OptimizationResult {
        let n = start.count
        precondition(n == lower.count, "start has \(n) entries, bounds have \(lower.count)")
        guard let opt = nlopt_create(NLOPT_LD_LBFGS, UInt32(n)) else { throw NLoptError(status: .outOfMemory) }
        defer { nlopt_destroy(opt) }
        nlopt_set_lower_bounds(opt, lower)
        nlopt_set_upper_bounds(opt, upper)
        nlopt_set_maxeval(opt, Int32(maxEvaluations))
        nlopt_set_ftol_rel(opt, relativeFunctionTolerance)
        nlopt_set_xtol_rel(opt, relativeParameterTolerance)
        if memory > 0 { nlopt_set_vector_storage(opt, UInt32(memory)) }

        let box = ObjectiveBox(objective: objective)
        var x = zip(start, zip(lower, upper)).map { min(max($0, $1.0), $1.1) }
        var value = Double.infinity
        let code = withExtendedLifetime(box) { () -> nlopt_result in
            nlopt_set_min_objective(opt, ObjectiveBox.callback, box.context)
            return nlopt_optimize(opt, &x, &value)
        }
        let status = NLoptStatus(rawValue: code.rawValue) ?? .failure
        // NLopt returns its own best point; fall back to the best evaluation seen when it reports an error.
        if !status.producedPoint || !value.isFinite {
            guard let best = box.best else { throw NLoptError(status: status) }
            return OptimizationResult(point: best.point, value: best.value, evaluations: box.evaluations, status: status)
        }
        return OptimizationResult(point: x, value: value, evaluations: box.evaluations, status: status)
    }
}

/// Carries a Swift closure (objective or constraint) through NLopt's `void *` context: counts evaluations, keeps the
/// lowest value seen, and turns a non-finite value or gradient into `replacement` with a zero gradient, so a bad
/// region is left rather than crashing the run.
final class ObjectiveBox {
    let objective: ValueAndGradient
    let replacement: Double
    var evaluations = 0
    var best: (point: [Double], value: Double)?

    init(objective: @escaping ValueAndGradient, replacement: Double = .greatestFiniteMagnitude) {
        self.objective = objective
        self.replacement = replacement
    }

    /// This box as NLopt's context pointer (the caller keeps the box alive for the run).
    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let callback: nlopt_func = { n, xPointer, gradPointer, context in
        let box = Unmanaged<ObjectiveBox>.fromOpaque(context!).takeUnretainedValue()
        let count = Int(n)
        let x = Array(UnsafeBufferPointer(start: xPointer, count: count))
        var gradient = [Double](repeating: 0, count: gradPointer == nil ? 0 : count)
        var value = box.objective(x, &gradient)
        box.evaluations += 1
        if !value.isFinite || gradient.contains(where: { !$0.isFinite }) {
            value = box.replacement
            for i in gradient.indices { gradient[i] = 0 }
        }
        if let gradPointer { for i in 0..<count { gradPointer[i] = gradient[i] } }
        if value < (box.best?.value ?? .infinity) { box.best = (x, value) }
        return value
    }
}
