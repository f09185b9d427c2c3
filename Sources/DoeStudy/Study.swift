import DoeBase
import DoeDesign
import DoeJournal
import DoeProvenance
import Foundation

/// A study on disk: `<directory>/<name>/space.yaml` and the append-only `journal.jsonl`.
///
/// Every operation that writes takes the journal's exclusive lock, replays the journal, validates its input
/// against that state, appends whole lines and `fsync`s, all before returning. Nothing is ever rewritten.
///
/// ```swift
/// let study = try Study.open(name: "plate", in: "studies")
/// let batch = try study.suggest(count: 4, strategy: BayesianStrategy())   // DoeStrategies
/// try study.observe(id: batch[0].id, values: ["value": 1.3])
/// ```
public final class Study: @unchecked Sendable {
    /// Version written into `study_created` records.
    public static let doeVersion = DoeVersion.current

    /// The study's name.
    public let name: String
    /// Its directory.
    public let path: String
    /// The journal's path.
    public var journalPath: String { path + "/journal.jsonl" }
    /// The stored copy of the space file.
    public var spacePath: String { path + "/space.yaml" }
    /// The design space.
    public let space: DesignSpace
    /// SHA-256 of the space file's bytes as opened (checked against the journal's record of it).
    public let spaceSHA256: String
    /// Receives warnings (a torn last line, for instance). Defaults to standard error.
    public var onWarning: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }

    private init(name: String, path: String, space: DesignSpace, spaceSHA256: String) {
        self.name = name
        self.path = path
        self.space = space
        self.spaceSHA256 = spaceSHA256
    }

    /// Creates a study directory with a copy of the space file and a journal holding `study_created`.
    ///
    /// The directory is assembled under a temporary name and renamed into place, so a crash never
    /// leaves a half-made study behind.
    /// - Throws: ``StudyError`` for a bad name or an existing study, ``SpaceError`` for a bad space file.
    @discardableResult
    public static func create(name: String, spaceFile: String, in directory: String, seed: UInt64) throws -> Study {
        try StudyName.validate(name)
        let space = try DesignSpace.load(contentsOf: spaceFile)
        try space.checkFeasibleShare(source: spaceFile)
        let spaceText = FileManager.default.contents(atPath: spaceFile) ?? Data()
        let fm = FileManager.default
        let target = directory + "/" + name
        if fm.fileExists(atPath: target) { throw StudyError.alreadyExists(name: name, path: target) }
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StudyError.io(path: directory, operation: "create directory", errno: EACCES)
        }
        let staging = directory + "/.\(name).creating-\(getpid())"
        try? fm.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else { throw StudyError.io(path: staging, operation: "mkdir", errno: errno) }
        do {
            try Study.ioErrors { try DurableFile.create(staging + "/space.yaml", with: spaceText) }
            let created = JournalRecord(.studyCreated, [
                ("study", .string(name)), ("seed", .int(Int(bitPattern: UInt(seed)))), ("space_file", "space.yaml"),
                ("doe_version", .string(doeVersion)), ("space_sha256", .string(FileDigest.sha256(of: spaceText))),
                ("space_text", .string(String(decoding: spaceText, as: UTF8.self))),
            ])
            try Study.ioErrors { try JournalFile.create(path: staging + "/journal.jsonl", records: [created]) }
            try Study.ioErrors { try DurableFile.syncDirectory(staging) }
            guard rename(staging, target) == 0 else {
                let code = errno
                if code == EEXIST || code == ENOTEMPTY { throw StudyError.alreadyExists(name: name, path: target) }
                throw StudyError.io(path: target, operation: "rename", errno: code)
            }
            try Study.ioErrors { try DurableFile.syncDirectory(directory) }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
        return Study(name: name, path: target, space: space, spaceSHA256: FileDigest.sha256(of: spaceText))
    }

    /// Opens an existing study.
    /// - Throws: ``StudyError/notFound(name:directory:)``, or the space file's error.
    public static func open(name: String, in directory: String) throws -> Study {
        try StudyName.validate(name)
        let path = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path + "/journal.jsonl", isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StudyError.notFound(name: name, directory: directory)
        }
        if !FileManager.default.fileExists(atPath: path + "/space.yaml") {
            let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path + "/journal.jsonl")).read(upToCount: 4096)) ?? nil
            let firstLine = head.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first.map(String.init) } ?? ""
            if !firstLine.contains("\"study_created\"") {
                let registry = firstLine.contains("\"registry_created\"")
                let why = registry ? ": it is a model registry (see `doe registry list --registry \(path)`)"
                    : " (its journal does not start with study_created)"
                throw StudyError.invalidInput("\(path) is not a study\(why)")
            }
            throw StudyError.invalidInput("\(path)/space.yaml is missing; restore it with `doe space \(name) --restore`")
        }
        let space = try DesignSpace.load(contentsOf: path + "/space.yaml")
        let bytes = FileManager.default.contents(atPath: path + "/space.yaml") ?? Data()
        return Study(name: name, path: path, space: space, spaceSHA256: FileDigest.sha256(of: bytes))
    }

    // MARK: - Reading

    /// The current state (under a shared lock). A torn last line is reported and repaired.
    public func load() throws -> StudyState {
        do {
            let file = try Study.ioErrors { try JournalFile(path: journalPath, lock: .shared) }
            let contents = try Study.ioErrors { try file.readRecords() }
            let (records, torn) = (contents.records, contents.tornTail)
            if torn == nil {
                try checkSpaceHash(records)
                return try StudyState(replaying: records, space: space, journalPath: journalPath)
            }
        }  // the shared lock is released here, before the repair takes the exclusive one
        return try transaction { state in ([], state) }
    }

    /// Runs `body`, turning the journal's and the file layer's errors into the study's (same messages, study advice on
    /// a damaged journal).
    static func ioErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileIOError {
            throw StudyError.io(path: error.path, operation: error.operation, errno: error.errorNumber)
        } catch let error as JournalError {
            switch error {
            case let .io(path, operation, code): throw StudyError.io(path: path, operation: operation, errno: code)
            case let .damaged(path, line, reason): throw StudyError.damagedJournal(path: path, line: line, reason: reason)
            case let .newerVersion(path, line, version): throw StudyError.unsupportedVersion(path: path, line: line, version: version)
            }
        }
    }

    // MARK: - Writing

    /// Runs `body` under the exclusive lock with the replayed state and appends the records it returns.
    public func transaction<T>(_ body: (StudyState) throws -> ([JournalRecord], T)) throws -> T {
        let file = try Study.ioErrors { try JournalFile(path: journalPath, lock: .exclusive) }
        let contents = try Study.ioErrors { try file.readRecords() }
        let (records, torn) = (contents.records, contents.tornTail)
        if let torn {
            try Study.ioErrors { try file.repair(torn) }
            onWarning("\(journalPath): line \(torn.line) was incomplete (\(torn.length) bytes, a write interrupted by a crash or kill); "
                + "it was never acknowledged, and was moved to \(journalPath).torn")
        }
        try checkSpaceHash(records)
        let state = try StudyState(replaying: records, space: space, journalPath: journalPath)
        let (newRecords, result) = try body(state)
        try Study.ioErrors { try file.append(newRecords) }
        return result
    }

    /// Proposes and records `count` new trials.
    /// - Returns: the new trials, pending.
    public func suggest(count: Int, strategy: SuggestionStrategy) throws -> [Trial] {
        guard count >= 1 else { throw StudyError.invalidInput("batch size must be at least 1, got \(count)") }
        return try transaction { state in
            let suggestions = try strategy.suggest(count: count, state: state, space: space)
            var id = state.nextTrialId
            var records: [JournalRecord] = []
            var trials: [Trial] = []
            let batch = state.batchCount + 1
            for s in suggestions {
                let record = JournalRecord(.trialSuggested, [
                    ("trial", .int(id)), ("params", paramsJSON(s.params)), ("generator", .string(s.generator)),
                    ("generator_info", s.info), ("batch", .int(batch)),
                ])
                records.append(record)
                trials.append(Trial(id: id, params: s.params, generator: s.generator, generatorInfo: s.info, state: .pending,
                                    values: [:], meta: [], suggestedAt: record.timestamp, finishedAt: nil, reason: nil,
                                    suggestedBy: record.writer, finishedBy: nil, observationCount: 0, batch: batch))
                id += 1
            }
            return (records, trials)
        }
    }

    /// What one accepted result row became.
    public struct Receipt: Sendable {
        /// The trial id (new for imported rows).
        public let id: Int
        /// `true` when the row was imported as a new trial.
        public let imported: Bool
        /// `true` when it corrected an earlier observation.
        public let replaced: Bool
        /// `true` when the row repeated the recorded observation exactly and nothing was written.
        public var unchanged: Bool = false
        /// `true` when the row recorded parameter values run that differ from the suggestion (`--as-run`).
        public var asRun: Bool = false
    }

    /// How ``observe(_:replace:asRun:importMatchingPending:)`` treats parameter values in result rows.
    ///
    /// A row with an `id` and parameter values must agree with the trial's suggestion within the rounding of the values
    /// given (half a unit of their last written digit), unless `asRun` records them as the values actually run.
    /// A row without an `id` whose parameters match a pending trial is refused unless `importMatchingPending`.
    @discardableResult
    public func observe(_ rows: [ResultRow], replace: Bool = false, asRun: Bool = false,
                        importMatchingPending: Bool = false) throws -> [Receipt] {
        guard !rows.isEmpty else { throw StudyError.invalidInput("no results to record") }
        return try transaction { state in
            var records: [JournalRecord] = []
            var receipts: [Receipt] = []
            var seen: [Int: String] = [:]
            var nextId = state.nextTrialId
            var matchingPending: [(location: String, trial: Int)] = []
            for row in rows {
                let values = try objectiveValues(row.values, location: row.location)
                let sems = try standardErrors(row.sems, location: row.location)
                if let id = row.id {
                    guard let trial = state.trial(id) else {
                        throw StudyError.invalidInput("\(row.location): "
                            + StudyError.unknownTrial(id: id, known: state.trialIdRange).description)
                    }
                    if let earlier = seen[id] {
                        throw StudyError.invalidInput("\(row.location): trial \(id) already appears in \(earlier)")
                    }
                    seen[id] = row.location
                    let ran = try ranParameters(row, trial: trial, asRun: asRun)
                    if trial.state == .completed, ran == nil, isSameObservation(trial, values: values, sems: sems, meta: row.meta),
                       row.fields.allSatisfy({ name, v in trial.fields[name]?.sha256 == FileDigest.sha256(of: FieldStore.bytes(v)) }),
                       row.fields.isEmpty || row.fields.count == trial.fields.count {
                        receipts.append(Receipt(id: id, imported: false, replaced: false, unchanged: true))
                        continue
                    }
                    switch trial.state {
                    case .completed where !replace:
                        throw StudyError.invalidState("\(row.location): trial \(id) already has a different result "
                            + "(\(describe(trial.values)), observed \(trial.finishedAt ?? "?")); use --replace to correct it")
                    case .failed where !replace, .abandoned where !replace, .retracted where !replace:
                        throw StudyError.invalidState("\(row.location): trial \(id) is \(trial.state.rawValue)"
                            + "\(trial.reason.map { " (\($0))" } ?? ""); use --replace to record a result anyway")
                    default: break
                    }
                    var fields: [(String, JSONValue)] = [("trial", .int(id)), ("values", valuesJSON(values))]
                    if !sems.isEmpty { fields.append(("sems", valuesJSON(sems))) }
                    if !row.meta.isEmpty { fields.append(("meta", .object(row.meta))) }
                    if let stored = try storedFields(row) { fields.append(("fields", stored)) }
                    if let ran { fields.append(("as_run", paramsJSON(ran))) }
                    let isReplacement = trial.state != .pending
                    if isReplacement { fields.append(("replace", true)) }
                    records.append(JournalRecord(.trialObserved, fields))
                    receipts.append(Receipt(id: id, imported: false, replaced: isReplacement, asRun: ran != nil))
                } else if let raw = row.params {
                    let params: [ParameterValue]
                    do { params = try space.assignment(from: raw, context: row.location) } catch let error as ValueError {
                        throw StudyError.invalidInput(error.message)
                    }
                    if let violated = space.violatedConstraint(params) {
                        let slack = violated.slack(ParameterConstraint.numbers(params))
                        throw StudyError.invalidInput("\(row.location): the parameters violate the parameter constraint "
                            + "\"\(violated.text)\" (off by \(NumberText.significant(slack))); every trial of the study must satisfy "
                            + "the space's parameter_constraints")
                    }
                    if !importMatchingPending, let pending = state.trials(in: .pending).first(where: { t in
                        space.parameters.indices.allSatisfy { k in
                            Self.agrees(raw[space.parameters[k].name], parsed: params[k], with: t.params[k])
                        }
                    }) {
                        matchingPending.append((row.location, pending.id))
                    }
                    var fields: [(String, JSONValue)] = [("trial", .int(nextId)), ("params", paramsJSON(params)),
                                                         ("generator", "import"), ("values", valuesJSON(values))]
                    if !sems.isEmpty { fields.append(("sems", valuesJSON(sems))) }
                    if !row.meta.isEmpty { fields.append(("meta", .object(row.meta))) }
                    if let stored = try storedFields(row) { fields.append(("fields", stored)) }
                    records.append(JournalRecord(.trialImported, fields))
                    receipts.append(Receipt(id: nextId, imported: true, replaced: false))
                    nextId += 1
                }
            }
            if !matchingPending.isEmpty {
                let ids = matchingPending.map { String($0.trial) }.joined(separator: ", ")
                let lines = matchingPending.map(\.location).joined(separator: ", ")
                throw StudyError.invalidState("\(lines): these rows have no id but match "
                    + "pending trial\(matchingPending.count == 1 ? "" : "s") \(ids): "
                    + "add the id column to record their results, or pass --import to add them as new trials")
            }
            return (records, receipts)
        }
    }

    /// Writes a row's fields into the study's ``FieldStore`` (before the journal names them) and returns the record's
    /// `fields` member; `nil` when the row has none.
    /// - Throws: for a field name that cannot be a name, or a non-finite value (naming the row, field and position).
    private func storedFields(_ row: ResultRow) throws -> JSONValue? {
        guard !row.fields.isEmpty else { return nil }
        let store = FieldStore(studyDirectory: path)
        return .object(try row.fields.map { name, values in
            guard SafeName.isValid(name) else {
                throw StudyError.invalidInput("\(row.location): field name '\(name)' must be letters, digits, '.', '_' or '-'")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw StudyError.invalidInput("\(row.location): field '\(name)' value \(bad) is \(values[bad]), not a finite number")
            }
            return (name, try store.write(values).json)
        })
    }

    /// The parameter values a row with an id says were run, when they are to be recorded (`asRun` and different from
    /// the suggestion); `nil` when the row gives none or they agree with the suggestion.
    /// - Throws: when they disagree with the suggestion and `asRun` is off, naming the row, parameter and both values.
    private func ranParameters(_ row: ResultRow, trial: Trial, asRun: Bool) throws -> [ParameterValue]? {
        guard let raw = row.params, !raw.isEmpty else { return nil }
        if let unknown = raw.keys.sorted().first(where: { key in !space.parameters.contains { $0.name == key } }) {
            throw StudyError.invalidInput("\(row.location): unknown parameter '\(unknown)' "
                + "(the space has \(space.parameters.map(\.name).joined(separator: ", ")))")
        }
        let suggested = trial.suggestedParams ?? trial.params
        var ran = trial.params
        var differs = false
        for (k, p) in space.parameters.enumerated() {
            guard let given = raw[p.name] else { continue }
            let value: ParameterValue
            do { value = try space.value(given, for: p, context: row.location) } catch let error as ValueError {
                throw StudyError.invalidInput(error.message + (asRun ? " (values run must lie in the space)" : ""))
            }
            if Self.agrees(given, parsed: value, with: suggested[k]) { ran[k] = suggested[k]; continue }
            guard asRun else {
                throw StudyError.invalidInput("\(row.location): trial \(trial.id) was suggested with \(p.name) = \(suggested[k]), "
                    + "the row says \(given.string ?? given.serialized): rows swapped? "
                    + "If the rig ran other values, record them with --as-run")
            }
            ran[k] = value
            differs = true
        }
        return differs || (asRun && trial.suggestedParams != nil && ran != trial.params) ? ran : nil
    }

    /// `true` when the raw value written in a results file stands for `target`: equal numbers within half a unit of the
    /// last digit written (22.75 stands for 22.7476443), the same choice or text.
    static func agrees(_ raw: JSONValue?, parsed: ParameterValue, with target: ParameterValue) -> Bool {
        guard let raw else { return true }
        guard let a = parsed.number, let b = target.number else { return parsed.matches(target) }
        if a == b { return true }
        let text = raw.string?.trimmingCharacters(in: .whitespaces) ?? raw.serialized
        // a few ulps as well: full-precision text from another tool's float parser may be off in the last bit
        return abs(a - b) <= max(halfUnitOfLastDigit(text) * (1 + 1e-9), 4 * max(abs(a), abs(b)).ulp)
    }

    /// Half a unit in the last written digit of a decimal number: "22.75" → 0.005, "23" → 0.5, "1.5e-3" → 0.00005.
    static func halfUnitOfLastDigit(_ text: String) -> Double {
        var mantissa = Substring(text), exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let decimals = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
        return 0.5 * pow(10, Double(exponent - decimals))
    }

    /// `true` when an observation repeats what the trial has recorded: the same values, and the same standard errors
    /// and metadata when the row gives any.
    private func isSameObservation(_ trial: Trial, values: [(String, Double)], sems: [(String, Double)],
                                   meta: [(String, JSONValue)]) -> Bool {
        guard values.allSatisfy({ trial.values[$0.0] == $0.1 }), values.count == trial.values.count else { return false }
        if !sems.isEmpty && !(sems.count == trial.sems.count && sems.allSatisfy { trial.sems[$0.0] == $0.1 }) { return false }
        if !meta.isEmpty && !(meta.count == trial.meta.count
                              && zip(meta, trial.meta).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }) { return false }
        return true
    }

    /// Records one result for trial `id`.
    @discardableResult
    public func observe(id: Int, values: [(String, Double)], meta: [(String, JSONValue)] = [], replace: Bool = false) throws -> Receipt {
        let row = ResultRow(location: "trial \(id)", id: id, params: nil, values: values.map { ($0.0, .double($0.1)) }, meta: meta)
        return try observe([row], replace: replace)[0]
    }

    /// Marks a pending trial as failed, with a reason.
    public func fail(id: Int, reason: String) throws {
        try finish(id: id, operation: .trialFailed, reason: reason)
    }

    /// Marks a pending trial as abandoned (it will not be run).
    public func abandon(id: Int, reason: String?) throws {
        try finish(id: id, operation: .trialAbandoned, reason: reason)
    }

    /// Appends a free-text note.
    public func note(_ text: String) throws {
        try transaction { _ in ([JournalRecord(.note, [("text", .string(text))])], ()) }
    }

    /// Withdraws the completed result of trial `id` (a contaminated sample, a mis-calibrated rig): journalled as
    /// `trial_retracted` with the reason, excluded from models from then on, listed by `status`, `trials` and the report.
    /// The result stays in the journal; `observe --replace` can record a new one.
    /// - Throws: ``StudyError`` for an unknown trial, one that has no result, or an empty reason.
    public func retract(id: Int, reason: String) throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw StudyError.invalidInput("--reason: say why the result of trial \(id) is withdrawn") }
        try transaction { state in
            guard let trial = state.trial(id) else { throw StudyError.unknownTrial(id: id, known: state.trialIdRange) }
            guard trial.state == .completed else {
                throw StudyError.invalidState("trial \(id) is \(trial.state.rawValue): only a completed result can be retracted")
            }
            return ([JournalRecord(.trialRetracted, [("trial", .int(id)), ("reason", .string(reason))])], ())
        }
    }

    private func finish(id: Int, operation: JournalOperation, reason: String?) throws {
        try transaction { state in
            guard let trial = state.trial(id) else { throw StudyError.unknownTrial(id: id, known: state.trialIdRange) }
            guard trial.state == .pending else {
                throw StudyError.invalidState("trial \(id) is \(trial.state.rawValue), not pending; "
                    + "only pending trials can be marked \(operation == .trialFailed ? "failed" : "abandoned")")
            }
            var fields: [(String, JSONValue)] = [("trial", .int(id))]
            if let reason { fields.append(("reason", .string(reason))) }
            return ([JournalRecord(operation, fields)], ())
        }
    }

    // MARK: - Helpers

    /// Validates result values: every objective and constrained metric present, finite, no unknown names.
    func objectiveValues(_ raw: [(String, JSONValue)], location: String) throws -> [(String, Double)] {
        var byName: [String: Double] = [:]
        for (key, value) in raw {
            let name = try objectiveName(key, location: location)
            guard let number = value.number else {
                throw StudyError.invalidInput("\(location): value of '\(name)' must be a number, got \(value.serialized)")
            }
            guard number.isFinite else {
                throw StudyError.invalidInput("\(location): value of '\(name)' is \(number), not a finite number")
            }
            byName[name] = number
        }
        let objectives = try space.objectives.map { objective in
            guard let v = byName[objective.name] else {
                throw StudyError.invalidInput("\(location): no value for objective '\(objective.name)'")
            }
            return (objective.name, v)
        }
        return try objectives + space.outcomeConstraints.map { constraint in
            guard let v = byName[constraint.name] else {
                throw StudyError.invalidInput("\(location): no value for the constrained metric '\(constraint.name)' "
                    + "(\(constraint.description)); every result must report it")
            }
            return (constraint.name, v)
        }
    }

    /// The objective or constrained metric a result key names: itself, or the single objective for the key `value`.
    func objectiveName(_ key: String, location: String) throws -> String {
        let objectives = space.objectives
        let name = key == "value" && objectives.count == 1 ? objectives[0].name : key
        guard space.outcomeNames.contains(name) else {
            let metrics = space.outcomeConstraints.isEmpty ? ""
                : "; constrained metrics: \(space.outcomeConstraints.map(\.name).joined(separator: ", "))"
            throw StudyError.invalidInput("\(location): unknown objective '\(key)' "
                + "(the study's objectives: \(objectives.map(\.name).joined(separator: ", "))\(metrics))")
        }
        return name
    }

    /// Validates standard errors: known objectives, finite and non-negative.
    func standardErrors(_ raw: [(String, JSONValue)], location: String) throws -> [(String, Double)] {
        try raw.map { key, value in
            let name = try objectiveName(key, location: location)
            guard let number = value.number, number.isFinite, number >= 0 else {
                throw StudyError.invalidInput("\(location): standard error of '\(name)' must be a finite number ≥ 0, "
                    + "got \(value.serialized)")
            }
            return (name, number)
        }
    }

    func paramsJSON(_ params: [ParameterValue]) -> JSONValue {
        .object(zip(space.parameters, params).map { ($0.0.name, $0.1.json) })
    }

    private func valuesJSON(_ values: [(String, Double)]) -> JSONValue { .object(values.map { ($0.0, .double($0.1)) }) }

    private func describe(_ values: [String: Double]) -> String {
        space.objectives.compactMap { o in values[o.name].map { "\(o.name) = \($0)" } }.joined(separator: ", ")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
