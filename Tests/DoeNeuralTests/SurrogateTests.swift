import DoeBase
import DoeLinalg
import DoeModelFormat
@testable import DoeNeural
import Foundation
import Testing

@Suite struct SurrogateTests {
    static func table(rows n: Int, seed: UInt64) -> (x: Matrix<Float>, y: Matrix<Float>) {
        let x = randomBatch(rows: n, columns: 2, seed: seed)
        var y = Matrix<Float>(rows: n, columns: 2)
        for i in 0..<n {
            y[i, 0] = 10 + 3 * sin(2 * x[i, 0]) + x[i, 1] * x[i, 1]
            y[i, 1] = 0.01 * (x[i, 0] - x[i, 1])
        }
        return (x, y)
    }

    @Test func podRoundTripErrorEqualsDiscardedEnergy() throws {
        // fields of rank 3 plus small noise: keeping 3 modes leaves exactly the noise energy
        let n = 60, p = 30
        var fields = Matrix<Float>(rows: n, columns: p)
        let noise = randomBatch(rows: n, columns: p, seed: 4)
        for i in 0..<n {
            let a = Float(i) / Float(n)
            for j in 0..<p {
                let s = Float(j) / Float(p)
                fields[i, j] = 1 + a * sin(3 * s) + a * a * cos(5 * s) + (1 - a) * s * s + 1e-3 * noise[i, j]
            }
        }
        let pod = try POD(fitting: fields, energyFraction: 0.999999)
        let reconstructed = pod.reconstruct(pod.project(fields))
        var squaredError = 0.0
        for k in fields.storage.indices { let e = Double(reconstructed.storage[k] - fields.storage[k]); squaredError += e * e }
        #expect(abs(squaredError - pod.discardedEnergy) <= 1e-3 * max(pod.discardedEnergy, 1e-6) + 1e-6,
                "squared error \(squaredError) vs discarded energy \(pod.discardedEnergy)")
        let three = try POD(fitting: fields, energyFraction: 0.99999)
        #expect(three.modes <= 4)
        #expect(three.energy >= 0.99999)
    }

    /// The stored test split round-trips, names with commas and quotes included, and its RMSE is the reported one.
    @Test func testPredictionsRoundTripAndMatchTheMetrics() throws {
        let (x, y) = Self.table(rows: 200, seed: 5)
        var c = TrainingConfiguration()
        c.hidden = [8]
        c.epochs = 20
        c.ensemble = 2
        let names = ["load (kN, peak)", "say \"hi\""]
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a,1", "b"], outputNames: names, configuration: c)
        let table = TestPredictions(model: model, inputs: x, outputs: y, fields: nil, indices: report.testRowIndices)
        #expect(table.rows.count == report.testRows && Set(table.rows).count == table.rows.count)
        let path = NSTemporaryDirectory() + "doe-test-predictions-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try table.csv.write(toFile: path, atomically: true, encoding: .utf8)
        let read = try TestPredictions.read(path, inputNames: ["a,1", "b"], outputNames: names)
        #expect(read.rows == table.rows && read.inputNames == table.inputNames)
        for k in 0..<2 {
            #expect(read.truth[k] == table.truth[k] && read.predicted[k] == table.predicted[k] && read.std?[k] == table.std?[k])
            let rmse = (zip(read.truth[k], read.predicted[k]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(read.rows.count)).squareRoot()
            #expect(abs(rmse - report.testMetrics[k].rmse) <= 1e-9 * max(rmse, 1))
        }
        #expect(try CSV.parse(#"1,"a,b","say ""hi""",,x"#, source: "t").first?.fields == ["1", "a,b", #"say "hi""#, "", "x"])
        try (table.csv.replacingOccurrences(of: "\n\(table.rows[0]),", with: "\n1e300,")).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ModelDirectory.Failure.self) { try TestPredictions.read(path, inputNames: ["a,1", "b"], outputNames: names) }
    }

    @Test func trainingReachesHighAccuracyAndReproduces() throws {
        let (x, y) = Self.table(rows: 600, seed: 8)
        var c = TrainingConfiguration()
        c.hidden = [32, 32]
        c.epochs = 150
        c.batchSize = 64
        c.seed = 3
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a", "b"], outputNames: ["u", "v"], configuration: c)
        #expect(report.testMetrics.allSatisfy { $0.r2 > 0.99 }, "\(report.testMetrics)")
        #expect(report.history[0].last!.trainLoss < report.history[0].first!.trainLoss / 10)
        let (again, _) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a", "b"], outputNames: ["u", "v"], configuration: c)
        #expect(again.members[0].parameters == model.members[0].parameters, "same seed, same model")
    }

    @Test func ensembleIsLessSureAwayFromTheData() throws {
        // data only in x0 ∈ [-1, 0]; query inside and far outside
        var (x, y) = Self.table(rows: 300, seed: 9)
        for i in 0..<x.rows { x[i, 0] = -abs(x[i, 0]) }
        for i in 0..<x.rows { y[i, 0] = 10 + 3 * sin(2 * x[i, 0]) + x[i, 1] * x[i, 1] }
        var c = TrainingConfiguration()
        c.hidden = [32, 32]
        c.epochs = 80
        c.ensemble = 5
        c.batchSize = 64
        let (model, _) = try SurrogateTrainer.train(inputs: x, outputs: y, inputNames: ["a", "b"], outputNames: ["u", "v"], configuration: c)
        let near = Matrix<Float>([[-0.5, 0.0], [-0.3, 0.5], [-0.8, -0.5]])
        let far = Matrix<Float>([[3.0, 0.0], [3.5, 0.5], [4.0, -0.5]])
        let sNear = model.predict(near).std!, sFar = model.predict(far).std!
        let meanNear = (0..<3).map { sNear[$0, 0] }.reduce(0, +), meanFar = (0..<3).map { sFar[$0, 0] }.reduce(0, +)
        #expect(meanFar > 3 * meanNear, "std near \(meanNear) far \(meanFar)")
    }

    @Test func fieldModelsReconstructAndSaveLoadRoundTrips() throws {
        let n = 200, p = 25
        let x = randomBatch(rows: n, columns: 2, seed: 12)
        var y = Matrix<Float>(rows: n, columns: 1)
        var fields = Matrix<Float>(rows: n, columns: p)
        for i in 0..<n {
            y[i, 0] = x[i, 0] + x[i, 1]
            for j in 0..<p { let s = Float(j) / Float(p); fields[i, j] = x[i, 0] * s + x[i, 1] * s * s }
        }
        var c = TrainingConfiguration()
        c.hidden = [32]
        c.epochs = 200
        c.batchSize = 32
        c.ensemble = 2
        let (model, report) = try SurrogateTrainer.train(inputs: x, outputs: y, fields: fields, inputNames: ["a", "b"], outputNames: ["s"], configuration: c)
        #expect(model.pod?.modes == 2)
        #expect(report.testMetrics.last?.name == "field" && report.testMetrics.last!.r2 > 0.99, "\(report.testMetrics)")
        let directory = NSTemporaryDirectory() + "doe-model-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelDirectory(directory).write(model, configuration: c, sources: [.init(path: "a.h5", sha256: String(repeating: "0", count: 64))])
        let loaded = try ModelDirectory(directory).loadSurrogate()
        let probe = randomBatch(rows: 7, columns: 2, seed: 13)
        let a = model.predict(probe), b = loaded.predict(probe)
        #expect(a.mean == b.mean && a.std == b.std && a.field == b.field && a.fieldStd == b.fieldStd)
        // corrupted weights are refused with a message naming the file
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: directory + "/weights.bin"))
        #expect { try ModelDirectory(directory).loadSurrogate() } throws: { "\($0)".contains("weights.bin") }
        #expect { try ModelDirectory(directory + "-missing").loadSurrogate() } throws: { "\($0)".contains("not a model directory") }
    }
}
