import DoeBase
import DoeProvenance
import DoeJournal
import DoeModelFormat
import Foundation
import Yams

/// The domain of ``RegistryError``.
public enum RegistryErrorDomain: ErrorDomain {
    /// refused unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .refused }
    /// `registry.refused`.
    public static var code: String { "registry.refused" }
}

/// A registry failure naming the model, version or file.
public typealias RegistryError = DomainError<RegistryErrorDomain>

/// `NAME`, `NAME@VERSION` or `NAME@ALIAS`.
public struct ModelReference: Sendable, Equatable, CustomStringConvertible {
    /// Model name.
    public let name: String
    /// What follows `@`: a version number (`3` or `v3`) or an alias; `nil` for the latest version.
    public let selector: String?

    /// Parses `NAME`, `NAME@VERSION` or `NAME@ALIAS`.
    /// - Throws: ``RegistryError`` for an invalid name or nothing after `@`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard SafeName.isValid(parts[0]) else {
            throw RegistryError("invalid model name '\(parts[0])': use letters, digits, '.', '_' or '-' (no '/' or '..')")
        }
        if parts.count == 2 && parts[1].isEmpty { throw RegistryError("'\(text)': nothing after '@'") }
        name = parts[0]
        selector = parts.count == 2 ? parts[1] : nil
    }

    /// The reference as written: `name` or `name@selector`.
    public var description: String { selector.map { "\(name)@\($0)" } ?? name }
}

/// One registered model version.
public struct ModelVersion: Sendable {
    /// Model name.
    public let name: String
    /// Version number, from 1.
    public let version: Int
    /// Artifact file name → (SHA-256, size).
    public let files: [StoredFile]

    /// A file of a version: its name in the model folder, SHA-256 and size in bytes.
    public struct StoredFile: Sendable, Hashable {
        /// File name inside the model folder.
        public let name: String
        /// Lower-case hex SHA-256 of its bytes (the artifact's address).
        public let sha256: String
        /// Size in bytes.
        public let size: Int
    }
    /// Training data and settings: `sources`, `training`, `doe_version`, and `git_commit`, `study` when known.
    public let lineage: JSONValue
    /// The test split's metrics, `{output: {rmse, mae, r2, max_abs_error}}` (`null` for a folder without `metrics.json`).
    public let metrics: JSONValue
    /// The model card: the user's YAML plus `training_data` and `metrics` by split.
    public let card: JSONValue
    /// When it was registered (ISO 8601).
    public let registeredAt: String
    /// Writer identity of the process that registered it.
    public let registeredBy: String
}

/// An alias change, kept forever.
public struct AliasEvent: Sendable {
    /// Model name.
    public let name: String
    /// The alias set.
    public let alias: String
    /// The version it points to from then on.
    public let version: Int
    /// Who set it (`--by`, else the writer identity).
    public let by: String
    /// The reason given, if any.
    public let reason: String?
    /// When (ISO 8601).
    public let at: String
    /// `true` when the promotion overrode a failed gate (`--force`).
    public var forced: Bool = false
}

/// The outcome of one `doe gate` run of a version, kept in the registry journal.
public struct GateOutcome: Sendable {
    /// The verdict of a gate run.
    public enum Verdict: String, Sendable {
        /// Every check passed (exit 0).
        case passed
        /// At least one check failed: the candidate regressed or broke an absolute limit (exit 1).
        case failed
        /// The gate could not be evaluated: unknown metric or output, tampered version, unreadable dump (exit 2).
        case inconclusive
    }
    /// The baseline it was compared with (`name@version`); `nil` for a gate of absolute limits only.
    public let baseline: String?
    /// The verdict.
    public let verdict: Verdict
    /// Whether every check passed.
    public var passed: Bool { verdict == .passed }
    /// Failed checks, e.g. `["stress.rmse", "field.rmse (missing)"]`, or the reason it was inconclusive.
    public let failures: [String]
    /// The limits checked, as given (`rmse=5%`, `min r2=0.99`).
    public var rules: [String] = []
    /// SHA-256 of the gate's `metrics.json` report, when it was written.
    public var reportSHA256: String?
    /// The dumps both models were evaluated on (path and SHA-256); empty when the recorded test metrics were used.
    public var dumps: [DumpDigest] = []
    /// Who ran it (the CI actor, run and commit when in CI).
    public var by: String = ""
    /// When (ISO 8601).
    public let at: String

