import DoeBase
import DoeModelFormat
import DoeProvenance
import Foundation

extension ONNXExportOptions {
    /// The lineage of a model directory as `metadata_props` entries, the same for `doe export`, `doe registry export`
    /// and the ONNX file pushed to MLflow:
    /// - `metrics`: the test split's metrics (JSON object keyed by output);
    /// - `training_data`: the training files with their SHA-256 (JSON array of `{path, sha256}`);
    /// - `training_data_sha256`: one digest for the whole training set (``trainingDataSHA256(_:)``);
    /// - `study`: the study a model was trained on (JSON), for `doe train --study` models.
    public static func lineage(of directory: ModelDirectory) throws -> [(String, String)] {
        let manifest = try directory.readManifest()
        var entries: [(String, String)] = []
        if let metrics = try directory.readMetrics(of: manifest) { entries.append(("metrics", metrics.test.json.serialized)) }
        entries.append(("training_data", try JSONValue(encoding: manifest.sources).serialized))
        entries.append(("training_data_sha256", trainingDataSHA256(manifest.sources)))
        if let study = manifest.study { entries.append(("study", try JSONValue(encoding: study).serialized)) }
        return entries
    }

    /// One identifier for a training set: the SHA-256 of the files' hex digests in order, one per line (no final
    /// newline). A study-trained model has no files: the digest of the empty string.
    public static func trainingDataSHA256(_ sources: [ModelManifest.Source]) -> String {
        FileDigest.sha256(of: Data(sources.map(\.sha256).joined(separator: "\n").utf8))
    }
}
