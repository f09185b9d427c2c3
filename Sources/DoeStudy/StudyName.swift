import DoeBase
/// Validation of study names, which become directory names.
public enum StudyName {
    /// `true` for a valid name (``SafeName/isValid(_:)``).
    public static func isValid(_ name: String) -> Bool { SafeName.isValid(name) }

    /// Throws ``StudyError/invalidName(_:)`` unless `name` is valid.
    public static func validate(_ name: String) throws {
        guard isValid(name) else { throw StudyError.invalidName(name.unicodeScalars
            .map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined()) }
    }
}
