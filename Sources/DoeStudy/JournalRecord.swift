import DoeBase
import DoeJournal
import DoeDesign
import Foundation

/// The operations a study journal records, one JSON object per line.
///
/// Every record carries `v` (format version), `op`, `ts` (UTC, ISO 8601 with milliseconds) and `writer`
/// (`user@host:pid`, or `$DOE_WRITER`). The op-specific fields are:
///
/// | op | fields |
/// |---|---|
/// | `study_created` | `study`, `seed`, `space_file`, `doe_version`, `space_sha256` and `space_text` (the space file's bytes) |
/// | `trial_suggested` | `trial`, `params`, `generator`, optional `generator_info`, `batch` (the suggest call, 1, 2, …) |
/// | `trial_observed` | `trial`, `values`, optional `meta`, `replace` |
/// | `trial_imported` | `trial`, `params`, `values`, optional `meta` (results that existed before) |
/// | `trial_failed` | `trial`, `reason` |
/// | `trial_abandoned` | `trial`, optional `reason` |
/// | `trial_retracted` | `trial`, `reason` (a completed result withdrawn: it stays in the journal, out of the models) |
/// | `note` | `text` |
/// | `space_changed` | `space_sha256`, `space_text`, `previous_sha256`, `excluded_trials` (ids left outside), optional `reason` |
/// | `prior_recorded` | `model` (the directory as the space names it), `sha256` (content hash), `files` {file: sha256}, optional `reason` |
public enum JournalOperation: String, Sendable, CaseIterable {
    /// A new study: name, seed, space file and its bytes (the first record of every journal).
    case studyCreated = "study_created"
    /// A proposed trial, recorded pending with its parameters, generator and batch number.
    case trialSuggested = "trial_suggested"
    /// The result of a suggested trial (`replace` when it corrects an earlier one).
    case trialObserved = "trial_observed"
    /// A result that existed before, added as a new completed trial with its parameters.
    case trialImported = "trial_imported"
    /// A pending trial that failed, with the reason.
    case trialFailed = "trial_failed"
    /// A pending trial given up, optionally with a reason.
    case trialAbandoned = "trial_abandoned"
    /// A completed result withdrawn ("sample contaminated"), with the reason; excluded from models from then on.
    case trialRetracted = "trial_retracted"
    /// A free-text note in the journal.
    case note = "note"
    /// A new space file, with the trials it leaves outside.
    case spaceChanged = "space_changed"
    /// The simulation surrogate the space's `prior:` names, identified by its content hash (the study's lineage).
    case priorRecorded = "prior_recorded"
}

/// One journal line: an operation plus its fields, kept as ordered JSON.
public struct JournalRecord: Sendable {
    /// The format version this doe writes and reads.
    public static let formatVersion = 1

    /// The operation.
    public let operation: JournalOperation
    /// When it was written.
    public let timestamp: String
    /// Who wrote it.
    public let writer: String
    /// The op-specific fields (without `v`, `op`, `ts`, `writer`).
    public let fields: [(String, JSONValue)]

    /// A new record stamped with the current time and this process's writer id.
    public init(_ operation: JournalOperation, _ fields: [(String, JSONValue)]) {
        self.operation = operation
        self.timestamp = Timestamp.now()
        self.writer = WriterIdentity.current
        self.fields = fields
    }

    init(operation: JournalOperation, timestamp: String, writer: String, fields: [(String, JSONValue)]) {
        self.operation = operation
        self.timestamp = timestamp
        self.writer = writer
        self.fields = fields
    }

    /// Field `key`, if present.
    public subscript(key: String) -> JSONValue? { fields.first { $0.0 == key }?.1 }

    /// The record as one line of JSON, without the newline.
    public var line: String {
        JSONValue.object([("v", .int(JournalRecord.formatVersion)), ("op", .string(operation.rawValue)),
                          ("ts", .string(timestamp)), ("writer", .string(writer))] + fields).serialized
    }

    /// Parses one journal line.
    /// - Throws: a description of what is wrong (the caller adds the line number).
    static func parse(_ line: Substring) throws(JournalLineError) -> JournalRecord {
        let value: JSONValue
        do { value = try JSONValue.parse(Data(line.utf8)) } catch { throw .malformed("not valid JSON") }
        guard let members = value.members else { throw .malformed("not a JSON object") }
        guard let version = value["v"]?.integer else { throw .malformed("missing format version 'v'") }
        guard version <= formatVersion else { throw .newerVersion(version) }
        guard let opName = value["op"]?.string else { throw .malformed("missing 'op'") }
        guard let operation = JournalOperation(rawValue: opName) else { throw .malformed("unknown operation '\(opName)'") }
        let reserved: Set<String> = ["v", "op", "ts", "writer"]
        return JournalRecord(operation: operation, timestamp: value["ts"]?.string ?? "", writer: value["writer"]?.string ?? "",
                             fields: members.filter { !reserved.contains($0.0) })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JournalFile {
    /// Creates a new study journal holding `records` (fails if the file exists).
    public static func create(path: String, records: [JournalRecord]) throws {
        try create(path: path, lines: records.map(\.line))
    }

    /// Reads and parses every complete line as a study record.
    /// - Returns: the records and the torn tail, if any.
    /// - Throws: ``JournalError/damaged(path:line:reason:)`` for a bad line that is not the last one.
    public func readRecords() throws -> JournalContents<JournalRecord> {
        try readRecords(parsing: JournalRecord.parse)
    }

    /// Appends study records as whole lines and `fsync`s. Requires the exclusive lock.
    public func append(_ records: [JournalRecord]) throws {
        try append(lines: records.map(\.line))
    }
}
