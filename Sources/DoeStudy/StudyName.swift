/// Validation of study names, which become directory names.
public enum StudyName {
    /// `true` for 1–100 characters of `[A-Za-z0-9._-]`, starting with a letter or digit, without `..`.
    public static func isValid(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, scalars.count <= 100, !name.contains("..") else { return false }
        let isAlnum = { (c: Unicode.Scalar) in ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return isAlnum(first) && scalars.allSatisfy { isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// Throws ``StudyError/invalidName(_:)`` unless `name` is valid.
    public static func validate(_ name: String) throws {
        guard isValid(name) else { throw StudyError.invalidName(name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined()) }
    }
}
