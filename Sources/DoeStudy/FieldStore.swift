import DoeBase
import DoeProvenance
import Foundation

/// Where one recorded field (a displacement or stress field of one simulation) is kept: its content hash and length.
public struct FieldReference: Sendable, Equatable {
    /// SHA-256 (hex) of the field's bytes (float64, little-endian).
    public let sha256: String
    /// Number of values.
    public let count: Int

    /// A reference from its parts.
    public init(sha256: String, count: Int) {
        self.sha256 = sha256
        self.count = count
    }

    /// The journal form: `{"sha256": "…", "count": 400}`.
    public var json: JSONValue { .object([("sha256", .string(sha256)), ("count", .int(count))]) }

    /// Reads the journal form; `nil` when it is not one.
    public init?(json: JSONValue) {
        guard let sha = json["sha256"]?.string, sha.count == 64, sha.allSatisfy(\.isHexDigit),
              let count = json["count"]?.integer, count >= 0 else { return nil }
        self.init(sha256: sha, count: count)
    }
}

/// The fields a study's results carried (`doe observe --results runs.h5` with `/fields/…`): one immutable file per
/// distinct field, `fields/<sha256>.f64` in the study folder (float64 little-endian), named by its content hash so a
/// file is never rewritten and a correction only adds one. The journal's observation names the hash; reading checks it.
public struct FieldStore: Sendable {
    /// The folder holding the field files (`<study>/fields`).
    public let directory: String

    /// The store of the study in `studyDirectory`.
    public init(studyDirectory: String) { directory = studyDirectory + "/fields" }

    /// The bytes of `values` as stored.
    static func bytes(_ values: [Double]) -> Data {
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Stores `values` (durably, before the journal names them) unless a file with the same content exists.
    /// - Throws: ``FileIOError`` when the folder or file cannot be written.
    public func write(_ values: [Double]) throws -> FieldReference {
        let data = FieldStore.bytes(values)
        let reference = FieldReference(sha256: FileDigest.sha256(of: data), count: values.count)
        let path = self.path(of: reference)
        if let existing = FileManager.default.contents(atPath: path), FileDigest.sha256(of: existing) == reference.sha256 {
            return reference
        }
        try DurableFile.makeDirectories(directory)
        try DurableFile.replace(path, with: data, mode: 0o444)
        return reference
    }

    /// The file of a reference.
    public func path(of reference: FieldReference) -> String { directory + "/" + reference.sha256 + ".f64" }

    /// The values a reference names.
    /// - Throws: ``StudyError`` when the file is missing, has another length or its content no longer matches the hash.
    public func read(_ reference: FieldReference, trial: Int, field: String) throws -> [Double] {
        let path = self.path(of: reference)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StudyError.invalidState("trial \(trial) field '\(field)': \(path) is missing (the journal names it)")
        }
        guard data.count == 8 * reference.count, FileDigest.sha256(of: data) == reference.sha256 else {
            throw StudyError.invalidState("trial \(trial) field '\(field)': \(path) does not match the hash the journal recorded "
                + "(changed or damaged after it was written)")
        }
        return stride(from: 0, to: data.count, by: 8).map { offset in
            Double(bitPattern: data[data.startIndex + offset..<data.startIndex + offset + 8]
                .reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
    }
}
