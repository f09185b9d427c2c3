/// A value that does not fit where it was given: a parameter value outside the design space, an unterminated CSV
/// field. The message names the file, line, parameter or field.
public struct ValueError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the parameter, file or line.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
