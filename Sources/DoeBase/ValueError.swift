/// The domain of ``ValueError``.
public enum ValueErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `value.invalid`.
    public static var code: String { "value.invalid" }
}

/// A value that does not fit where it was given: a parameter value outside the design space, an unterminated CSV
/// field. The message names the file, line, parameter or field.
public typealias ValueError = DomainError<ValueErrorDomain>
