import DoeBase
/// A failure reported by a LAPACK routine, mapped from its `info` return value in one place.
public enum LinalgError: CodedError, Equatable {
    /// A numerical failure on the data given.
    public var kind: ErrorKind { .refused }
    /// `linalg.<case>`.
    public var code: String {
        switch self {
        case .illegalArgument: return "linalg.illegal_argument"
        case .notPositiveDefinite: return "linalg.not_positive_definite"
        case .noConvergence: return "linalg.no_convergence"
        case .nonFiniteInput: return "linalg.non_finite"
        }
    }
    /// `info < 0`: argument number `argument` of `routine` had an illegal value (a bug in doe, not in the data).
    case illegalArgument(routine: String, argument: Int)
    /// `?potrf` `info > 0`: the leading minor of order `order` is not positive definite, even after adding
    /// `jitter` (the largest value tried) to the diagonal.
    case notPositiveDefinite(order: Int, jitter: Double)
    /// `?syevd`/`?gesdd` `info > 0`: the iteration did not converge.
    case noConvergence(routine: String, info: Int)
    /// The input holds NaN or an infinity, which LAPACK cannot factor.
    case nonFiniteInput(routine: String)

    /// A one-line message for the user naming the routine and what went wrong.
    public var description: String {
        switch self {
        case let .illegalArgument(routine, argument):
            return "\(routine): argument \(argument) had an illegal value (internal error, please report it)"
        case let .notPositiveDefinite(order, jitter):
            return "matrix is not positive definite (leading minor of order \(order) failed) even with jitter \(jitter) on the diagonal"
        case let .noConvergence(routine, info):
            return "\(routine) did not converge (info \(info))"
        case let .nonFiniteInput(routine):
            return "\(routine): matrix contains NaN or infinite entries"
        }
    }

    /// Maps a LAPACK `info` to an error, or `nil` for success.
    @usableFromInline
    static func check(_ info: Int32, routine: String) -> LinalgError? {
        if info == 0 { return nil }
        if info < 0 { return .illegalArgument(routine: routine, argument: Int(-info)) }
        return .noConvergence(routine: routine, info: Int(info))
    }
}
