import DoeBase
import Foundation

/// `model.json` of a model directory: everything about a trained surrogate except its weights.
///
/// Format version 1. Every field added after the first doe release is optional, so folders written by earlier
/// versions still decode (Tests/DoeNeuralTests/Fixtures holds two).
public struct ModelManifest: Codable, Sendable, Equatable {
    /// The network's shape.
    public struct Architecture: Codable, Sendable, Equatable {
        /// Network inputs (one per input name).
        public var inputs: Int
        /// Hidden layer widths, input side first.
        public var hidden: [Int]
        /// Network outputs: the scalar outputs, then the POD coefficients of a field model.
        public var outputs: Int
        /// Activation of the hidden layers.
        public var activation: Activation

        /// A shape with these values.
        public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation) {
            self.inputs = inputs
            self.hidden = hidden
            self.outputs = outputs
            self.activation = activation
        }
    }

    /// Per-column affine scaling, `(x − mean) / std`; each array has one entry per column.
    public struct Scaler: Codable, Sendable, Equatable {
        /// Column means, in the column's units.
        public var mean: [Float]
        /// Column standard deviations, in the column's units (never 0).
        public var std: [Float]

        /// A scaler with these arrays (same length).
        public init(mean: [Float], std: [Float]) {
            self.mean = mean
            self.std = std
        }
    }

    /// A training file and its SHA-256 at training time.
    public struct Source: Codable, Sendable, Equatable {
        /// The dump's path as given to `doe train`.
        public var path: String
        /// Lower-case hex SHA-256 of the file's bytes.
        public var sha256: String
        /// The git commit of the work tree holding the dump, when it is in one.
        public var gitCommit: String?
        /// Whether the dump was committed as it was read (`false`: changed or untracked at training time).
        public var gitClean: Bool?

        /// A source with these fields.
        public init(path: String, sha256: String, gitCommit: String? = nil, gitClean: Bool? = nil) {
            self.path = path
            self.sha256 = sha256
            self.gitCommit = gitCommit
            self.gitClean = gitClean
        }

        enum CodingKeys: String, CodingKey {
            case path, sha256
            case gitCommit = "git_commit", gitClean = "git_clean"
        }
    }

    /// Shape of the POD basis stored in `pod.bin`.
    public struct PODShape: Codable, Sendable, Equatable {
        /// File name inside the model directory.
        public var file: String
        /// Values per field (`p`).
        public var fieldSize: Int
        /// Retained modes (`k`).
        public var modes: Int
        /// Fraction of the field's variance the retained modes explain.
        public var energy: Double
        /// Sum of the squared singular values of the discarded modes (not a fraction; absent in the earliest folders).
        public var discardedEnergy: Double?

        /// A shape with these values.
        public init(file: String, fieldSize: Int, modes: Int, energy: Double, discardedEnergy: Double?) {
            self.file = file
            self.fieldSize = fieldSize
            self.modes = modes
            self.energy = energy
            self.discardedEnergy = discardedEnergy
        }

        enum CodingKeys: String, CodingKey {
            case file, modes, energy
            case fieldSize = "field_size", discardedEnergy = "discarded_energy"
        }
    }

    /// The study a model was trained on (`doe train --study`).
    public struct StudyLineage: Codable, Sendable, Equatable {
        /// Study name.
        public var name: String
        /// Journal records replayed.
        public var journalRecords: Int
        /// Completed trials used as rows.
        public var completedTrials: Int
        /// SHA-256 of the journal bytes read.
        public var journalSHA256: String

        /// A lineage with these fields.
        public init(name: String, journalRecords: Int, completedTrials: Int, journalSHA256: String) {
            self.name = name
            self.journalRecords = journalRecords
            self.completedTrials = completedTrials
            self.journalSHA256 = journalSHA256
        }

        enum CodingKeys: String, CodingKey {
            case name
            case journalRecords = "journal_records", completedTrials = "completed_trials", journalSHA256 = "journal_sha256"
        }
    }

    /// The value of `format`.
    public static let formatName = "doe-surrogate"
    /// The newest format version this doe writes and reads.
    public static let formatVersion = 1

    /// Always ``formatName``.
    public var format: String
    /// Format version (≤ ``formatVersion`` to be readable).
    public var version: Int
    /// doe version that wrote the folder (absent in the earliest folders).
    public var doeVersion: String?
    /// The network's shape.
    public var architecture: Architecture
    /// Ensemble members stored in `weights.bin`.
    public var ensemble: Int
    /// Input names, in network order.
    public var inputNames: [String]
    /// Scalar output names, in network order.
    public var outputNames: [String]
    /// Input units, one per input (`""` for none); absent when the data gave none.
    public var inputUnits: [String]?
    /// Output units, one per scalar output; absent when the data gave none.
    public var outputUnits: [String]?
    /// Input scaling (`inputs` entries).
    public var inputScaler: Scaler
    /// Target scaling (`architecture.outputs` entries).
    public var targetScaler: Scaler
    /// Name of the weights file (absent in the earliest folders: `weights.bin`).
    public var weightsFile: String?
    /// Training files with their hashes (empty for study-trained models).
    public var sources: [Source]
    /// Training settings.
    public var training: TrainingConfiguration?
    /// Declared input bounds of the training data, one entry per input.
    public var inputBounds: Bounds?
    /// Observed range of the training rows' inputs.
    public var trainingRange: Bounds?
    /// POD shape of a field model.
    public var pod: PODShape?
    /// The study trained on, for `doe train --study`.
    public var study: StudyLineage?
    /// The tuning study that chose the settings, for `doe train --tune` (its completed trials are the configurations
    /// tried); absent otherwise.
    public var tuning: StudyLineage?
    /// Categorical inputs: name → level names (the network's column holds the level's index); absent when none.
    public var categoricalInputs: [String: [String]]?
    /// How the ensemble's standard deviations are recalibrated (absent for single networks and in folders written before
    /// doe calibrated: their standard deviations are the ensemble's own).
    public var calibration: UncertaintyCalibration?
    /// Inputs the network takes as their natural logarithm (scaled after the log); absent when none.
    public var logInputs: [String]?

    /// The scalar outputs that have a unit, in output order: (`tip_deflection`, `mm`).
    public var namedOutputUnits: [(name: String, unit: String)] {
        zip(outputNames, outputUnits ?? []).filter { !$0.1.isEmpty }.map { (name: $0.0, unit: $0.1) }
    }

    /// A manifest of the current format version with these fields.
    public init(doeVersion: String?, architecture: Architecture, ensemble: Int, inputNames: [String], outputNames: [String],
                inputUnits: [String]?, outputUnits: [String]?, inputScaler: Scaler, targetScaler: Scaler, weightsFile: String?,
                sources: [Source], training: TrainingConfiguration?, inputBounds: Bounds?, trainingRange: Bounds?,
                pod: PODShape?, study: StudyLineage?) {
        format = ModelManifest.formatName
        version = ModelManifest.formatVersion
        self.doeVersion = doeVersion
        self.architecture = architecture
        self.ensemble = ensemble
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.inputUnits = inputUnits
        self.outputUnits = outputUnits
        self.inputScaler = inputScaler
        self.targetScaler = targetScaler
        self.weightsFile = weightsFile
        self.sources = sources
        self.training = training
        self.inputBounds = inputBounds
        self.trainingRange = trainingRange
        self.pod = pod
        self.study = study
    }

    enum CodingKeys: String, CodingKey {
        case format, version, architecture, ensemble, sources, training, pod, study
        case doeVersion = "doe_version", inputNames = "input_names", outputNames = "output_names"
        case inputUnits = "input_units", outputUnits = "output_units", inputScaler = "input_scaler"
        case targetScaler = "target_scaler", weightsFile = "weights_file", inputBounds = "input_bounds"
        case trainingRange = "training_range", categoricalInputs = "categorical_inputs", calibration, logInputs = "log_inputs"
        case tuning
    }
}

