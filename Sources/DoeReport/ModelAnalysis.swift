import DoeBO
import DoeBase
import DoeDesign
import DoeLinalg
import DoeModelFormat
import DoeNeural
import Foundation

/// What a surrogate model report shows, read from a model directory: the model card facts, metrics per split,
/// loss curves, the test split's predictions (parity, errors, calibration for ensembles) and Sobol indices of
/// each output over the input bounds.
public struct ModelAnalysis: Sendable {
    /// Coverage of central prediction intervals `mean ± z·std` on the test split, per output.
    public struct Calibration: Sendable {
        /// Nominal coverage levels.
        public let nominal: [Double]
        /// Observed fraction of test rows inside the interval, per output (`observed[k][level]`), with the model's
        /// calibrated standard deviations.
        public let observed: [[Double]]
        /// The same with the ensemble's own spread, when the model is calibrated (`nil` otherwise).
        public let observedUncalibrated: [[Double]]?
    }

    /// The model directory's path as given.
    public let path: String
    /// The directory's name (the report's default file name).
    public let name: String
    /// The model.
    public let model: Surrogate
    /// `model.json`.
    public let manifest: ModelManifest
    /// `metrics.json`, outputs in the model's order (`nil` if absent).
    public let metrics: TrainingMetrics?
    /// `history.csv` (empty if absent).
    public let history: [EpochReport]
    /// `test-predictions.csv` (`nil` if absent).
    public let test: TestPredictions?
    /// Interval coverage of an ensemble on the test split.
    public let calibration: Calibration?
    /// Sobol indices per scalar output over the input bounds (`nil` without bounds).
    public let sensitivity: [SobolSensitivity.Indices?]?
    /// What could not be shown and why.
    public let notes: [String]
    /// The registry's record of this model, when the report is of a registered version (`doe report plate@production`).
    public var registration: Registration?
    /// The unit of each scalar output that has one.
    public var outputUnits: [String: String] {
        Dictionary(zip(model.outputNames, model.outputUnits ?? []).filter { !$0.1.isEmpty }) { a, _ in a }
    }

    /// A registered version: its reference, the model card and the registry's facts (aliases, who, when, gate runs).
    public struct Registration: Sendable {
        /// `plate@2`.
        public let reference: String
        /// The card as registered: the user's YAML (purpose, owner, limitations, …), then training data and metrics.
        public let card: JSONValue
        /// Registry facts: aliases, registered by and at, the last gate's verdict.
        public let facts: [Fact]

        /// One labelled fact.
        public struct Fact: Sendable {
            /// Label.
            public let label: String
            /// Text.
            public let value: String
            /// A fact.
            public init(_ label: String, _ value: String) {
                self.label = label
                self.value = value
            }
        }

        /// A registration with these parts.
        public init(reference: String, card: JSONValue, facts: [Fact]) {
            self.reference = reference
            self.card = card
            self.facts = facts
        }
    }

    /// Reads the model directory at `path`.
    /// - Throws: ``ReportError`` or the model store's error when the model itself cannot be read.
    public init(path: String) throws {
        self.path = path
        name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        let directory = ModelDirectory(path)
        guard directory.holdsModel else { throw ReportError("\(path): not a model directory (no model.json)") }
        manifest = try directory.readManifest()
        model = try directory.loadSurrogate(manifest)
        var notes: [String] = []
        metrics = try directory.readMetrics(of: manifest)
        if metrics == nil { notes.append("no metrics.json: the model was not written by `doe train`") }
        if let history = try directory.readHistory() { self.history = history } else {
            history = []
            notes.append("no history.csv: no training curves")
        }
        let test = try directory.readTestPredictions(for: model)
        if test == nil {
            notes.append("no \(ModelDirectory.File.testPredictions.rawValue) (models trained before doe 0.1 wrote it): no parity plots; "
                + "retrain to get them")
        }
        self.test = test
        if let test, let std = test.std {
            let nominal = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
            func observed(_ std: [[Double]]) -> [[Double]] {
                test.outputNames.indices.map { k in
                    nominal.map { level in
                        CoverageSummary.Intervals.fraction(truth: test.truth[k], mean: test.predicted[k], std: std[k],
                                                           within: NormalDistribution.quantile(0.5 + level / 2))
                    }
                }
            }
            calibration = Calibration(nominal: nominal, observed: observed(std),
                                      observedUncalibrated: manifest.calibration == nil ? nil : test.rawStd.map(observed))
        } else {
            calibration = nil
        }
        if let bounds = model.inputBounds, bounds.low.count == model.inputNames.count, !model.outputNames.isEmpty {
            sensitivity = ModelAnalysis.sensitivity(of: model, bounds: bounds)
        } else {
            sensitivity = nil
            if model.inputBounds == nil {
                notes.append("no input bounds in model.json: no Sobol indices (give the dump low/high attributes)")
            }
        }
        self.notes = notes
    }

    /// Sobol indices of each scalar output with inputs uniform over `bounds`.
    static func sensitivity(of model: Surrogate, bounds: Bounds) -> [SobolSensitivity.Indices?] {
        SobolSensitivity.estimate(dimension: model.inputNames.count, samples: 2048, seed: 0, outputs: model.outputNames.count) { points in
            var x = Matrix<Float>(rows: points.count, columns: model.inputNames.count)
            for (i, u) in points.enumerated() {
                for j in 0..<u.count { x[i, j] = Float(bounds.low[j] + u[j] * (bounds.high[j] - bounds.low[j])) }
            }
            let p = model.predict(x).mean
            return (0..<p.columns).map { k in (0..<points.count).map { Double(p[$0, k]) } }
        }
    }
}
