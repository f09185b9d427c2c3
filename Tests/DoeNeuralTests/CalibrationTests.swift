import DoeBase
import DoeLinalg
import DoeModelFormat
@testable import DoeNeural
import Foundation
import Testing

/// The variance calibration of ensembles: the fit is the likelihood's maximum, a trained ensemble's intervals cover
/// what they claim on held-out rows, and the calibration is stored, applied and refused when damaged.
@Suite struct CalibrationTests {
    /// Standard normal draws from a seeded stream (Box–Muller).
    static func normals(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64.stream(seed: seed, label: "calibration-test")
        return (0..<n).map { _ in
            let u = max(rng.nextUnit(), 1e-300), v = rng.nextUnit()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }

    /// Negative Gaussian log-likelihood of residuals under `N(0, scale·σ² + floor)`.
    static func cost(_ v: UncertaintyCalibration.Variance, _ e: [Double], _ s: [Double]) -> Double {
        zip(e, s).reduce(0) { sum, p in
            let variance = v.scale * p.1 * p.1 + v.floor
            return sum + log(variance) + p.0 * p.0 / variance
        }
    }

    @Test func theFitRecoversAKnownScaleOrFloorAndIsTheLikelihoodsMaximum() throws {
        let n = 4000
        let z = Self.normals(n, seed: 1), u = Self.normals(n, seed: 2)
        // residuals three times the ensemble's spread: scale ≈ 9, floor ≈ 0
        let spread = u.map { 0.5 + abs($0) }
        let scaled = zip(z, spread).map { 3 * $0 * $1 }
        let a = try #require(UncertaintyCalibration.Variance.fit(name: "a", residuals: scaled, std: spread))
        // (the smallest true variance is 9 · 0.25: a floor within a fifth of it is what 4000 rows can tell from 0)
        #expect(abs(a.scale - 9) < 0.9 && a.floor < 0.45, "\(a)")
        // residuals of a constant 0.5 standard deviation whatever the (tiny) spread says: floor ≈ 0.25
        let tiny = u.map { 1e-3 * abs($0) }
        let constant = z.map { 0.5 * $0 }
        let b = try #require(UncertaintyCalibration.Variance.fit(name: "b", residuals: constant, std: tiny))
        #expect(abs(b.floor - 0.25) < 0.025 && b.scale * 1e-6 < 0.01 * b.floor, "\(b)")
        // a mixture: the fit is a local maximum of the likelihood in both parameters
        let mixed = zip(z, spread).map { $0 * (2 * $1 * $1 + 0.3).squareRoot() }
        let c = try #require(UncertaintyCalibration.Variance.fit(name: "c", residuals: mixed, std: spread))
        #expect(abs(c.scale - 2) < 0.4 && abs(c.floor - 0.3) < 0.2, "\(c)")
        let best = Self.cost(c, mixed, spread)
        for (ds, df) in [(1.02, 1.0), (0.98, 1.0), (1.0, 1.05), (1.0, 0.95)] {
            let moved = UncertaintyCalibration.Variance(name: "c", scale: c.scale * ds, floor: c.floor * df)
            #expect(Self.cost(moved, mixed, spread) >= best - 1e-6 * abs(best), "moved by \(ds), \(df)")
        }
        // too few rows, no residual, non-finite rows skipped
        #expect(UncertaintyCalibration.Variance.fit(name: "d", residuals: Array(scaled.prefix(7)), std: Array(spread.prefix(7))) == nil)
        #expect(UncertaintyCalibration.Variance.fit(name: "d", residuals: [Double](repeating: 0, count: 50), std: spread) == nil)
        let withNaN = [Double.nan, .infinity] + scaled
        let e = try #require(UncertaintyCalibration.Variance.fit(name: "e", residuals: withNaN, std: [1, 1] + spread))
        #expect(abs(e.scale - a.scale) < 1e-9 * a.scale && abs(e.floor - a.floor) <= 1e-9 * max(a.floor, 1e-12))
        #expect(UncertaintyCalibration.Variance(name: "f", scale: 4, floor: 9).apply(2) == 5)
    }

    /// An ensemble trained on noisy data is over-confident (its members agree on the mean, not on the noise); the
    /// calibration fitted on the validation split brings the test split's 95 % coverage near 95 %, is stored in
    /// `model.json`, read back and applied by `predict`.
    @Test func aNoisyEnsembleIsCalibratedOnValidationAndCoversTheTestSplit() throws {
        let n = 1500
        let x = randomBatch(rows: n, columns: 2, seed: 21)
        let noise = Self.normals(n, seed: 22)
        var y = Matrix<Float>(rows: n, columns: 1)
        for i in 0..<n { y[i, 0] = 2 * sin(2 * x[i, 0]) + x[i, 1] + Float(0.3 * noise[i]) }
        var c = TrainingConfiguration()
        c.hidden = [16, 16]
        c.epochs = 60
        c.batchSize = 64
        c.ensemble = 4
        c.seed = 5
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a", "b"], outputNames: ["u"], configuration: c)
        let calibration = try #require(model.calibration)
        #expect(calibration.fittedOn == "validation" && calibration.rows == report.validationRows && calibration.outputs.map(\.name) == ["u"])
        let coverage = try #require(report.testCoverage?.first)
        #expect(coverage.uncalibrated.coverage95 < 0.8, "the raw ensemble should be over-confident here: \(coverage)")
        #expect(abs(coverage.calibrated.coverage95 - 0.95) < 0.05 && abs(coverage.calibrated.coverage68 - 0.683) < 0.08, "\(coverage)")
        #expect(coverage.calibrated.meanWidth95 > coverage.uncalibrated.meanWidth95)
        // predict applies √(scale·σ² + floor) to the ensemble's spread
        let probe = Matrix<Float>([[0.1, 0.2], [-0.5, 0.7]])
        let raw = model.predict(probe, calibrated: false), calibrated = model.predict(probe)
        let v = calibration.outputs[0]
        for i in 0..<2 {
            let expected = (v.scale * Double(raw.std![i, 0]) * Double(raw.std![i, 0]) + v.floor).squareRoot()
            #expect(abs(Double(calibrated.std![i, 0]) - expected) <= 1e-5 * expected && calibrated.mean[i, 0] == raw.mean[i, 0])
        }
        // stored and read back
        let folder = NSTemporaryDirectory() + "doe-calibration-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let directory = ModelDirectory(folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let metrics = TrainingMetrics(report: report, droppedRows: 0, pod: nil)
        try directory.write(ModelDirectory.TrainingOutput(model: model, configuration: c, sources: [], metrics: metrics,
                                                          history: report.history,
                                                          testPredictions: TestPredictions(model: model, inputs: x, outputs: y, fields: nil,
                                                                                           indices: report.testRowIndices)))
        let loaded = try directory.loadSurrogate()
        #expect(loaded.calibration == calibration && loaded.predict(probe).std == calibrated.std)
        let readMetrics = try #require(try directory.readMetrics(of: try directory.readManifest()))
        #expect(readMetrics.testCoverage == report.testCoverage)
        let test = try #require(try directory.readTestPredictions(for: loaded))
        let firstRow = SurrogateTrainer.rows(x, [report.testRowIndices[0]])
        #expect(abs(test.rawStd![0][0] - Double(model.predict(firstRow, calibrated: false).std![0, 0])) < 1e-6)
        #expect(abs(test.std![0][0] - Double(model.predict(firstRow).std![0, 0])) < 1e-6)
        // a damaged calibration is refused, naming the field
        let manifestPath = folder + "/model.json"
        let text = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let damaged = text.replacingOccurrences(of: #""name" : "u""#, with: #""name" : "w""#)
        #expect(damaged != text)
        try damaged.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: ModelDirectory.Failure.self) { try directory.loadSurrogate() }
        #expect(error?.message.contains("'calibration'") == true, "\(String(describing: error))")
        // a method this doe does not know is refused rather than read as a scale and floor
        try text.replacingOccurrences(of: "variance-scale-and-floor", with: "isotonic").write(toFile: manifestPath, atomically: true,
                                                                                             encoding: .utf8)
        let unknown = #expect(throws: ModelDirectory.Failure.self) { try directory.loadSurrogate() }
        #expect(unknown?.message.contains("method 'isotonic'") == true, "\(String(describing: unknown))")
    }

    /// A single network has no spread to calibrate, and reports no coverage.
    @Test func aSingleNetworkIsNotCalibrated() throws {
        let x = randomBatch(rows: 100, columns: 2, seed: 3)
        var y = Matrix<Float>(rows: 100, columns: 1)
        for i in 0..<100 { y[i, 0] = x[i, 0] - x[i, 1] }
        var c = TrainingConfiguration()
        c.hidden = [8]
        c.epochs = 5
        c.ensemble = 1
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a", "b"], outputNames: ["u"], configuration: c)
        #expect(model.calibration == nil && report.testCoverage == nil)
    }

    /// An input taken as `log x`: the network sees the logarithm (so a function of log x is learnt as easily as one
    /// of x), the transform is stored and read back, its gradient goes through 1/x, and bad inputs are refused.
    @Test func logInputsAreTransformedStoredAndDifferentiated() throws {
        let n = 800
        let u = randomBatch(rows: n, columns: 2, seed: 31)
        var x = Matrix<Float>(rows: n, columns: 2), y = Matrix<Float>(rows: n, columns: 1)
        for i in 0..<n {
            x[i, 0] = Float(pow(10, 2 + 1.35 * (Double(u[i, 0]) + 1)))   // 100 … 50 000, log-uniform
            x[i, 1] = u[i, 1]
            y[i, 0] = Float(10 / log(Double(x[i, 0]))) + x[i, 1]
        }
        var c = TrainingConfiguration()
        c.hidden = [16, 16]
        c.activation = .tanh
        c.epochs = 80
        c.batchSize = 64
        c.ensemble = 2
        c.logInputs = ["r"]
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["r", "b"], outputNames: ["u"], configuration: c)
        #expect(model.logInputs == [0] && report.testMetrics[0].r2 > 0.99, "\(report.testMetrics)")
        // the scaler was fitted on log r: its mean lies between log 100 and log 50 000
        #expect(model.inputScaler.mean[0] > 4.6 && model.inputScaler.mean[0] < 10.9)
        let folder = NSTemporaryDirectory() + "doe-log-inputs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let directory = ModelDirectory(folder)
        try directory.write(model, configuration: c, sources: [])
        let loaded = try directory.loadSurrogate()
        let probe = Matrix<Float>([[250, 0.3], [20_000, -0.4]])
        #expect(loaded.logInputs == [0] && loaded.predict(probe).mean == model.predict(probe).mean)
        #expect(try directory.readManifest().training?.logInputs == ["r"])
        // ∂/∂r through 1/r, against central differences
        for point in [[300.0, 0.1], [12_000.0, -0.2]] {
            let g = model.memberGradients(at: point)
            let h = point[0] * 1e-3
            let up = model.memberGradients(at: [point[0] + h, point[1]]), down = model.memberGradients(at: [point[0] - h, point[1]])
            for r in 0..<2 {
                let fd = (up.outputs[r][0] - down.outputs[r][0]) / (2 * h)
                #expect(abs(g.gradients[r][0][0] - fd) <= 2e-2 * abs(fd) + 1e-9, "member \(r) at \(point): \(g.gradients[r][0][0]) vs \(fd)")
            }
        }
        // refused: an unknown name, a value ≤ 0
        var bad = c
        bad.logInputs = ["q"]
        #expect(throws: DumpTrainingError.self) {
            try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["r", "b"], outputNames: ["u"], configuration: bad)
        }
        bad.logInputs = ["b"]
        let error = #expect(throws: DumpTrainingError.self) {
            try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["r", "b"], outputNames: ["u"], configuration: bad)
        }
        #expect(error?.message.contains("only positive inputs") == true)
    }
}
