import CNLopt

/// Sequential quadratic programming with box and smooth inequality constraints `cₖ(x) ≤ 0` (NLopt's
/// `NLOPT_LD_SLSQP`, which uses each constraint's gradient).
public struct ConstrainedSLSQP: Sendable {
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
    /// Tolerance on each constraint (a point with `cₖ(x) ≤ tolerance` counts as feasible to NLopt).
    public var constraintTolerance: Double

    /// Creates an optimizer for the box `[lower, upper]`.
    public init(lower: [Double], upper: [Double], maxEvaluations: Int = 200, relativeFunctionTolerance: Double = 1e-9,
                relativeParameterTolerance: Double = 1e-7, constraintTolerance: Double = 1e-10) {
        precondition(lower.count == upper.count, "bounds have \(lower.count) and \(upper.count) entries")
        self.lower = lower
        self.upper = upper
        self.maxEvaluations = maxEvaluations
        self.relativeFunctionTolerance = relativeFunctionTolerance
        self.relativeParameterTolerance = relativeParameterTolerance
        self.constraintTolerance = constraintTolerance
    }

    /// Minimizes `objective` subject to `constraints` (each `≤ 0` when satisfied) from `start` (clamped into the
    /// box). Returns NLopt's final point; the caller checks its feasibility (SLSQP may stop at an infeasible point
    /// when it cannot make progress).
    /// - Throws: ``NLoptError`` when NLopt produced no point.
    public func minimize(from start: [Double], objective: @escaping ValueAndGradient,
                         constraints: [ValueAndGradient]) throws -> OptimizationResult {
        let n = start.count
        precondition(n == lower.count, "start has \(n) entries, bounds have \(lower.count)")
        guard let opt = nlopt_create(NLOPT_LD_SLSQP, UInt32(n)) else { throw NLoptError(status: .outOfMemory) }
        defer { nlopt_destroy(opt) }
        nlopt_set_lower_bounds(opt, lower)
        nlopt_set_upper_bounds(opt, upper)
        nlopt_set_maxeval(opt, Int32(maxEvaluations))
        nlopt_set_ftol_rel(opt, relativeFunctionTolerance)
        nlopt_set_xtol_rel(opt, relativeParameterTolerance)
        // a non-finite objective or constraint value is handed to SLSQP as 1e300
        let box = ObjectiveBox(objective: objective, replacement: 1e300)
        let constraintBoxes = constraints.map { ObjectiveBox(objective: $0, replacement: 1e300) }
        var x = zip(start, zip(lower, upper)).map { min(max($0, $1.0), $1.1) }
        var value = Double.infinity
        let code = withExtendedLifetime((box, constraintBoxes)) { () -> nlopt_result in
            nlopt_set_min_objective(opt, ObjectiveBox.callback, box.context)
            for c in constraintBoxes { nlopt_add_inequality_constraint(opt, ObjectiveBox.callback, c.context, constraintTolerance) }
            return nlopt_optimize(opt, &x, &value)
        }
        let status = NLoptStatus(rawValue: code.rawValue) ?? .failure
        guard status.producedPoint || x.allSatisfy(\.isFinite) else { throw NLoptError(status: status) }
        return OptimizationResult(point: x, value: value, evaluations: box.evaluations, status: status)
    }
}
