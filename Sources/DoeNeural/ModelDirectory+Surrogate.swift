import DoeBase
import DoeLinalg
import DoeModelFormat
import Foundation

/// Saving and loading a ``Surrogate`` in a ``ModelDirectory``.
extension ModelDirectory {
    /// Everything `doe train` writes.
    public struct TrainingOutput: Sendable {
        /// The trained model (names, units, bounds set).
        public var model: Surrogate
        /// The settings it was trained with.
        public var configuration: TrainingConfiguration
        /// The training files and their hashes (empty for a study).
        public var sources: [ModelManifest.Source]
        /// The study trained on, for `doe train --study`.
        public var study: ModelManifest.StudyLineage?
        /// The tuning study that chose the settings (`doe train --tune`).
        public var tuning: ModelManifest.StudyLineage?
        /// Metrics per split.
        public var metrics: TrainingMetrics
        /// Loss curves, one per member.
        public var history: [[EpochReport]]
        /// The test split with the model's predictions.
        public var testPredictions: TestPredictions?

        /// An output with these parts.
        public init(model: Surrogate, configuration: TrainingConfiguration, sources: [ModelManifest.Source],
                    study: ModelManifest.StudyLineage? = nil, metrics: TrainingMetrics, history: [[EpochReport]],
                    testPredictions: TestPredictions?) {
            self.model = model
            self.configuration = configuration
            self.sources = sources
            self.study = study
            self.metrics = metrics
            self.history = history
            self.testPredictions = testPredictions
        }
    }

    /// Writes a trained model with its metrics, history and test predictions; `model.json` goes last.
    public func write(_ output: TrainingOutput) throws {
        try write(metrics: output.metrics)
        try write(history: output.history)
        if let test = output.testPredictions { try write(Data(test.csv.utf8), to: .testPredictions) }
        try write(output.model, configuration: output.configuration, sources: output.sources, study: output.study,
                  tuning: output.tuning)
    }

    /// Writes `model`'s weights, POD and manifest (a model without training records).
    public func write(_ model: Surrogate, configuration: TrainingConfiguration?, sources: [ModelManifest.Source],
                      study: ModelManifest.StudyLineage? = nil, tuning: ModelManifest.StudyLineage? = nil) throws {
        var manifest = ModelDirectory.manifest(of: model, configuration: configuration, sources: sources, study: study)
        manifest.tuning = tuning
        if let pod = model.pod { try write(floats: pod.mean + pod.basis.storage, to: .pod) }
        try write(floats: model.members.flatMap { $0.parameters.flattened }, to: .weights)
        try write(json: manifest, to: .manifest)
    }

    /// The manifest describing `model`.
    public static func manifest(of model: Surrogate, configuration: TrainingConfiguration?, sources: [ModelManifest.Source],
                                study: ModelManifest.StudyLineage?) -> ModelManifest {
        let a = model.members[0].architecture
        var manifest = ModelManifest(
            doeVersion: DoeVersion.current,
            architecture: .init(inputs: a.inputs, hidden: a.hidden, outputs: a.outputs, activation: a.activation),
            ensemble: model.members.count, inputNames: model.inputNames, outputNames: model.outputNames,
            inputUnits: model.inputUnits, outputUnits: model.outputUnits,
            inputScaler: .init(mean: model.inputScaler.mean, std: model.inputScaler.std),
            targetScaler: .init(mean: model.targetScaler.mean, std: model.targetScaler.std),
            weightsFile: File.weights.rawValue, sources: sources, training: configuration,
            inputBounds: model.inputBounds, trainingRange: model.trainingRange,
            pod: model.pod.map { .init(file: File.pod.rawValue, fieldSize: $0.mean.count, modes: $0.modes, energy: $0.energy,
                                       discardedEnergy: $0.discardedEnergy) },
            study: study)
        manifest.categoricalInputs = model.inputLevels.isEmpty ? nil : model.inputLevels
        manifest.calibration = model.calibration
        manifest.logInputs = model.logInputs.isEmpty ? nil : model.logInputs.map { model.inputNames[$0] }
        return manifest
    }

    /// Loads the model: manifest, weights and POD, each checked against the manifest.
    public func loadSurrogate() throws -> Surrogate {
        try loadSurrogate(try readManifest())
    }

