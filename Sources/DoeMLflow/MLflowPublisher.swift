import DoeBase
import Foundation

/// What a registered model version sends to MLflow: one run holding the model in MLflow's format, and a
/// registered-model version pointing at it.
public struct MLflowModelPush: Sendable {
    /// Registered model name (doe's model name).
    public var name: String
    /// doe's registry version (`plate@2` → 2), tagged on the run and the MLflow model version.
    public var doeModelVersion: Int
    /// SHA-256 over the version's files: a push of the same content finds the run it made before.
    public var contentSHA256: String
    /// The model in MLflow's format.
    public var model: MLflowModelFormat
    /// Run parameters (training settings, data lineage).
    public var params: [(String, String)] = []
    /// Metrics: every split's metrics and every member's loss curves.
    public var metrics: [MLflowMetric] = []
    /// Run tags (besides `doe.content_sha256`, which the push adds).
    public var tags: [(String, String)] = []
    /// The training and external datasets with their digests.
    public var datasets: [MLflowDataset] = []
    /// When training started and finished (milliseconds since 1970), for the run's start and end.
    public var startTime: Int?
    /// When training finished.
    public var endTime: Int?
    /// doe aliases of the version, set on the MLflow model version too.
    public var aliases: [String] = []
    /// `model_card.json`.
    public var card: Data = Data()
    /// The model version's description.
    public var description: String = ""

    /// A push of `model` as `name` version `doeModelVersion`.
    public init(name: String, doeModelVersion: Int, contentSHA256: String, model: MLflowModelFormat) {
        self.name = name
        self.doeModelVersion = doeModelVersion
        self.contentSHA256 = contentSHA256
        self.model = model
    }
}

/// What a push did.
public struct MLflowPushOutcome: Sendable, Equatable {
    /// The run holding the model.
    public let runId: String
    /// The MLflow model version.
    public let registeredVersion: String
    /// `true` when a run with the same content existed and was reused instead of logging a second one.
    public let reused: Bool
}

/// One trial of a study as an MLflow run.
public struct MLflowTrialRun: Sendable {
    /// The trial id.
    public var id: Int
    /// `RUNNING` (pending), `FINISHED` (completed), `FAILED` or `KILLED` (abandoned).
    public var status: String
    /// The trial's parameters.
    public var params: [(String, String)]
    /// Its objective values (and any other metric it reported).
    public var metrics: [(String, Double)]
    /// Its tags (state, generator, writer, reason, meta, correction).
    public var tags: [(String, String)]
    /// When it was suggested and finished (milliseconds since 1970).
    public var startTime: Int?
    /// When it finished, failed or was abandoned.
    public var endTime: Int?

    /// A trial run with these fields.
    public init(id: Int, status: String, params: [(String, String)], metrics: [(String, Double)], tags: [(String, String)],
                startTime: Int?, endTime: Int?) {
        self.id = id
        self.status = status
        self.params = params
        self.metrics = metrics
        self.tags = tags
        self.startTime = startTime
        self.endTime = endTime
    }
}

/// What a study push did.
public struct MLflowStudyOutcome: Sendable, Equatable {
    /// The study's parent run.
    public let parentRunId: String
    /// Trial runs created, updated (state, metrics or tags changed) and left as they were.
    public let created: Int, updated: Int, unchanged: Int
}

/// Pushes to MLflow so that a second push of the same thing updates instead of duplicating, and a failure leaves no
/// run RUNNING.
public enum MLflowPublisher {
    /// Pushes a model version: reuses the finished run of the same content if there is one, else logs a new run
    /// (params, metrics, tags, datasets, the model in MLflow's format and the card), marked FAILED if any call fails;
    /// then registers (or finds) the MLflow model version of that run, tags it and sets the aliases.
    public static func push(_ p: MLflowModelPush, experiment: String, client: MLflowClient) throws -> MLflowPushOutcome {
        let experimentId = try client.experimentId(named: experiment)
        let existing = try client.searchRuns(experimentId: experimentId,
                                             filter: "tags.`doe.content_sha256` = '\(p.contentSHA256)' and attributes.status = 'FINISHED'")
        let aliasTag = ("doe.aliases", p.aliases.joined(separator: ","))
        let runId: String
        if let run = existing.first {
            try client.logBatch(runId: run.id, params: [], metrics: [], tags: [aliasTag])
            runId = run.id
        } else {
            let run = try client.createRun(experimentId: experimentId, name: "\(p.name)-v\(p.doeModelVersion)",
                                           tags: p.tags + [("doe.content_sha256", p.contentSHA256), aliasTag], startTime: p.startTime)
            do {
                try client.logBatch(runId: run.id, params: p.params, metrics: p.metrics)
                try client.logInputs(runId: run.id, datasets: p.datasets)
                for file in p.model.files() {
                    try client.uploadArtifact(runArtifactURI: run.artifactURI, name: MLflowModelFormat.artifactPath + "/" + file.path,
                                              data: file.data)
                }
                try client.uploadArtifact(runArtifactURI: run.artifactURI, name: "model_card.json", data: p.card)
                try client.updateRun(run.id, status: "FINISHED", endTime: p.endTime)
            } catch {
                try? client.updateRun(run.id, status: "FAILED")
                throw error
            }
            runId = run.id
        }
        let version = try client.registerVersion(
            name: p.name, source: "runs:/\(runId)/\(MLflowModelFormat.artifactPath)", runId: runId, aliases: p.aliases,
            description: p.description,
            tags: [("doe.model_version", String(p.doeModelVersion)), ("doe.content_sha256", p.contentSHA256)])
        return MLflowPushOutcome(runId: runId, registeredVersion: version, reused: !existing.isEmpty)
    }

