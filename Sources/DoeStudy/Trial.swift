import DoeBase
import DoeDesign
import DoeJournal
import Foundation

/// The life-cycle state of a trial.
public enum TrialState: String, Sendable, CaseIterable {
    /// Suggested, no result yet (the experiment may be running for days).
    case pending
    /// Observed: has a value for every objective.
    case completed
    /// The run failed (reason recorded); excluded from models.
    case failed
    /// Given up without a result (reason optional).
    case abandoned
    /// Its result was withdrawn after the fact (reason recorded); excluded from models, kept in the journal.
    case retracted
}

/// A change to a recorded result: a correction (`observe --replace`) or a retraction (`doe retract`).
public struct ResultChange: Sendable, Equatable {
    /// What changed the result.
    public enum Kind: String, Sendable {
        /// A new result replaced it (`observe --replace`).
        case corrected
        /// It was withdrawn (`doe retract`).
        case retracted
    }
    /// `corrected` or `retracted`.
    public let kind: Kind
    /// When (ISO 8601).
    public let at: String
    /// The writer identity.
    public let by: String
    /// The values before the change (empty when the trial had none: a failed run given a result).
    public let previous: [String: Double]
    /// The values after a correction (empty for a retraction).
    public let values: [String: Double]
    /// The state before the change.
    public let previousState: TrialState
    /// The reason given (retractions always have one).
    public let reason: String?
}

/// One trial as the journal's replay sees it.
public struct Trial: Sendable {
    /// Integer id, unique in the study, starting at 1.
    public let id: Int
    /// One value per parameter of the space, in the space's order: what was run (the values recorded with `--as-run`
    /// when there are any, else the suggestion). Models use these.
    public var params: [ParameterValue]
    /// The suggestion, when the values run (``params``) were recorded as different from it with `--as-run`.
    public var suggestedParams: [ParameterValue]? = nil
    /// What produced it: `sobol`, `import`, … (`gp-…` once the optimizer takes over).
    public let generator: String
    /// Generator details (e.g. the Sobol index).
    public let generatorInfo: JSONValue?
    /// Current state.
    public var state: TrialState
    /// Objective values by objective name (completed trials).
    public var values: [String: Double]
    /// Metadata from the observation (`--meta`, extra CSV columns, JSON `meta`).
    public var meta: [(String, JSONValue)]
    /// Known standard errors of the values, by objective name (empty when not given).
    public var sems: [String: Double] = [:]
    /// Fields recorded with the result (`doe observe --results runs.h5` with `/fields/…`), by field name; read them
    /// with ``FieldStore``.
    public var fields: [String: FieldReference] = [:]
    /// When it was suggested (or imported).
    public let suggestedAt: String
    /// When it was observed, failed or abandoned.
    public var finishedAt: String?
    /// Reason for failure or abandonment.
    public var reason: String?
    /// Who suggested it.
    public let suggestedBy: String
    /// Who finished it.
    public var finishedBy: String?
    /// Number of observation records (more than one after `--replace`).
    public var observationCount: Int
    /// Corrections and retractions of its result, oldest first.
    public var changes: [ResultChange] = []
    /// How many times its result was replaced (`observe --replace`).
    public var corrections: Int { changes.filter { $0.kind == .corrected }.count }
    /// The suggest call that proposed it (1, 2, …; all trials of one `doe suggest --batch q` share it); `nil` for
    /// imported results.
    public var batch: Int? = nil
}

/// A study's state: the replay of its journal.
public struct StudyState: Sendable {
    /// Study name.
    public let name: String
    /// Seed given at creation.
    public let seed: UInt64
    /// Trials in id order.
    public private(set) var trials: [Trial] = []
    /// Notes in journal order.
    public private(set) var notes: [(timestamp: String, text: String)] = []
    /// Number of journal records replayed.
    public private(set) var recordCount = 0
    /// Number of suggest calls (batches) so far.
    public private(set) var batchCount = 0

    /// The batch of the previous record when it was a `trial_suggested` (journals written before the `batch` field
    /// existed group a run of consecutive suggestions by one writer into one batch).
    private var previousSuggestion: (writer: String, batch: Int)?

