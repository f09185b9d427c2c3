import ArgumentParser
import DoeBase
import DoeDesign
import DoeMLflow
import DoeModelFormat
import DoeNeural
import DoeONNX
import DoeProvenance
import DoeJournal
import DoeRegistry
import DoeStudy
import Foundation

extension DoeCommand.RegistryCommand {
    struct PushMLflow: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push-mlflow",
            abstract: "Push a registered version to an MLflow tracking server: a run with the model in MLflow's format, params, "
                + "metrics, curves, datasets and card, and a registered-model version with the same aliases.",
            discussion: """
            Example:
              doe registry push-mlflow plate@production \\
                --tracking-uri http://127.0.0.1:5000

            The tracking URI defaults to $MLFLOW_TRACKING_URI; credentials come from $MLFLOW_TRACKING_TOKEN (bearer) or \
            $MLFLOW_TRACKING_USERNAME and $MLFLOW_TRACKING_PASSWORD (basic) and are never printed. Pushing the same \
            version again finds its run (tag doe.content_sha256) and only updates aliases. A failed push marks its run \
            FAILED. mlflow.pyfunc.load_model("models:/NAME@ALIAS") predicts from a DataFrame with the input columns.
            """
        )
        @OptionGroup var options: RegistryOptions
        @Argument(help: "NAME[@VERSION|@ALIAS].") var reference: String
        @Option(help: "MLflow tracking server, e.g. http://127.0.0.1:5000 (default: $MLFLOW_TRACKING_URI).") var trackingUri: String?
        @Option(help: "MLflow experiment.") var experiment: String = "doe-models"

        func run() throws {
            let client = try MLflowClient(trackingURI: trackingUri)
            let registry = try options.open()
            let state = try registry.load()
            let v = try state.resolve(try ModelReference(parsing: reference))
            let aliases = (state.aliases[v.name] ?? [:]).filter { $0.value == v.version }.keys.sorted()
            let push = try registry.withMaterialized(v) { path in
                try MLflowPushBuilder.push(of: v, directory: ModelDirectory(path), aliases: aliases)
            }
            let outcome = try MLflowPublisher.push(push, experiment: experiment, client: client)
            emit("\(outcome.reused ? "already in" : "pushed \(v.name)@\(v.version) to") \(client.trackingURI.absoluteString): "
                + "run \(outcome.runId)\(outcome.reused ? " (same content; aliases updated)" : ""), "
                + "registered model \(v.name) version \(outcome.registeredVersion)"
                + "\(aliases.isEmpty ? "" : " (aliases: \(aliases.joined(separator: ", ")))")")
        }
    }
}

/// Assembles what a registered version sends to MLflow from its verified model folder.
enum MLflowPushBuilder {
    static func milliseconds(_ iso: String?) -> Int? { iso.flatMap(Timestamp.parse).map { Int($0.timeIntervalSince1970 * 1000) } }

