import DoeBase
import DoeLinalg
import DoeModelFormat
import Foundation

/// A member that early stopping ended before the last epoch.
public struct EarlyStop: Sendable, Equatable {
    /// Ensemble member, from 0.
    public let member: Int
    /// Epochs it ran.
    public let epochsRun: Int
    /// The epoch whose weights were kept (the best validation loss).
    public let bestEpoch: Int
}

/// What training produced besides the model.
public struct TrainingReport: Sendable {
    /// Loss curves, one per member.
    public var history: [[EpochReport]]
    /// Test-split metrics per scalar output (and `field` for the field as a whole, RMSE over all points).
    public var testMetrics: [OutputMetrics]
    /// The same metrics on the training split (for the model card: how much the test differs).
    public var trainMetrics: [OutputMetrics] = []
    /// Validation-split metrics, like ``testMetrics``.
    public var validationMetrics: [OutputMetrics] = []
    /// Rows in the training split.
    public var trainRows: Int
    /// Rows in the validation split.
    public var validationRows: Int
    /// Rows in the test split.
    public var testRows: Int
    /// Which rows of the table form the test split (for ``TestPredictions``).
    public var testRowIndices: [Int] = []
    /// Wall-clock training time in seconds (all members).
    public var seconds: Double
    /// Samples processed per second (all members, all epochs).
    public var samplesPerSecond: Double
    /// Members that early stopping ended before the last epoch: epochs run and the epoch whose weights were kept.
    public var earlyStops: [EarlyStop] = []
    /// Interval coverage of the test split with and without the calibration (ensembles only).
    public var testCoverage: [CoverageSummary]?
}

/// Trains a ``Surrogate``: seeded split into train/validation/test, standardization, minibatch AdamW with a
/// learning-rate schedule and early stopping on the validation loss (the best epoch's weights are kept).
public enum SurrogateTrainer {
    /// Trains a surrogate on the rows of `x`, `y` (and `fields`) with the settings `c`; returns it with its report.
    /// - Parameters:
    ///   - x: `n × d` inputs; `y`: `n × m` scalar outputs; `fields`: optional `n × p` field values.
    ///   - progress: called after every epoch.
    public static func train(inputs x: Matrix<Float>, outputs y: Matrix<Float>, fields: Matrix<Float>? = nil,
                             inputNames: [String], outputNames: [String], configuration c: TrainingConfiguration,
                             progress: (EpochReport) -> Void = { _ in }) throws -> (Surrogate, TrainingReport) {
        let n = x.rows
        guard n >= 10 else { throw DumpTrainingError("need at least 10 rows to train, got \(n)") }
        let (trainRows, validationRows, testRows) = split(rows: n, configuration: c)
        guard !trainRows.isEmpty else { throw DumpTrainingError("no rows left for training after the validation and test splits") }
        let fitted = try fit(inputs: x, outputs: y, fields: fields, inputNames: inputNames, outputNames: outputNames,
                             trainRows: trainRows, validationRows: validationRows, configuration: c, progress: progress)
        var model = fitted.model
        let (history, stops, samples, seconds) = (fitted.history, fitted.stops, fitted.samples, fitted.seconds)
        model.calibration = model.fittingCalibration(inputs: rows(x, validationRows), outputs: rows(y, validationRows),
                                                     fields: fields.map { rows($0, validationRows) }, split: "validation")
        func metrics(_ indices: [Int]) -> [OutputMetrics] {
            evaluate(model, inputs: rows(x, indices), outputs: rows(y, indices), fields: fields.map { rows($0, indices) })
        }
        var report = TrainingReport(history: history, testMetrics: metrics(testRows), trainRows: trainRows.count,
                                    validationRows: validationRows.count,
                                    testRows: testRows.count, seconds: seconds, samplesPerSecond: Double(samples) / max(seconds, 1e-9))
        report.trainMetrics = metrics(trainRows)
        report.testRowIndices = testRows
        report.validationMetrics = metrics(validationRows)
        report.earlyStops = stops
        report.testCoverage = model.coverage(inputs: rows(x, testRows), outputs: rows(y, testRows),
                                             fields: fields.map { rows($0, testRows) })
        return (model, report)
    }

