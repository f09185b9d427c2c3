/// A value that does not fit where it was given: a parameter value outside the design space, an unterminated CSV
/// field. The message names the file, line, parameter or field.
public struct ValueError: CodedError {
    /// What is wrong, naming the file, field or line concerned.
    public let message: String
    /// What kind of failure this is (invalidValue unless the thrower says otherwise).
    public let kind: ErrorKind
    /// Stable dotted identifier.
    public let code: String
    /// The underlying error, if any.
    public let cause: (any Error)?
    /// An error with `message`.
    public init(_ message: String, kind: ErrorKind = .invalidValue, code: String = "value.invalid", cause: (any Error)? = nil) {
        self.message = message
        self.kind = kind
        self.code = code
        self.cause = cause
    }
    /// The message, as is.
    public var description: String { message }
}
