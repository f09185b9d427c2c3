/// What kind of failure an error is; decides the exit status of `doe`.
public enum ErrorKind: String, Sendable, CaseIterable {
    /// Arguments that do not parse or contradict each other (exit 64).
    case usage
    /// A value the user gave, in an option or an input file, is wrong: NaN, out of bounds, malformed, unknown
    /// name or id (exit 64).
    case invalidValue = "invalid_value"
    /// A well-formed request that conflicts with what is recorded: a second result, a failed gate (exit 1).
    case refused
    /// A study, model, registry entry or file that does not exist (exit 1).
    case notFound = "not_found"
    /// Stored data that is damaged or from a newer doe: a journal line, a model folder (exit 1).
    case damaged
    /// An operating-system call failed: permissions, full disk (exit 1).
    case io
    /// A remote service failed or answered unexpectedly (exit 1).
    case remote

    /// The process exit status for this kind: 64 (`EX_USAGE`) for usage and value errors, 1 otherwise.
    public var exitStatus: Int32 {
        switch self {
        case .usage, .invalidValue: return 64
        case .refused, .notFound, .damaged, .io, .remote: return 1
        }
    }
}

/// An error doe reports itself: a kind (the exit status), a stable code for scripts (`study.unknown_trial`), a
/// message naming the file, line, trial or field concerned, and optionally the error that caused it.
public protocol CodedError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    var kind: ErrorKind { get }
    /// Stable dotted identifier, `<module>.<what>`.
    var code: String { get }
    /// The underlying error, when this one wraps another.
    var cause: (any Error)? { get }
}

extension CodedError {
    /// No underlying error unless the type says otherwise.
    public var cause: (any Error)? { nil }

    /// The message with the chain of causes, one `caused by:` line each (a cause whose text the message already
    /// holds is left out).
    public var report: String {
        var text = description
        var next = cause
        while let error = next {
            let line = "\(error)"
            if !text.contains(line) { text += "\n  caused by: " + line }
            next = (error as? any CodedError)?.cause
        }
        return text
    }
}

/// A message-only error of a given kind, for modules whose failures need no cases of their own.
public struct DoeFailure: CodedError {
    /// What kind of failure this is.
    public let kind: ErrorKind
    /// Stable dotted identifier.
    public let code: String
    /// What is wrong, naming what is concerned.
    public let message: String
    /// The underlying error.
    public let cause: (any Error)?
    /// The message.
    public var description: String { message }

    /// A failure with this message, kind, code and cause.
    public init(_ message: String, kind: ErrorKind, code: String, cause: (any Error)? = nil) {
        self.message = message
        self.kind = kind
        self.code = code
        self.cause = cause
    }
}