    /// The seeded split `train` uses: a permutation of the rows by the seed, the first `testFraction` of it the test
    /// split, the next `validationFraction` the validation split, the rest training rows (at least one of each).
    public static func split(rows n: Int, configuration c: TrainingConfiguration) -> (train: [Int], validation: [Int], test: [Int]) {
        var rng = SplitMix64.stream(seed: c.seed, label: "split")
        let order = Array(0..<n).shuffled(using: &rng)
        let nTest = min(n, max(1, Int(Double(n) * c.testFraction)))
        let nValidation = min(n - nTest, max(1, Int(Double(n) * c.validationFraction)))
        return (Array(order[(nTest + nValidation)...]), Array(order[nTest..<(nTest + nValidation)]), Array(order[0..<nTest]))
    }

    /// The members fitted on given training rows, early-stopped on given validation rows, before any metric.
    public struct FittedMembers: Sendable {
        /// The model (scalers and POD fitted on the training rows; not calibrated).
        public var model: Surrogate
        /// Loss curves per member.
        public var history: [[EpochReport]]
        /// Members early stopping ended.
        public var stops: [EarlyStop]
        /// Samples processed.
        public var samples: Int
        /// Wall-clock seconds of the member loops.
        public var seconds: Double
        /// The mean over members of each member's best validation loss (standardized targets: what early stopping
        /// minimized), the quantity ``TrainingTuner`` minimizes.
        public var validationLoss: Float
    }

    /// Fits the members of `c` on `trainRows` with early stopping on `validationRows`; no other row of the table is
    /// read (the tuner passes tables the test rows were removed from).
    public static func fit(inputs x: Matrix<Float>, outputs y: Matrix<Float>, fields: Matrix<Float>?, inputNames: [String],
                           outputNames: [String], trainRows: [Int], validationRows: [Int], configuration c: TrainingConfiguration,
                           progress: (EpochReport) -> Void = { _ in }) throws -> FittedMembers {
        let n = x.rows
        let logInputs = try c.logInputs.map { name -> Int in
            guard let k = inputNames.firstIndex(of: name) else {
                throw DumpTrainingError("log_inputs: '\(name)' is not an input (inputs: \(inputNames.joined(separator: ", ")))")
            }
            if let i = (0..<n).first(where: { !(x[$0, k] > 0) }) {
                throw DumpTrainingError("log_inputs: input '\(name)' is \(x[i, k]) in row \(i); only positive inputs can be taken as log")
            }
            return k
        }
        let pod = try fields.map { try POD(fitting: rows($0, trainRows), energyFraction: c.podEnergy) }
        var targets = y
        if let pod, let fields { targets = concatenateColumns(y, pod.project(fields)) }
        let xt = Surrogate.logColumns(x, logInputs)
        let inputScaler = Standardizer(fitting: rows(xt, trainRows))
        let targetScaler = Standardizer(fitting: rows(targets, trainRows))
        let xs = inputScaler.apply(xt), ts = targetScaler.apply(targets)
        let xTrain = rows(xs, trainRows), tTrain = rows(ts, trainRows)
        let xValidation = rows(xs, validationRows), tValidation = rows(ts, validationRows)
        let weights: [Float]? = c.outputWeights.map { $0 + [Float](repeating: 1, count: targets.columns - $0.count) }

        let architecture = MLPArchitecture(inputs: x.columns, hidden: c.hidden, outputs: targets.columns, activation: c.activation)
        let start = Date()
        var members: [MLP] = []
        var history: [[EpochReport]] = []
        var samples = 0
        var stops: [EarlyStop] = []
        for member in 0..<max(c.ensemble, 1) {
            var net = MLP(architecture: architecture, seed: c.seed &+ UInt64(member) &* 7919)
            var optimizer = AdamW(learningRate: c.learningRate, weightDecay: c.weightDecay)
            var batchRng = SplitMix64.stream(seed: c.seed &+ UInt64(member), label: "batches")
            var best = (loss: Float.infinity, parameters: net.parameters)
            var bestEpoch = 0
            var sinceBest = 0, sincePlateau = 0
            var curve: [EpochReport] = []
            var rate = c.learningRate
            for epoch in 0..<c.epochs {
                if c.schedule == .cosine {
                    rate = c.learningRate * (0.01 + 0.99 * 0.5 * (1 + Float(cos(Double.pi * Double(epoch) / Double(max(c.epochs, 1))))))
                }
                optimizer.learningRate = rate
                let shuffled = Array(0..<trainRows.count).shuffled(using: &batchRng)
                var epochLoss: Float = 0
                var batchStart = 0
                while batchStart < shuffled.count {
                    let batch = Array(shuffled[batchStart..<min(batchStart + c.batchSize, shuffled.count)])
                    let (loss, gradient) = net.lossAndGradient(rows(xTrain, batch), rows(tTrain, batch), outputWeights: weights)
                    optimizer.update(&net.parameters, gradient: gradient)
                    epochLoss += loss * Float(batch.count)
                    samples += batch.count
                    batchStart += c.batchSize
                }
                let validationLoss = net.lossAndGradient(xValidation, tValidation, outputWeights: weights).loss
                let report = EpochReport(member: member, epoch: epoch + 1, trainLoss: epochLoss / Float(trainRows.count),
                                         validationLoss: validationLoss, learningRate: rate)
                curve.append(report)
                progress(report)
                if validationLoss < best.loss * (1 - 1e-4) {
                    best = (validationLoss, net.parameters)
                    bestEpoch = epoch + 1
                    sinceBest = 0
                    sincePlateau = 0
                } else {
                    sinceBest += 1
                    sincePlateau += 1
                }
                if c.schedule == .plateau, sincePlateau >= max(c.patience / 2, 1) { rate *= 0.5; sincePlateau = 0 }
                if c.patience > 0 && sinceBest >= c.patience { break }
            }
            net.parameters = best.parameters
            if curve.count < c.epochs { stops.append(EarlyStop(member: member, epochsRun: curve.count, bestEpoch: bestEpoch)) }
            members.append(net)
            history.append(curve)
        }
        let seconds = Date().timeIntervalSince(start)
        var model = Surrogate(inputNames: inputNames, outputNames: outputNames, inputUnits: nil, inputBounds: nil,
                              inputScaler: inputScaler, targetScaler: targetScaler, members: members, pod: pod)
        model.logInputs = logInputs
        let bestLosses = history.map { curve in curve.map(\.validationLoss).min() ?? .infinity }
        return FittedMembers(model: model, history: history, stops: stops, samples: samples, seconds: seconds,
                             validationLoss: bestLosses.reduce(0, +) / Float(max(bestLosses.count, 1)))
    }

