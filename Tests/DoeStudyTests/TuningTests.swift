import DoeBase
import DoeHDF5
import DoeModelFormat
import DoeNeural
@testable import DoeStrategies
import DoeStudy
import Foundation
import Testing

/// `doe train --tune`: the tuner never reads the test split (changing the test rows changes nothing it records, while
/// changing one validation row does), and its trials are a study whose settings map to the configurations trained.
@Suite struct TuningTests {
    static func table(rows n: Int, seed: UInt64) -> SimulationData {
        var rng = SplitMix64(seed: seed)
        var inputs: [Float] = [], outputs: [Float] = []
        for _ in 0..<n {
            let a = rng.nextUnit(), b = rng.nextUnit()
            inputs += [Float(a), Float(b)]
            outputs.append(Float(sin(4 * a) + b * b))
        }
        return SimulationData(inputNames: ["a", "b"], outputNames: ["y"], inputUnits: nil, inputBounds: nil, inputs: inputs,
                              outputs: outputs, fields: nil, fieldWidth: 0, rows: n, droppedRows: 0, sources: [])
    }

    static func losses(_ data: SimulationData, base: TrainingConfiguration, trials: Int) throws -> [Double] {
        let directory = NSTemporaryDirectory() + "doe-tune-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try TrainingTuner.tune(data: data, base: base, trials: trials, studyName: "t", in: directory)
        #expect(outcome.ran == trials && outcome.resumed == 0)
        return try outcome.study.load().trials(in: .completed).map { $0.values["validation_loss"]! }
    }

    @Test func theTunerNeverReadsTheTestSplit() throws {
        var base = TrainingConfiguration()
        base.epochs = 40
        base.seed = 5
        let data = Self.table(rows: 120, seed: 1)
        let (_, validation, test) = SurrogateTrainer.split(rows: data.rows, configuration: base)
        var corruptedTest = data, corruptedValidation = data
        for i in test { corruptedTest.outputs[i] = 1e6; corruptedTest.inputs[2 * i] = -50 }
        corruptedValidation.outputs[validation[0]] += 3
        let reference = try Self.losses(data, base: base, trials: 5)
        #expect(reference.count == 5 && reference.allSatisfy { $0.isFinite && $0 > 0 })
        #expect(try Self.losses(corruptedTest, base: base, trials: 5) == reference, "the test rows changed what the tuner recorded")
        #expect(try Self.losses(corruptedValidation, base: base, trials: 5) != reference, "a validation row did not matter")
    }

    @Test func trialSettingsMapToTheConfigurationAndAResumeOnOtherDataIsRefused() throws {
        var base = TrainingConfiguration()
        base.epochs = 20
        base.ensemble = 3
        let c = try TrainingTuner.configuration(["log2_width": .integer(5), "depth": .integer(3), "activation": .text("tanh"),
                                                 "learning_rate": .real(0.002), "weight_decay": .real(1e-5), "log2_batch": .integer(8)],
                                                base: base, trainRows: 100)
        #expect(c.hidden == [32, 32, 32] && c.activation == .tanh && c.batchSize == 100 && c.ensemble == 1 && c.epochs == 20)
        #expect(abs(c.learningRate - 0.002) < 1e-9 && abs(c.weightDecay - 1e-5) < 1e-12)

        let directory = NSTemporaryDirectory() + "doe-tune-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TrainingTuner.tune(data: Self.table(rows: 60, seed: 2), base: base, trials: 3, studyName: "t", in: directory)
        #expect(first.configuration.ensemble == 3, "the final model keeps the base ensemble")
        let again = try TrainingTuner.tune(data: Self.table(rows: 60, seed: 2), base: base, trials: 4, studyName: "t", in: directory)
        #expect(again.resumed == 3 && again.ran == 1)
        #expect(throws: StudyError.self) {
            try TrainingTuner.tune(data: Self.table(rows: 60, seed: 3), base: base, trials: 5, studyName: "t", in: directory)
        }
    }
}
