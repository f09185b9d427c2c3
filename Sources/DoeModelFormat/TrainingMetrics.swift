import DoeBase
import Foundation

/// `metrics.json` of a model directory: accuracy on each split, split sizes and training speed.
///
/// Each split is an object keyed by output name (`field` for a field model's field as a whole) holding `rmse`,
/// `mae`, `r2` and `max_abs_error` in the output's units.
public struct TrainingMetrics: Decodable, Sendable, Equatable {
    /// Rows per split, and rows dropped for NaN/Inf before splitting.
    public struct Rows: Decodable, Sendable, Equatable {
        /// Training rows.
        public var train: Int
        /// Validation rows (early stopping).
        public var validation: Int
        /// Test rows (the reported metrics).
        public var test: Int
        /// Rows dropped for non-finite values.
        public var dropped: Int

        /// Split sizes with these counts.
        public init(train: Int, validation: Int, test: Int, dropped: Int) {
            self.train = train
            self.validation = validation
            self.test = test
            self.dropped = dropped
        }
    }

    /// POD summary of a field model.
    public struct PODSummary: Decodable, Sendable, Equatable {
        /// Retained modes.
        public var modes: Int
        /// Fraction of the field's variance they explain.
        public var energy: Double

        /// A summary with these values.
        public init(modes: Int, energy: Double) {
            self.modes = modes
            self.energy = energy
        }
    }

    /// Test-split metrics, in the model's output order.
    public var test: [OutputMetrics]
    /// Validation-split metrics (absent in the earliest folders).
    public var validation: [OutputMetrics]
    /// Training-split metrics (absent in the earliest folders).
    public var train: [OutputMetrics]
    /// Split sizes.
    public var rows: Rows?
    /// Training wall-clock seconds.
    public var seconds: Double?
    /// Samples processed per second over all members and epochs.
    public var samplesPerSecond: Double?
    /// POD summary of a field model.
    public var pod: PODSummary?
    /// When training started and finished (ISO 8601, UTC); absent in folders written before doe recorded them.
    public var startedAt: String?
    /// When training finished (ISO 8601, UTC).
    public var finishedAt: String?
    /// The unit of each output that has one (`tip_deflection` → `mm`): rmse, mae and max_abs_error are in it, r2 has none.
    public var units: [String: String]?
    /// How well each output's intervals (and a field's, as `field`) cover the test split, calibrated and not (ensembles
    /// only; `nil` for a single network and in folders written before doe calibrated).
    public var testCoverage: [CoverageSummary]?

    /// Metrics with these parts.
    public init(test: [OutputMetrics], validation: [OutputMetrics], train: [OutputMetrics], rows: Rows?, seconds: Double?,
                samplesPerSecond: Double?, pod: PODSummary?) {
        self.test = test
        self.validation = validation
        self.train = train
        self.rows = rows
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.pod = pod
    }

    enum CodingKeys: String, CodingKey {
        case test, validation, train, rows, seconds, pod
        case samplesPerSecond = "samples_per_second", startedAt = "started_at", finishedAt = "finished_at", units
        case calibration
    }

    /// `calibration` in `metrics.json`: `{"test": {output: {coverage_68, coverage_95, mean_width_95, uncalibrated: {…}}}}`.
    struct CoverageRecord: Decodable {
        var test: [String: Entry]
        struct Entry: Decodable {
            var calibrated: CoverageSummary.Intervals
            var uncalibrated: CoverageSummary.Intervals
            enum CodingKeys: String, CodingKey { case uncalibrated }
            init(from decoder: any Decoder) throws {
                calibrated = try CoverageSummary.Intervals(from: decoder)
                uncalibrated = try decoder.container(keyedBy: CodingKeys.self).decode(CoverageSummary.Intervals.self, forKey: .uncalibrated)
            }
        }
    }

