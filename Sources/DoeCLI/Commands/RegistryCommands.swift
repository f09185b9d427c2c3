import ArgumentParser
import DoeBase
import DoeDesign
import DoeHDF5
import DoeModelFormat
import DoeNeural
import DoeONNX
import DoeProvenance
import DoeRegistry
import Foundation

/// Where the registry is.
struct RegistryOptions: ParsableArguments {
    @Option(help: "Registry directory (default: $DOE_REGISTRY or studies/registry); it must exist (see `registry init`).")
    var registry: String?
    var root: String { registry ?? ProcessInfo.processInfo.environment["DOE_REGISTRY"] ?? "studies/registry" }
    func open() throws -> Registry { try Registry(root: root) }
}

func versionJSON(_ v: ModelVersion, state: Registry.State) -> JSONValue {
    let aliases = (state.aliases[v.name] ?? [:]).filter { $0.value == v.version }.keys.sorted()
    return .object([
        ("name", .string(v.name)), ("version", .int(v.version)), ("aliases", .array(aliases.map { .string($0) })),
        ("registered_at", .string(v.registeredAt)), ("registered_by", .string(v.registeredBy)),
        ("files", .object(v.files.map { ($0.name, .object([("sha256", .string($0.sha256)), ("size", .int($0.size))])) })),
        ("lineage", v.lineage), ("metrics", v.metrics), ("card", v.card),
        ("gates", .array((state.gates[v.name]?[v.version] ?? []).map(gateJSON))),
    ])
}

