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
    public struct StoredFile: Sendable, Equatable {
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
    /// The baseline it was compared with (`name@version`).
    public let baseline: String
    /// Whether every check passed.
    public let passed: Bool
    /// Failed checks, e.g. `["stress.rmse", "field.rmse (missing)"]`.
    public let failures: [String]
    /// When (ISO 8601).
    public let at: String
}

/// A model registry: an append-only journal (same rules as a study journal: exclusive lock, whole-line append,
/// fsync) plus content-addressed artifacts under `objects/<sha256>` that are never rewritten.
///
/// Records: `model_added` (`name`, `version`, `files` {file: {sha256, size}}, `lineage`, `metrics`, `card`) and
/// `alias_set` (`name`, `alias`, `version`, `by`, `reason`, `forced` when a failed gate was overridden) and
/// `gate_evaluated` (`name`, `version`, `baseline`, `passed`, `failures`).
public final class Registry: @unchecked Sendable {
    /// The registry's folder (`journal.jsonl` and `objects/`).
    public let root: String
    var journalPath: String { root + "/journal.jsonl" }
    var objectsPath: String { root + "/objects" }

    /// The registry at `root`, created on first use.
    public init(root: String) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/objects", withIntermediateDirectories: true)
        if !fm.fileExists(atPath: root + "/journal.jsonl") {
            do {
                try JournalFile.create(path: root + "/journal.jsonl", lines: [Self.line("registry_created", [])])
            } catch let error as JournalError {
                if case .io(_, _, let code) = error, code == EEXIST { return }   // created concurrently
                throw error
            }
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
        /// The last gate outcome of each version: name → version → outcome.
        public var lastGate: [String: [Int: GateOutcome]] = [:]

        /// The version `reference` names (latest when no selector).
        public func resolve(_ reference: ModelReference) throws -> ModelVersion {
            guard let list = versions[reference.name], let latest = list.last else {
                throw RegistryError("no model '\(reference.name)' in the registry (see `doe registry list`)")
            }
            guard let selector = reference.selector else { return latest }
            if let number = Int(selector.hasPrefix("v") ? String(selector.dropFirst()) : selector) {
                guard let v = list.first(where: { $0.version == number }) else {
                    throw RegistryError("\(reference.name) has no version \(number) (versions 1…\(latest.version))")
                }
                return v
            }
            guard let number = aliases[reference.name]?[selector], let v = list.first(where: { $0.version == number }) else {
                throw RegistryError("\(reference.name) has no alias '\(selector)'"
                    + "\(aliases[reference.name].map { " (aliases: \($0.keys.sorted().joined(separator: ", ")))" } ?? "")")
            }
            return v
        }
    }