    /// Decodes `metrics.json`; outputs come in key order and ``ModelDirectory/readMetrics()`` puts them in the
    /// model's order.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func split(_ key: CodingKeys) throws -> [OutputMetrics] {
            try c.decodeIfPresent([String: OutputMetrics.Values].self, forKey: key)?
                .sorted { $0.key < $1.key }.map { OutputMetrics(name: $0.key, values: $0.value) } ?? []
        }
        test = try split(.test)
        validation = try split(.validation)
        train = try split(.train)
        rows = try c.decodeIfPresent(Rows.self, forKey: .rows)
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds)
        samplesPerSecond = try c.decodeIfPresent(Double.self, forKey: .samplesPerSecond)
        pod = try c.decodeIfPresent(PODSummary.self, forKey: .pod)
        startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        units = try c.decodeIfPresent([String: String].self, forKey: .units)
        testCoverage = try c.decodeIfPresent(CoverageRecord.self, forKey: .calibration)?.test.sorted { $0.key < $1.key }
            .map { CoverageSummary(name: $0.key, calibrated: $0.value.calibrated, uncalibrated: $0.value.uncalibrated) }
    }

    /// The metrics as `metrics.json` holds them, with each split's outputs in this order.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("test", test.json), ("validation", validation.json), ("train", train.json)]
        if let rows {
            members.append(("rows", .object([("train", .int(rows.train)), ("validation", .int(rows.validation)),
                                             ("test", .int(rows.test)), ("dropped", .int(rows.dropped))])))
        }
        if let seconds { members.append(("seconds", .double(seconds))) }
        if let samplesPerSecond { members.append(("samples_per_second", .double(samplesPerSecond))) }
        if let pod { members.append(("pod", .object([("modes", .int(pod.modes)), ("energy", .double(pod.energy))]))) }
        if let startedAt { members.append(("started_at", .string(startedAt))) }
        if let finishedAt { members.append(("finished_at", .string(finishedAt))) }
        if let units, !units.isEmpty {
            let names = (test.map(\.name) + units.keys.sorted()).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            members.append(("units", .object(names.compactMap { name in units[name].map { (name, .string($0)) } })))
        }
        if let testCoverage, !testCoverage.isEmpty {
            func intervals(_ i: CoverageSummary.Intervals) -> [(String, JSONValue)] {
                [("coverage_68", .double(i.coverage68)), ("coverage_95", .double(i.coverage95)), ("mean_width_95", .double(i.meanWidth95))]
            }
            let outputs = testCoverage.map { c in
                (c.name, JSONValue.object(intervals(c.calibrated) + [("uncalibrated", .object(intervals(c.uncalibrated)))]))
            }
            members.append(("calibration", .object([("test", .object(outputs))])))
        }
        return .object(members)
    }

    /// Each split's outputs in `order` (names not in `order` after it, by name).
    public func ordered(by order: [String]) -> TrainingMetrics {
        func rank(_ name: String) -> Int { order.firstIndex(of: name) ?? order.count }
        func sort(_ m: [OutputMetrics]) -> [OutputMetrics] {
            m.sorted { (rank($0.name), $0.name) < (rank($1.name), $1.name) }
        }
        var copy = self
        copy.test = sort(test)
        copy.validation = sort(validation)
        copy.train = sort(train)
        copy.testCoverage = testCoverage.map { c in c.sorted { (rank($0.name), $0.name) < (rank($1.name), $1.name) } }
        return copy
    }
}

extension OutputMetrics {
    /// The four numbers of an output as stored under its name.
    public struct Values: Decodable, Sendable, Equatable {
        /// Root mean square error.
        public var rmse: Double
        /// Mean absolute error.
        public var mae: Double
        /// Coefficient of determination.
        public var r2: Double
        /// Largest absolute error.
        public var maxAbsError: Double

        /// The values of `metrics`.
        public init(_ metrics: OutputMetrics) {
            rmse = metrics.rmse
            mae = metrics.mae
            r2 = metrics.r2
            maxAbsError = metrics.maxAbsError
        }

        enum CodingKeys: String, CodingKey {
            case rmse, mae, r2
            case maxAbsError = "max_abs_error"
        }
    }

    /// Metrics of output `name` with stored values.
    public init(name: String, values: Values) {
        self.init(name: name, rmse: values.rmse, mae: values.mae, r2: values.r2, maxAbsError: values.maxAbsError)
    }
}