    /// A dump a gate evaluated on: where it was and what it held.
    public struct DumpDigest: Sendable, Equatable {
        /// The path given on the command line.
        public let path: String
        /// Lower-case hex SHA-256 of its bytes.
        public let sha256: String
        /// A digest of `path`'s bytes.
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }
}

/// What ``Registry/add(modelDirectory:name:cardPath:externalMetrics:)`` did.
public struct Registration: Sendable {
    /// The version holding the folder's content.
    public let version: ModelVersion
    /// `true` when a version with the same model files (manifest, weights, POD) already existed and nothing was added.
    public let existed: Bool
}

/// A model registry: an append-only journal (same rules as a study journal: exclusive lock, whole-line append,
/// fsync) plus content-addressed artifacts under `objects/<sha256>` that are never rewritten.
///
/// Records: `model_added` (`name`, `version`, `files` {file: {sha256, size}}, `lineage`, `metrics`, `card`, `by`),
/// `alias_set` (`name`, `alias`, `version`, `by`, `reason`, `forced` when a failed gate was overridden) and
/// `gate_evaluated` (`name`, `version`, `baseline`, `verdict`, `passed`, `failures`, `rules`, `report_sha256`, `dumps`,
/// `by`); each may carry the CI context (`ci`: actor, system, commit, run id and link).
///
/// A registry is created explicitly (``create(root:)``: `doe registry init`, `registry add --create`); opening a
/// path without one is an error, so a mistyped path or a registry CI forgot to restore never starts an empty one.
/// Files are created with the process's umask (objects read-only), so a group with write access can share it.
public final class Registry: @unchecked Sendable {
    /// The registry's folder (`journal.jsonl` and `objects/`).
    public let root: String
    var journalPath: String { root + "/journal.jsonl" }
    var objectsPath: String { root + "/objects" }

    /// The existing registry at `root`.
    /// - Throws: ``RegistryError`` (`registry.not_found`) when `root` holds no registry, naming how to create one.
    public init(root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        let journal = root + "/journal.jsonl"
        guard FileManager.default.fileExists(atPath: journal, isDirectory: &isDirectory), !isDirectory.boolValue else {
            let what = FileManager.default.fileExists(atPath: root) ? "\(root) is not a registry (no journal.jsonl in it)"
                : "no registry at \(root)"
            throw RegistryError("\(what): create one with `doe registry init \(root)` (or `doe registry add --create`); "
                + "in CI this usually means the registry was not restored from the previous run", kind: .notFound,
                code: "registry.not_found")
        }
        guard access(journal, R_OK) == 0 else {
            throw RegistryError("\(journal): permission denied (ask the registry's owner for read access: chmod -R g+rX \(root))",
                                kind: .io, code: "registry.permission")
        }
    }

    /// Creates a registry at `root` (its folder, `objects/` and the journal), or opens the one already there.
    /// - Returns: the registry and whether it was created now.
    public static func create(root: String) throws -> (registry: Registry, created: Bool) {
        if let existing = try? Registry(root: root) { return (existing, false) }
        do {
            try DurableFile.makeDirectories(root + "/objects")
            try JournalFile.create(path: root + "/journal.jsonl", lines: [line("registry_created", [])])
        } catch let error as JournalError {
            guard case .io(_, _, let code) = error, code == EEXIST else { throw error }   // created concurrently
        }
        return (try Registry(root: root), true)
    }

