import DoeModelFormat
import Foundation
import Yams

extension TrainingConfiguration {
    /// Reads `train.yaml` (JSON works too); unknown keys are errors that name the file and key.
    ///
    /// ```yaml
    /// hidden: [128, 128]
    /// activation: silu          # relu | tanh | silu | gelu
    /// epochs: 300
    /// batch_size: 256
    /// learning_rate: 0.003
    /// weight_decay: 0.0001
    /// schedule: cosine          # cosine | plateau
    /// validation_fraction: 0.15
    /// test_fraction: 0.15
    /// patience: 40
    /// ensemble: 5
    /// pod_energy: 0.9999
    /// output_weights: [1, 2]
    /// log_inputs: [r]           # inputs the network sees as log(x)
    /// seed: 0
    /// ```
    public static func load(contentsOf path: String) throws -> TrainingConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DumpTrainingError("\(path): cannot read the training configuration")
        }
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch { throw DumpTrainingError("\(path): not valid YAML (\(error))") }
        guard let map = node as? [String: Any] else { throw DumpTrainingError("\(path): expected a mapping of settings") }
        var c = TrainingConfiguration()
        func number(_ key: String) throws -> Double {
            switch map[key] {
            case let i as Int: return Double(i)
            case let d as Double: return d
            default: throw DumpTrainingError("\(path): '\(key)' must be a number")
            }
        }
        func positiveInt(_ key: String) throws -> Int {
            guard let i = map[key] as? Int, i > 0 else { throw DumpTrainingError("\(path): '\(key)' must be a positive integer") }
            return i
        }
        for key in map.keys.sorted() {
            switch key {
            case "hidden":
                guard let list = map[key] as? [Int], list.allSatisfy({ $0 > 0 }) else {
                    throw DumpTrainingError("\(path): 'hidden' must be a list of positive widths")
                }
                c.hidden = list
            case "activation":
                guard let a = (map[key] as? String).flatMap(Activation.init(rawValue:)) else {
                    throw DumpTrainingError("\(path): 'activation' must be one of "
                        + "\(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                c.activation = a
            case "epochs": c.epochs = try positiveInt(key)
            case "batch_size": c.batchSize = try positiveInt(key)
            case "ensemble": c.ensemble = try positiveInt(key)
            case "patience":
                guard let i = map[key] as? Int, i >= 0 else { throw DumpTrainingError("\(path): 'patience' must be an integer ≥ 0") }
                c.patience = i
            case "learning_rate": c.learningRate = Float(try number(key))
            case "weight_decay": c.weightDecay = Float(try number(key))
            case "validation_fraction": c.validationFraction = try number(key)
            case "test_fraction": c.testFraction = try number(key)
            case "pod_energy": c.podEnergy = try number(key)
            case "seed": c.seed = UInt64(max(try number(key), 0))
            case "schedule":
                guard let s = (map[key] as? String).flatMap(LearningRateSchedule.init(rawValue:)) else {
                    throw DumpTrainingError("\(path): 'schedule' must be cosine or plateau")
                }
                c.schedule = s
            case "output_weights":
                guard let list = map[key] as? [Any] else { throw DumpTrainingError("\(path): 'output_weights' must be a list of numbers") }
                c.outputWeights = try list.map {
                    switch $0 { case let i as Int: return Float(i); case let d as Double: return Float(d)
                    default: throw DumpTrainingError("\(path): 'output_weights' must be a list of numbers") }
                }
            case "log_inputs":
                guard let list = map[key] as? [Any], list.allSatisfy({ $0 is String }) else {
                    throw DumpTrainingError("\(path): 'log_inputs' must be a list of input names")
                }
                c.logInputs = list.compactMap { $0 as? String }
            default:
                throw DumpTrainingError("\(path): unknown setting '\(key)'")
            }
        }
        try c.validate(source: path)
        return c
    }

    /// Checks value ranges.
    public func validate(source: String) throws {
        guard learningRate > 0, learningRate.isFinite else { throw DumpTrainingError("\(source): learning rate must be > 0") }
        guard validationFraction > 0, testFraction > 0, validationFraction + testFraction < 0.9 else {
            throw DumpTrainingError("\(source): validation and test fractions must be > 0 and leave at least 10 % for training")
        }
        guard podEnergy > 0, podEnergy <= 1 else { throw DumpTrainingError("\(source): pod_energy must be in (0, 1]") }
    }
}
