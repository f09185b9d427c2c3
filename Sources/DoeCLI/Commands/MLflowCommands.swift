import ArgumentParser
import DoeBase
import DoeDesign
import DoeMLflow
import DoeModelFormat
import DoeNeural
import DoeONNX
import DoeRegistry
import DoeStudy
import Foundation

extension DoeCommand.RegistryCommand {
    struct PushMLflow: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push-mlflow",
            abstract: "Push a registered version to an MLflow tracking server: a run with params, metrics, curves, ONNX and card, "
                + "and a registered-model version with the same aliases.",
            discussion: "Example:\n  doe registry push-mlflow plate@production \\\n    --tracking-uri http://127.0.0.1:5000"
        )
        @OptionGroup var options: RegistryOptions
        @Argument(help: "NAME[@VERSION|@ALIAS].") var reference: String
        @Option(help: "MLflow tracking server, e.g. http://127.0.0.1:5000.") var trackingUri: String
        @Option(help: "MLflow experiment.") var experiment: String = "doe-models"

        func run() throws {
            let registry = try options.open()
            let state = try registry.load()
            let v = try state.resolve(try ModelReference(parsing: reference))
            var exportOptions = ONNXExportOptions()
            exportOptions.modelName = v.name
            exportOptions.modelVersion = Int64(v.version)
            var sources: [ModelManifest.Source] = []
            let (surrogate, history) = try withMaterialized(v, from: registry) { path in
                let directory = ModelDirectory(path)
                exportOptions.metadata = try ONNXExportOptions.lineage(of: directory)
                let manifest = try directory.readManifest()
                sources = manifest.sources
                return (try directory.loadSurrogate(manifest), try directory.readHistory() ?? [])
            }
            let onnx = try ONNXExporter.serialize(try ONNXExporter.export(surrogate, options: exportOptions))

            let client = try MLflowClient(trackingURI: trackingUri)
            let experimentId = try client.experimentId(named: experiment)
            let aliases = (state.aliases[v.name] ?? [:]).filter { $0.value == v.version }.keys.sorted()
            let tags: [(String, String)] = [("doe.model", v.name), ("doe.version", String(v.version)),
                                            ("doe.aliases", aliases.joined(separator: ",")), ("mlflow.source.name", "doe"),
                                            ("doe.training_data_sha256", ONNXExportOptions.trainingDataSHA256(sources))]
            let run = try client.createRun(experimentId: experimentId, name: "\(v.name)-v\(v.version)", tags: tags)
            var params: [(String, String)] = (v.lineage["training"]?.members ?? []).map { ($0.0, $0.1.string ?? $0.1.serialized) }
            params.append(("training_data", try JSONValue(encoding: sources).serialized))
            if let study = v.lineage["study"] { params.append(("study", study.serialized)) }
            var metrics: [MLflowMetric] = []
            for (output, values) in v.metrics.members ?? [] {
                for (metric, value) in values.members ?? [] {
                    if let x = value.number { metrics.append(MLflowMetric(key: "test_\(output)_\(metric)", value: x, step: 0)) }
                }
            }
            for e in history where e.member == 0 {
                metrics.append(MLflowMetric(key: "train_loss", value: Double(e.trainLoss), step: e.epoch))
                metrics.append(MLflowMetric(key: "validation_loss", value: Double(e.validationLoss), step: e.epoch))
            }
            try client.logBatch(runId: run.id, params: params, metrics: metrics)
            try client.uploadArtifact(runArtifactURI: run.artifactURI, name: "model.onnx", data: onnx)
            try client.uploadArtifact(runArtifactURI: run.artifactURI, name: "model_card.json",
                                      data: Data(JSONValue.object([("name", .string(v.name)), ("version", .int(v.version)),
                                                                   ("card", v.card),
                                                                   ("lineage", v.lineage), ("metrics", v.metrics)]).prettySerialized.utf8))
            try client.finishRun(run.id)
            let registered = try client.registerVersion(name: v.name, source: "runs:/\(run.id)/model.onnx", runId: run.id,
                                                        aliases: aliases, description: "doe \(v.name)@\(v.version)")
            emit("pushed \(v.name)@\(v.version) to \(trackingUri): run \(run.id), registered model \(v.name) version \(registered)"
                + "\(aliases.isEmpty ? "" : " (aliases: \(aliases.joined(separator: ", ")))")")
        }
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
            @Option(help: "MLflow tracking server.") var trackingUri: String
            @Option(help: "MLflow experiment (default: doe-study-NAME).") var experiment: String?

            func run() throws {
                let s = try study.open()
                let state = try s.load()
                let client = try MLflowClient(trackingURI: trackingUri)
                let experimentId = try client.experimentId(named: experiment ?? "doe-study-\(s.name)")
                for t in state.trials {
                    let run = try client.createRun(experimentId: experimentId, name: "trial-\(t.id)", tags: [
                        ("doe.study", s.name), ("doe.trial", String(t.id)), ("doe.state", t.state.rawValue), ("doe.generator", t.generator),
                    ])
                    let params = zip(s.space.parameters, t.params).map { ($0.0.name, $0.1.description) }
                    let metrics = s.space.objectives.compactMap { o in
                        t.values[o.name].map { MLflowMetric(key: o.name, value: $0, step: 0) }
                    }
                    try client.logBatch(runId: run.id, params: params, metrics: metrics)
                    if t.state != .pending { try client.finishRun(run.id) }
                }
                emit("pushed \(state.trials.count) trials of \(s.name) to \(trackingUri) "
                    + "(experiment \(experiment ?? "doe-study-\(s.name)"))")
            }
        }
    }
}
