import ArgumentParser
import DoeBase
import DoeDesign
import DoeHDF5
import DoeLinalg
import DoeModelFormat
import DoeNeural
import DoeProvenance
import DoeStrategies
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

/// A CSV cell as JSON: an integer, a finite real, or the text itself.
func typedCell(_ cell: String) -> JSONValue {
    Int(cell).map(JSONValue.int) ?? Double(cell).flatMap { $0.isFinite ? JSONValue.double($0) : nil } ?? .string(cell)
}

/// Writes each of `notes` to stderr as a `note:` line.
func printNotes(_ notes: [String]) {
    for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
}

/// `data` matched to `model` by name (``Surrogate/matching(_:label:outputs:)``), its notes written to stderr.
func matched(_ data: SimulationData, to model: Surrogate, label: String, outputs: Bool = true) throws -> SimulationData {
    let result = try model.matching(data, label: label, outputs: outputs)
    printNotes(Array(result.notes.dropFirst(data.notes.count)))
    return result
}

func metricsTable(_ metrics: [OutputMetrics]) -> String {
    var table = TextTable(["output", "RMSE", "MAE", "R²", "max |error|"])
    for m in metrics {
        table.add([m.name, String(format: "%.4g", m.rmse), String(format: "%.4g", m.mae), String(format: "%.5f", m.r2),
                   String(format: "%.4g", m.maxAbsError)])
    }
    return table.rendered
}

