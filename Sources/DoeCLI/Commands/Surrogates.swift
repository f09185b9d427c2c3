import ArgumentParser
import DoeDesign
import DoeHDF5
import DoeLinalg
import DoeNeural
import DoeProvenance
import DoeStudy
import Foundation

extension Activation: ExpressibleByArgument {}

/// Dataset paths shared by train and evaluate.
struct DumpOptions: ParsableArguments {
    @Option(help: "Inputs dataset in the dumps.") var inputs: String = "/inputs"
    @Option(help: "Outputs dataset in the dumps.") var outputs: String = "/outputs"
    @Option(help: "Optional field dataset (one field per row), e.g. /fields/uy.") var fields: String?
    @Flag(help: "Refuse dumps with NaN/Inf rows instead of dropping them.") var rejectNan = false

    var layout: DumpLayout {
        var l = DumpLayout()
        l.inputs = inputs
        l.outputs = outputs
        l.fields = fields
        l.dropNonFinite = !rejectNan
        return l
    }
}

func matrices(_ data: SimulationData) -> (x: Matrix<Float>, y: Matrix<Float>, f: Matrix<Float>?) {
    func columnMajor(_ rowMajor: [Float], rows: Int, columns: Int) -> Matrix<Float> {
        var m = Matrix<Float>(rows: rows, columns: columns)
        for i in 0..<rows { for j in 0..<columns { m.storage[i + j * rows] = rowMajor[i * columns + j] } }
        return m
    }
    return (columnMajor(data.inputs, rows: data.rows, columns: data.inputNames.count),
            columnMajor(data.outputs, rows: data.rows, columns: data.outputNames.count),
            data.fields.map { columnMajor($0, rows: data.rows, columns: data.fieldWidth) })
}

func metricsJSON(_ metrics: [OutputMetrics]) -> JSONValue {
    .object(metrics.map { m in
        (m.name, .object([("rmse", .double(m.rmse)), ("mae", .double(m.mae)), ("r2", .double(m.r2)), ("max_abs_error", .double(m.maxAbsError))]))
    })
}

func metricsTable(_ metrics: [OutputMetrics]) -> String {
    var table = TextTable(["output", "RMSE", "MAE", "R²", "max |error|"])
    for m in metrics {
        table.add([m.name, String(format: "%.4g", m.rmse), String(format: "%.4g", m.mae), String(format: "%.5f", m.r2), String(format: "%.4g", m.maxAbsError)])
    }
    return table.rendered
}

