import Foundation

/// The recalibration of an ensemble's standard deviations, stored in `model.json` under `calibration`.
///
/// A deep ensemble's spread `σ` is usually over-confident; the calibrated predictive standard deviation of an output
/// is `√(scale·σ² + floor)`, with `scale` (no unit) and `floor` (the output's unit squared) fitted by maximum Gaussian
/// likelihood of the validation split's residuals. `floor` lets an output whose members agree everywhere still get
/// an honest interval; `scale = 1, floor = 0` is the identity.
public struct UncertaintyCalibration: Codable, Sendable, Equatable {
    /// The calibration of one output (or of a field's points as a whole).
    public struct Variance: Codable, Sendable, Equatable {
        /// The output's name (`field` for a field).
        public var name: String
        /// Multiplier of the ensemble variance (≥ 0).
        public var scale: Double
        /// Variance added, in the output's unit squared (≥ 0).
        public var floor: Double

        /// A calibration with these values.
        public init(name: String, scale: Double, floor: Double) {
            self.name = name
            self.scale = scale
            self.floor = floor
        }

        /// The identity (`scale = 1, floor = 0`) for output `name`.
        public static func identity(_ name: String) -> Variance { Variance(name: name, scale: 1, floor: 0) }

        /// The calibrated standard deviation of an ensemble standard deviation `std`.
        @inline(__always)
        public func apply(_ std: Float) -> Float { Float((scale * Double(std) * Double(std) + floor).squareRoot()) }
    }

    /// The value of ``method``.
    public static let methodName = "variance-scale-and-floor"

    /// Always ``methodName``.
    public var method: String
    /// The split the calibration was fitted on (`validation`).
    public var fittedOn: String
    /// Rows of that split.
    public var rows: Int
    /// One calibration per scalar output, in the model's output order.
    public var outputs: [Variance]
    /// The calibration of a field model's point standard deviations.
    public var field: Variance?

    /// A calibration fitted on `rows` rows of split `fittedOn`.
    public init(fittedOn: String, rows: Int, outputs: [Variance], field: Variance?) {
        method = UncertaintyCalibration.methodName
        self.fittedOn = fittedOn
        self.rows = rows
        self.outputs = outputs
        self.field = field
    }

    enum CodingKeys: String, CodingKey {
        case method, rows, outputs, field
        case fittedOn = "fitted_on"
    }
}

/// How well an output's intervals cover the truth on one split: the fraction of rows inside the central 68 % and
/// 95 % intervals and the 95 % interval's mean width (output units), before and after calibration.
public struct CoverageSummary: Sendable, Equatable {
    /// Coverage numbers of one set of intervals.
    public struct Intervals: Codable, Sendable, Equatable {
        /// Fraction of rows within mean ± 1σ (nominal 0.683).
        public var coverage68: Double
        /// Fraction of rows within mean ± 1.96σ (nominal 0.95).
        public var coverage95: Double
        /// Mean width 2·1.96·σ of the 95 % interval, in the output's unit.
        public var meanWidth95: Double

        /// Coverage numbers with these values.
        public init(coverage68: Double, coverage95: Double, meanWidth95: Double) {
            self.coverage68 = coverage68
            self.coverage95 = coverage95
            self.meanWidth95 = meanWidth95
        }

        /// The numbers of intervals `truth[i]` vs `mean[i] ± z·std[i]` (same lengths).
        public init(truth: [Double], mean: [Double], std: [Double]) {
            self.init(coverage68: Intervals.fraction(truth: truth, mean: mean, std: std, within: 1),
                      coverage95: Intervals.fraction(truth: truth, mean: mean, std: std, within: 1.959963984540054),
                      meanWidth95: std.reduce(0) { $0 + 2 * 1.959963984540054 * $1 } / Double(max(truth.count, 1)))
        }

        /// The fraction of rows with `|truth[i] − mean[i]| ≤ z·std[i]` (same lengths; 0 for none).
        public static func fraction(truth: [Double], mean: [Double], std: [Double], within z: Double) -> Double {
            Double(truth.indices.filter { abs(truth[$0] - mean[$0]) <= z * std[$0] }.count) / Double(max(truth.count, 1))
        }

        enum CodingKeys: String, CodingKey {
            case coverage68 = "coverage_68", coverage95 = "coverage_95", meanWidth95 = "mean_width_95"
        }
    }

    /// The output's name.
    public var name: String
    /// The calibrated intervals (what `predict`, the ONNX graph and reports use).
    public var calibrated: Intervals
    /// The ensemble's own intervals.
    public var uncalibrated: Intervals

    /// A summary with these values.
    public init(name: String, calibrated: Intervals, uncalibrated: Intervals) {
        self.name = name
        self.calibrated = calibrated
        self.uncalibrated = uncalibrated
    }
}
