import DoeBase
import DoeLinalg
import DoeModelFormat
import Foundation

/// What a ``Surrogate`` predicts for `n` rows, in the outputs' units.
public struct SurrogatePrediction: Sendable {
    /// Scalar outputs' mean, `n × outputs` (the ensemble mean for ensembles).
    public var mean: Matrix<Float>
    /// Ensemble standard deviation, `n × outputs` (`nil` for a single network).
    public var std: Matrix<Float>?
    /// Reconstructed field mean, `n × p` (`nil` without a field).
    public var field: Matrix<Float>?
    /// Ensemble standard deviation of the field, `n × p`.
    public var fieldStd: Matrix<Float>?
}

/// A trained surrogate: input scaling, one or more MLPs (a deep ensemble), output scaling and an optional POD
/// basis for field outputs.
///
/// The networks predict standardized targets: the scalar outputs followed by the POD coefficients of the field.
public struct Surrogate: Sendable {
    /// Input names, in the column order the networks take.
    public var inputNames: [String]
    /// Scalar output names, in the order predicted.
    public var outputNames: [String]
    /// Units of the inputs, when the training data gave them.
    public var inputUnits: [String]?
    /// Units of the outputs, when the training data gave them.
    public var outputUnits: [String]?
    /// Declared bounds of the inputs (from the dump's attributes or the study's space), when known.
    public var inputBounds: Bounds?
    /// Observed range of each input in the training rows (what the network saw), when recorded.
    public var trainingRange: Bounds?
    /// Scaler of the inputs.
    public var inputScaler: Standardizer
    /// Scaler of the network targets (scalar outputs + POD coefficients).
    public var targetScaler: Standardizer
    /// Ensemble members (one for a plain model).
    public var members: [MLP]
    /// Reduced basis of the field output, if the model has one.
    public var pod: POD?
    /// Categorical inputs: name → level names; the network's column holds the level's index (0, 1, …), and inputs
    /// name the level (`catalyst=Pt`), never a number.
    public var inputLevels: [String: [String]] = [:]
    /// How ensemble standard deviations are recalibrated (fitted on the validation split by ``SurrogateTrainer``; `nil`:
    /// the ensemble's own spread).
    public var calibration: UncertaintyCalibration?
    /// Indices of the inputs the networks take as `log x` (before ``inputScaler``); a value ≤ 0 there predicts NaN.
    public var logInputs: [Int] = []

    /// `x` (`n × inputs`, the inputs' units) as the input scaler takes it: the log inputs replaced by their logarithm.
    public func networkInputs(_ x: Matrix<Float>) -> Matrix<Float> { Surrogate.logColumns(x, logInputs) }

    /// `x` with columns `columns` replaced by their natural logarithm (NaN for a value ≤ 0).
    public static func logColumns(_ x: Matrix<Float>, _ columns: [Int]) -> Matrix<Float> {
        guard !columns.isEmpty else { return x }
        var t = x
        for j in columns {
            for i in 0..<x.rows { let v = x.storage[i + j * x.rows]; t.storage[i + j * x.rows] = v > 0 ? log(v) : .nan }
        }
        return t
    }

    /// Number of scalar outputs.
    public var scalarOutputs: Int { outputNames.count }