extension DoeCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a neural surrogate (MLP, optionally a deep ensemble and a POD field model) on HDF5 dumps.",
            discussion: """
            Examples:
              doe train dumps/ --out models/plate --fields /fields/uy --ensemble 5
              doe train run1.h5 run2.h5 --config train.yaml --json
              doe train --study plate --out models/plate-from-study     # the study's observed trials
            Writes MODEL_DIR/{model.json, weights.bin, pod.bin, metrics.json, history.csv, test-predictions.csv}; metrics are on a held-out
            test split. Settings come from --config (YAML) and are overridden by the options given here.
            """
        )

        @Argument(help: "HDF5 dump files or folders.") var dumps: [String] = []
        @OptionGroup var dump: DumpOptions
        @Option(help: "Train on a study's completed trials (parameters → objectives) instead of dumps.") var study: String?
        @Option(help: "Studies directory for --study.") var dir: String?
        @Option(help: "Training settings (YAML).") var config: String?
        @Option(help: "Model directory to write.") var out: String = "model"
        @Option(help: "Hidden widths, e.g. 128,128.") var hidden: String?
        @Option(help: "relu, tanh, silu or gelu.") var activation: Activation?
        @Option(help: "Maximum epochs.") var epochs: Int?
        @Option(help: "Minibatch size.") var batchSize: Int?
        @Option(help: "AdamW learning rate.") var learningRate: Float?
        @Option(help: "Ensemble members.") var ensemble: Int?
        @Option(help: "Seed (split, initialization, batches).") var seed: UInt64?
        @Flag(help: "Print the result as JSON.") var json = false
        @Flag(help: "Replace a model already in --out (refused otherwise, so a trained model is never lost by accident).") var overwrite = false

        func run() throws {
            try reportingErrors {
                // Measured (make bench-train): training ran 1.14–1.4× faster on two threads than on one, unlike the
                // GP's smaller matrices; so training uses every core unless DOE_BLAS_THREADS says otherwise.
                BLASThreads.configureFromEnvironment(fallback: ProcessInfo.processInfo.activeProcessorCount)
                if !overwrite && FileManager.default.fileExists(atPath: out + "/model.json") {
                    throw DumpTrainingError("\(out) already holds a model; choose another --out or pass --overwrite")
                }
                var c = try config.map { try TrainingConfiguration.load(contentsOf: $0) } ?? TrainingConfiguration()
                if let hidden {
                    let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                    guard !widths.isEmpty, widths.count == hidden.split(separator: ",").count, widths.allSatisfy({ $0 > 0 }) else {
                        throw DumpTrainingError("--hidden \(hidden): expected positive widths like 128,128")
                    }
                    c.hidden = widths
                }
                if let activation { c.activation = activation }
                if let epochs { c.epochs = max(epochs, 1) }
                if let batchSize { c.batchSize = max(batchSize, 1) }
                if let learningRate { c.learningRate = learningRate }
                if let ensemble { c.ensemble = max(ensemble, 1) }
                if let seed { c.seed = seed }
                try c.validate(source: "options")
                guard (study == nil) != dumps.isEmpty else { throw DumpTrainingError("give HDF5 dumps or --study NAME (not both)") }
                var extra: [(String, JSONValue)] = []
                let data: SimulationData
                if let study {
                    let (table, lineage) = try studyTable(study, directory: dir ?? ProcessInfo.processInfo.environment["DOE_STUDIES_DIR"] ?? "studies")
                    data = table
                    extra.append(("study", lineage))
                } else {
                    data = try DumpReader.load(dumps, layout: dump.layout)
                }
                let (x, y, f) = matrices(data)
                let log = FileHandle.standardError
                if data.droppedRows > 0 { log.write(Data("dropped \(data.droppedRows) rows with NaN or infinite values\n".utf8)) }
                let interactive = isatty(STDERR_FILENO) == 1 && !json
                let started = Date()
                let (trained, report) = try SurrogateTrainer.train(
                    inputs: x, outputs: y, fields: f, inputNames: data.inputNames, outputNames: data.outputNames, configuration: c
                ) { e in
                    let done = Double(e.member * c.epochs + e.epoch), total = Double(max(c.ensemble, 1) * c.epochs)
                    let eta = Date().timeIntervalSince(started) / done * (total - done)
                    let line = String(format: "member %d/%d  epoch %d/%d  train %.4g  validation %.4g  ETA %@",
                                      e.member + 1, max(c.ensemble, 1), e.epoch, c.epochs, e.trainLoss, e.validationLoss, humanAge(eta))
                    if interactive {
                        log.write(Data(("\r" + line + "   ").utf8))
                    } else if !json && (e.epoch % max(c.epochs / 10, 1) == 0 || e.epoch == 1) {
                        log.write(Data((line + "\n").utf8))
                    }
                }
                if interactive { log.write(Data("\n".utf8)) }
                var model = trained
                model.inputUnits = data.inputUnits
                model.inputBounds = data.inputBounds
                let lineage = try data.sources.map { (path: $0, sha256: try FileDigest.sha256(ofFile: $0)) }
                try SurrogateStore.save(model, configuration: c, sources: lineage, extra: extra, to: out)
                var metrics: [(String, JSONValue)] = [("test", metricsJSON(report.testMetrics)),
                                                      ("validation", metricsJSON(report.validationMetrics)),
                                                      ("train", metricsJSON(report.trainMetrics)),
                                                      ("rows", .object([("train", .int(report.trainRows)), ("validation", .int(report.validationRows)),
                                                                        ("test", .int(report.testRows)), ("dropped", .int(data.droppedRows))])),
                                                      ("seconds", .double(report.seconds)), ("samples_per_second", .double(report.samplesPerSecond))]
                if let pod = model.pod { metrics.append(("pod", .object([("modes", .int(pod.modes)), ("energy", .double(pod.energy))]))) }
                let metricsValue = JSONValue.object(metrics)
                try (metricsValue.prettySerialized + "\n").write(toFile: out + "/metrics.json", atomically: true, encoding: .utf8)
                var history = "member,epoch,train_loss,validation_loss,learning_rate\n"
                for curve in report.history { for e in curve { history += "\(e.member),\(e.epoch),\(e.trainLoss),\(e.validationLoss),\(e.learningRate)\n" } }
                try history.write(toFile: out + "/history.csv", atomically: true, encoding: .utf8)
                let testPredictions = TestPredictions(model: model, inputs: x, outputs: y, fields: f, indices: report.testRowIndices)
                try testPredictions.csv.write(toFile: out + "/" + TestPredictions.fileName, atomically: true, encoding: .utf8)
                if json {
                    emit(JSONValue.object([("model", .string(out)), ("metrics", metricsValue)]).serialized)
                } else {
                    emit("trained \(model.members.count) member\(model.members.count == 1 ? "" : "s") on \(report.trainRows) rows in \(String(format: "%.1f", report.seconds)) s (\(Int(report.samplesPerSecond)) samples/s) → \(out)")
                    emit("test split (\(report.testRows) rows):\n" + metricsTable(report.testMetrics))
                }
            }
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict with a trained surrogate on a CSV (header = input names) or an HDF5 file.",
            discussion: """
            Examples:
              doe predict models/plate --input points.csv --std > predictions.csv
              doe predict models/plate --input new.h5 --field --format json
            """
        )

        @Argument(help: "Model directory.") var model: String
        @Option(help: "Input points: .csv with a header naming the inputs, or .h5 with /inputs.") var input: String
        @Option(help: "Inputs dataset for .h5 input.") var inputs: String = "/inputs"
        @Flag(help: "Add the ensemble standard deviation (<output>_std columns).") var std = false
        @Flag(help: "Add the reconstructed field (field_0 … columns).") var field = false
        @Option(help: "csv or json.") var format: TableFormat = .csv

        func run() throws {
            try reportingErrors {
                let surrogate = try SurrogateStore.load(from: model)
                let x = try readPoints(input, names: surrogate.inputNames, dataset: inputs)
                let p = surrogate.predict(x)
                if std && p.std == nil { throw DumpTrainingError("--std needs an ensemble model (train with --ensemble K, K ≥ 2)") }
                var header = surrogate.outputNames
                if std { header += surrogate.outputNames.map { $0 + "_std" } }
                let fieldWidth = field ? (p.field?.columns ?? 0) : 0
                header += (0..<fieldWidth).map { "field_\($0)" }
                var rows: [[Float]] = []
                for i in 0..<x.rows {
                    var row = (0..<p.mean.columns).map { p.mean[i, $0] }
                    if std, let s = p.std { row += (0..<s.columns).map { s[i, $0] } }
                    if fieldWidth > 0, let f = p.field { row += (0..<fieldWidth).map { f[i, $0] } }
                    rows.append(row)
                }
                if format == .json {
                    emit(JSONValue.object([("predictions", .array(rows.map { r in .object(zip(header, r).map { ($0, .double(Double($1))) }) }))]).serialized)
                } else {
                    var text = header.joined(separator: ",") + "\n"
                    for r in rows { text += r.map { "\($0)" }.joined(separator: ",") + "\n" }
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
        }

        func readPoints(_ path: String, names: [String], dataset: String) throws -> Matrix<Float> {
            if path.hasSuffix(".h5") || path.hasSuffix(".hdf5") {
                var layout = DumpLayout()
                layout.inputs = dataset
                let file = try H5File.open(path)
                let shape = try file.shape(of: dataset)
                guard shape.dimensions.count == 2, shape.dimensions[1] == names.count else {
                    throw DumpTrainingError("\(path): '\(dataset)' must be rows × \(names.count) (\(names.joined(separator: ", ")))")
                }
                let values = try file.readRows(dataset, rows: 0..<shape.dimensions[0], columns: names.count)
                var m = Matrix<Float>(rows: shape.dimensions[0], columns: names.count)
                for i in 0..<m.rows { for j in 0..<m.columns { m[i, j] = values[i * names.count + j] } }
                return m
            }
            let table = try CSV.parse(try readInput(path), source: path)
            guard let header = table.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
                throw DumpTrainingError("\(path): empty file")
            }
            let columns = try names.map { name -> Int in
                guard let c = header.firstIndex(of: name) else { throw DumpTrainingError("\(path): missing column '\(name)' (the model's inputs are \(names.joined(separator: ", ")))") }
                return c
            }
            var m = Matrix<Float>(rows: table.count - 1, columns: names.count)
            for (i, record) in table.dropFirst().enumerated() {
                for (j, c) in columns.enumerated() {
                    guard c < record.fields.count, let v = Float(record.fields[c].trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        throw DumpTrainingError("\(path) line \(record.line): '\(names[j])' is not a finite number")
                    }
                    m[i, j] = v
                }
            }
            return m
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Metrics of a trained surrogate on other dumps (RMSE, MAE, R², max abs error per output).",
            discussion: "Example:\n  doe evaluate models/plate validation-dumps/ --fields /fields/uy --json"
        )

        @Argument(help: "Model directory.") var model: String
        @Argument(help: "HDF5 dump files or folders.") var dumps: [String]
        @OptionGroup var dump: DumpOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingErrors {
                let surrogate = try SurrogateStore.load(from: model)
                let data = try DumpReader.load(dumps, layout: dump.layout)
                guard data.inputNames.count == surrogate.inputNames.count, data.outputNames.count == surrogate.outputNames.count else {
                    throw DumpTrainingError("the dumps have \(data.inputNames.count) inputs and \(data.outputNames.count) outputs; the model \(surrogate.inputNames.count) and \(surrogate.outputNames.count)")
                }
                let (x, y, f) = matrices(data)
                let metrics = SurrogateTrainer.evaluate(surrogate, inputs: x, outputs: y, fields: f)
                if json {
                    emit(JSONValue.object([("rows", .int(data.rows)), ("dropped", .int(data.droppedRows)), ("metrics", metricsJSON(metrics))]).serialized)
                } else {
                    emit("\(data.rows) rows\(data.droppedRows > 0 ? " (\(data.droppedRows) dropped for NaN/Inf)" : ""):\n" + metricsTable(metrics))
                }
            }
        }
    }
}