func gateJSON(_ g: GateOutcome) -> JSONValue {
    .object([("verdict", .string(g.verdict.rawValue)), ("baseline", g.baseline.map(JSONValue.string) ?? .null),
             ("passed", .bool(g.passed)), ("failures", .array(g.failures.map { .string($0) })),
             ("rules", .array(g.rules.map { .string($0) })), ("report_sha256", g.reportSHA256.map(JSONValue.string) ?? .null),
             ("dumps", .array(g.dumps.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
             ("by", .string(g.by)), ("at", .string(g.at))])
}

extension DoeCommand {
    struct RegistryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry",
            abstract: "Model registry: content-addressed model versions with lineage, metrics, cards and aliases.",
            discussion: """
            Example:
              doe registry add models/plate --name plate
              doe registry promote plate@3 --alias production
              doe registry show plate@production
            """,
            subcommands: [Init.self, Add.self, List.self, Show.self, Promote.self, Compare.self, Verify.self, Export.self,
                          PushMLflow.self]
        )

        struct Init: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a registry (every other registry command refuses a path that holds none).",
                discussion: """
                Example:
                  doe registry init --registry /shared/registry

                Files are created with your umask: under umask 002 a group can add and promote. Running it on an \
                existing registry changes nothing.
                """)
            @OptionGroup var options: RegistryOptions

            func run() throws {
                let (registry, created) = try Registry.create(root: options.root)
                let count = try registry.load().versions.values.reduce(0) { $0 + $1.count }
                emit(created ? "created registry \(options.root)" : "registry \(options.root) exists (\(count) versions); nothing changed")
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a model directory as the next version of NAME.",
                discussion: """
                Example:
                  doe registry add models/plate --name plate \\
                    --card card.yaml --external-dump validation.h5

                The folder must load as a model (every file parsed, sizes checked); every file in it is stored. \
                A folder whose files are exactly those of a registered version is reported as that version. \
                The registry must exist unless --create.
                """
            )
            @OptionGroup var options: RegistryOptions
            @Argument(help: "Model directory (from doe train).") var modelDirectory: String
            @Option(help: "Registered model name.") var name: String
            @Option(help: "Model card (YAML): purpose, owner, limitations, known failure modes…") var card: String?
            @Option(help: "Evaluate on this dump (not used in training) and put the metrics in the card (repeatable).")
            var externalDump: [String] = []
            @Option(help: "Fields dataset for --external-dump.") var fields: String?
            @Flag(help: "Create the registry if it does not exist.") var create = false
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let existing = create ? nil : try options.open()   // a missing registry is refused before any work
                let model: Surrogate
                do { model = try ModelDirectory(modelDirectory).loadSurrogate() } catch {
                    throw RegistryError("refusing to register \(modelDirectory): it does not load as a model (\(error))")
                }
                var external: [(String, JSONValue)] = []
                if !externalDump.isEmpty {
                    var layout = DumpLayout()
                    layout.fields = fields
                    for path in externalDump {
                        let loaded = try DumpReader.load([path], layout: layout)
                        printNotes(loaded.notes)
                        let m = try matched(loaded, to: model, label: "the model \(modelDirectory)").matrices
                        let sha = try FileDigest.sha256(ofFile: path)
                        let metrics = SurrogateTrainer.evaluate(model, inputs: m.inputs, outputs: m.outputs, fields: m.fields).json
                        external.append((sha, .object([("path", .string(path)), ("sha256", .string(sha)), ("metrics", metrics)])))
                    }
                }
                let (registry, created) = try existing.map { ($0, false) } ?? Registry.create(root: options.root)
                let registration: Registration
                do {
                    registration = try registry.add(modelDirectory: modelDirectory, name: name, cardPath: card, externalMetrics: external)
                } catch {
                    if created { try? FileManager.default.removeItem(atPath: options.root) }
                    throw error
                }
                let v = registration.version
                if json {
                    guard case var .object(members) = versionJSON(v, state: try registry.load()) else { return }
                    members.append(("existed", .bool(registration.existed)))
                    emit(JSONValue.object(members).serialized)
                } else if registration.existed {
                    emit("\(v.name)@\(v.version) already holds this model (same model.json, weights and POD); nothing registered")
                } else {
                    emit("registered \(v.name)@\(v.version) (\(v.files.count) artifacts, \(v.files.reduce(0) { $0 + $1.size }) bytes) "
                        + "in \(options.root)")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List registered models, versions and aliases.",
                                                            discussion: "Example:\n  doe registry list --json")
            @OptionGroup var options: RegistryOptions
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let state = try options.open().load()
                if json {
                    emit(JSONValue.object([("models", .array(state.versions.keys.sorted().map { name in
                        .object([("name", .string(name)), ("versions", .int(state.versions[name]!.count)),
                                 ("aliases", .object((state.aliases[name] ?? [:]).sorted { $0.key < $1.key }
                                                          .map { ($0.key, .int($0.value)) })),
                                 ("latest_gate", state.lastGate(state.versions[name]!.last!).map(gateJSON) ?? .null)])
                    }))]).serialized)
                    return
                }
                if state.versions.isEmpty { emit("no models registered in \(options.root)"); return }
                var table = TextTable(["model", "versions", "latest", "latest's last gate", "aliases"])
                for name in state.versions.keys.sorted() {
                    let aliases = (state.aliases[name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
                        .joined(separator: " ")
                    let latest = state.versions[name]!.last!
                    let gate = state.lastGate(latest).map { g in
                        g.verdict.rawValue + (g.baseline.map { " vs \($0)" } ?? " (absolute limits)")
                    }
                    table.add([name, "\(state.versions[name]!.count)", "\(latest.version)", gate ?? "not gated", aliases])
                }
                emit(table.rendered)
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one version: artifacts, lineage, metrics, card, alias history.",
                                                            discussion: "Example:\n  doe registry show plate@production")
            @OptionGroup var options: RegistryOptions
            @Argument(help: "NAME, NAME@VERSION or NAME@ALIAS.") var reference: String

            func run() throws {
                let state = try options.open().load()
                let v = try state.resolve(try ModelReference(parsing: reference))
                var json = versionJSON(v, state: state)
                if case var .object(members) = json {
                    members.append(("alias_history", .array(state.aliasHistory.filter { $0.name == v.name }.map { e in
                        .object([("alias", .string(e.alias)), ("version", .int(e.version)), ("by", .string(e.by)),
                                 ("reason", e.reason.map(JSONValue.string) ?? .null), ("at", .string(e.at)), ("forced", .bool(e.forced))])
                    })))
                    if let gate = state.lastGate(v) { members.append(("last_gate", gateJSON(gate))) }
                    json = .object(members)
                }
                emit(json.prettySerialized)
            }
        }

        struct Promote: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Point an alias (staging, production, …) at a verified version; the history is kept.",
                discussion: """
                Example:
                  doe registry promote plate@3 --alias production \\
                    --by ana --reason "lower stress RMSE"

                A version whose last gate failed is refused unless --force (with --reason), which the alias history records.
                """
            )
            @OptionGroup var options: RegistryOptions
            @Argument(help: "NAME@VERSION.") var reference: String
            @Option(help: "Alias to set.") var alias: String
            @Option(help: "Who promotes (default: the CI actor, run and commit in GitHub Actions or GitLab CI, else user@host).")
            var by: String?
            @Option(help: "Why.") var reason: String?
            @Flag(help: "Promote even though the version's last gate failed (recorded in the alias history; needs --reason).")
            var force = false

            func validate() throws {
                if force && (reason ?? "").isEmpty {
                    throw ValidationError("--force needs --reason: say why a model that failed its gate is promoted")
                }
            }

            func run() throws {
                let v = try options.open().promote(try ModelReference(parsing: reference), alias: alias, by: by, reason: reason,
                                                   force: force)
                emit("\(v.name)@\(alias) → version \(v.version)")
            }
        }

        struct Compare: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Metrics of two versions side by side.",
                                                            discussion: "Example:\n  doe registry compare plate@2 plate@production")
            @OptionGroup var options: RegistryOptions
            @Argument(help: "First version.") var first: String
            @Argument(help: "Second version.") var second: String

            func run() throws {
                let state = try options.open().load()
                let a = try state.resolve(try ModelReference(parsing: first)), b = try state.resolve(try ModelReference(parsing: second))
                var table = TextTable(["output", "metric", "\(a.name)@\(a.version)", "\(b.name)@\(b.version)"])
                for (output, values) in a.metrics.members ?? [] {
                    for metric in ["rmse", "mae", "r2", "max_abs_error"] {
                        let x = values[metric]?.number, y = b.metrics[output]?[metric]?.number
                        table.add([output, metric, x.map { String(format: "%.6g", $0) } ?? "-",
                                   y.map { String(format: "%.6g", $0) } ?? "-"])
                    }
                }
                emit(table.rendered)
            }
        }

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Recompute every artifact hash; report and refuse tampered or missing ones.",
                discussion: "Example:\n  doe registry verify")
            @OptionGroup var options: RegistryOptions

            func run() throws {
                let registry = try options.open()
                let state = try registry.load()
                var bad = 0, total = 0
                for name in state.versions.keys.sorted() {
                    for v in state.versions[name]! {
                        total += 1
                        let problems = registry.verify(v)
                        if !problems.isEmpty {
                            bad += 1
                            FileHandle.standardError.write(Data("\(name)@\(v.version): \(problems.joined(separator: "; "))\n".utf8))
                        }
                    }
                }
                if bad > 0 { throw RegistryError("\(bad) of \(total) versions failed verification") }
                emit("\(total) versions verified")
            }
        }

        struct Export: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Export a registered version to ONNX (after verifying it).",
                discussion: "Example:\n  doe registry export plate@production --onnx plate.onnx")
            @OptionGroup var options: RegistryOptions
            @Argument(help: "NAME[@VERSION|@ALIAS].") var reference: String
            @Option(help: "ONNX file to write.") var onnx: String
            @Option(help: "Operator set.") var opset: Int = 17

            func run() throws {
                let registry = try options.open()
                let v = try registry.load().resolve(try ModelReference(parsing: reference))
                var o = ONNXExportOptions()
                o.opset = opset
                o.modelName = v.name
                o.modelVersion = Int64(v.version)
                let surrogate = try registry.withMaterialized(v) { path in
                    o.metadata = try ONNXExportOptions.lineage(of: ModelDirectory(path))
                    return try ModelDirectory(path).loadSurrogate()
                }
                let data = try ONNXExporter.serialize(try ONNXExporter.export(surrogate, options: o))
                try data.write(to: URL(fileURLWithPath: onnx), options: .atomic)
                emit("wrote \(onnx) from \(v.name)@\(v.version) (\(data.count) bytes)")
            }
        }
    }

    struct GateCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate",
            abstract: "CI gate: exit 0 when a candidate model passes, 1 when it regressed, 2 when the gate cannot be evaluated.",
            discussion: """
            Example:
              doe gate plate@4 --baseline plate@production \\
                --max-regression rmse=5% \\
                --max-regression tip_deflection.rmse=2% \\
                --min r2=0.99 --max tip_deflection.rmse=0.02 \\
                --report-dir gate-report

            Limits are METRIC=LIMIT (every output) or OUTPUT.METRIC=LIMIT (one output, overriding the first kind). \
            --max-regression is relative with % (a negative limit demands an improvement); a bare number is an absolute \
            change in the metric's units and needs --absolute. Positive regression is always worse: candidate − baseline \
            for rmse, mae and max_abs_error, baseline − candidate for r2. --min/--max bound the candidate's own value and \
            need no baseline (a first model). An output or metric the baseline has and the candidate lacks fails its check.

            Exit status: 0 passed; 1 a check failed (regression or absolute limit); 2 the gate could not be evaluated \
            (unknown metric or output, missing or tampered version, unreadable dump, unwritable report folder); 64 usage. \
            Writes REPORT_DIR/metrics.json and REPORT_DIR/junit.xml (an <error> test case when inconclusive). Both \
            versions' stored hashes are verified first. Every run is recorded in the registry (verdict, limits, the \
            report's SHA-256, the dumps' SHA-256, who ran it): a version whose last gate did not pass is not promoted \
            without --force. --dump evaluates both models on other dumps instead of their recorded test metrics.
            """
        )
        @OptionGroup var options: RegistryOptions
        @Argument(help: "Candidate NAME@VERSION.") var candidate: String
        @Option(help: "Baseline NAME@VERSION or NAME@ALIAS (needed by --max-regression).") var baseline: String?
        @Option(help: "Largest regression vs the baseline: METRIC=LIMIT or OUTPUT.METRIC=LIMIT, LIMIT relative with % (repeatable).")
        var maxRegression: [String] = []
        @Flag(help: "Read bare --max-regression numbers as absolute changes in the metric's units.") var absolute = false
        @Option(help: "Smallest allowed value: METRIC=VALUE or OUTPUT.METRIC=VALUE, e.g. r2=0.99 (repeatable).") var min: [String] = []
        @Option(help: "Largest allowed value: METRIC=VALUE or OUTPUT.METRIC=VALUE, e.g. tip_deflection.rmse=0.02 (repeatable).")
        var max: [String] = []
        @Option(help: "Evaluate both models on these dumps instead of their recorded test metrics.") var dump: [String] = []
        @Option(help: "Fields dataset for --dump.") var fields: String?
        @Option(help: "Directory for metrics.json and junit.xml.") var reportDir: String = "gate-report"

        func validate() throws {
            guard !(maxRegression.isEmpty && min.isEmpty && max.isEmpty) else {
                throw ValidationError("give at least one limit: --max-regression rmse=5%, --min r2=0.99 or --max rmse=0.02")
            }
            if !maxRegression.isEmpty && baseline == nil {
                throw ValidationError("--max-regression compares with a baseline: add --baseline NAME@VERSION|@ALIAS")
            }
        }

        func run() throws {
            let limits = maxRegression.map { (kind: GateRule.Kind.maxRegression, text: $0) } + min.map { (kind: .minimum, text: $0) }
                + max.map { (kind: .maximum, text: $0) }
            let request = GateRequest(candidate: try ModelReference(parsing: candidate), baseline: try baseline.map(ModelReference.init),
                                      limits: limits, absolute: absolute, dumps: dump, reportDirectory: reportDir)
            var data: SimulationData?
            let result = GateRunner.run(registryRoot: options.root, request) { v, directory in
                if data == nil {
                    var layout = DumpLayout()
                    layout.fields = fields
                    data = try DumpReader.load(dump, layout: layout)
                    printNotes(data!.notes)
                }
                let model = try ModelDirectory(directory).loadSurrogate()
                let m = try matched(data!, to: model, label: "\(v.name)@\(v.version)").matrices
                return SurrogateTrainer.evaluate(model, inputs: m.inputs, outputs: m.outputs, fields: m.fields).json
            }
            let title = result.candidateName + (result.baselineName.map { " vs \($0)" } ?? " (absolute limits)")
            switch result.verdict {
            case .passed:
                emit("\(title)\n" + Gate.table(result.checks))
                emit("gate passed: \(result.checks.count) checks")
            case .failed:
                emit("\(title)\n" + Gate.table(result.checks))
                let failed = result.checks.filter { !$0.passed }
                let named = failed.prefix(4).map(Gate.failureMessage).joined(separator: "; ") + (failed.count > 4 ? "; …" : "")
                throw GateError("gate failed: \(failed.count) of \(result.checks.count) checks: \(named)", kind: .refused,
                                code: "gate.failed")
            case .inconclusive:
                if let usage = result.error as? GateError, usage.kind == .usage { throw usage }
                let reason = result.error.map { ($0 as? any CodedError)?.description ?? "\($0)" } ?? "unknown"
                throw GateError("the gate could not be evaluated: \(reason)", cause: result.error)
            }
        }
    }
}