    /// The journal could not be opened for writing: a clear message for the usual cause (no group write access).
    func writable<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as JournalError {
            if case .io(let path, _, let code) = error, code == EACCES || code == EPERM {
                throw RegistryError("\(path): permission denied: you cannot write to this registry (its owner can share it "
                    + "with `chgrp -R GROUP \(root) && chmod -R g+w \(root)`; doe keeps files group-writable under umask 002)",
                    kind: .io, code: "registry.permission", cause: error)
            }
            throw error
        }
    }

    // MARK: - State

    /// The replayed registry.
    public struct State: Sendable {
        /// Registered versions per model name, oldest first.
        public var versions: [String: [ModelVersion]] = [:]
        /// Current aliases: name → alias → version.
        public var aliases: [String: [String: Int]] = [:]
        /// Every alias change, in journal order.
        public var aliasHistory: [AliasEvent] = []
        /// Every gate run of each version, oldest first: name → version → outcomes.
        public var gates: [String: [Int: [GateOutcome]]] = [:]

        /// The last gate run of a version, if it was gated.
        public func lastGate(_ version: ModelVersion) -> GateOutcome? { gates[version.name]?[version.version]?.last }

        /// The version `reference` names (latest when no selector).
        public func resolve(_ reference: ModelReference) throws -> ModelVersion {
            guard let list = versions[reference.name], let latest = list.last else {
                throw RegistryError("no model '\(reference.name)' in the registry (see `doe registry list`)", kind: .notFound,
                                    code: "registry.unknown_model")
            }
            guard let selector = reference.selector else { return latest }
            if let number = Int(selector.hasPrefix("v") ? String(selector.dropFirst()) : selector) {
                guard let v = list.first(where: { $0.version == number }) else {
                    throw RegistryError("\(reference.name) has no version \(number) (versions 1…\(latest.version))", kind: .notFound,
                                        code: "registry.unknown_version")
                }
                return v
            }
            guard let number = aliases[reference.name]?[selector], let v = list.first(where: { $0.version == number }) else {
                throw RegistryError("\(reference.name) has no alias '\(selector)'"
                    + "\(aliases[reference.name].map { " (aliases: \($0.keys.sorted().joined(separator: ", ")))" } ?? "")",
                    kind: .notFound, code: "registry.unknown_alias")
            }
            return v
        }
    }

    static func line(_ op: String, _ fields: [(String, JSONValue)]) -> String {
        JSONValue.object([("v", 1), ("op", .string(op)), ("ts", .string(Timestamp.now())),
                          ("writer", .string(WriterIdentity.current))] + fields).serialized
    }

    /// The CI context recorded with an operation (`null` outside CI).
    static var ciContext: JSONValue {
        let identity = CIIdentity.current
        guard identity.system != nil else { return .null }
        return .object(identity.fields.map { ($0.0, .string($0.1)) })
    }

    static func parse(_ line: Substring) throws(JournalLineError) -> JSONValue {
        let value: JSONValue
        do { value = try JSONValue.parse(String(line)) } catch { throw .malformed("not valid JSON") }
        guard let version = value["v"]?.integer else { throw .malformed("missing format version 'v'") }
        guard version <= 1 else { throw .newerVersion(version) }
        guard value["op"]?.string != nil else { throw .malformed("missing 'op'") }
        return value
    }

    static func replay(_ records: [JSONValue]) -> State {
        var state = State()
        for r in records {
            guard let name = r["name"]?.string else { continue }
            switch r["op"]?.string {
            case "model_added":
                let files = (r["files"]?.members ?? []).map { ($0.0, $0.1["sha256"]?.string ?? "", $0.1["size"]?.integer ?? 0) }
                let v = ModelVersion(name: name, version: r["version"]?.integer ?? 0,
                                     files: files.map { ModelVersion.StoredFile(name: $0.0, sha256: $0.1, size: $0.2) },
                                     lineage: r["lineage"] ?? .null, metrics: r["metrics"] ?? .null, card: r["card"] ?? .null,
                                     registeredAt: r["ts"]?.string ?? "", registeredBy: r["by"]?.string ?? r["writer"]?.string ?? "")
                state.versions[name, default: []].append(v)
            case "alias_set":
                guard let alias = r["alias"]?.string, let version = r["version"]?.integer else { continue }
                state.aliases[name, default: [:]][alias] = version
                state.aliasHistory.append(AliasEvent(name: name, alias: alias, version: version,
                                                     by: r["by"]?.string ?? r["writer"]?.string ?? "",
                                                     reason: r["reason"]?.string, at: r["ts"]?.string ?? "",
                                                     forced: r["forced"] == .bool(true)))
            case "gate_evaluated":
                guard let version = r["version"]?.integer else { continue }
                let verdict = r["verdict"]?.string.flatMap(GateOutcome.Verdict.init(rawValue:))
                    ?? (r["passed"] == .bool(true) ? .passed : .failed)
                var outcome = GateOutcome(baseline: r["baseline"]?.string, verdict: verdict,
                                          failures: r["failures"]?.elements?.compactMap(\.string) ?? [], at: r["ts"]?.string ?? "")
                outcome.rules = r["rules"]?.elements?.compactMap(\.string) ?? []
                outcome.reportSHA256 = r["report_sha256"]?.string
                outcome.dumps = (r["dumps"]?.elements ?? []).compactMap { d in
                    d["path"]?.string.flatMap { path in d["sha256"]?.string.map { GateOutcome.DumpDigest(path: path, sha256: $0) } }
                }
                outcome.by = r["by"]?.string ?? r["writer"]?.string ?? ""
                state.gates[name, default: [:]][version, default: []].append(outcome)
            default:
                break
            }
        }
        return state
    }

    /// The current state (shared lock; a torn tail is repaired under the exclusive lock).
    public func load() throws -> State {
        do {
            let file = try JournalFile(path: journalPath, lock: .shared)
            let contents = try file.readRecords(parsing: Registry.parse)
            let (records, torn) = (contents.records, contents.tornTail)
            if torn == nil { return Registry.replay(records) }
        }
        return try transaction { state in ([], state) }
    }

    func transaction<T>(_ body: (State) throws -> ([String], T)) throws -> T {
        let file = try writable { try JournalFile(path: journalPath, lock: .exclusive) }
        let contents = try file.readRecords(parsing: Registry.parse)
        let (records, torn) = (contents.records, contents.tornTail)
        if let torn { try file.repair(torn) }
        let (lines, result) = try body(Registry.replay(records))
        try file.append(lines: lines)
        return result
    }

    // MARK: - Operations

    /// Registers the model directory `directory` as the next version of `name`, or reports the version that already
    /// holds the same model (the same manifest, weights and POD files, whatever the training times in metrics.json).
    ///
    /// The manifest and metrics are parsed first (the caller loads the model itself: weights and POD sizes), the card
    /// and every file are read before anything is written, and objects stored by an add that then fails are removed.
    /// - Parameter cardPath: optional model card (YAML): purpose, owner, limitations, failure modes….
    /// - Parameter externalMetrics: metrics of the model on dumps it was not trained on, by dump SHA-256 (for the card).
    @discardableResult
    public func add(modelDirectory directory: String, name: String, cardPath: String? = nil,
                    externalMetrics: [(String, JSONValue)] = []) throws -> Registration {
        guard SafeName.isValid(name) else {
            throw RegistryError("invalid model name '\(name)': use letters, digits, '.', '_' or '-' (no '/' or '..')",
                                kind: .invalidValue, code: "registry.invalid_name")
        }
        let fm = FileManager.default
        let folder = ModelDirectory(directory)
        let manifest: ModelManifest, trained: TrainingMetrics?
        do {
            manifest = try folder.readManifest()
            trained = try folder.readMetrics(of: manifest)
        } catch { throw RegistryError("refusing to register \(directory): \(error)", cause: error) }
        // every file of the folder (model, weights, POD, metrics, history, test predictions, anything the user added)
        let entries = try fm.contentsOfDirectory(atPath: directory).sorted().filter { entry in
            var isDirectory: ObjCBool = false
            return !entry.hasPrefix(".") && fm.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        let contents: [(name: String, data: Data)] = try entries.map { file in
            do { return (file, try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))) } catch {
                throw RegistryError("\(directory)/\(file): cannot read (\(error.localizedDescription))", kind: .io, code: "registry.read")
            }
        }
        let files = contents.map { ModelVersion.StoredFile(name: $0.name, sha256: FileDigest.sha256(of: $0.data), size: $0.data.count) }
        let metrics = trained?.json ?? .null
        var lineage: [(String, JSONValue)] = [("sources", try JSONValue(encoding: manifest.sources)),
                                               ("training", try manifest.training.map { try JSONValue(encoding: $0) } ?? .null),
                                               ("doe_version", manifest.doeVersion.map(JSONValue.string) ?? .null)]
        if let commit = CIIdentity.current.commit { lineage.append(("git_commit", .string(commit))) }
        if let study = manifest.study { lineage.append(("study", try JSONValue(encoding: study))) }
        let units = manifest.namedOutputUnits
        if !units.isEmpty { lineage.append(("output_units", .object(units.map { ($0.name, .string($0.unit)) }))) }
        var card: JSONValue = .null
        if let cardPath {
            guard let text = try? String(contentsOfFile: cardPath, encoding: .utf8) else {
                throw RegistryError("\(cardPath): cannot read the model card", kind: .notFound, code: "registry.card")
            }
            guard let yaml = try? Yams.load(yaml: text), let object = yaml as? [String: Any] else {
                throw RegistryError("\(cardPath): the model card must be a YAML mapping (purpose, owner, limitations, …)",
                                    kind: .invalidValue, code: "registry.card")
            }
            card = Registry.json(object)
        }
        // the files that define the model (what it predicts): a version holding the same ones is the same model
        let defining = Set([ModelDirectory.File.manifest.rawValue, manifest.weightsFile ?? ModelDirectory.File.weights.rawValue]
            + (manifest.pod.map { [$0.file] } ?? []))
        let definingFiles = Set(files.filter { defining.contains($0.name) })
        var stored: [String] = []   // objects this call created, removed again if the add fails
        do {
            return try transaction { state in
                if let same = state.versions[name]?.first(where: { Set($0.files.filter { defining.contains($0.name) }) == definingFiles }) {
                    return ([], Registration(version: same, existed: true))
                }
                for (file, entry) in zip(contents, files) where try store(file.data, sha256: entry.sha256) { stored.append(entry.sha256) }
                let version = (state.versions[name]?.last?.version ?? 0) + 1
                // the card: the user's YAML plus what doe knows (training data and metrics on every split)
                var cardMembers = card.members ?? []
                cardMembers.append(("training_data", .object(lineage)))
                let splits = ["train", "validation", "test"].compactMap { split in metrics[split].map { (split, $0) } }
                cardMembers.append(("metrics", .object(splits + (externalMetrics.isEmpty ? [] : [("external", .object(externalMetrics))]))))
                let fileFields = files.map { ($0.name, JSONValue.object([("sha256", .string($0.sha256)), ("size", .int($0.size))])) }
                var fields: [(String, JSONValue)] = [("name", .string(name)), ("version", .int(version)), ("files", .object(fileFields)),
                                                     ("lineage", .object(lineage)), ("metrics", metrics["test"] ?? metrics),
                                                     ("card", .object(cardMembers)), ("by", .string(CIIdentity.current.description))]
                if Registry.ciContext != .null { fields.append(("ci", Registry.ciContext)) }
                let line = Registry.line("model_added", fields)
                let record = try Registry.parse(Substring(line))
                return ([line], Registration(version: Registry.replay([record]).versions[name]!.last!, existed: false))
            }
        } catch {
            for sha in stored { unlink(objectsPath + "/" + sha) }
            throw error
        }
    }

    /// Points `alias` of `name` at `version`, after verifying the version's artifacts.
    ///
    /// A version whose last gate failed or was inconclusive is refused unless `force`, which the alias history records.
    /// - Parameter by: who promotes; the CI identity (actor, run, commit) or `user@host` by default.
    public func promote(_ reference: ModelReference, alias: String, by: String?, reason: String?,
                        force: Bool = false) throws -> ModelVersion {
        guard SafeName.isValid(alias), Int(alias) == nil else {
            throw RegistryError("invalid alias '\(alias)' (letters, digits, '.', '_', '-'; not a number)", kind: .invalidValue,
                                code: "registry.invalid_alias")
        }
        guard reference.selector != nil else {
            throw RegistryError("name the version to promote: \(reference.name)@VERSION", kind: .usage, code: "registry.usage")
        }
        return try transaction { state in
            let v = try state.resolve(reference)
            let problems = verify(v)
            guard problems.isEmpty else {
                throw RegistryError("refusing to promote \(v.name)@\(v.version): \(problems.joined(separator: "; "))", kind: .damaged,
                                    code: "registry.tampered")
            }
            let gate = state.lastGate(v)
            if let gate, !gate.passed, !force {
                let against = gate.baseline.map { "vs \($0), " } ?? ""
                throw RegistryError("refusing to promote \(v.name)@\(v.version): its last gate (\(against)\(gate.at)) was "
                    + gate.verdict.rawValue
                    + " (\(gate.failures.joined(separator: ", "))); pass --force with --reason to promote it anyway "
                    + "(the alias history records it)", code: "registry.gate_failed")
            }
            var fields: [(String, JSONValue)] = [("name", .string(v.name)), ("alias", .string(alias)), ("version", .int(v.version)),
                                                 ("by", .string(by ?? CIIdentity.current.description))]
            if let reason { fields.append(("reason", .string(reason))) }
            if force, let gate, !gate.passed { fields.append(("forced", .bool(true))) }
            if Registry.ciContext != .null { fields.append(("ci", Registry.ciContext)) }
            return ([Registry.line("alias_set", fields)], v)
        }
    }

    /// Records a gate run of `version` (compared with `baseline`, if any), so that `promote` can refuse it and
    /// `registry show` can list it.
    public func recordGate(_ version: ModelVersion, baseline: ModelVersion?, outcome: GateOutcome) throws {
        try transaction { _ in
            var fields: [(String, JSONValue)] = [("name", .string(version.name)), ("version", .int(version.version)),
                                                 ("baseline", baseline.map { .string("\($0.name)@\($0.version)") } ?? .null),
                                                 ("verdict", .string(outcome.verdict.rawValue)), ("passed", .bool(outcome.passed)),
                                                 ("failures", .array(outcome.failures.map { .string($0) })),
                                                 ("rules", .array(outcome.rules.map { .string($0) })),
                                                 ("report_sha256", outcome.reportSHA256.map(JSONValue.string) ?? .null),
                                                 ("dumps", .array(outcome.dumps.map {
                                                     .object([("path", .string($0.path)), ("sha256", .string($0.sha256))])
                                                 })),
                                                 ("by", .string(CIIdentity.current.description))]
            if Registry.ciContext != .null { fields.append(("ci", Registry.ciContext)) }
            return ([Registry.line("gate_evaluated", fields)], ())
        }
    }

    /// Problems with a version's artifacts (missing files, wrong sizes or hashes); empty when it is intact.
    public func verify(_ version: ModelVersion) -> [String] {
        version.files.compactMap { file in
            let path = objectsPath + "/" + file.sha256
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
                return "\(file.name) (\(file.sha256.prefix(12))…) is missing"
            }
            if let size = attributes[.size] as? Int, size != file.size {
                return "\(file.name) (\(file.sha256.prefix(12))…) does not match its hash: \(size) bytes, \(file.size) were registered "
                    + "(tampered or corrupted)"
            }
            guard let actual = try? FileDigest.sha256(ofFile: path), actual == file.sha256 else {
                return "\(file.name) (\(file.sha256.prefix(12))…) does not match its hash (tampered or corrupted)"
            }
            return nil
        }
    }

    /// Runs `body` on a verified, temporary copy of a version's model directory, removed afterwards.
    public func withMaterialized<T>(_ version: ModelVersion, _ body: (String) throws -> T) throws -> T {
        let directory = NSTemporaryDirectory() + "doe-model-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try materialize(version, into: directory)
        return try body(directory)
    }

    /// Writes a verified copy of a version's artifacts into `directory` (a usable model directory).
    public func materialize(_ version: ModelVersion, into directory: String) throws {
        let problems = verify(version)
        guard problems.isEmpty else {
            throw RegistryError("\(version.name)@\(version.version) cannot be used: \(problems.joined(separator: "; "))", kind: .damaged,
                                code: "registry.tampered")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in version.files {
            let target = directory + "/" + file.name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: objectsPath + "/" + file.sha256, toPath: target)
        }
    }

    /// Stores `data` as `objects/<sha256>` (temporary name, fsync, rename, read-only) unless it is there already.
    /// - Returns: `true` when this call created the object.
    func store(_ data: Data, sha256: String) throws -> Bool {
        let target = objectsPath + "/" + sha256
        if FileManager.default.fileExists(atPath: target) { return false }
        do { try DurableFile.replace(target, with: data, mode: 0o444) } catch {
            throw RegistryError("\(target): cannot store the artifact (\(error))", kind: .io, code: "registry.store", cause: error)
        }
        return true
    }

    static func json(_ any: Any) -> JSONValue {
        switch any {
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(i)
        case let d as Double: return d.isFinite ? .double(d) : .null
        case let list as [Any]: return .array(list.map(json))
        case let map as [String: Any]: return .object(map.keys.sorted().map { ($0, json(map[$0]!)) })
        default: return .string("\(any)")
        }
    }
}
