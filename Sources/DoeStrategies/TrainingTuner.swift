import DoeBase
import DoeDesign
import DoeHDF5
import DoeLinalg
import DoeModelFormat
import DoeNeural
import DoeProvenance
import DoeStudy
import Foundation

/// `doe train --tune N`: Bayesian optimization of the network's settings on the validation loss, each configuration a
/// trial of a study (so the tuning is reproducible, reportable and resumable), the test split never read.
///
/// The rows of the test split (the seeded split `doe train` uses) are removed from the table before anything else, so
/// no tuning trial can see them; each trial fits one network (width, depth, activation, learning rate, weight decay,
/// batch size from the study's suggestion; epochs, patience, schedule, log inputs and the split from the base
/// settings) on the training rows with early stopping on the validation rows, and records the best validation loss
/// (standardized targets). A killed tuning leaves its running trial pending: the next run abandons it ("interrupted")
/// and goes on until `N` trials have finished. The study's first note fingerprints the table (without the test rows)
/// and the base settings, and a resume on other data or settings is refused.
public enum TrainingTuner {
    /// The tuning space (its `initial_trials` set per study).
    public static func spaceText(initialTrials: Int) -> String {
        """
        # doe train --tune: the network settings searched on the validation loss (the test split is never read)
        name: training-tuning
        parameters:
          - {name: log2_width, type: int, low: 4, high: 8, description: "hidden width 2^k (16 to 256)"}
          - {name: depth, type: int, low: 1, high: 4, description: hidden layers}
          - {name: activation, type: categorical, choices: [silu, tanh, relu, gelu]}
          - {name: learning_rate, type: real, low: 0.0003, high: 0.03, log: true}
          - {name: weight_decay, type: real, low: 0.000001, high: 0.01, log: true}
          - {name: log2_batch, type: int, low: 4, high: 8, description: "minibatch 2^k rows (16 to 256, at most the training rows)"}
        objectives: [{name: validation_loss, direction: minimize}]
        initial_trials: \(initialTrials)

        """
    }

    /// Names of the tuned parameters (a study without exactly these is not a tuning study).
    static let parameterNames = ["log2_width", "depth", "activation", "learning_rate", "weight_decay", "log2_batch"]

    /// The outcome of a tuning run.
    public struct Outcome: Sendable {
        /// The tuning study.
        public let study: Study
        /// The completed trial with the lowest validation loss.
        public let best: Trial
        /// The base settings with the best trial's (what the final model is trained with).
        public let configuration: TrainingConfiguration
        /// Trials found finished when this run started (resumed), trials run now, pending trials abandoned.
        public let resumed: Int
        /// See ``resumed``.
        public let ran: Int
        /// See ``resumed``.
        public let abandoned: [Int]
        /// Lineage of the tuning study for the model's manifest.
        public let lineage: ModelManifest.StudyLineage

        /// One line: what was resumed, run and abandoned, and the best trial's settings.
        public var summary: String {
            let c = configuration
            let loss = NumberText.significant(best.values["validation_loss"] ?? .nan, digits: 4)
            return "tuning study '\(study.name)': \(resumed) trial\(resumed == 1 ? "" : "s") resumed, \(ran) run now"
                + (abandoned.isEmpty ? "" : ", interrupted trial \(abandoned.map(String.init).joined(separator: ", ")) abandoned")
                + "; best trial \(best.id) (validation loss \(loss)): hidden \(c.hidden.map(String.init).joined(separator: ",")), "
                + "\(c.activation.rawValue), learning rate \(c.learningRate), weight decay \(c.weightDecay), batch \(c.batchSize)"
        }
    }

    /// `base` with the settings of a tuning trial.
    public static func configuration(_ params: [String: ParameterValue], base: TrainingConfiguration, trainRows: Int) throws
        -> TrainingConfiguration {
        guard case let .integer(log2Width)? = params["log2_width"], case let .integer(depth)? = params["depth"],
              case let .text(activationName)? = params["activation"], let activation = Activation(rawValue: activationName),
              let rate = params["learning_rate"]?.number, let decay = params["weight_decay"]?.number,
              case let .integer(log2Batch)? = params["log2_batch"] else {
            throw StudyError.invalidState("a tuning trial lacks one of \(parameterNames.joined(separator: ", "))")
        }
        var c = base
        c.hidden = Array(repeating: 1 << log2Width, count: depth)
        c.activation = activation
        c.learningRate = Float(rate)
        c.weightDecay = Float(decay)
        c.batchSize = max(1, min(1 << log2Batch, trainRows))
        c.ensemble = 1
        return c
    }

