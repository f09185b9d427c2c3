import DoeBase
import DoeLinalg
import DoeModelFormat
import DoeNeural
import Foundation
import Testing

/// The model directory: old folders still load, what is written reads back the same, damage is named.
@Suite struct ModelDirectoryTests {
    static let fixtures: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

    /// A copy of a fixture folder in a fresh temporary directory (tests may damage it).
    func copy(_ fixture: String) throws -> String {
        let target = NSTemporaryDirectory() + "doe-modeldir-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: target)
        return target
    }

    /// doe 0.1.0's folder predicts exactly what that doe printed (float32 text, so equal to the last digit).
    @Test func aFolderWrittenByDoe01PredictsWhatItPredictedThen() throws {
        let directory = ModelDirectory(Self.fixtures + "/model-format1-doe0.1")
        let model = try directory.loadSurrogate()
        #expect(model.inputNames == ["thickness", "load", "angle"] && model.outputNames == ["stress", "mass"])
        #expect(model.inputUnits == ["mm", "kN", "deg"] && model.members.count == 2 && model.pod?.modes == 1)
        #expect(model.calibration == nil, "written before doe calibrated: the ensemble's own spread")
        let expected = try CSV.parse(String(contentsOfFile: Self.fixtures + "/model-format1-predictions.csv", encoding: .utf8), source: "p")
        var x = Matrix<Float>(rows: 2, columns: 3)
        for (j, v) in [1, 2, 3].enumerated() { x[0, j] = Float(v) }
        for (j, v) in [10.5, 12, 20].enumerated() { x[1, j] = Float(v) }
        let p = model.predict(x)
        for i in 0..<2 {
            let row = expected[i + 1].fields
            let got = [p.mean[i, 0], p.mean[i, 1], p.std![i, 0], p.std![i, 1]]
            #expect(got.map { "\($0)" } == Array(row[0..<4]), "row \(i): \(got) vs \(row)")
        }
        let manifest = try directory.readManifest()
        #expect(manifest.doeVersion == "0.1.0" && manifest.training?.seed == 7 && manifest.training?.schedule == .cosine)
        #expect(manifest.sources.first?.sha256.count == 64 && manifest.inputBounds?.high == [24.5, 25.5, 26.5])
        let metrics = try #require(try directory.readMetrics(of: manifest))
        #expect(metrics.test.map(\.name) == ["stress", "mass", "field"], "outputs in the model's order, the field last")
        #expect(metrics.rows?.test == 7 && metrics.pod?.modes == 1)
        let history = try #require(try directory.readHistory())
        #expect(history.count == 60 && history.first?.member == 0 && history.last?.member == 1 && history.first?.epoch == 1)
        #expect(try directory.readTestPredictions(for: model)?.rows.count == 7)
    }

    /// The earliest folders (no doe_version, units, bounds, weights_file, schedule, history or test predictions)
    /// load with the missing settings at their defaults.
    @Test func anEarlyFolderWithoutTheLaterFieldsLoads() throws {
        let directory = ModelDirectory(Self.fixtures + "/model-format1-early")
        let model = try directory.loadSurrogate()
        #expect(model.inputBounds == nil && model.trainingRange == nil && model.inputUnits == nil)
        let manifest = try directory.readManifest()
        #expect(manifest.doeVersion == nil && manifest.training?.schedule == .cosine && manifest.training?.podEnergy == 0.9999)
        #expect(try directory.readHistory() == nil && (try directory.readTestPredictions(for: model)) == nil)
        let reference = try ModelDirectory(Self.fixtures + "/model-format1-doe0.1").loadSurrogate()
        let probe = randomBatch(rows: 5, columns: 3, seed: 3)
        #expect(model.predict(probe).mean == reference.predict(probe).mean)
    }

    /// Writing a loaded model and its records gives a folder that reads back equal.
    @Test func whatIsWrittenReadsBackEqual() throws {
        let source = ModelDirectory(Self.fixtures + "/model-format1-doe0.1")
        let model = try source.loadSurrogate(), manifest = try source.readManifest()
        let target = ModelDirectory(NSTemporaryDirectory() + "doe-modeldir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: target.path) }
        let output = ModelDirectory.TrainingOutput(model: model, configuration: manifest.training!, sources: manifest.sources,
                                                   study: .init(name: "plate", journalRecords: 9, completedTrials: 4,
                                                                journalSHA256: String(repeating: "a", count: 64)),
                                                   metrics: try source.readMetrics(of: manifest)!, history: [try source.readHistory()!],
                                                   testPredictions: try source.readTestPredictions(for: model))
        try target.write(output)
        var written = try target.readManifest()
        #expect(written.doeVersion == DoeVersion.current && written.study?.completedTrials == 4)
        written.doeVersion = manifest.doeVersion
        written.study = nil
        written.weightsFile = manifest.weightsFile
        #expect(written == manifest)
        #expect(try target.readMetrics(of: manifest) == source.readMetrics(of: manifest))
        #expect(try target.readHistory() == source.readHistory())
        let probe = randomBatch(rows: 4, columns: 3, seed: 9)
        #expect(try target.loadSurrogate().predict(probe).field == model.predict(probe).field)
        #expect(ModelDirectory.File.allCases.allSatisfy { target.has($0) })
    }

    /// Damage is refused with the file and the field or size concerned.
    @Test func damagedFoldersAreRefusedNamingTheFile() throws {
        let path = try copy("model-format1-doe0.1")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = ModelDirectory(path)
        func refusal() -> String {
            do { _ = try directory.loadSurrogate(); return "loaded" } catch { return "\(error)" }
        }
        let manifest = try String(contentsOfFile: directory.path(of: .manifest), encoding: .utf8)
        let pod = try Data(contentsOf: URL(fileURLWithPath: directory.path(of: .pod)))
        try Data(pod.prefix(12)).write(to: URL(fileURLWithPath: directory.path(of: .pod)))
        #expect(refusal().contains("pod.bin: 3 values"), "\(refusal())")
        try pod.write(to: URL(fileURLWithPath: directory.path(of: .pod)))
        let cases: [(String, String)] = [
            (manifest.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 7"), "version 7 is newer"),
            (manifest.replacingOccurrences(of: "\"doe-surrogate\"", with: "\"other\""), "not a doe surrogate"),
            (manifest.replacingOccurrences(of: "\"ensemble\": 2,", with: "\"ensemble\": \"two\","), "field 'ensemble'"),
            (manifest.replacingOccurrences(of: "\"input_names\"", with: "\"inputs_names\""), "missing field 'input_names'"),
            (manifest.replacingOccurrences(of: "\"activation\": \"silu\"", with: "\"activation\": \"swish\""), "field 'architecture"),
            (String(manifest.prefix(200)), "not valid JSON"),
            (manifest.replacingOccurrences(of: "\"ensemble\": 2,", with: "\"ensemble\": 3,"), "weights.bin: 118 values, the architecture needs 177"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: directory.path(of: .manifest), atomically: true, encoding: .utf8)
            let message = refusal()
            #expect(message.contains(expected) && message.contains(path), "\(message)")
        }
        #expect(throws: ModelDirectory.Failure.self) { try ModelDirectory(path + "/nothing").readManifest() }
        try "member,epoch,train_loss,validation_loss\n0,1,0.5,x\n".write(toFile: directory.path(of: .history), atomically: true, encoding: .utf8)
        #expect { try directory.readHistory() } throws: { "\($0)".contains("line 2, column 'validation_loss': 'x' is not a number") }
    }
}
