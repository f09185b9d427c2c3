import DoeBase
import DoeLinalg
import Foundation

/// Reads and writes a model directory.
///
/// Layout (format version 1):
/// - `model.json` — architecture, activation, ensemble size, input/output names, units, bounds, the two scalers,
///   POD shape, training configuration, doe version, and the training dumps with their SHA-256 (`sources`).
/// - `weights.bin` — little-endian float32: for each member, for each layer, the `in × out` weight matrix
///   column-major (`W[i, j]` at `i + j·in`) then the `out` biases.
/// - `pod.bin` (field models) — little-endian float32: the mean field (`p`) then the `p × k` basis column-major.
/// - `metrics.json`, `history.csv` — written by `doe train`.
public enum SurrogateStore {
    public static let formatVersion = 1

    /// A model directory that cannot be read.
    public struct StoreError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Writes `model` with its training settings and the lineage of its data (`sources`: each dump's path and SHA-256).
    public static func save(_ model: Surrogate, configuration: TrainingConfiguration, sources: [(path: String, sha256: String)],
                            extra: [(String, JSONValue)] = [], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let a = model.members[0].architecture
        func floats(_ v: [Float]) -> JSONValue { .array(v.map { .double(Double(float32: $0)) }) }
        var json: [(String, JSONValue)] = [
            ("format", "doe-surrogate"), ("version", .int(formatVersion)), ("doe_version", .string(DoeVersion.current)),
            ("architecture", .object([("inputs", .int(a.inputs)), ("hidden", .array(a.hidden.map { .int($0) })),
                                      ("outputs", .int(a.outputs)), ("activation", .string(a.activation.rawValue))])),
            ("ensemble", .int(model.members.count)),
            ("input_names", .array(model.inputNames.map { .string($0) })),
            ("output_names", .array(model.outputNames.map { .string($0) })),
            ("input_scaler", .object([("mean", floats(model.inputScaler.mean)), ("std", floats(model.inputScaler.std))])),
            ("target_scaler", .object([("mean", floats(model.targetScaler.mean)), ("std", floats(model.targetScaler.std))])),
            ("weights_file", "weights.bin"),
            ("sources", .array(sources.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("training", .object([
                ("hidden", .array(configuration.hidden.map { .int($0) })), ("activation", .string(configuration.activation.rawValue)),
                ("epochs", .int(configuration.epochs)), ("batch_size", .int(configuration.batchSize)),
                ("learning_rate", .double(Double(float32: configuration.learningRate))), ("weight_decay", .double(Double(float32: configuration.weightDecay))),
                ("schedule", .string(configuration.schedule)), ("validation_fraction", .double(configuration.validationFraction)),
                ("test_fraction", .double(configuration.testFraction)), ("patience", .int(configuration.patience)),
                ("ensemble", .int(configuration.ensemble)), ("pod_energy", .double(configuration.podEnergy)),
                ("seed", .int(Int(bitPattern: UInt(configuration.seed)))),
            ])),
        ]
        json += extra
        if let units = model.inputUnits { json.append(("input_units", .array(units.map { .string($0) }))) }
        if let units = model.outputUnits { json.append(("output_units", .array(units.map { .string($0) }))) }
        if let b = model.inputBounds {
            json.append(("input_bounds", .object([("low", .array(b.low.map { .double($0) })), ("high", .array(b.high.map { .double($0) }))])))
        }
        if let b = model.trainingRange {
            json.append(("training_range", .object([("low", .array(b.low.map { .double($0) })), ("high", .array(b.high.map { .double($0) }))])))
        }
        if let pod = model.pod {
            json.append(("pod", .object([("file", "pod.bin"), ("field_size", .int(pod.mean.count)), ("modes", .int(pod.modes)),
                                         ("energy", .double(pod.energy)), ("discarded_energy", .double(pod.discardedEnergy))])))
            try writeFloats(pod.mean + pod.basis.storage, to: directory + "/pod.bin")
        }
        try writeFloats(model.members.flatMap { $0.parameters.flattened }, to: directory + "/weights.bin")
        try (JSONValue.object(json).prettySerialized + "\n").write(toFile: directory + "/model.json", atomically: true, encoding: .utf8)
    }

    public static func load(from directory: String) throws -> Surrogate {
        let path = directory + "/model.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(message: "\(directory): not a model directory (no model.json)")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw StoreError(message: "\(path): not valid JSON (corrupted?)") }
        func field(_ key: String) throws -> JSONValue {
            guard let v = json[key] else { throw StoreError(message: "\(path): missing field '\(key)'") }
            return v
        }
        guard json["format"]?.string == "doe-surrogate" else { throw StoreError(message: "\(path): not a doe surrogate (field 'format')") }
        guard let version = json["version"]?.integer, version <= formatVersion else {
            throw StoreError(message: "\(path): model format version \(json["version"]?.serialized ?? "?") is newer than this doe reads")
        }
        let arch = try field("architecture")
        guard let inputs = arch["inputs"]?.integer, let outputs = arch["outputs"]?.integer,
              let hidden = arch["hidden"]?.elements?.compactMap(\.integer),
              let activation = arch["activation"]?.string.flatMap(Activation.init(rawValue:)) else {
            throw StoreError(message: "\(path): field 'architecture' is incomplete")
        }
        let architecture = MLPArchitecture(inputs: inputs, hidden: hidden, outputs: outputs, activation: activation)
        let ensemble = try field("ensemble").integer ?? 1
        func strings(_ key: String) throws -> [String] { try field(key).elements?.compactMap(\.string) ?? [] }
        func scaler(_ key: String, count: Int) throws -> Standardizer {
            let s = try field(key)
            let mean = s["mean"]?.elements?.compactMap(\.number).map(Float.init) ?? []
            let std = s["std"]?.elements?.compactMap(\.number).map(Float.init) ?? []
            guard mean.count == count, std.count == count else { throw StoreError(message: "\(path): '\(key)' does not have \(count) entries") }
            return Standardizer(mean: mean, std: std)
        }
        let weights = try readFloats(directory + "/weights.bin")
        guard weights.count == architecture.parameterCount * ensemble else {
            throw StoreError(message: "\(directory)/weights.bin: \(weights.count) values, the architecture needs \(architecture.parameterCount * ensemble) (corrupted or from another model)")
        }
        let template = MLP(architecture: architecture, seed: 0).parameters
        let members = (0..<ensemble).map { k in
            MLP(architecture: architecture, parameters: MLPParameters(
                flattened: Array(weights[(k * architecture.parameterCount)..<((k + 1) * architecture.parameterCount)]), like: template))
        }
        var pod: POD?
        if let p = json["pod"], let size = p["field_size"]?.integer, let modes = p["modes"]?.integer {
            let values = try readFloats(directory + "/pod.bin")
            guard values.count == size * (modes + 1) else { throw StoreError(message: "\(directory)/pod.bin: wrong size (corrupted?)") }
            pod = POD(mean: Array(values[0..<size]), basis: Matrix(rows: size, columns: modes, columnMajor: Array(values[size...])),
                      energy: p["energy"]?.number ?? 1, discardedEnergy: p["discarded_energy"]?.number ?? 0)
        }
        func range(_ key: String) throws -> (low: [Double], high: [Double])? {
            guard let b = json[key] else { return nil }
            guard let low = b["low"]?.elements?.compactMap(\.number), let high = b["high"]?.elements?.compactMap(\.number),
                  low.count == inputs, high.count == inputs else {
                throw StoreError(message: "\(path): '\(key)' needs 'low' and 'high' with \(inputs) numbers each")
            }
            return (low, high)
        }
        let inputNames = try strings("input_names"), outputNames = try strings("output_names")
        guard inputNames.count == inputs else {
            throw StoreError(message: "\(path): 'input_names' has \(inputNames.count) names for \(inputs) network inputs")
        }
        guard outputNames.count <= outputs else {
            throw StoreError(message: "\(path): 'output_names' has \(outputNames.count) names for \(outputs) network outputs")
        }
        return Surrogate(inputNames: inputNames, outputNames: outputNames,
                         inputUnits: json["input_units"]?.elements?.compactMap(\.string),
                         outputUnits: json["output_units"]?.elements?.compactMap(\.string), inputBounds: try range("input_bounds"),
                         trainingRange: try range("training_range"),
                         inputScaler: try scaler("input_scaler", count: inputs), targetScaler: try scaler("target_scaler", count: outputs),
                         members: members, pod: pod)
    }

    static func writeFloats(_ values: [Float], to path: String) throws {
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }   // little-endian on every platform doe builds for
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func readFloats(_ path: String) throws -> [Float] {
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError(message: "\(path): missing") }
        guard data.count % 4 == 0 else { throw StoreError(message: "\(path): size \(data.count) is not a whole number of float32 values (corrupted?)") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
