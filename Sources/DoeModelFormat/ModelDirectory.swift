import DoeBase
import Foundation

/// The one owner of a model directory's layout: which files it holds, how each is written and read.
///
/// Files (format version 1):
/// - `model.json` — the ``ModelManifest``.
/// - `weights.bin` — little-endian float32: for each member, for each layer, the `in × out` weight matrix
///   column-major (`W[i, j]` at `i + j·in`) then the `out` biases.
/// - `pod.bin` (field models) — little-endian float32: the mean field (`p`) then the `p × k` basis column-major.
/// - `metrics.json` — the ``TrainingMetrics``; `history.csv` — one ``EpochReport`` per line;
///   `test-predictions.csv` — the ``TestPredictions``. These three are written by `doe train`.
///
/// Every file is written durably (temporary file, fsync, rename). Writers put the manifest last, so a folder with
/// a `model.json` is complete. DoeNeural adds loading and saving a `Surrogate`.
public struct ModelDirectory: Sendable {
    /// A file of the directory.
    public enum File: String, Sendable, CaseIterable {
        /// `model.json`.
        case manifest = "model.json"
        /// `weights.bin`.
        case weights = "weights.bin"
        /// `pod.bin`.
        case pod = "pod.bin"
        /// `metrics.json`.
        case metrics = "metrics.json"
        /// `history.csv`.
        case history = "history.csv"
        /// `test-predictions.csv`.
        case testPredictions = "test-predictions.csv"
    }

    /// A model directory that cannot be read or written; the message names the file and what is wrong.
    public struct Failure: CodedError {
        /// What is wrong, naming the file.
        public let message: String
        /// `damaged` for a folder that does not read back, `notFound` for a missing one, `io` for a failed write.
        public let kind: ErrorKind
        /// `model.<kind>`.
        public var code: String { "model." + kind.rawValue }
        /// The underlying error, if any.
        public let cause: (any Error)?
        /// The message.
        public var description: String { message }
        /// A failure with this message.
        public init(_ message: String, kind: ErrorKind = .damaged, cause: (any Error)? = nil) {
            self.message = message
            self.kind = kind
            self.cause = cause
        }
    }

    /// The directory's path as given.
    public let path: String

    /// The directory at `path` (nothing is read until asked).
    public init(_ path: String) { self.path = path }

    /// Path of `file` inside the directory.
    public func path(of file: File) -> String { path + "/" + file.rawValue }

    /// Whether the directory holds a model (a regular `model.json`).
    public var holdsModel: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path(of: .manifest), isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Whether the directory holds `file`.
    public func has(_ file: File) -> Bool { FileManager.default.fileExists(atPath: path(of: file)) }

    // MARK: - Writing

    /// Writes `data` durably (temporary file, fsync, rename) as `file`, creating the directory if needed.
    public func write(_ data: Data, to file: File) throws {
        try createDirectory()
        do { try DurableFile.replace(path(of: file), with: data) } catch { throw Failure("\(error)", kind: .io, cause: error) }
    }

    /// Writes `values` as little-endian float32 to `file` (`weights.bin`, `pod.bin`).
    public func write(floats values: [Float], to file: File) throws {
        try write(values.withUnsafeBufferPointer { Data(buffer: $0) }, to: file)   // little-endian on every platform doe builds for
    }

    /// Writes `value` as pretty JSON (sorted keys) to `file` (`model.json`, `metrics.json`).
    public func write<T: Encodable>(json value: T, to file: File) throws {
        try write(Data(try ModelDirectory.encoded(value).utf8), to: file)
    }

    /// Writes `metrics.json` (outputs in the model's order).
    public func write(metrics: TrainingMetrics) throws {
        try write(Data((metrics.json.prettySerialized + "\n").utf8), to: .metrics)
    }

    /// Writes `history.csv`.
    public func write(history: [[EpochReport]]) throws {
        try write(Data(ModelDirectory.historyCSV(history).utf8), to: .history)
    }

    // MARK: - Reading

    /// Reads and checks `model.json`.
    /// - Throws: ``Failure`` when the folder holds no model, the file is not valid, or its version is newer.
    public func readManifest() throws -> ModelManifest {
        let file = path(of: .manifest)
        guard holdsModel, let data = FileManager.default.contents(atPath: file) else {
            throw Failure("\(path): not a model directory (no model.json)", kind: .notFound)
        }
        // format and version first, so a newer or foreign file gets that message rather than a field error
        if let head = try? JSONValue.parse(data) {
            guard head["format"]?.string == ModelManifest.formatName else {
                throw Failure("\(file): not a doe surrogate (field 'format')")
            }
            guard let version = head["version"]?.integer, version <= ModelManifest.formatVersion else {
                throw Failure("\(file): model format version \(head["version"]?.serialized ?? "?") is newer than this doe reads")
            }
        }
        let manifest: ModelManifest
        do { manifest = try ModelDirectory.decoder.decode(ModelManifest.self, from: data) } catch {
            throw Failure("\(file): \(ModelDirectory.describe(error))")
        }
        try ModelDirectory.check(manifest, file: file)
        return manifest
    }

