import DoeBase

/// Accuracy of predictions against truth, per output.
public struct OutputMetrics: Sendable, Equatable {
    /// Output name (`field` for a field as a whole).
    public let name: String
    /// Root mean square error, in the output's units.
    public let rmse: Double
    /// Mean absolute error, in the output's units.
    public let mae: Double
    /// Coefficient of determination (1 is perfect, 0 the mean's accuracy).
    public let r2: Double
    /// Largest absolute error, in the output's units.
    public let maxAbsError: Double

    /// Metrics with these values.
    public init(name: String, rmse: Double, mae: Double, r2: Double, maxAbsError: Double) {
        self.name = name
        self.rmse = rmse
        self.mae = mae
        self.r2 = r2
        self.maxAbsError = maxAbsError
    }
}

extension Array where Element == OutputMetrics {
    /// The metrics as a JSON object keyed by output name, in this order, each `{rmse, mae, r2, max_abs_error}`.
    public var json: JSONValue {
        .object(map { m in
            (m.name, .object([("rmse", .double(m.rmse)), ("mae", .double(m.mae)), ("r2", .double(m.r2)),
                              ("max_abs_error", .double(m.maxAbsError))]))
        })
    }
}
