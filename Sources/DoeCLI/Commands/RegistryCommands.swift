import ArgumentParser
import DoeBase
import DoeDesign
import DoeHDF5
import DoeModelFormat
import DoeNeural
import DoeONNX
import DoeRegistry
import Foundation

/// Where the registry is.
struct RegistryOptions: ParsableArguments {
    @Option(help: "Registry directory (default: $DOE_REGISTRY or studies/registry).") var registry: String?
    var root: String { registry ?? ProcessInfo.processInfo.environment["DOE_REGISTRY"] ?? "studies/registry" }
    func open() throws -> Registry { try Registry(root: root) }
}

/// Runs `body` on a verified, temporary copy of a registered version's model directory.
func withMaterialized<T>(_ v: ModelVersion, from registry: Registry, _ body: (String) throws -> T) throws -> T {
    let directory = NSTemporaryDirectory() + "doe-model-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try registry.materialize(v, into: directory)
    return try body(directory)
}

func versionJSON(_ v: ModelVersion, state: Registry.State) -> JSONValue {
    let aliases = (state.aliases[v.name] ?? [:]).filter { $0.value == v.version }.keys.sorted()
    return .object([
        ("name", .string(v.name)), ("version", .int(v.version)), ("aliases", .array(aliases.map { .string($0) })),
        ("registered_at", .string(v.registeredAt)), ("registered_by", .string(v.registeredBy)),
        ("files", .object(v.files.map { ($0.name, .object([("sha256", .string($0.sha256)), ("size", .int($0.size))])) })),
        ("lineage", v.lineage), ("metrics", v.metrics), ("card", v.card),
    ])
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
            subcommands: [Add.self, List.self, Show.self, Promote.self, Compare.self, Verify.self, Export.self, PushMLflow.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a model directory as the next version of NAME.",
                discussion: """
                Example:
                  doe registry add models/plate --name plate \\
                    --card card.yaml --external-dump validation.h5

                The folder must load as a model; every file in it is stored.
                """
            )
            @OptionGroup var options: RegistryOptions
            @Argument(help: "Model directory (from doe train).") var modelDirectory: String
            @Option(help: "Registered model name.") var name: String
            @Option(help: "Model card (YAML): purpose, owner, limitations, known failure modes…") var card: String?
            @Option(help: "Evaluate on this dump (not used in training) and put the metrics in the card (repeatable).")
            var externalDump: [String] = []
            @Option(help: "Fields dataset for --external-dump.") var fields: String?
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let registry = try options.open()
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
                        external.append((path, SurrogateTrainer.evaluate(model, inputs: m.inputs, outputs: m.outputs,
                                                                         fields: m.fields).json))
                    }
                }
                let v = try registry.add(modelDirectory: modelDirectory, name: name, cardPath: card, externalMetrics: external)
                if json { emit(versionJSON(v, state: try registry.load()).serialized) } else {
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
                                                          .map { ($0.key, .int($0.value)) }))])
                    }))]).serialized)
                    return
                }
                if state.versions.isEmpty { emit("no models registered in \(options.root)"); return }
                var table = TextTable(["model", "versions", "latest", "aliases"])
                for name in state.versions.keys.sorted() {
                    let aliases = (state.aliases[name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
                        .joined(separator: " ")
                    table.add([name, "\(state.versions[name]!.count)", "\(state.versions[name]!.last!.version)", aliases])
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
                    if let gate = state.lastGate[v.name]?[v.version] {
                        members.append(("last_gate", .object([("baseline", .string(gate.baseline)), ("passed", .bool(gate.passed)),
                                                              ("failures", .array(gate.failures.map { .string($0) })),
                                                              ("at", .string(gate.at))])))
                    }
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
            @Option(help: "Who promotes.") var by: String?
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
                let surrogate = try withMaterialized(v, from: registry) { path in
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
            abstract: "CI gate: fail (exit 1) when a candidate model is worse than the baseline beyond the allowed regression.",
            discussion: """
            Example:
              doe gate plate@4 --baseline plate@production \\
                --metric rmse --max-regression 2% \\
                --metric r2 --max-regression 0.001 \\
                --report-dir gate-report

            Writes REPORT_DIR/metrics.json and REPORT_DIR/junit.xml. --dump evaluates both models on another dump \
            instead of using their recorded test metrics. An output or metric the baseline has and the candidate \
            lacks fails its check. The outcome is kept in the registry: a version whose last gate failed is not \
            promoted without --force.
            """
        )
        @OptionGroup var options: RegistryOptions
        @Argument(help: "Candidate NAME@VERSION.") var candidate: String
        @Option(help: "Baseline NAME@VERSION or NAME@ALIAS.") var baseline: String
        @Option(help: "Metric to check (rmse, mae, r2, max_abs_error); repeatable, paired with --max-regression.") var metric: [String] = []
        @Option(help: "Allowed regression for each --metric: relative with % (2%) or absolute (0.01).") var maxRegression: [String] = []
        @Option(help: "Evaluate both models on these dumps instead of their recorded test metrics.") var dump: [String] = []
        @Option(help: "Fields dataset for --dump.") var fields: String?
        @Option(help: "Directory for metrics.json and junit.xml.") var reportDir: String = "gate-report"

        func validate() throws {
            guard !metric.isEmpty, metric.count == maxRegression.count else {
                throw ValidationError("give each --metric its --max-regression (e.g. --metric rmse --max-regression 2%)")
            }
        }

        func run() throws {
            let rules = try zip(metric, maxRegression).map { try GateRule(metric: $0, threshold: $1) }
            let registry = try options.open()
            let state = try registry.load()
            let c = try state.resolve(try ModelReference(parsing: candidate)), b = try state.resolve(try ModelReference(parsing: baseline))
            var candidateMetrics = c.metrics, baselineMetrics = b.metrics
            if !dump.isEmpty {
                var layout = DumpLayout()
                layout.fields = fields
                let data = try DumpReader.load(dump, layout: layout)
                printNotes(data.notes)
                func evaluate(_ v: ModelVersion) throws -> JSONValue {
                    let model = try withMaterialized(v, from: registry) { try ModelDirectory($0).loadSurrogate() }
                    let m = try matched(data, to: model, label: "\(v.name)@\(v.version)").matrices
                    return SurrogateTrainer.evaluate(model, inputs: m.inputs, outputs: m.outputs, fields: m.fields).json
                }
                candidateMetrics = try evaluate(c)
                baselineMetrics = try evaluate(b)
            }
            let checks = try Gate.evaluate(candidate: candidateMetrics, baseline: baselineMetrics, rules: rules)
            try FileManager.default.createDirectory(atPath: reportDir, withIntermediateDirectories: true)
            let cName = "\(c.name)@\(c.version)", bName = "\(b.name)@\(b.version)"
            try (Gate.json(checks, candidate: cName, baseline: bName).prettySerialized + "\n")
                .write(toFile: reportDir + "/metrics.json", atomically: true, encoding: .utf8)
            try Gate.junit(checks, suite: "doe gate \(cName) vs \(bName)")
                .write(toFile: reportDir + "/junit.xml", atomically: true, encoding: .utf8)
            emit("\(cName) vs \(bName)\n" + Gate.table(checks))
            let failedChecks = checks.filter { !$0.passed }
            try registry.recordGate(c, baseline: b, passed: failedChecks.isEmpty,
                                    failures: failedChecks.map { "\($0.output).\($0.metric)\($0.missing ? " (missing)" : "")" })
            let failed = failedChecks.count
            if failed > 0 {
                FileHandle.standardError.write(Data("gate failed: \(failed) of \(checks.count) checks regressed beyond the limit\n".utf8))
                throw ExitCode.failure
            }
            emit("gate passed: \(checks.count) checks")
        }
    }
}
