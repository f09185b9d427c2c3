import DoeBase
import DoeLinalg
import DoeModelFormat
import Foundation

/// The held-out test split with the model's predictions, stored as `test-predictions.csv` in the model directory
/// so reports can draw parity plots, error histograms and calibration without the training data.
///
/// Columns: `row` (row of the training table), the inputs, then per scalar output `<name>` (truth), `<name>_pred`
/// and, for ensembles, `<name>_std` (calibrated, as `predict` gives it) and `<name>_std_raw` (the ensemble's own spread,
/// absent in folders written before doe calibrated); for field models `field_rmse` (per row, over the field's points) and, for
/// ensembles, `field_std_rms` (root mean square of the predicted point standard deviations).
public struct TestPredictions: Sendable, Equatable {
    /// Row of the training table each test row came from.
    public var rows: [Int]
    /// Input names, in the order of each ``inputs`` vector.
    public var inputNames: [String]
    /// `inputs[i]` is row `i`'s input vector.
    public var inputs: [[Double]]
    /// Scalar output names, in the order of ``truth``, ``predicted`` and ``std``.
    public var outputNames: [String]
    /// `truth[k][i]`: output `k`, row `i` (likewise `predicted`, `std`).
    public var truth: [[Double]]
    /// `predicted[k][i]`: the model's prediction (ensemble mean) of output `k` for row `i`, in the output's units.
    public var predicted: [[Double]]
    /// `std[k][i]`: ensemble standard deviation of output `k` for row `i` (`nil` for a single network).
    public var std: [[Double]]?
    /// `rawStd[k][i]`: the ensemble's own standard deviation, before calibration (`nil` for a single network and in
    /// folders written before doe calibrated).
    public var rawStd: [[Double]]?
    /// Per row, the RMSE of the predicted field over its points (`nil` without a field).
    public var fieldRMSE: [Double]?
    /// Per row, the root mean square of the predicted point standard deviations (`nil` unless an ensemble field model).
    public var fieldStdRMS: [Double]?

    /// `test-predictions.csv`.
    public static let fileName = "test-predictions.csv"

    /// Predictions of `model` on the rows `indices` of a training table.
    public init(model: Surrogate, inputs x: Matrix<Float>, outputs y: Matrix<Float>, fields: Matrix<Float>?, indices: [Int]) {
        let xt = SurrogateTrainer.rows(x, indices), yt = SurrogateTrainer.rows(y, indices)
        let raw = model.predict(xt, calibrated: false), p = model.calibrated(raw)
        let n = indices.count
        rows = indices
        inputNames = model.inputNames
        inputs = (0..<n).map { i in (0..<xt.columns).map { Double(xt[i, $0]) } }
        outputNames = model.outputNames
        truth = (0..<yt.columns).map { k in (0..<n).map { Double(yt[$0, k]) } }
        predicted = (0..<yt.columns).map { k in (0..<n).map { Double(p.mean[$0, k]) } }
        std = p.std.map { s in (0..<yt.columns).map { k in (0..<n).map { Double(s[$0, k]) } } }
        rawStd = raw.std.map { s in (0..<yt.columns).map { k in (0..<n).map { Double(s[$0, k]) } } }
        if let fields, let field = p.field {
            let ft = SurrogateTrainer.rows(fields, indices)
            fieldRMSE = (0..<n).map { i in
                var sum = 0.0
                for j in 0..<ft.columns { let e = Double(field[i, j]) - Double(ft[i, j]); sum += e * e }
                return (sum / Double(max(ft.columns, 1))).squareRoot()
            }
            fieldStdRMS = p.fieldStd.map { s in
                (0..<n).map { i in
                    var sum = 0.0
                    for j in 0..<s.columns { sum += Double(s[i, j]) * Double(s[i, j]) }
                    return (sum / Double(max(s.columns, 1))).squareRoot()
                }
            }
        }
    }

    init(rows: [Int], inputNames: [String], inputs: [[Double]], outputNames: [String], truth: [[Double]], predicted: [[Double]],
         std: [[Double]]?, rawStd: [[Double]]?, fieldRMSE: [Double]?, fieldStdRMS: [Double]?) {
        self.rows = rows
        self.inputNames = inputNames
        self.inputs = inputs
        self.outputNames = outputNames
        self.truth = truth
        self.predicted = predicted
        self.std = std
        self.rawStd = rawStd
        self.fieldRMSE = fieldRMSE
        self.fieldStdRMS = fieldStdRMS
    }

