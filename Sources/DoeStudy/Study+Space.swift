import DoeBase
import DoeDesign
import DoeJournal
import DoeProvenance
import Foundation

/// Space changes as journalled operations: the journal records the space file's SHA-256 and text, `doe space --set`
/// checks the recorded trials against a new file, and a file edited by hand is detected instead of breaking replay.
extension Study {
    /// What ``changeSpace(to:excludeOutside:reason:)`` did.
    public struct SpaceChange: Sendable {
        /// SHA-256 of the new space file.
        public let sha256: String
        /// Trials the new space leaves outside (now out of the model).
        public let excluded: [Int]
        /// Parameters whose bounds or choices changed, with a word on how ("widened", "narrowed", …).
        public let changes: [String]
    }

    /// The space file that `records` last recorded (study_created, then each space_changed): its SHA-256 and text,
    /// each `nil` for journals older than them.
    static func recordedSpace(_ records: [JournalRecord]) -> (sha256: String?, text: String?) {
        var space = (sha256: records.first?["space_sha256"]?.string, text: records.first?["space_text"]?.string)
        for r in records where r.operation == .spaceChanged {
            space = (r["space_sha256"]?.string ?? space.sha256, r["space_text"]?.string ?? space.text)
        }
        return space
    }

    /// Refuses to go on when the space file is not the one the journal recorded.
    func checkSpaceHash(_ records: [JournalRecord]) throws {
        if let recorded = Study.recordedSpace(records).sha256, recorded != spaceSHA256 {
            throw StudyError.spaceEdited(study: name, path: spacePath, recorded: recorded, found: spaceSHA256)
        }
    }

    /// Replaces the study's space with the file at `newFile`, recording a `space_changed` record.
    ///
    /// Bounds and choices may change, and settings (kernel, acquisition, initial design); parameters and objectives
    /// may not be added, removed, renamed or change type (that is a new study). Widening always works. When recorded
    /// trials fall outside the new space the change is refused, listing them, unless `excludeOutside`: they then stay
    /// in the journal but leave the model (marked abandoned with the reason).
    /// - Throws: ``StudyError`` naming the trials or the incompatible parameter; ``SpaceError`` for a bad file.
    @discardableResult
    public func changeSpace(to newFile: String, excludeOutside: Bool = false, reason: String? = nil) throws -> SpaceChange {
        let newSpace = try DesignSpace.load(contentsOf: newFile)
        try newSpace.checkFeasibleShare(source: newFile)
        guard let bytes = FileManager.default.contents(atPath: newFile) else {
            throw StudyError.io(path: newFile, operation: "read", errno: errno)
        }
        try checkCompatible(newSpace, file: newFile)
        let sha = FileDigest.sha256(of: bytes)
        return try transaction { state in
            guard sha != spaceSHA256 else { throw StudyError.invalidInput("\(newFile) is the study's current space; nothing to change") }
            var outside: [(Trial, String)] = []
            for trial in state.trials where !state.excludedBySpaceChange.contains(trial.id) || trial.state != .abandoned {
                let raw = Dictionary(zip(space.parameters, trial.params).map { ($0.0.name, $0.1.json) }, uniquingKeysWith: { a, _ in a })
                do { _ = try newSpace.assignment(from: raw, context: "trial \(trial.id)") } catch let error as ValueError {
                    outside.append((trial, error.message))
                }
            }
            if !outside.isEmpty && !excludeOutside {
                let listed = outside.prefix(8).map { "\($0.1)" }.joined(separator: "; ")
                throw StudyError.invalidState("\(newFile) leaves \(outside.count) recorded trial\(outside.count == 1 ? "" : "s") outside "
                    + "(\(outside.map { "\($0.0.id) (\($0.0.state.rawValue))" }.joined(separator: ", "))): "
                    + "\(listed)\(outside.count > 8 ? "; …" : ""). "
                    + "Nothing was changed. Pass --exclude-outside to keep them in the journal but take them out of the model, "
                    + "or keep the space wide enough for them")
            }
            var fields: [(String, JSONValue)] = [("space_sha256", .string(sha)),
                                                 ("space_text", .string(String(decoding: bytes, as: UTF8.self))),
                                                 ("previous_sha256", .string(spaceSHA256)),
                                                 ("excluded_trials", .array(outside.map { .int($0.0.id) }))]
            if let reason { fields.append(("reason", .string(reason))) }
            try Study.ioErrors { try DurableFile.replace(spacePath, with: bytes) }
            return ([JournalRecord(.spaceChanged, fields)],
                    SpaceChange(sha256: sha, excluded: outside.map(\.0.id), changes: describeChanges(to: newSpace)))
        }
    }