    private var indexById: [Int: Int] = [:]
    /// Trials that a space change left outside the space (their recorded parameters are read without bounds).
    public private(set) var excludedBySpaceChange: Set<Int> = []
    /// The last `prior_recorded` record: the model (directory or registry reference), its content hash and, for a
    /// registry prior, the version it resolved to (`nil` before any).
    public private(set) var recordedPrior: (model: String, sha256: String, timestamp: String)?
    /// The registry version (`name@version`) the last `prior_recorded` record resolved its reference to, if any.
    public private(set) var recordedPriorVersion: String?
    /// The study's folder (where its journal is).
    public let directory: String
    /// Space changes in journal order: when, the new file's SHA-256, the trials left outside, the reason.
    public private(set) var spaceChanges: [(timestamp: String, sha256: String, excluded: [Int], reason: String?)] = []

    /// Replays `records` (the first must be `study_created`).
    /// - Throws: ``StudyError/damagedJournal(path:line:reason:)`` for records that do not fit (the line is 1-based among records).
    public init(replaying records: [JournalRecord], space: DesignSpace, journalPath: String) throws {
        guard let first = records.first, first.operation == .studyCreated else {
            throw StudyError.damagedJournal(path: journalPath, line: 1, reason: "the first record must be study_created")
        }
        name = first["study"]?.string ?? "?"
        directory = (journalPath as NSString).deletingLastPathComponent
        seed = UInt64(bitPattern: Int64(first["seed"]?.integer ?? 0))
        for record in records where record.operation == .spaceChanged {
            excludedBySpaceChange.formUnion(record["excluded_trials"]?.elements?.compactMap(\.integer) ?? [])
        }
        for (offset, record) in records.enumerated().dropFirst() {
            do {
                try apply(record, space: space)
            } catch let error as ValueError {
                throw StudyError.damagedJournal(path: journalPath, line: offset + 1, reason: error.message)
            }
        }
        recordCount = records.count
    }

    /// The trial with `id`, if any.
    public func trial(_ id: Int) -> Trial? { indexById[id].map { trials[$0] } }

    /// Smallest…largest trial id, for messages about unknown ids (`nil` while there are no trials).
    public var trialIdRange: ClosedRange<Int>? {
        guard let low = trials.map(\.id).min(), let high = trials.map(\.id).max() else { return nil }
        return low...high
    }

    /// The next unused trial id.
    public var nextTrialId: Int { (trials.map(\.id).max() ?? 0) + 1 }

    /// Trials in `state`.
    public func trials(in state: TrialState) -> [Trial] { trials.filter { $0.state == state } }