extension DoeCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a neural surrogate (MLP, optionally a deep ensemble and a POD field model) on HDF5 dumps.",
            discussion: """
            Examples:
              doe train dumps/ --out models/plate \\
                --fields /fields/uy --ensemble 5
              doe train run1.h5 run2.h5 --config train.yaml --json
              doe train --study plate --out models/plate-study
              doe train plate.h5 --fields /fields/uy \\
                --tune 20 --out models/plate-tuned

            --study trains on a study's completed trials. Writes MODEL_DIR/{model.json, weights.bin, pod.bin, \
            metrics.json, history.csv, test-predictions.csv}; metrics are on a held-out test split. Settings come \
            from --config (YAML) and are overridden by the options given here. --tune N first runs N trials of \
            Bayesian optimization over width (16-256), depth (1-4), activation, learning rate, weight decay and \
            batch size, each one network fitted on the training rows and scored by its best validation loss; the \
            test rows are removed before tuning, so no trial sees them. The trials are a study (tune-<name of --out>, \
            or --tune-study): doe status/report show it, and rerunning the command resumes it (a trial cut off by a \
            kill is abandoned and the tuning goes on). The model is then trained with the best settings (and \
            --ensemble members) and names the tuning study in model.json (tuning).
            """
        )

        @Argument(help: "HDF5 dump files or folders.") var dumps: [String] = []
        @OptionGroup var dump: DumpOptions
        @Option(help: "Train on a study's completed trials (parameters → objectives) instead of dumps.") var study: String?
        @Option(help: "Studies directory for --study.") var dir: String?
        @Option(help: "Training settings (YAML).") var config: String?
        @Option(help: "Model directory to write.") var out: String = "model"
        @Option(help: ArgumentHelp("Hidden widths, e.g. 128,128 (default: "
                                   + "\(TrainingConfiguration().hidden.map(String.init).joined(separator: ",")), or the --config file's)."))
        var hidden: String?
        @Option(help: "relu, tanh, silu or gelu (default: \(TrainingConfiguration().activation.rawValue)).") var activation: Activation?
        @Option(help: ArgumentHelp("Maximum epochs; training stops earlier after \(TrainingConfiguration().patience) epochs without "
                                   + "validation progress (default: \(TrainingConfiguration().epochs))."))
        var epochs: Int?
        @Option(help: "Minibatch size (default: \(TrainingConfiguration().batchSize)).") var batchSize: Int?
        @Option(help: "AdamW learning rate (default: \(TrainingConfiguration().learningRate)).") var learningRate: Float?
        @Option(help: "Ensemble members; 2 or more give uncertainty estimates (default: \(TrainingConfiguration().ensemble)).")
        var ensemble: Int?
        @Option(help: "Inputs the network sees as log(x), comma-separated (positive inputs spanning decades).")
        var logInputs: String?
        @Option(help: "Seed of the split, initialization and batches (default: \(TrainingConfiguration().seed)).") var seed: UInt64?
        @Option(help: ArgumentHelp("Tune the network's settings first: N trials of Bayesian optimization on the validation loss, "
            + "recorded in a study (the test split is never read).", valueName: "N")) var tune: Int?
        @Option(help: "Study that records the tuning (default: tune-<name of --out>); rerun the command to resume it.")
        var tuneStudy: String?
        @Flag(help: "Print the result as JSON.") var json = false
        @Flag(help: "Replace a model already in --out (refused otherwise, so a trained model is never lost by accident).")
        var overwrite = false

        func run() throws {
            // Measured (make bench-train): training ran 1.14–1.4× faster on two threads than on one, unlike the
            // GP's smaller matrices; so training uses every core unless DOE_BLAS_THREADS says otherwise.
            BLASThreads.configureFromEnvironment(fallback: ProcessInfo.processInfo.activeProcessorCount)
            if !overwrite && ModelDirectory(out).holdsModel {
                throw DumpTrainingError("\(out) already holds a model; choose another --out or pass --overwrite", kind: .refused)
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
            if let logInputs { c.logInputs = logInputs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            try c.validate(source: "options")
            guard (study == nil) != dumps.isEmpty else { throw DumpTrainingError("give HDF5 dumps or --study NAME (not both)") }
            let data: SimulationData
            var lineage: ModelManifest.StudyLineage?
            if let study {
                let s = try Study.open(name: study, in: studiesDirectory(dir))
                let table = try s.trainingTable()
                data = table.data
                lineage = table.lineage
            } else {
                data = try DumpReader.load(dumps, layout: dump.layout)
                printNotes(data.notes)
            }
            let log = FileHandle.standardError
            if data.droppedRows > 0 { log.write(Data("dropped \(data.droppedRows) rows with NaN or infinite values\n".utf8)) }
            var tuning: TrainingTuner.Outcome?
            if let tune {
                guard tune >= 1 && tune <= 10_000 else { throw ValidationError("--tune must be between 1 and 10000, got \(tune)") }
                let name = tuneStudy ?? "tune-" + URL(fileURLWithPath: out).lastPathComponent
                let outcome = try TrainingTuner.tune(data: data, base: c, trials: tune, studyName: name,
                                                     in: studiesDirectory(dir)) { line in
                    if !json { log.write(Data((line + "\n").utf8)) }
                }
                log.write(Data((outcome.summary + "\n").utf8))
                c = outcome.configuration
                tuning = outcome
            }
            let interactive = isatty(STDERR_FILENO) == 1 && !json
            let started = Date()
            let result = try SurrogateTrainer.train(on: data, configuration: c, study: lineage) { e in
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
            let report = result.report, model = result.output.model
            for stop in report.earlyStops {
                log.write(Data(("member \(stop.member + 1): stopped early at epoch \(stop.epochsRun) of \(c.epochs) (no validation "
                    + "improvement for \(c.patience) epochs); kept the weights of epoch \(stop.bestEpoch)\n").utf8))
            }
            if report.testRows < 30 {
                log.write(Data(("warning: the test split has only \(report.testRows) rows (of \(data.rows)); its metrics are noisy. "
                    + "Train on more rows, or check the model on another dump with `doe evaluate`\n").utf8))
            }
            for m in report.testMetrics where m.r2 < 0 {
                let few = data.rows < 100 ? " (\(data.rows) rows are few for a network; a GP study model may suit better)" : ""
                log.write(Data(("warning: test R² of \(m.name) is \(NumberText.significant(m.r2, digits: 3)): the model predicts it "
                    + "worse than its mean does\(few)\n").utf8))
            }
            var output = result.output
            output.tuning = tuning?.lineage
            try ModelDirectory(out).write(output)
            if json {
                emit(JSONValue.object([("model", .string(out)), ("metrics", result.output.metrics.json)]).serialized)
            } else {
                let members = "\(model.members.count) member\(model.members.count == 1 ? "" : "s")"
                let speed = "\(String(format: "%.1f", report.seconds)) s (\(Int(report.samplesPerSecond)) samples/s)"
                emit("trained \(members) on \(report.trainRows) rows in \(speed) → \(out)")
                emit("test split (\(report.testRows) rows):\n" + metricsTable(report.testMetrics))
                if let coverage = report.testCoverage {
                    emit(coverageText(coverage, calibration: model.calibration))
                }
            }
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict with a trained surrogate, or a study's GP, on a CSV (header = input names) or an HDF5 file.",
            discussion: """
            Examples:
              doe predict models/plate --input points.csv --std
              doe predict models/plate --input new.h5 --strict
              doe predict bracket --input points.csv --std

            Inputs are matched to the model's by name. Rows outside the model's input bounds (or its training range) \
            are flagged in the out_of_domain column and on stderr; --strict refuses them. Other CSV columns (an id) \
            are passed through.

            A study name instead of a model directory predicts every objective and constrained metric with the \
            study's Gaussian process (with its simulation prior, if the space names one): posterior mean and, with \
            --std, the latent standard deviation, in the metrics' units. The CSV header names the parameters; a row \
            outside the space is refused, naming its line.
            """
        )

        @Argument(help: "Model directory, or the name of a study (in --dir).") var model: String
        @Option(name: .long, help: "Directory holding the studies (default: $DOE_STUDIES_DIR or ./studies).") var dir: String?
        @Option(help: "Input points: .csv with a header naming the inputs, or .h5 with /inputs.") var input: String
        @Option(help: "Inputs dataset (or group of per-input datasets) for .h5 input.") var inputs: String = "/inputs"
        @Flag(help: "Add the ensemble standard deviation, calibrated when the model is (<output>_std columns).") var std = false
        @Flag(help: "Add the reconstructed field (field_0 … columns).") var field = false
        @Flag(help: "Refuse (exit 1) when any row lies outside the model's input bounds or training range.") var strict = false
        @Option(help: "csv or json.") var format: TableFormat = .csv

        func validate() throws {
            if format == .text { throw ValidationError("--format text is not available for predict; use csv or json") }
        }

        func run() throws {
            if !ModelDirectory(model).has(.manifest) {
                let directory = studiesDirectory(dir)
                if (try? StudyName.validate(model)) != nil,
                   FileManager.default.fileExists(atPath: directory + "/" + model + "/journal.jsonl") {
                    return try predictWithStudy(try Study.open(name: model, in: directory))
                }
                if !FileManager.default.fileExists(atPath: model) {
                    throw DumpTrainingError("'\(model)' is not a model directory (no \(model)/model.json) nor a study in \(directory)",
                                            kind: .notFound)
                }
            }
            let surrogate = try ModelDirectory(model).loadSurrogate()
            let points = try readPoints(input, dataset: inputs, surrogate: surrogate)
            let x = points.x
            let domain = SurrogateDomain(surrogate)
            var outside: [[Int]] = Array(repeating: [], count: x.rows)
            if let domain {
                for i in 0..<x.rows { outside[i] = domain.outside(x, row: i) }
                let flagged = outside.indices.filter { !outside[$0].isEmpty }
                if !flagged.isEmpty {
                    let describe = flagged.prefix(5).map { i -> String in
                        let where_ = outside[i].map { j -> String in
                            let range = "[\(NumberText.significant(domain.low[j])), \(NumberText.significant(domain.high[j]))]"
                            return "\(surrogate.inputNames[j]) \(NumberText.significant(x[i, j])) not in \(range)"
                        }
                        return "\(points.rowLabels[i]): " + where_.joined(separator: ", ")
                    }
                    let summary = "\(flagged.count) of \(x.rows) rows lie outside the model's \(domain.source) (predictions there are "
                        + "extrapolations): \(describe.joined(separator: "; "))\(flagged.count > 5 ? "; …" : "")"
                    if strict { throw DumpTrainingError(input + ": " + summary, kind: .refused) }
                    FileHandle.standardError.write(Data("warning: \(input): \(summary)\n".utf8))
                }
            } else {
                FileHandle.standardError.write(Data(("note: \(model) records no input bounds or training range (trained by an older doe); "
                    + "rows outside the training domain cannot be flagged\n").utf8))
                if strict {
                    throw DumpTrainingError("--strict needs a model that records its input bounds or training range; "
                                            + "retrain it with this doe",
                                            kind: .refused)
                }
            }
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
            let flags = outside.map { $0.map { surrogate.inputNames[$0] } }
            if format == .json {
                let items: [JSONValue] = rows.indices.map { i in
                    let passed = zip(points.passthroughNames, points.passthrough[i]).map { ($0, typedCell($1)) }
                    let predicted = zip(header, rows[i]).map { ($0, JSONValue.double(Double(float32: $1))) }
                    let flag: [(String, JSONValue)] = domain == nil ? [] : [("out_of_domain", .array(flags[i].map { .string($0) }))]
                    return .object(passed + predicted + flag)
                }
                emit(JSONValue.object([("predictions", .array(items))]).serialized)
            } else {
                var columns = points.passthroughNames + header
                if domain != nil { columns.append("out_of_domain") }
                var text = columns.map(CSV.escape).joined(separator: ",") + "\n"
                for (i, r) in rows.enumerated() {
                    var cells = points.passthrough[i].map(CSV.escape) + r.map { "\($0)" }
                    if domain != nil { cells.append(CSV.escape(flags[i].joined(separator: ";"))) }
                    text += cells.joined(separator: ",") + "\n"
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }

        /// `doe predict STUDY`: the study's GP posterior of every metric at the CSV's points.
        func predictWithStudy(_ study: Study) throws {
            if field || strict || input.hasSuffix(".h5") {
                throw ValueError("a study predicts from a CSV of parameters; --field, --strict and .h5 input are for models")
            }
            guard let data = FileManager.default.contents(atPath: input) else {
                throw ValueError("cannot read \(input) (does it exist?)")
            }
            let points = try StudyPredictor.readPoints(String(decoding: data, as: UTF8.self), source: input, space: study.space)
            let predictor = try StudyPredictor(state: try study.load(), space: study.space)
            let predictions = predictor.predict(points.assignments)
            var header = predictor.metrics.map(\.name)
            if std { header += predictor.metrics.map { $0.name + "_std" } }
            let names = study.space.parameters.map(\.name)
            let rows: [[Double]] = points.assignments.indices.map { i in
                predictions.map { $0.mean[i] } + (std ? predictions.map { $0.std[i] } : [])
            }
            if format == .json {
                let items: [JSONValue] = rows.indices.map { i in
                    let passed = zip(points.passthroughNames, points.passthrough[i]).map { ($0, typedCell($1)) }
                    let params = zip(names, points.assignments[i]).map { ($0, $1.json) }
                    return .object(passed + params + zip(header, rows[i]).map { ($0, $1.isFinite ? JSONValue.double($1) : .null) })
                }
                emit(JSONValue.object([("predictions", .array(items))]).serialized)
                return
            }
            var text = (points.passthroughNames + names + header).map(CSV.escape).joined(separator: ",") + "\n"
            for (i, r) in rows.enumerated() {
                let cells = points.passthrough[i].map(CSV.escape) + points.assignments[i].map { CSV.escape($0.description) }
                    + r.map { $0.isFinite ? "\($0)" : "" }
                text += cells.joined(separator: ",") + "\n"
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }

        /// The model's inputs from a CSV or HDF5 file, matched by name, with the CSV's other columns (an `id`…) kept
        /// to pass through and a label per row for messages.
        func readPoints(_ path: String, dataset: String, surrogate: Surrogate)
            throws -> (x: Matrix<Float>, passthroughNames: [String], passthrough: [[String]], rowLabels: [String]) {
            let names = surrogate.inputNames
            if path.hasSuffix(".h5") || path.hasSuffix(".hdf5") {
                var layout = DumpLayout()
                layout.inputs = dataset
                layout.outputs = nil
                layout.dropNonFinite = false
                let loaded = try DumpReader.load([path], layout: layout)
                printNotes(loaded.notes)
                let data = try matched(loaded, to: surrogate, label: "the model \(model)", outputs: false)
                let labels = (0..<data.rows).map { "row \($0)" }
                if let problem = surrogate.categoricalProblems(data.matrices.inputs, rowLabels: labels).first {
                    throw DumpTrainingError("\(path) \(problem)")
                }
                return (data.matrices.inputs, [], Array(repeating: [], count: data.rows), labels)
            }
            let table = try CSV.parse(try readInput(path), source: path)
            guard let header = table.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
                throw DumpTrainingError("\(path): empty file")
            }
            let missing = names.filter { !header.contains($0) }
            guard missing.isEmpty else {
                let listed = missing.map { "'\($0)'" }.joined(separator: ", ")
                throw DumpTrainingError("\(path): missing column\(missing.count == 1 ? "" : "s") \(listed) "
                    + "(the model's inputs are \(names.joined(separator: ", ")); the file has \(header.joined(separator: ", ")))")
            }
            let columns = names.map { header.firstIndex(of: $0)! }
            let passthroughColumns = header.indices.filter { !columns.contains($0) }
            var m = Matrix<Float>(rows: table.count - 1, columns: names.count)
            var passthrough: [[String]] = []
            for (i, record) in table.dropFirst().enumerated() {
                for (j, c) in columns.enumerated() {
                    guard c < record.fields.count, let v = surrogate.columnValue(record.fields[c], input: names[j]) else {
                        if let levels = surrogate.inputLevels[names[j]] {
                            let given = c < record.fields.count ? record.fields[c] : ""
                            throw DumpTrainingError("\(path) line \(record.line): '\(names[j])' is '\(given)': expected one of "
                                + "\(levels.joined(separator: ", ")) (a categorical input)")
                        }
                        throw DumpTrainingError("\(path) line \(record.line): '\(names[j])' is not a finite number")
                    }
                    m[i, j] = v
                }
                passthrough.append(passthroughColumns.map { $0 < record.fields.count ? record.fields[$0] : "" })
            }
            return (m, passthroughColumns.map { header[$0] }, passthrough, table.dropFirst().map { "line \($0.line)" })
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Metrics of a trained surrogate on other dumps (RMSE, MAE, R², max abs error per output).",
            discussion: """
            Example:
              doe evaluate models/plate validation-dumps/ \\
                --fields /fields/uy --json

            Columns are matched to the model's by name (a dump in another order is reordered and said so); \
            missing or extra names are refused.
            """
        )

        @Argument(help: "Model directory.") var model: String
        @Argument(help: "HDF5 dump files or folders.") var dumps: [String]
        @OptionGroup var dump: DumpOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let surrogate = try ModelDirectory(model).loadSurrogate()
            let loaded = try DumpReader.load(dumps, layout: dump.layout)
            printNotes(loaded.notes)
            let data = try matched(loaded, to: surrogate, label: "the model \(model)")
            let m = data.matrices
            let metrics = SurrogateTrainer.evaluate(surrogate, inputs: m.inputs, outputs: m.outputs, fields: m.fields)
            if json {
                emit(JSONValue.object([("rows", .int(data.rows)), ("dropped", .int(data.droppedRows)),
                                       ("metrics", metrics.json)]).serialized)
            } else {
                let dropped = data.droppedRows > 0 ? " (\(data.droppedRows) dropped for NaN/Inf)" : ""
                emit("\(data.rows) rows\(dropped):\n" + metricsTable(metrics))
            }
        }
    }
}

/// The test split's interval coverage before and after the calibration, for `doe train`'s summary.
func coverageText(_ coverage: [CoverageSummary], calibration: UncertaintyCalibration?) -> String {
    func percent(_ v: Double) -> String { String(format: "%.0f %%", 100 * v) }
    var table = TextTable(["output", "68 % interval covers", "95 % interval covers", "95 % width", "ensemble alone: 68 %", "95 %", "width"])
    for c in coverage {
        table.add([c.name, percent(c.calibrated.coverage68), percent(c.calibrated.coverage95),
                     NumberText.significant(c.calibrated.meanWidth95, digits: 3), percent(c.uncalibrated.coverage68),
                     percent(c.uncalibrated.coverage95), NumberText.significant(c.uncalibrated.meanWidth95, digits: 3)])
    }
    let head = calibration.map { "uncertainty calibrated on the \($0.fittedOn) split (\($0.rows) rows), test split coverage:" }
        ?? "uncertainty not calibrated (fewer than \(UncertaintyCalibration.Variance.minimumRows) validation rows), test split coverage:"
    return head + "\n" + table.rendered
}
