/// Names that become directory or file names (studies, registered models, aliases).
public enum SafeName {
    /// `true` for 1–100 characters of `[A-Za-z0-9._-]`, starting with a letter or digit, without `..`
    /// (so never `/`, `..`, control characters or an empty name).
    public static func isValid(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, scalars.count <= 100, !name.contains("..") else { return false }
        let isAlnum = { (c: Unicode.Scalar) in ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return isAlnum(first) && scalars.allSatisfy { isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }
}