    private mutating func apply(_ record: JournalRecord, space: DesignSpace) throws {
        func trialId() throws -> Int {
            guard let id = record["trial"]?.integer else { throw ValueError("\(record.operation.rawValue) without an integer 'trial'") }
            return id
        }
        let previous = previousSuggestion
        previousSuggestion = nil
        func existing() throws -> Int {
            let id = try trialId()
            guard let index = indexById[id] else { throw ValueError("\(record.operation.rawValue) for unknown trial \(id)") }
            return index
        }
        func values() throws -> [String: Double] {
            guard let members = record["values"]?.members else { throw ValueError("missing 'values'") }
            var result: [String: Double] = [:]
            for (k, v) in members {
                guard let d = v.number, d.isFinite else { throw ValueError("value '\(k)' is not a finite number") }
                result[k] = d
            }
            return result
        }
        func fieldReferences() throws -> [String: FieldReference] {
            var result: [String: FieldReference] = [:]
            for (name, value) in record["fields"]?.members ?? [] {
                guard let reference = FieldReference(json: value) else { throw ValueError("field '\(name)' is not {sha256, count}") }
                result[name] = reference
            }
            return result
        }
        func standardErrors() -> [String: Double] {
            Dictionary((record["sems"]?.members ?? []).compactMap { k, v in v.number.map { (k, $0) } }, uniquingKeysWith: { a, _ in a })
        }
        /// Recorded parameter values of trial `id`: checked against the space, except for trials a space change left
        /// outside, which are read by type only when they no longer fit.
        func assignment(_ members: [(String, JSONValue)], trial id: Int?, what: String) throws -> [ParameterValue] {
            let raw = Dictionary(members, uniquingKeysWith: { a, _ in a })
            let context = "trial \(id.map(String.init) ?? "?") \(what)"
            guard let id, excludedBySpaceChange.contains(id) else { return try space.assignment(from: raw, context: context) }
            if let strict = try? space.assignment(from: raw, context: context) { return strict }
            return try space.assignmentIgnoringBounds(from: raw, context: context)
        }
        func params() throws -> [ParameterValue] {
            guard let members = record["params"]?.members else { throw ValueError("missing 'params'") }
            return try assignment(members, trial: record["trial"]?.integer, what: "params")
        }
        switch record.operation {
        case .studyCreated:
            throw ValueError("a second study_created record")
        case .trialSuggested, .trialImported:
            let id = try trialId()
            guard indexById[id] == nil else { throw ValueError("trial \(id) is created twice") }
            let imported = record.operation == .trialImported
            var trial = Trial(id: id, params: try params(),
                              generator: record["generator"]?.string ?? (imported ? "import" : "unknown"),
                              generatorInfo: record["generator_info"], state: .pending, values: [:], meta: [],
                              suggestedAt: record.timestamp, finishedAt: nil, reason: nil, suggestedBy: record.writer,
                              finishedBy: nil, observationCount: 0)
            if !imported {
                let batch: Int
                if let explicit = record["batch"]?.integer {
                    batch = explicit
                } else if let previous, previous.writer == record.writer {
                    batch = previous.batch
                } else {
                    batch = batchCount + 1
                }
                batchCount = max(batchCount, batch)
                trial.batch = batch
                previousSuggestion = (record.writer, batch)
            }
            if imported {
                trial.state = .completed
                trial.values = try values()
                trial.sems = standardErrors()
                trial.fields = try fieldReferences()
                trial.meta = record["meta"]?.members ?? []
                trial.finishedAt = record.timestamp
                trial.finishedBy = record.writer
                trial.observationCount = 1
            }
            indexById[id] = trials.count
            trials.append(trial)
        case .trialObserved:
            let index = try existing()
            let before = trials[index]
            let newValues = try values()
            if before.state != .pending {
                trials[index].changes.append(ResultChange(kind: .corrected, at: record.timestamp, by: record.writer,
                                                          previous: before.values, values: newValues, previousState: before.state,
                                                          reason: record["reason"]?.string))
            }
            trials[index].values = newValues
            trials[index].sems = standardErrors()
            trials[index].fields = try fieldReferences()
            // a correction's metadata is merged into what was recorded: its keys replace, the others stay
            var meta = before.meta
            for (key, value) in record["meta"]?.members ?? [] {
                if let k = meta.firstIndex(where: { $0.0 == key }) { meta[k].1 = value } else { meta.append((key, value)) }
            }
            trials[index].meta = meta
            trials[index].state = .completed
            trials[index].finishedAt = record.timestamp
            trials[index].finishedBy = record.writer
            trials[index].reason = nil
            trials[index].observationCount += 1
            if let asRun = record["as_run"]?.members {
                let original = trials[index].suggestedParams ?? trials[index].params
                trials[index].params = try assignment(asRun, trial: trials[index].id, what: "as-run params")
                trials[index].suggestedParams = original
            }
        case .trialFailed, .trialAbandoned:
            let index = try existing()
            trials[index].state = record.operation == .trialFailed ? .failed : .abandoned
            trials[index].reason = record["reason"]?.string
            trials[index].finishedAt = record.timestamp
            trials[index].finishedBy = record.writer
        case .trialRetracted:
            let index = try existing()
            let before = trials[index]
            trials[index].changes.append(ResultChange(kind: .retracted, at: record.timestamp, by: record.writer, previous: before.values,
                                                      values: [:], previousState: before.state, reason: record["reason"]?.string))
            trials[index].state = .retracted
            trials[index].reason = record["reason"]?.string
            trials[index].finishedBy = record.writer
        case .note:
            notes.append((record.timestamp, record["text"]?.string ?? ""))
        case .spaceChanged:
            let excluded = record["excluded_trials"]?.elements?.compactMap(\.integer) ?? []
            for id in excluded {
                guard let index = indexById[id], trials[index].state == .pending || trials[index].state == .completed else { continue }
                trials[index].state = .abandoned
                trials[index].reason = "outside the space after the change of \(record.timestamp)"
                trials[index].finishedAt = record.timestamp
                trials[index].finishedBy = record.writer
            }
            spaceChanges.append((record.timestamp, record["space_sha256"]?.string ?? "", excluded, record["reason"]?.string))
        case .priorRecorded:
            guard let model = record["model"]?.string, let sha = record["sha256"]?.string else {
                throw ValueError("prior_recorded needs 'model' and 'sha256'")
            }
            recordedPrior = (model, sha, record.timestamp)
            recordedPriorVersion = record["version"]?.string
        }
    }
}