/// A study's completed trials as a training table (varied parameters → objectives; categorical choices by index)
/// and the lineage record: study name, journal records replayed, SHA-256 of the journal bytes read.
func studyTable(_ name: String, directory: String) throws -> (SimulationData, JSONValue) {
    let s = try Study.open(name: name, in: directory)
    let journalBytes = try Data(contentsOf: URL(fileURLWithPath: s.journalPath))
    let state = try s.load()
    let completed = state.trials(in: .completed)
    let varied = s.space.parameters.enumerated().filter { $0.element.isVaried }
    var inputs: [Float] = [], outputs: [Float] = []
    for t in completed {
        for (index, p) in varied {
            if case let .categorical(choices) = p.domain {
                inputs.append(Float(choices.firstIndex { $0.matches(t.params[index]) } ?? 0))
            } else {
                inputs.append(Float(t.params[index].number ?? 0))
            }
        }
        outputs += s.space.objectives.map { Float(t.values[$0.name] ?? .nan) }
    }
    let lows = varied.map { p -> Double in
        switch p.element.domain { case let .real(low, _, _): return low; case let .integer(low, _): return Double(low); default: return 0 }
    }
    let highs = varied.map { p -> Double in
        switch p.element.domain {
        case let .real(_, high, _): return high
        case let .integer(_, high): return Double(high)
        case let .categorical(choices): return Double(choices.count - 1)
        default: return 0
        }
    }
    let data = SimulationData(inputNames: varied.map(\.element.name), outputNames: s.space.objectives.map(\.name),
                              inputUnits: varied.contains { $0.element.unit != nil } ? varied.map { $0.element.unit ?? "" } : nil,
                              inputBounds: (lows, highs), inputs: inputs, outputs: outputs, fields: nil, fieldWidth: 0,
                              rows: completed.count, droppedRows: 0, sources: [])
    let lineage = JSONValue.object([("name", .string(name)), ("journal_records", .int(state.recordCount)),
                                    ("completed_trials", .int(completed.count)),
                                    ("journal_sha256", .string(FileDigest.sha256(of: journalBytes)))])
    return (data, lineage)
}