    /// Reads `metrics.json` with the outputs in the order of `manifest` (the field last), or `nil` when the folder
    /// has none.
    public func readMetrics(of manifest: ModelManifest) throws -> TrainingMetrics? {
        guard let data = FileManager.default.contents(atPath: path(of: .metrics)) else { return nil }
        let metrics: TrainingMetrics
        do { metrics = try ModelDirectory.decoder.decode(TrainingMetrics.self, from: data) } catch {
            throw Failure("\(path(of: .metrics)): \(ModelDirectory.describe(error))")
        }
        return metrics.ordered(by: manifest.outputNames + ["field"])
    }

    /// Reads `history.csv` (one row per member and epoch), or `nil` when the folder has none.
    /// - Throws: ``Failure`` naming the line and column of a bad cell.
    public func readHistory() throws -> [EpochReport]? {
        let file = path(of: .history)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure("\(file): not UTF-8 text") }
        let records: [CSV.Record]
        do { records = try CSV.parse(text, source: file) } catch { throw Failure("\(error)") }
        guard let header = records.first?.fields else { return [] }
        func column(_ name: String) throws -> Int {
            guard let k = header.firstIndex(of: name) else { throw Failure("\(file): the header has no column '\(name)'") }
            return k
        }
        let m = try column("member"), e = try column("epoch"), t = try column("train_loss"), v = try column("validation_loss")
        let rate = header.firstIndex(of: "learning_rate")
        return try records.dropFirst().map { record in
            func cell<T: LosslessStringConvertible>(_ k: Int, _ type: T.Type) throws -> T {
                guard k < record.fields.count, let value = T(record.fields[k]) else {
                    let text = k < record.fields.count ? "'\(record.fields[k])'" : "nothing"
                    throw Failure("\(file) line \(record.line), column '\(header[k])': \(text) is not a number")
                }
                return value
            }
            return EpochReport(member: try cell(m, Int.self), epoch: try cell(e, Int.self), trainLoss: try cell(t, Float.self),
                               validationLoss: try cell(v, Float.self), learningRate: try rate.map { try cell($0, Float.self) } ?? .nan)
        }
    }

    // MARK: - Formats

    /// `history.csv` text: header `member,epoch,train_loss,validation_loss,learning_rate`, one line per epoch.
    public static func historyCSV(_ history: [[EpochReport]]) -> String {
        var text = "member,epoch,train_loss,validation_loss,learning_rate\n"
        for curve in history {
            for e in curve { text += "\(e.member),\(e.epoch),\(e.trainLoss),\(e.validationLoss),\(e.learningRate)\n" }
        }
        return text
    }

    /// Pretty JSON with sorted keys and a final newline (non-finite numbers as the strings `NaN`, `Infinity`).
    public static func encoded<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                      nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// The decoder of the directory's JSON files (non-finite numbers as the strings `NaN`, `Infinity`).
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                        nan: "NaN")
        return decoder
    }

    /// A decoding error as "field 'a.b': what" for messages.
    public static func describe(_ error: any Error) -> String {
        func where_(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : "field '" + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "': "
        }
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?: return "\(where_(context.codingPath))missing field '\(key.stringValue)'"
        case let .typeMismatch(type, context)?: return "\(where_(context.codingPath))expected \(type)"
        case let .valueNotFound(type, context)?: return "\(where_(context.codingPath))expected \(type), found null"
        case let .dataCorrupted(context)?:
            return context.codingPath.isEmpty ? "not valid JSON (corrupted?)" : "\(where_(context.codingPath))\(context.debugDescription)"
        default: return "\(error)"
        }
    }

    /// Checks the manifest's arrays against its architecture.
    static func check(_ m: ModelManifest, file: String) throws {
        let inputs = m.architecture.inputs, outputs = m.architecture.outputs
        guard m.inputNames.count == inputs else {
            throw Failure("\(file): 'input_names' has \(m.inputNames.count) names for \(inputs) network inputs")
        }
        guard m.outputNames.count <= outputs else {
            throw Failure("\(file): 'output_names' has \(m.outputNames.count) names for \(outputs) network outputs")
        }
        guard m.ensemble >= 1 else { throw Failure("\(file): 'ensemble' must be at least 1") }
        for (key, scaler, count) in [("input_scaler", m.inputScaler, inputs), ("target_scaler", m.targetScaler, outputs)] {
            guard scaler.mean.count == count, scaler.std.count == count else {
                throw Failure("\(file): '\(key)' does not have \(count) entries")
            }
        }
        for (key, bounds) in [("input_bounds", m.inputBounds), ("training_range", m.trainingRange)] {
            if let bounds, bounds.low.count != inputs || bounds.high.count != inputs {
                throw Failure("\(file): '\(key)' needs 'low' and 'high' with \(inputs) numbers each")
            }
        }
        if let units = m.inputUnits, units.count != inputs {
            throw Failure("\(file): 'input_units' has \(units.count) units for \(inputs) inputs")
        }
        if let units = m.outputUnits, units.count != m.outputNames.count {
            throw Failure("\(file): 'output_units' has \(units.count) units for \(m.outputNames.count) outputs")
        }
    }

    // MARK: - Files

    func createDirectory() throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw Failure("\(path): cannot create the model directory (\(error.localizedDescription))", kind: .io, cause: error)
        }
    }

    /// Reads a float32 file written by ``write(floats:to:)``.
    public static func readFloats(_ path: String) throws -> [Float] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("\(path): missing") }
        guard data.count % 4 == 0 else {
            throw Failure("\(path): size \(data.count) is not a whole number of float32 values (corrupted?)")
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