extension TrainingConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case hidden, activation, epochs, schedule, patience, ensemble, seed
        case batchSize = "batch_size", learningRate = "learning_rate", weightDecay = "weight_decay"
        case validationFraction = "validation_fraction", testFraction = "test_fraction", podEnergy = "pod_energy"
        case outputWeights = "output_weights", logInputs = "log_inputs"
    }

    /// Decodes the settings stored in `model.json`; a setting an earlier doe did not store takes today's default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var t = TrainingConfiguration()
        t.hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? t.hidden
        t.activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? t.activation
        t.epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? t.epochs
        t.batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? t.batchSize
        t.learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? t.learningRate
        t.weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? t.weightDecay
        t.schedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? t.schedule
        t.validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? t.validationFraction
        t.testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? t.testFraction
        t.patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? t.patience
        t.ensemble = try c.decodeIfPresent(Int.self, forKey: .ensemble) ?? t.ensemble
        t.podEnergy = try c.decodeIfPresent(Double.self, forKey: .podEnergy) ?? t.podEnergy
        t.outputWeights = try c.decodeIfPresent([Float].self, forKey: .outputWeights)
        t.logInputs = try c.decodeIfPresent([String].self, forKey: .logInputs) ?? []
        // stored as a signed 64-bit integer (JSON readers lose unsigned values above 2^63)
        t.seed = try c.decodeIfPresent(Int64.self, forKey: .seed).map { UInt64(bitPattern: $0) } ?? t.seed
        self = t
    }

    /// Encodes the settings for `model.json` (the seed as a signed 64-bit integer with the same bits).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(activation, forKey: .activation)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(validationFraction, forKey: .validationFraction)
        try c.encode(testFraction, forKey: .testFraction)
        try c.encode(patience, forKey: .patience)
        try c.encode(ensemble, forKey: .ensemble)
        try c.encode(podEnergy, forKey: .podEnergy)
        try c.encodeIfPresent(outputWeights, forKey: .outputWeights)
        if !logInputs.isEmpty { try c.encode(logInputs, forKey: .logInputs) }
        try c.encode(Int64(bitPattern: seed), forKey: .seed)
    }
}