    /// Loads the model described by `manifest` (read by ``readManifest()``): weights and POD, checked against it.
    public func loadSurrogate(_ manifest: ModelManifest) throws -> Surrogate {
        let architecture = MLPArchitecture(inputs: manifest.architecture.inputs, hidden: manifest.architecture.hidden,
                                           outputs: manifest.architecture.outputs, activation: manifest.architecture.activation)
        let weightsPath = path + "/" + (manifest.weightsFile ?? File.weights.rawValue)
        let weights = try ModelDirectory.readFloats(weightsPath)
        let needed = architecture.parameterCount * manifest.ensemble
        guard weights.count == needed else {
            throw Failure("\(weightsPath): \(weights.count) values, the architecture needs \(needed) (corrupted or from another model)")
        }
        let template = MLP(architecture: architecture, seed: 0).parameters
        let members = (0..<manifest.ensemble).map { k in
            let slice = weights[(k * architecture.parameterCount)..<((k + 1) * architecture.parameterCount)]
            return MLP(architecture: architecture, parameters: MLPParameters(flattened: Array(slice), like: template))
        }
        var pod: POD?
        if let shape = manifest.pod {
            let podPath = path + "/" + shape.file
            let values = try ModelDirectory.readFloats(podPath)
            guard values.count == shape.fieldSize * (shape.modes + 1) else {
                throw Failure("\(podPath): \(values.count) values, a \(shape.fieldSize)-point field with \(shape.modes) modes needs "
                    + "\(shape.fieldSize * (shape.modes + 1)) (corrupted?)")
            }
            pod = POD(mean: Array(values[0..<shape.fieldSize]),
                      basis: Matrix(rows: shape.fieldSize, columns: shape.modes, columnMajor: Array(values[shape.fieldSize...])),
                      energy: shape.energy, discardedEnergy: shape.discardedEnergy ?? 0)
        }
        var model = Surrogate(inputNames: manifest.inputNames, outputNames: manifest.outputNames, inputUnits: manifest.inputUnits,
                              outputUnits: manifest.outputUnits, inputBounds: manifest.inputBounds, trainingRange: manifest.trainingRange,
                              inputScaler: Standardizer(mean: manifest.inputScaler.mean, std: manifest.inputScaler.std),
                              targetScaler: Standardizer(mean: manifest.targetScaler.mean, std: manifest.targetScaler.std),
                              members: members, pod: pod)
        model.inputLevels = manifest.categoricalInputs ?? [:]
        if let names = manifest.logInputs {
            model.logInputs = try names.map { name in
                guard let k = manifest.inputNames.firstIndex(of: name) else {
                    throw Failure("\(path)/\(File.manifest.rawValue): 'log_inputs' names '\(name)', which is not an input (inputs: "
                        + manifest.inputNames.joined(separator: ", ") + ")")
                }
                return k
            }
        }
        if let calibration = manifest.calibration {
            let file = "\(path)/\(File.manifest.rawValue)"
            guard calibration.method == UncertaintyCalibration.methodName else {
                throw Failure("\(file): 'calibration' uses method '\(calibration.method)', which this doe does not know (it knows "
                    + "'\(UncertaintyCalibration.methodName)'); a newer doe wrote it")
            }
            guard calibration.field == nil || pod != nil else {
                throw Failure("\(file): 'calibration' has a 'field' entry but the model predicts no field")
            }
            guard calibration.outputs.map(\.name) == manifest.outputNames,
                  (calibration.outputs + [calibration.field].compactMap { $0 }).allSatisfy({
                      $0.scale.isFinite && $0.scale >= 0 && $0.floor.isFinite && $0.floor >= 0 }) else {
                throw Failure("\(file): 'calibration' must give one finite, non-negative scale and floor per output "
                    + "(\(manifest.outputNames.joined(separator: ", "))), in that order")
            }
            model.calibration = calibration
        }
        return model
    }

    /// Reads `test-predictions.csv` for `model`, or `nil` when the folder has none.
    public func readTestPredictions(for model: Surrogate) throws -> TestPredictions? {
        guard has(.testPredictions) else { return nil }
        return try TestPredictions.read(path(of: .testPredictions), inputNames: model.inputNames, outputNames: model.outputNames)
    }

}

extension TrainingMetrics {
    /// The metrics of a training run.
    public init(report: TrainingReport, droppedRows: Int, pod: POD?) {
        self.init(test: report.testMetrics, validation: report.validationMetrics, train: report.trainMetrics,
                  rows: Rows(train: report.trainRows, validation: report.validationRows, test: report.testRows, dropped: droppedRows),
                  seconds: report.seconds, samplesPerSecond: report.samplesPerSecond,
                  pod: pod.map { PODSummary(modes: $0.modes, energy: $0.energy) })
        testCoverage = report.testCoverage
    }
}
