import DoeBase
/// The value of one parameter in a trial.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    /// A real number (`real` parameters, numeric choices and fixed values).
    case real(Double)
    /// An integer (`int` parameters, integer choices and fixed values).
    case integer(Int)
    /// A text label (categorical choices, fixed text values).
    case text(String)

    /// The value as JSON (numbers stay numbers).
    public var json: JSONValue {
        switch self {
        case let .real(d): return .double(d)
        case let .integer(i): return .int(i)
        case let .text(s): return .string(s)
        }
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case let .real(d): return d
        case let .integer(i): return Double(i)
        case .text: return nil
        }
    }

    /// Text for tables and CSV (reals in shortest round-trip form).
    public var description: String {
        switch self {
        case let .real(d): return "\(d)"
        case let .integer(i): return "\(i)"
        case let .text(s): return s
        }
    }

    /// `true` when both are the same number (2 == 2.0) or the same text.
    public func matches(_ other: ParameterValue) -> Bool {
        if let a = number, let b = other.number { return a == b }
        return self == other
    }
}

/// What kind of values a parameter takes.
public enum ParameterDomain: Sendable, Equatable {
    /// A real in `[low, high]`, sampled uniformly, or uniformly in `log` when `logScale` is set (then `low > 0`).
    case real(low: Double, high: Double, logScale: Bool)
    /// An integer in `[low, high]`, both included.
    case integer(low: Int, high: Int)
    /// One of a list of choices.
    case categorical(choices: [ParameterValue])
    /// A constant recorded with every trial but never varied.
    case fixed(ParameterValue)
}

/// One named parameter of a design space.
public struct Parameter: Sendable, Equatable {
    /// The parameter's name, unique within its space.
    public let name: String
    /// Its type and bounds.
    public let domain: ParameterDomain
    /// Optional unit for display (e.g. `mm`, `MPa`).
    public let unit: String?

    /// Creates a parameter.
    public init(name: String, domain: ParameterDomain, unit: String? = nil) {
        self.name = name
        self.domain = domain
        self.unit = unit
    }

    /// The index of `value` among a categorical parameter's choices (`nil` when it is none of them, or the
    /// parameter is not categorical).
    public func choiceIndex(of value: ParameterValue) -> Int? {
        guard case let .categorical(choices) = domain else { return nil }
        return choices.firstIndex { $0.matches(value) }
    }

    /// The value as one number for tables and models: a categorical choice's index, else the number itself
    /// (`nil` for text that is no choice).
    public func numericValue(of value: ParameterValue) -> Double? {
        if case .categorical = domain { return choiceIndex(of: value).map(Double.init) }
        return value.number
    }

    /// `true` unless the parameter is fixed.
    public var isVaried: Bool {
        if case .fixed = domain { return false }
        return true
    }

    /// Maps `u ∈ [0, 1]` to a value of this parameter (not for fixed parameters, which ignore `u`).
    public func value(atUnit u: Double) -> ParameterValue {
        let u = min(max(u, 0), 1)
        switch domain {
        case let .real(low, high, logScale):
            if logScale {
                let v = exp(log(low) + u * (log(high) - log(low)))
                return .real(min(max(v, low), high))
            }
            return .real(min(max(low + u * (high - low), low), high))
        case let .integer(low, high):
            let span = Double(high - low + 1)
            return .integer(min(low + Int((u * span).rounded(.down)), high))
        case let .categorical(choices):
            return choices[min(Int((u * Double(choices.count)).rounded(.down)), choices.count - 1)]
        case let .fixed(value):
            return value
        }
    }

    /// Maps a valid value back to the centre of its cell in `[0, 1]` (the inverse of ``value(atUnit:)``).
    public func unit(of value: ParameterValue) -> Double {
        switch domain {
        case let .real(low, high, logScale):
            let v = value.number ?? low
            if high == low { return 0.5 }
            return logScale ? (log(v) - log(low)) / (log(high) - log(low)) : (v - low) / (high - low)
        case let .integer(low, high):
            let v = Int(value.number ?? Double(low))
            return (Double(v - low) + 0.5) / Double(high - low + 1)
        case let .categorical(choices):
            let index = choiceIndex(of: value) ?? 0
            return (Double(index) + 0.5) / Double(choices.count)
        case .fixed:
            return 0.5
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether an objective is minimized or maximized.
public enum Direction: String, Sendable, CaseIterable {
    /// Smaller values are better.
    case minimize
    /// Larger values are better.
    case maximize

    /// `+1` when maximized, `-1` when minimized: `sign · value` is always to be maximized.
    public var sign: Double { self == .maximize ? 1 : -1 }

    /// `true` when `a` is strictly better than `b`.
    public func isBetter(_ a: Double, than b: Double) -> Bool { self == .minimize ? a < b : a > b }
}

/// One objective of a study.
public struct Objective: Sendable, Equatable {
    /// Name used in result files (`value` for the single default objective).
    public let name: String
    /// Minimize or maximize.
    public let direction: Direction
    /// Unit of its values (`kg`, `MPa`), shown next to them in every output.
    public var unit: String? = nil

    /// Creates an objective.
    public init(name: String, direction: Direction, unit: String? = nil) {
        self.name = name
        self.direction = direction
        self.unit = unit
    }

    /// `mass [kg]`, or the name alone without a unit.
    public var header: String { unit.map { "\(name) [\($0)]" } ?? name }
}
