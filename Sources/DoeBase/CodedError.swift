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
    /// A check could not reach a verdict: `doe gate` with an unknown metric or output, an unreadable or tampered
    /// version, an unwritable report folder (exit 2, so CI can tell a broken configuration from a regression).
    case inconclusive

    /// The process exit status for this kind: 64 (`EX_USAGE`) for usage and value errors, 2 for a check that could
    /// not reach a verdict, 1 otherwise.
    public var exitStatus: Int32 {
        switch self {
        case .usage, .invalidValue: return 64
        case .inconclusive: return 2
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

/// Where a message-only error comes from: its default kind, its code and a prefix for its message.
public protocol ErrorDomain: Sendable {
    /// The kind of the domain's errors unless the thrower says otherwise.
    static var defaultKind: ErrorKind { get }
    /// The code of the domain's errors unless the thrower says otherwise.
    static var code: String { get }
    /// Text put before every message (`""` by default).
    static var prefix: String { get }
}

extension ErrorDomain {
    /// No prefix.
    public static var prefix: String { "" }
}

/// A message-only error of a domain (`ValueError`, `RegistryError`, … are aliases of it), so that each module's
/// errors are their own type to catch while sharing one implementation.
public struct DomainError<Domain: ErrorDomain>: CodedError {
    /// What is wrong, naming the file, field, line or trial concerned.
    public let message: String
    /// What kind of failure this is.
    public let kind: ErrorKind
    /// Stable dotted identifier.
    public let code: String
    /// The underlying error, if any.
    public let cause: (any Error)?
    /// The domain's prefix and the message.
    public var description: String { Domain.prefix + message }

    /// An error with `message`, of the domain's kind and code unless given.
    public init(_ message: String, kind: ErrorKind = Domain.defaultKind, code: String = Domain.code, cause: (any Error)? = nil) {
        self.message = message
        self.kind = kind
        self.code = code
        self.cause = cause
    }

    /// The same as ``init(_:kind:code:cause:)``, with the label some modules' call sites use.
    public init(message: String, kind: ErrorKind = Domain.defaultKind, code: String = Domain.code, cause: (any Error)? = nil) {
        self.init(message, kind: kind, code: code, cause: cause)
    }
}
