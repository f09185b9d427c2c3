import CNLopt
import DoeBase

/// The outcome code of an NLopt run, mapped from `nlopt_result` in one place.
public enum NLoptStatus: Int32, Sendable, CustomStringConvertible {
    /// `NLOPT_SUCCESS`
    case success = 1
    /// `NLOPT_STOPVAL_REACHED`
    case stopValueReached = 2
    /// `NLOPT_FTOL_REACHED`
    case functionToleranceReached = 3
    /// `NLOPT_XTOL_REACHED`
    case parameterToleranceReached = 4
    /// `NLOPT_MAXEVAL_REACHED`
    case maxEvaluationsReached = 5
    /// `NLOPT_MAXTIME_REACHED`
    case maxTimeReached = 6
    /// `NLOPT_FAILURE`
    case failure = -1
    /// `NLOPT_INVALID_ARGS`
    case invalidArguments = -2
    /// `NLOPT_OUT_OF_MEMORY`
    case outOfMemory = -3
    /// `NLOPT_ROUNDOFF_LIMITED`: progress stopped by rounding errors; the point is usually still useful.
    case roundoffLimited = -4
    /// `NLOPT_FORCED_STOP`
    case forcedStop = -5

    /// `true` for every positive code and for `roundoffLimited`, whose point is still the best found.
    public var producedPoint: Bool { rawValue > 0 || self == .roundoffLimited }

    /// A short lower-case phrase for messages, e.g. `"evaluation budget reached"`.
    public var description: String {
        switch self {
        case .success: return "success"
        case .stopValueReached: return "stop value reached"
        case .functionToleranceReached: return "function tolerance reached"
        case .parameterToleranceReached: return "parameter tolerance reached"
        case .maxEvaluationsReached: return "evaluation budget reached"
        case .maxTimeReached: return "time budget reached"
        case .failure: return "generic failure"
        case .invalidArguments: return "invalid arguments (bounds crossed or start outside bounds?)"
        case .outOfMemory: return "out of memory"
        case .roundoffLimited: return "round-off limited"
        case .forcedStop: return "forced stop"
        }
    }
}

/// An NLopt run that produced no usable point.
public struct NLoptError: CodedError {
    /// The optimizer could not run.
    public var kind: ErrorKind { .refused }
    /// `nlopt.failed`.
    public var code: String { "nlopt.failed" }
    /// The status NLopt returned.
    public let status: NLoptStatus
    /// `"NLopt failed: "` followed by the status phrase.
    public var description: String { "NLopt failed: \(status)" }
}
