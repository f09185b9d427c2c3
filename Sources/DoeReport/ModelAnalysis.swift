import DoeBO
import DoeBase
import DoeDesign
import DoeLinalg
import DoeNeural
import Foundation

/// What a surrogate model report shows, read from a model directory: the model card facts, metrics per split,
/// loss curves, the test split's predictions (parity, errors, calibration for ensembles) and Sobol indices of
/// each output over the input bounds.
public struct ModelAnalysis: Sendable {
    /// One epoch of one member.
    public struct Epoch: Sendable {
        public let member: Int
        public let epoch: Int
        public let trainLoss: Double
        public let validationLoss: Double
    }

    /// Coverage of central prediction intervals `mean ± z·std` on the test split, per output.
    public struct Calibration: Sendable {
        /// Nominal coverage levels.
        public let nominal: [Double]
        /// Observed fraction of test rows inside the interval, per output (`observed[k][level]`).
        public let observed: [[Double]]
    }

    public let path: String
    public let name: String
    public let model: Surrogate
    /// `model.json` as written.
    public let card: JSONValue
    /// `metrics.json` (`nil` if absent).
    public let metrics: JSONValue?
    public let history: [Epoch]
    public let test: TestPredictions?
    public let calibration: Calibration?
    /// Sobol indices per scalar output over the input bounds (`nil` without bounds).
    public let sensitivity: [SobolSensitivity.Indices?]?
    /// What could not be shown and why.
    public let notes: [String]

    /// Reads the model directory at `path`.
    /// - Throws: ``ReportError`` or the model store's error when the model itself cannot be read.
    public init(path: String) throws {
        self.path = path
        name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        guard FileManager.default.fileExists(atPath: path + "/model.json") else {
            throw ReportError("\(path): not a model directory (no model.json)")
        }
        model = try SurrogateStore.load(from: path)
        guard let cardData = FileManager.default.contents(atPath: path + "/model.json"), let card = try? JSONValue.parse(cardData) else {
            throw ReportError("\(path)/model.json: not valid JSON")
        }
        self.card = card
        var notes: [String] = []
        if let data = FileManager.default.contents(atPath: path + "/metrics.json") {
            guard let value = try? JSONValue.parse(data) else { throw ReportError("\(path)/metrics.json: not valid JSON") }
            metrics = value
        } else {
            metrics = nil
            notes.append("no metrics.json: the model was not written by `doe train`")
        }
        history = try ModelAnalysis.readHistory(path + "/history.csv", notes: &notes)
        var test: TestPredictions?
        if FileManager.default.fileExists(atPath: path + "/" + TestPredictions.fileName) {
            test = try TestPredictions.read(path + "/" + TestPredictions.fileName, inputNames: model.inputNames, outputNames: model.outputNames)
        } else {
            notes.append("no \(TestPredictions.fileName) (models trained before doe 0.1 wrote it): no parity plots; retrain to get them")
        }
        self.test = test
        if let test, let std = test.std {
            let nominal = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
            let observed = test.outputNames.indices.map { k in
                nominal.map { level -> Double in
                    let z = NormalDistribution.quantile(0.5 + level / 2)
                    let inside = test.truth[k].indices.filter { i in abs(test.truth[k][i] - test.predicted[k][i]) <= z * std[k][i] }.count
                    return Double(inside) / Double(max(test.truth[k].count, 1))
                }
            }
            calibration = Calibration(nominal: nominal, observed: observed)
        } else {
            calibration = nil
        }
        if let bounds = model.inputBounds, bounds.low.count == model.inputNames.count, !model.outputNames.isEmpty {
            sensitivity = ModelAnalysis.sensitivity(of: model, bounds: bounds)
        } else {
            sensitivity = nil
            if model.inputBounds == nil { notes.append("no input bounds in model.json: no Sobol indices (give the dump low/high attributes)") }
        }
        self.notes = notes
    }

    /// Sobol indices of each scalar output with inputs uniform over `bounds`.
    static func sensitivity(of model: Surrogate, bounds: (low: [Double], high: [Double])) -> [SobolSensitivity.Indices?] {
        SobolSensitivity.estimate(dimension: model.inputNames.count, samples: 2048, seed: 0, outputs: model.outputNames.count) { points in
            var x = Matrix<Float>(rows: points.count, columns: model.inputNames.count)
            for (i, u) in points.enumerated() {
                for j in 0..<u.count { x[i, j] = Float(bounds.low[j] + u[j] * (bounds.high[j] - bounds.low[j])) }
            }
            let p = model.predict(x).mean
            return (0..<p.columns).map { k in (0..<points.count).map { Double(p[$0, k]) } }
        }
    }

    static func readHistory(_ path: String, notes: inout [String]) throws -> [Epoch] {
        guard let data = FileManager.default.contents(atPath: path) else {
            notes.append("no history.csv: no training curves")
            return []
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ReportError("\(path): not UTF-8 text") }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init) else { return [] }
        lines.removeFirst()
        guard let m = header.firstIndex(of: "member"), let e = header.firstIndex(of: "epoch"),
              let t = header.firstIndex(of: "train_loss"), let v = header.firstIndex(of: "validation_loss") else {
            throw ReportError("\(path): header must name member, epoch, train_loss and validation_loss")
        }
        return try lines.enumerated().map { number, line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count, let member = Int(cells[m]), let epoch = Int(cells[e]),
                  let train = Double(cells[t]), let validation = Double(cells[v]) else {
                throw ReportError("\(path) line \(number + 2): expected \(header.count) numbers")
            }
            return Epoch(member: member, epoch: epoch, trainLoss: train, validationLoss: validation)
        }
    }
}