    /// Metrics of `model` on a table (scalar outputs, plus `field` when fields are given).
    public static func evaluate(_ model: Surrogate, inputs: Matrix<Float>, outputs: Matrix<Float>,
                                fields: Matrix<Float>?) -> [OutputMetrics] {
        let prediction = model.predict(inputs)
        var metrics = model.outputNames.enumerated().map {
            OutputMetrics.compute(name: $0.element, prediction: prediction.mean, truth: outputs, column: $0.offset)
        }
        if let fields, let predicted = prediction.field {
            let flatTruth = Matrix(rows: fields.storage.count, columns: 1, columnMajor: fields.storage)
            let flatPrediction = Matrix(rows: predicted.storage.count, columns: 1, columnMajor: predicted.storage)
            metrics.append(OutputMetrics.compute(name: "field", prediction: flatPrediction, truth: flatTruth, column: 0))
        }
        return metrics
    }

    /// The rows `indices` of `m`.
    static func rows(_ m: Matrix<Float>, _ indices: [Int]) -> Matrix<Float> {
        var out = Matrix<Float>(rows: indices.count, columns: m.columns)
        m.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for j in 0..<m.columns {
                    let s = j * m.rows, d = j * indices.count
                    for (r, i) in indices.enumerated() { dst[d + r] = src[s + i] }
                }
            }
        }
        return out
    }

    static func concatenateColumns(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float> {
        Matrix(rows: a.rows, columns: a.columns + b.columns, columnMajor: a.storage + b.storage)
    }
}

/// The domain of ``DumpTrainingError``.
public enum DumpTrainingErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `surrogate.invalid`.
    public static var code: String { "surrogate.invalid" }
}

/// Training cannot start.
public typealias DumpTrainingError = DomainError<DumpTrainingErrorDomain>