    static func line(_ op: String, _ fields: [(String, JSONValue)]) -> String {
        JSONValue.object([("v", 1), ("op", .string(op)), ("ts", .string(Timestamp.now())),
                          ("writer", .string(WriterIdentity.current))] + fields).serialized
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
                                     registeredAt: r["ts"]?.string ?? "", registeredBy: r["writer"]?.string ?? "")
                state.versions[name, default: []].append(v)
            case "alias_set":
                guard let alias = r["alias"]?.string, let version = r["version"]?.integer else { continue }
                state.aliases[name, default: [:]][alias] = version
                state.aliasHistory.append(AliasEvent(name: name, alias: alias, version: version,
                                                     by: r["by"]?.string ?? r["writer"]?.string ?? "",
                                                     reason: r["reason"]?.string, at: r["ts"]?.string ?? "",
                                                     forced: r["forced"] == .bool(true)))
            case "gate_evaluated":
                guard let version = r["version"]?.integer, let passed = r["passed"], case let .bool(ok) = passed else { continue }
                state.lastGate[name, default: [:]][version] = GateOutcome(
                    baseline: r["baseline"]?.string ?? "", passed: ok, failures: r["failures"]?.elements?.compactMap(\.string) ?? [],
                    at: r["ts"]?.string ?? "")
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
        let file = try JournalFile(path: journalPath, lock: .exclusive)
        let contents = try file.readRecords(parsing: Registry.parse)
        let (records, torn) = (contents.records, contents.tornTail)
        if let torn { try file.repair(torn) }
        let (lines, result) = try body(Registry.replay(records))
        try file.append(lines: lines)
        return result
    }

    // MARK: - Operations

    /// Registers the model directory `directory` as the next version of `name`.
    /// - Parameter cardPath: optional model card (YAML): purpose, owner, limitations, failure modes….
    /// - Parameter externalMetrics: metrics of the model on dumps it was not trained on, by dump (for the card).
    @discardableResult
    public func add(modelDirectory directory: String, name: String, cardPath: String? = nil,
                    externalMetrics: [(String, JSONValue)] = []) throws -> ModelVersion {
        guard SafeName.isValid(name) else {
            throw RegistryError("invalid model name '\(name)': use letters, digits, '.', '_' or '-' (no '/' or '..')")
        }
        let fm = FileManager.default
        let folder = ModelDirectory(directory)
        let manifest: ModelManifest, trained: TrainingMetrics?
        do {
            manifest = try folder.readManifest()
            trained = try folder.readMetrics(of: manifest)
        } catch { throw RegistryError("refusing to register \(directory): \(error)") }
        var files: [(String, JSONValue)] = []
        // every file of the folder (model, weights, POD, metrics, history, test predictions, anything the user added)
        let entries = try fm.contentsOfDirectory(atPath: directory).sorted().filter { entry in
            var isDirectory: ObjCBool = false
            return !entry.hasPrefix(".") && fm.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        for file in entries {
            let (sha, size) = try store(directory + "/" + file)
            files.append((file, .object([("sha256", .string(sha)), ("size", .int(size))])))
        }
        let metrics = trained?.json ?? .null
        var lineage: [(String, JSONValue)] = [("sources", try JSONValue(encoding: manifest.sources)),
                                               ("training", try manifest.training.map { try JSONValue(encoding: $0) } ?? .null),
                                               ("doe_version", manifest.doeVersion.map(JSONValue.string) ?? .null)]
        if let commit = ProcessInfo.processInfo.environment["DOE_GIT_COMMIT"] { lineage.append(("git_commit", .string(commit))) }
        if let study = manifest.study { lineage.append(("study", try JSONValue(encoding: study))) }
        var card: JSONValue = .null
        if let cardPath {
            guard let text = try? String(contentsOfFile: cardPath, encoding: .utf8) else {
                throw RegistryError("\(cardPath): cannot read the model card")
            }
            guard let yaml = try? Yams.load(yaml: text), let object = yaml as? [String: Any] else {
                throw RegistryError("\(cardPath): the model card must be a YAML mapping (purpose, owner, limitations, …)")
            }
            card = Registry.json(object)
        }
        return try transaction { state in
            let version = (state.versions[name]?.last?.version ?? 0) + 1
            // the card: the user's YAML plus what doe knows (training data and metrics on every split)
            var cardMembers = card.members ?? []
            cardMembers.append(("training_data", .object(lineage)))
            cardMembers.append(("metrics", .object(["train", "validation", "test"]
                                                      .compactMap { split in metrics[split].map { (split, $0) } }
                                                  + (externalMetrics.isEmpty ? [] : [("external", .object(externalMetrics))]))))
            let fields: [(String, JSONValue)] = [("name", .string(name)), ("version", .int(version)), ("files", .object(files)),
                                                 ("lineage", .object(lineage)), ("metrics", metrics["test"] ?? metrics),
                                                 ("card", .object(cardMembers))]
            let line = Registry.line("model_added", fields)
            let record = try Registry.parse(Substring(line))
            let added = Registry.replay([record]).versions[name]!.last!
            return ([line], added)
        }
    }

    /// Points `alias` of `name` at `version`, after verifying the version's artifacts.
    ///
    /// A version whose last gate failed is refused unless `force`, which the alias history records.
    public func promote(_ reference: ModelReference, alias: String, by: String?, reason: String?,
                        force: Bool = false) throws -> ModelVersion {
        guard SafeName.isValid(alias), Int(alias) == nil else {
            throw RegistryError("invalid alias '\(alias)' (letters, digits, '.', '_', '-'; not a number)")
        }
        guard reference.selector != nil else { throw RegistryError("name the version to promote: \(reference.name)@VERSION") }
        return try transaction { state in
            let v = try state.resolve(reference)
            let problems = verify(v)
            guard problems.isEmpty else {
                throw RegistryError("refusing to promote \(v.name)@\(v.version): \(problems.joined(separator: "; "))")
            }
            let gate = state.lastGate[v.name]?[v.version]
            if let gate, !gate.passed, !force {
                throw RegistryError("refusing to promote \(v.name)@\(v.version): its last gate (vs \(gate.baseline), \(gate.at)) failed on "
                    + "\(gate.failures.joined(separator: ", ")); pass --force with --reason to promote it anyway "
                    + "(the alias history records it)")
            }
            var fields: [(String, JSONValue)] = [("name", .string(v.name)), ("alias", .string(alias)), ("version", .int(v.version)),
                                                 ("by", .string(by ?? WriterIdentity.current))]
            if let reason { fields.append(("reason", .string(reason))) }
            if force, let gate, !gate.passed { fields.append(("forced", .bool(true))) }
            return ([Registry.line("alias_set", fields)], v)
        }
    }

    /// Records the outcome of a gate run of `version` (compared with `baseline`), so that `promote` can refuse it.
    public func recordGate(_ version: ModelVersion, baseline: ModelVersion, passed: Bool, failures: [String]) throws {
        try transaction { _ in
            let fields: [(String, JSONValue)] = [("name", .string(version.name)), ("version", .int(version.version)),
                                                 ("baseline", .string("\(baseline.name)@\(baseline.version)")), ("passed", .bool(passed)),
                                                 ("failures", .array(failures.map { .string($0) }))]
            return ([Registry.line("gate_evaluated", fields)], ())
        }
    }

    /// Problems with a version's artifacts (missing files, wrong hashes); empty when it is intact.
    public func verify(_ version: ModelVersion) -> [String] {
        version.files.compactMap { file in
            let path = objectsPath + "/" + file.sha256
            guard FileManager.default.fileExists(atPath: path) else { return "\(file.name) (\(file.sha256.prefix(12))…) is missing" }
            guard let actual = try? FileDigest.sha256(ofFile: path), actual == file.sha256 else {
                return "\(file.name) (\(file.sha256.prefix(12))…) does not match its hash (tampered or corrupted)"
            }
            return nil
        }
    }

    /// Writes a verified copy of a version's artifacts into `directory` (a usable model directory).
    public func materialize(_ version: ModelVersion, into directory: String) throws {
        let problems = verify(version)
        guard problems.isEmpty else {
            throw RegistryError("\(version.name)@\(version.version) cannot be used: \(problems.joined(separator: "; "))")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in version.files {
            let target = directory + "/" + file.name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: objectsPath + "/" + file.sha256, toPath: target)
        }
    }

    /// Copies a file into the object store (write to a temporary name, fsync, rename, read-only) and returns its hash.
    func store(_ path: String) throws -> (String, Int) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RegistryError("\(path): cannot read (\(error.localizedDescription))")
        }
        let sha = FileDigest.sha256(of: data)
        let target = objectsPath + "/" + sha
        if !FileManager.default.fileExists(atPath: target) {
            do { try DurableFile.replace(target, with: data, mode: 0o444) } catch {
                throw RegistryError("\(target): cannot store the artifact (\(error))")
            }
        }
        return (sha, data.count)
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