    /// Runs (or resumes) the tuning of `data` with `base` settings in the study `name` of `directory` until `trials`
    /// trials have finished.
    /// - Parameter progress: one line per finished trial.
    /// - Throws: when the study exists but is not this tuning (another table or base settings), or training fails.
    public static func tune(data: SimulationData, base: TrainingConfiguration, trials: Int, studyName name: String,
                            in directory: String, progress: (String) -> Void = { _ in }) throws -> Outcome {
        let m = data.matrices
        let (trainRows, validationRows, _) = SurrogateTrainer.split(rows: data.rows, configuration: base)
        // the tuner's table: the training and validation rows only, renumbered; the test rows are never copied
        let kept = trainRows + validationRows
        let x = rows(m.inputs, kept), y = rows(m.outputs, kept), fields = m.fields.map { rows($0, kept) }
        let localTrain = Array(0..<trainRows.count), localValidation = Array(trainRows.count..<kept.count)
        let fingerprint = try fingerprint(x, y, fields, data: data, base: base)
        let study = try openOrCreate(name: name, in: directory, trials: trials, seed: base.seed, fingerprint: fingerprint)
        let lineageStart = try study.load()
        var abandoned: [Int] = []
        for t in lineageStart.trials(in: .pending) {
            try study.abandon(id: t.id, reason: "interrupted: the tuning process stopped before this trial's result")
            abandoned.append(t.id)
        }
        func finished(_ s: StudyState) -> Int { s.trials(in: .completed).count + s.trials(in: .failed).count }
        let resumed = finished(lineageStart)
        var ran = 0
        while finished(try study.load()) < trials {
            guard let trial = try study.suggest(count: 1).first else { break }
            let params = Dictionary(uniqueKeysWithValues: zip(study.space.parameters.map(\.name), trial.params))
            let c = try configuration(params, base: base, trainRows: localTrain.count)
            let started = Date()
            let fitted = try SurrogateTrainer.fit(inputs: x, outputs: y, fields: fields, inputNames: data.inputNames,
                                                  outputNames: data.outputNames, trainRows: localTrain,
                                                  validationRows: localValidation, configuration: c)
            let seconds = Date().timeIntervalSince(started)
            let loss = Double(fitted.validationLoss)
            let epochs = fitted.history.first?.count ?? 0
            let shape = "\(c.hidden.map(String.init).joined(separator: ",")) \(c.activation.rawValue) "
                + "lr \(NumberText.significant(Double(c.learningRate), digits: 3)) "
                + "wd \(NumberText.significant(Double(c.weightDecay), digits: 2)) batch \(c.batchSize)"
            if loss.isFinite {
                try study.observe([ResultRow(location: "tuning trial \(trial.id)", id: trial.id, params: nil,
                                             values: [("validation_loss", .double(loss))],
                                             meta: [("seconds", .double(seconds)), ("epochs_run", .int(epochs))])])
                progress("trial \(trial.id): \(shape): validation loss \(NumberText.significant(loss, digits: 4)) "
                    + "(\(epochs) epochs, \(String(format: "%.1f", seconds)) s)")
            } else {
                try study.fail(id: trial.id, reason: "validation loss is \(loss) (training diverged)")
                progress("trial \(trial.id): \(shape): diverged")
            }
            ran += 1
        }
        let state = try study.load()
        guard let best = state.trials(in: .completed).min(by: { $0.values["validation_loss"]! < $1.values["validation_loss"]! }) else {
            throw StudyError.invalidState("tuning study '\(name)': no configuration trained to a finite validation loss")
        }
        let bestParams = Dictionary(uniqueKeysWithValues: zip(study.space.parameters.map(\.name), best.params))
        var chosen = try configuration(bestParams, base: base, trainRows: trainRows.count)
        chosen.ensemble = base.ensemble
        let journal = FileManager.default.contents(atPath: study.journalPath) ?? Data()
        let lineage = ModelManifest.StudyLineage(name: name, journalRecords: state.recordCount,
                                                 completedTrials: state.trials(in: .completed).count,
                                                 journalSHA256: FileDigest.sha256(of: journal))
        return Outcome(study: study, best: best, configuration: chosen, resumed: resumed, ran: ran, abandoned: abandoned,
                       lineage: lineage)
    }

    /// SHA-256 over the tuner's table (names, training and validation rows) and the base settings it keeps fixed.
    static func fingerprint(_ x: Matrix<Float>, _ y: Matrix<Float>, _ fields: Matrix<Float>?, data: SimulationData,
                            base: TrainingConfiguration) throws -> String {
        var bytes = Data((data.inputNames + ["|"] + data.outputNames).joined(separator: ",").utf8)
        for matrix in [x, y] + (fields.map { [$0] } ?? []) {
            matrix.storage.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        var fixed = base
        fixed.hidden = []
        fixed.ensemble = 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        bytes.append(try encoder.encode(fixed))
        return FileDigest.sha256(of: bytes)
    }

    static let notePrefix = "doe train --tune: table and base settings sha256 "

    /// The tuning study: created with the fingerprint as its first note, or opened and checked.
    static func openOrCreate(name: String, in directory: String, trials: Int, seed: UInt64, fingerprint: String) throws -> Study {
        if FileManager.default.fileExists(atPath: directory + "/" + name + "/journal.jsonl") {
            let study = try Study.open(name: name, in: directory)
            guard study.space.parameters.map(\.name) == parameterNames else {
                throw StudyError.invalidInput("study '\(name)' is not a tuning study (its parameters: "
                    + "\(study.space.parameters.map(\.name).joined(separator: ", "))); choose another --tune-study")
            }
            let recorded = try study.load().notes.first { $0.text.hasPrefix(notePrefix) }?.text.dropFirst(notePrefix.count)
            guard let recorded, String(recorded) == fingerprint else {
                throw StudyError.invalidState("tuning study '\(name)' tuned another table or other base settings "
                    + "(sha256 \(recorded.map { String($0.prefix(12)) } ?? "none") recorded, \(fingerprint.prefix(12)) now); "
                    + "resume with the same dumps and options, or choose another --tune-study")
            }
            return study
        }
        let spaceFile = NSTemporaryDirectory() + "doe-tune-space-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml"
        try Data(spaceText(initialTrials: min(max(4, trials / 3), 10)).utf8).write(to: URL(fileURLWithPath: spaceFile))
        defer { try? FileManager.default.removeItem(atPath: spaceFile) }
        let study = try Study.create(name: name, spaceFile: spaceFile, in: directory, seed: seed)
        try study.note(notePrefix + fingerprint)
        return study
    }

    /// The rows `indices` of `m` (column-major).
    static func rows(_ m: Matrix<Float>, _ indices: [Int]) -> Matrix<Float> {
        var out = Matrix<Float>(rows: indices.count, columns: m.columns)
        for j in 0..<m.columns { for (r, i) in indices.enumerated() { out[r, j] = m[i, j] } }
        return out
    }
}
