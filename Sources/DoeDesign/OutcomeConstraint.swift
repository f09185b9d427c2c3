import DoeBase
import Foundation

/// A constraint on a metric measured with each result (`constraints: [{name: stress, max: 250}]` in the space file):
/// a trial is feasible when every constrained metric is within its limits. The metric is not optimized; its own GP
/// predicts where the constraint holds.
public struct OutcomeConstraint: Sendable, Equatable {
    /// The metric's name in result files (a column of its own, like an objective).
    public let name: String
    /// Largest allowed value, if any.
    public let max: Double?
    /// Smallest allowed value, if any.
    public let min: Double?
    /// Unit of the metric (`MPa`), shown next to it.
    public var unit: String?

    /// A constraint with at least one finite limit (`min ≤ max` when both are given).
    public init(name: String, max: Double? = nil, min: Double? = nil, unit: String? = nil) {
        self.name = name
        self.max = max
        self.min = min
        self.unit = unit
    }

    /// Whether `value` satisfies the constraint.
    public func isSatisfied(by value: Double) -> Bool {
        value.isFinite && (max.map { value <= $0 } ?? true) && (min.map { value >= $0 } ?? true)
    }

    /// How far `value` is outside the limits, in the metric's units (0 when satisfied).
    public func violation(of value: Double) -> Double {
        var v = 0.0
        if let max, value > max { v = value - max }
        if let min, value < min { v = Swift.max(v, min - value) }
        return v
    }

    /// `stress ≤ 250`, `margin ≥ 0`, `0 ≤ gap ≤ 2`.
    public var description: String {
        switch (min, max) {
        case let (lo?, hi?): return "\(NumberText.significant(lo)) ≤ \(name) ≤ \(NumberText.significant(hi))"
        case let (nil, hi?): return "\(name) ≤ \(NumberText.significant(hi))"
        case let (lo?, nil): return "\(name) ≥ \(NumberText.significant(lo))"
        default: return name
        }
    }

    /// The one-sided pieces, as `sign·value ≤ limit` (`max: 250` → `(+1, 250)`, `min: 0` → `(−1, −0)`): what a
    /// model of `sign·value` is constrained by.
    public var upperBounds: [(sign: Double, limit: Double)] {
        (max.map { [(1.0, $0)] } ?? []) + (min.map { [(-1.0, -$0)] } ?? [])
    }
}