    /// Pushes a study: one parent run (tag `doe.study`, the journal's SHA-256) and one child run per trial, found again
    /// by `doe.trial` on the next push and updated only where the journal changed (state, values, tags).
    public static func pushStudy(name: String, journalSHA256: String, parentTags: [(String, String)], trials: [MLflowTrialRun],
                                 experiment: String, client: MLflowClient) throws -> MLflowStudyOutcome {
        let experimentId = try client.experimentId(named: experiment)
        let quoted = name.replacingOccurrences(of: "'", with: "\\'")
        let runs = try client.searchRuns(experimentId: experimentId, filter: "tags.`doe.study` = '\(quoted)'")
        let parentId: String
        let journalTags = parentTags + [("doe.journal_sha256", journalSHA256), ("doe.trials", String(trials.count))]
        if let parent = runs.first(where: { $0.tags["doe.role"] == "study" }) {
            try client.logBatch(runId: parent.id, params: [], metrics: [], tags: journalTags)
            parentId = parent.id
        } else {
            let parent = try client.createRun(experimentId: experimentId, name: "study-\(name)",
                                              tags: [("doe.study", name), ("doe.role", "study")] + journalTags,
                                              startTime: trials.compactMap(\.startTime).min())
            parentId = parent.id
        }
        do {
            let outcome = try pushTrials(trials, study: name, parentId: parentId, runs: runs, experimentId: experimentId, client: client)
            try client.updateRun(parentId, status: trials.contains { $0.status == "RUNNING" } ? "RUNNING" : "FINISHED")
            return outcome
        } catch {
            try? client.logBatch(runId: parentId, params: [], metrics: [], tags: [("doe.push_error", "\(error)".prefix(500).description)])
            try? client.updateRun(parentId, status: "FAILED")
            throw error
        }
    }

    static func pushTrials(_ trials: [MLflowTrialRun], study name: String, parentId: String, runs: [MLflowRunInfo], experimentId: String,
                           client: MLflowClient) throws -> MLflowStudyOutcome {
        var byTrial: [Int: MLflowRunInfo] = [:]
        for run in runs { if let id = run.tags["doe.trial"].flatMap(Int.init) { byTrial[id] = run } }
        var created = 0, updated = 0, unchanged = 0
        for trial in trials {
            let tags = trial.tags + [("doe.study", name), ("doe.trial", String(trial.id)), ("mlflow.parentRunId", parentId)]
            if let run = byTrial[trial.id] {
                let changedTags = tags.filter { run.tags[$0.0] != $0.1 }
                let changedMetrics = trial.metrics.filter { run.metrics[$0.0] != $0.1 }
                guard !changedTags.isEmpty || !changedMetrics.isEmpty || run.status != trial.status else { unchanged += 1; continue }
                try client.logBatch(runId: run.id, params: [],
                                    metrics: changedMetrics.map { MLflowMetric(key: $0.0, value: $0.1, step: 0) },
                                    tags: changedTags)
                if run.status != trial.status { try client.updateRun(run.id, status: trial.status, endTime: trial.endTime) }
                updated += 1
            } else {
                let run = try client.createRun(experimentId: experimentId, name: "trial-\(trial.id)", tags: tags,
                                               startTime: trial.startTime)
                do {
                    try client.logBatch(runId: run.id, params: trial.params,
                                        metrics: trial.metrics.map { MLflowMetric(key: $0.0, value: $0.1, step: 0) })
                    if trial.status != "RUNNING" { try client.updateRun(run.id, status: trial.status, endTime: trial.endTime) }
                } catch {
                    try? client.updateRun(run.id, status: "FAILED")
                    throw error
                }
                created += 1
            }
        }
        return MLflowStudyOutcome(parentRunId: parentId, created: created, updated: updated, unchanged: unchanged)
    }
}
