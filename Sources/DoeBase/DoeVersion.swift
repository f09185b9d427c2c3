/// doe's version, written into journals, model folders, ONNX files and reports, and printed by `doe --version`.
public enum DoeVersion {
    /// The one version string (semantic versioning).
    public static let current = "0.1.0"
}