    static func push(of v: ModelVersion, directory: ModelDirectory, aliases: [String]) throws -> MLflowModelPush {
        let manifest = try directory.readManifest()
        let surrogate = try directory.loadSurrogate(manifest)
        let trained = try directory.readMetrics(of: manifest)
        let history = try directory.readHistory() ?? []
        var exportOptions = ONNXExportOptions()
        exportOptions.modelName = v.name
        exportOptions.modelVersion = Int64(v.version)
        exportOptions.metadata = try ONNXExportOptions.lineage(of: directory)
        let onnx = try ONNXExporter.serialize(try ONNXExporter.export(surrogate, options: exportOptions))
        // three example rows across the training range (or the scaler's mean ± std)
        let low = manifest.trainingRange?.low ?? zip(manifest.inputScaler.mean, manifest.inputScaler.std).map { Double($0 - $1) }
        let high = manifest.trainingRange?.high ?? zip(manifest.inputScaler.mean, manifest.inputScaler.std).map { Double($0 + $1) }
        let example = [0.25, 0.5, 0.75].map { t in zip(low, high).map { $0 + t * ($1 - $0) } }
        let content = FileDigest.sha256(of: Data(v.files.sorted { $0.name < $1.name }.map { "\($0.name):\($0.sha256)\n" }.joined().utf8))
        let units = manifest.namedOutputUnits.map { "\($0.name)=\($0.unit)" }
        var metadata: [(String, String)] = [("doe_model", v.name), ("doe_model_version", String(v.version)),
                                            ("doe_content_sha256", content), ("doe_version", DoeVersion.current)]
        if !units.isEmpty { metadata.append(("output_units", units.joined(separator: ","))) }
        var push = MLflowModelPush(name: v.name, doeModelVersion: v.version, contentSHA256: content,
                                   model: MLflowModelFormat(onnx: onnx, inputNames: manifest.inputNames, inputUnits: manifest.inputUnits,
                                                            outputNames: manifest.outputNames, outputUnits: manifest.outputUnits,
                                                            example: example, metadata: metadata))
        push.model.inputLevels = surrogate.inputLevels
        push.aliases = aliases
        push.description = "doe \(v.name)@\(v.version)"
        // params: training settings and lineage
        push.params = (v.lineage["training"]?.members ?? []).map { ($0.0, $0.1.string ?? $0.1.serialized) }
        push.params.append(("training_data", try JSONValue(encoding: manifest.sources).serialized))
        if let study = v.lineage["study"] { push.params.append(("study", study.serialized)) }
        // tags
        let identity = CIIdentity.current
        push.tags = [("doe.model", v.name), ("doe.model_version", String(v.version)), ("doe.version", DoeVersion.current),
                     ("mlflow.source.name", "doe"), ("mlflow.user", identity.actor), ("doe.registered_by", v.registeredBy),
                     ("doe.training_data_sha256", ONNXExportOptions.trainingDataSHA256(manifest.sources))]
        if let commit = v.lineage["git_commit"]?.string ?? identity.commit { push.tags.append(("mlflow.source.git.commit", commit)) }
        if let url = identity.runURL { push.tags.append(("doe.ci_run_url", url)) }
        if !units.isEmpty { push.tags.append(("doe.output_units", units.joined(separator: ","))) }
        // metrics: every split of the card, external dumps by their hash, and every member's loss curves
        for (split, outputs) in v.card["metrics"]?.members ?? [] where split != "external" {
            for (output, values) in outputs.members ?? [] {
                for (metric, value) in values.members ?? [] {
                    if let x = value.number { push.metrics.append(MLflowMetric(key: "\(split)_\(output)_\(metric)", value: x, step: 0)) }
                }
            }
        }
        for (sha, entry) in v.card["metrics"]?["external"]?.members ?? [] {
            let metrics = entry["metrics"] ?? entry
            for (output, values) in metrics.members ?? [] {
                for (metric, value) in values.members ?? [] {
                    if let x = value.number {
                        push.metrics.append(MLflowMetric(key: "external_\(sha.prefix(12))_\(output)_\(metric)", value: x, step: 0))
                    }
                }
            }
            push.datasets.append(MLflowDataset(name: ((entry["path"]?.string ?? sha) as NSString).lastPathComponent, digest: sha,
                                               sourceType: "local",
                                               source: JSONValue.object([("uri", entry["path"] ?? .null),
                                                                         ("sha256", .string(sha))]).serialized,
                                               context: "evaluation"))
        }
        let members = Set(history.map(\.member)).sorted()
        for e in history {
            let prefix = members.count > 1 ? "member\(e.member)_" : ""
            push.metrics.append(MLflowMetric(key: prefix + "train_loss", value: Double(e.trainLoss), step: e.epoch))
            push.metrics.append(MLflowMetric(key: prefix + "validation_loss", value: Double(e.validationLoss), step: e.epoch))
        }
        if members.count > 1 {   // the ensemble's mean curve under the plain names
            for (epoch, rows) in Dictionary(grouping: history, by: \.epoch).sorted(by: { $0.key < $1.key }) {
                let n = Double(rows.count)
                push.metrics.append(MLflowMetric(key: "train_loss", value: rows.reduce(0) { $0 + Double($1.trainLoss) } / n, step: epoch))
                push.metrics.append(MLflowMetric(key: "validation_loss", value: rows.reduce(0) { $0 + Double($1.validationLoss) } / n,
                                                 step: epoch))
            }
        }
        for source in manifest.sources {
            push.datasets.append(MLflowDataset(name: (source.path as NSString).lastPathComponent, digest: source.sha256,
                                               sourceType: "local",
                                               source: JSONValue.object([("uri", .string(source.path)), ("sha256", .string(source.sha256)),
                                                                         ("git_commit", source.gitCommit.map(JSONValue.string) ?? .null),
                                                                         ("git_clean", source.gitClean.map(JSONValue.bool) ?? .null)])
                                                   .serialized,
                                               context: "training"))
        }
        if let study = manifest.study {
            let journal = (try? JSONValue(encoding: study))?["journal_sha256"]?.string ?? ""
            push.datasets.append(MLflowDataset(name: "study \(study.name)", digest: journal, sourceType: "doe-study",
                                               source: (try? JSONValue(encoding: study).serialized) ?? "{}", context: "training"))
        }
        push.startTime = milliseconds(trained?.startedAt)
        push.endTime = milliseconds(trained?.finishedAt)
        push.card = Data(JSONValue.object([("name", .string(v.name)), ("version", .int(v.version)), ("card", v.card),
                                           ("lineage", v.lineage), ("metrics", v.metrics)]).prettySerialized.utf8)
        return push
    }
}