    /// The network's column value for `text` given for input `name`: a categorical input's level index (`nil` when
    /// `text` names no level: a number is refused there), else the finite number `text` holds.
    public func columnValue(_ text: String, input name: String) -> Float? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let levels = inputLevels[name] { return levels.firstIndex(of: text).map(Float.init) }
        guard let v = Float(text), v.isFinite else { return nil }
        return v
    }

    /// Problems with a matrix's categorical columns (values that are not a level's index), as `row k: 'name' …`.
    public func categoricalProblems(_ x: Matrix<Float>, rowLabels: [String]) -> [String] {
        var problems: [String] = []
        for (j, name) in inputNames.enumerated() {
            guard let levels = inputLevels[name] else { continue }
            for i in 0..<x.rows where x[i, j] != x[i, j].rounded() || x[i, j] < 0 || Int(x[i, j]) >= levels.count {
                problems.append("\(i < rowLabels.count ? rowLabels[i] : "row \(i)"): '\(name)' is \(x[i, j]), not the index of one of "
                    + levels.joined(separator: ", "))
            }
        }
        return problems
    }

    /// Prediction for `x` (`n × inputs`, original units).
    /// - Parameter calibrated: apply ``calibration`` to the standard deviations (`false`: the ensemble's own spread).
    /// - Returns: scalar outputs' mean and, for ensembles, standard deviation (`n × outputs`), and the reconstructed
    ///   field mean and standard deviation (`n × p`) when the model has a field.
    public func predict(_ x: Matrix<Float>, calibrated: Bool = true) -> SurrogatePrediction {
        let prediction = ensemblePrediction(x)
        return calibrated ? self.calibrated(prediction) : prediction
    }

    /// An uncalibrated prediction (``predict(_:calibrated:)`` with `false`) with ``calibration`` applied to its
    /// standard deviations, so a caller that needs both does not predict twice.
    public func calibrated(_ raw: SurrogatePrediction) -> SurrogatePrediction {
        var prediction = raw
        guard let calibration else { return prediction }
        if var std = prediction.std {
            for (j, variance) in calibration.outputs.enumerated() where j < std.columns {
                for i in 0..<std.rows { std.storage[i + j * std.rows] = variance.apply(std.storage[i + j * std.rows]) }
            }
            prediction.std = std
        }
        if let variance = calibration.field, var fieldStd = prediction.fieldStd {
            for k in fieldStd.storage.indices { fieldStd.storage[k] = variance.apply(fieldStd.storage[k]) }
            prediction.fieldStd = fieldStd
        }
        return prediction
    }

    /// The ensemble's mean and spread, uncalibrated.
    private func ensemblePrediction(_ x: Matrix<Float>) -> SurrogatePrediction {
        let z = inputScaler.apply(networkInputs(x))
        let predictions = members.map { targetScaler.invert($0(z)) }
        let n = x.rows, t = predictions[0].columns
        var mean = Matrix<Float>(rows: n, columns: t)
        for p in predictions { for k in mean.storage.indices { mean.storage[k] += p.storage[k] } }
        for k in mean.storage.indices { mean.storage[k] /= Float(predictions.count) }
        var std: Matrix<Float>?
        if predictions.count > 1 {
            var s = Matrix<Float>(rows: n, columns: t)
            for p in predictions { for k in s.storage.indices { let d = p.storage[k] - mean.storage[k]; s.storage[k] += d * d } }
            for k in s.storage.indices { s.storage[k] = (s.storage[k] / Float(predictions.count - 1)).squareRoot() }
            std = s
        }
        let scalarMean = columns(mean, 0..<scalarOutputs)
        guard let pod else { return SurrogatePrediction(mean: scalarMean, std: std.map { columns($0, 0..<scalarOutputs) }) }
        let coefficients = columns(mean, scalarOutputs..<t)
        let field = pod.reconstruct(coefficients)
        var fieldStd: Matrix<Float>?
        if predictions.count > 1 {
            // spread of the members' reconstructed fields
            var s = Matrix<Float>(rows: n, columns: field.columns)
            for p in predictions {
                let f = pod.reconstruct(columns(p, scalarOutputs..<t))
                for k in s.storage.indices { let d = f.storage[k] - field.storage[k]; s.storage[k] += d * d }
            }
            for k in s.storage.indices { s.storage[k] = (s.storage[k] / Float(predictions.count - 1)).squareRoot() }
            fieldStd = s
        }
        return SurrogatePrediction(mean: scalarMean, std: std.map { columns($0, 0..<scalarOutputs) }, field: field, fieldStd: fieldStd)
    }

    func columns(_ m: Matrix<Float>, _ range: Range<Int>) -> Matrix<Float> {
        Matrix(rows: m.rows, columns: range.count, columnMajor: Array(m.storage[(range.lowerBound * m.rows)..<(range.upperBound * m.rows)]))
    }
}

extension OutputMetrics {
    /// Metrics of column `j` of `prediction` vs `truth`.
    public static func compute(name: String, prediction: Matrix<Float>, truth: Matrix<Float>, column j: Int) -> OutputMetrics {
        let n = truth.rows
        var sse = 0.0, sae = 0.0, maxAbs = 0.0, mean = 0.0
        for i in 0..<n { mean += Double(truth[i, j]) }
        mean /= Double(max(n, 1))
        var sst = 0.0
        for i in 0..<n {
            let e = Double(prediction[i, j]) - Double(truth[i, j])
            sse += e * e
            sae += abs(e)
            maxAbs = max(maxAbs, abs(e))
            sst += (Double(truth[i, j]) - mean) * (Double(truth[i, j]) - mean)
        }
        return OutputMetrics(name: name, rmse: (sse / Double(max(n, 1))).squareRoot(), mae: sae / Double(max(n, 1)),
                             r2: sst > 0 ? 1 - sse / sst : (sse == 0 ? 1 : 0), maxAbsError: maxAbs)
    }
}