    /// The table as CSV text.
    public var csv: String {
        var header = ["row"] + inputNames
        for name in outputNames {
            header += [name, name + "_pred"] + (std == nil ? [] : [name + "_std"]) + (rawStd == nil ? [] : [name + "_std_raw"])
        }
        if fieldRMSE != nil { header.append("field_rmse") }
        if fieldStdRMS != nil { header.append("field_std_rms") }
        var lines = [header.map(CSV.escape).joined(separator: ",")]
        for i in rows.indices {
            var cells = ["\(rows[i])"] + inputs[i].map { "\($0)" }
            for k in outputNames.indices {
                cells += ["\(truth[k][i])", "\(predicted[k][i])"] + (std.map { ["\($0[k][i])"] } ?? [])
                    + (rawStd.map { ["\($0[k][i])"] } ?? [])
            }
            if let f = fieldRMSE { cells.append("\(f[i])") }
            if let f = fieldStdRMS { cells.append("\(f[i])") }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `test-predictions.csv` of a model with these input and output names.
    /// - Throws: ``ModelDirectory/Failure`` naming the file, line and column.
    public static func read(_ path: String, inputNames: [String], outputNames: [String]) throws -> TestPredictions {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ModelDirectory.Failure("\(path): missing or not UTF-8 (models trained before doe wrote test predictions lack it: "
                + "retrain, or run `doe evaluate`)")
        }
        let records: [CSV.Record]
        do { records = try CSV.parse(text, source: path) } catch let error as ValueError { throw ModelDirectory.Failure(error.message) }
        guard let header = records.first?.fields else { throw ModelDirectory.Failure("\(path): empty") }
        func column(_ name: String) throws -> Int {
            guard let k = header.firstIndex(of: name) else { throw ModelDirectory.Failure("\(path): no column '\(name)' in the header") }
            return k
        }
        let rowColumn = try column("row")
        let inputColumns = try inputNames.map(column)
        let truthColumns = try outputNames.map(column), predictedColumns = try outputNames.map { try column($0 + "_pred") }
        let stdColumns = header.contains((outputNames.first ?? "") + "_std") ? try outputNames.map { try column($0 + "_std") } : nil
        let rawStdColumns = stdColumns != nil && header.contains((outputNames.first ?? "") + "_std_raw")
            ? try outputNames.map { try column($0 + "_std_raw") } : nil
        let fieldColumn = header.firstIndex(of: "field_rmse"), fieldStdColumn = header.firstIndex(of: "field_std_rms")
        var table = TestPredictions(rows: [], inputNames: inputNames, inputs: [], outputNames: outputNames,
                                    truth: outputNames.map { _ in [] }, predicted: outputNames.map { _ in [] },
                                    std: stdColumns.map { _ in outputNames.map { _ in [] } },
                                    rawStd: rawStdColumns.map { _ in outputNames.map { _ in [] } }, fieldRMSE: fieldColumn.map { _ in [] },
                                    fieldStdRMS: fieldStdColumn.map { _ in [] })
        for record in records.dropFirst() {
            let cells = record.fields, number = record.line
            guard cells.count == header.count else {
                throw ModelDirectory.Failure("\(path) line \(number): \(cells.count) cells, the header has \(header.count)")
            }
            func value(_ k: Int) throws -> Double {
                guard let v = Double(cells[k]) else {
                    throw ModelDirectory.Failure("\(path) line \(number), column '\(header[k])': '\(cells[k])' is not a number")
                }
                return v
            }
            guard let row = Int(exactly: try value(rowColumn)) else {
                throw ModelDirectory.Failure("\(path) line \(number), column 'row': '\(cells[rowColumn])' is not a row number")
            }
            table.rows.append(row)
            table.inputs.append(try inputColumns.map(value))
            for k in outputNames.indices {
                table.truth[k].append(try value(truthColumns[k]))
                table.predicted[k].append(try value(predictedColumns[k]))
                if let stdColumns { table.std![k].append(try value(stdColumns[k])) }
                if let rawStdColumns { table.rawStd![k].append(try value(rawStdColumns[k])) }
            }
            if let fieldColumn { table.fieldRMSE!.append(try value(fieldColumn)) }
            if let fieldStdColumn { table.fieldStdRMS!.append(try value(fieldStdColumn)) }
        }
        return table
    }
}