extension DoeCommand {
    struct StudyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "study",
            abstract: "Study-level integrations.",
            subcommands: [PushMLflow.self]
        )

        struct PushMLflow: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "push-mlflow",
                abstract: "Log a study's trials to MLflow as runs (parameters as params, objectives as metrics).",
                discussion: "Example:\n  doe study push-mlflow plate \\\n    --tracking-uri http://127.0.0.1:5000"
            )
            @OptionGroup var study: StudyOptions
            @Option(help: "MLflow tracking server (default: $MLFLOW_TRACKING_URI).") var trackingUri: String?
            @Option(help: "MLflow experiment (default: doe-study-NAME).") var experiment: String?

            func run() throws {
                let client = try MLflowClient(trackingURI: trackingUri)
                let s = try study.open()
                let state = try s.load()
                let journal = try FileDigest.sha256(ofFile: s.journalPath)
                let ms = MLflowPushBuilder.milliseconds
                let trials = state.trials.map { t in
                    var tags: [(String, String)] = [("doe.state", t.state.rawValue), ("doe.generator", t.generator),
                                                    ("doe.suggested_by", t.suggestedBy)]
                    if let by = t.finishedBy { tags.append(("doe.finished_by", by)) }
                    if let reason = t.reason { tags.append(("doe.reason", reason)) }
                    if t.observationCount > 1 { tags.append(("doe.corrected", "\(t.observationCount - 1) correction(s)")) }
                    for (key, value) in t.meta { tags.append(("doe.meta.\(key)", value.string ?? value.serialized)) }
                    let status = ["completed": "FINISHED", "failed": "FAILED", "abandoned": "KILLED"][t.state.rawValue] ?? "RUNNING"
                    let params = zip(s.space.parameters, t.params).map { ($0.0.name, $0.1.description) }
                    return MLflowTrialRun(id: t.id, status: status, params: params,
                                          metrics: s.space.objectives.compactMap { o in t.values[o.name].map { (o.name, $0) } },
                                          tags: tags, startTime: ms(t.suggestedAt), endTime: ms(t.finishedAt))
                }
                let name = experiment ?? "doe-study-\(s.name)"
                let outcome = try MLflowPublisher.pushStudy(name: s.name, journalSHA256: journal,
                                                            parentTags: [("mlflow.user", CIIdentity.current.actor)],
                                                            trials: trials, experiment: name, client: client)
                emit("pushed \(state.trials.count) trials of \(s.name) to \(client.trackingURI.absoluteString) "
                    + "(experiment \(name), parent run "
                    + "\(outcome.parentRunId)): \(outcome.created) created, \(outcome.updated) updated, \(outcome.unchanged) unchanged")
            }
        }
    }
}