    /// Writes back the space file the journal of study `name` last recorded (after a hand edit, even one that no
    /// longer parses), and returns its SHA-256.
    /// - Throws: when the study does not exist, or its journal is older than recorded space texts.
    @discardableResult
    public static func restoreSpace(name: String, in directory: String) throws -> String {
        try StudyName.validate(name)
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path + "/journal.jsonl") else {
            throw StudyError.notFound(name: name, directory: directory)
        }
        let file = try ioErrors { try JournalFile(path: path + "/journal.jsonl", lock: .exclusive) }
        let records = try ioErrors { try file.readRecords() }.records
        guard let text = recordedSpace(records).text else {
            throw StudyError.invalidInput("\(path)/journal.jsonl was written by a doe that did not record the space file; "
                + "restore \(path)/space.yaml from your own copy")
        }
        try ioErrors { try DurableFile.replace(path + "/space.yaml", with: Data(text.utf8)) }
        return FileDigest.sha256(of: Data(text.utf8))
    }

    private func checkCompatible(_ newSpace: DesignSpace, file: String) throws {
        let old = space.parameters.map(\.name), new = newSpace.parameters.map(\.name)
        guard old == new else {
            throw StudyError.invalidState("\(file): parameters \(new.joined(separator: ", ")) "
                + "differ from the study's \(old.joined(separator: ", ")); "
                + "a space change may move bounds and choices only: adding, removing or renaming parameters needs a new study "
                + "(doe init, then import the results)")
        }
        for (a, b) in zip(space.parameters, newSpace.parameters) where Study.kind(a.domain) != Study.kind(b.domain) {
            throw StudyError.invalidState("\(file): parameter '\(a.name)' changes type "
                + "(\(Study.kind(a.domain)) → \(Study.kind(b.domain))); that needs a new study")
        }
        let oldObjectives = space.objectives.map { "\($0.name) (\($0.direction.rawValue))" }
        let newObjectives = newSpace.objectives.map { "\($0.name) (\($0.direction.rawValue))" }
        guard oldObjectives == newObjectives else {
            throw StudyError.invalidState("\(file): objectives \(newObjectives.joined(separator: ", ")) differ from the study's "
                + "\(oldObjectives.joined(separator: ", ")); that needs a new study")
        }
        let oldMetrics = space.outcomeConstraints.map(\.name), newMetrics = newSpace.outcomeConstraints.map(\.name)
        guard oldMetrics == newMetrics else {
            throw StudyError.invalidState("\(file): constrained metrics [\(newMetrics.joined(separator: ", "))] differ from the "
                + "study's [\(oldMetrics.joined(separator: ", "))]: the recorded results do not measure them; that needs a new "
                + "study (a space change may move the limits)")
        }
    }

    private static func kind(_ domain: ParameterDomain) -> String {
        switch domain {
        case .real: return "real"
        case .integer: return "int"
        case .categorical: return "categorical"
        case .fixed: return "fixed"
        }
    }

    private func describeChanges(to newSpace: DesignSpace) -> [String] {
        zip(space.parameters, newSpace.parameters).compactMap { a, b in
            guard a.domain != b.domain else { return nil }
            switch (a.domain, b.domain) {
            case let (.real(l0, h0, _), .real(l1, h1, _)):
                let how = l1 <= l0 && h1 >= h0 ? "widened" : (l1 >= l0 && h1 <= h0 ? "narrowed" : "moved")
                return "\(a.name) \(how): [\(NumberText.significant(l0)), \(NumberText.significant(h0))] → "
                    + "[\(NumberText.significant(l1)), \(NumberText.significant(h1))]"
            case let (.integer(l0, h0), .integer(l1, h1)):
                let how = l1 <= l0 && h1 >= h0 ? "widened" : (l1 >= l0 && h1 <= h0 ? "narrowed" : "moved")
                return "\(a.name) \(how): [\(l0), \(h0)] → [\(l1), \(h1)]"
            default:
                return "\(a.name) changed"
            }
        }
    }
}
