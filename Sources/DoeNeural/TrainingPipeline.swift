import DoeBase
import DoeHDF5
import DoeLinalg
import DoeModelFormat
import DoeProvenance
import Foundation

/// The columns of a table as matrices (`rows × d` inputs, `rows × m` outputs, `rows × p` fields), column-major.
public struct TrainingMatrices: Sendable {
    /// Inputs, `rows × inputs`, in the inputs' units.
    public var inputs: Matrix<Float>
    /// Scalar outputs, `rows × outputs`, in the outputs' units.
    public var outputs: Matrix<Float>
    /// Fields, `rows × p`, when the table has one.
    public var fields: Matrix<Float>?
}

extension SimulationData {
    /// The table as column-major matrices.
    public var matrices: TrainingMatrices {
        func columnMajor(_ rowMajor: [Float], columns: Int) -> Matrix<Float> {
            var m = Matrix<Float>(rows: rows, columns: columns)
            for i in 0..<rows { for j in 0..<columns { m.storage[i + j * rows] = rowMajor[i * columns + j] } }
            return m
        }
        return TrainingMatrices(inputs: columnMajor(inputs, columns: inputNames.count),
                                outputs: columnMajor(outputs, columns: outputNames.count),
                                fields: fields.map { columnMajor($0, columns: fieldWidth) })
    }
}

extension Surrogate {
    /// `data` with its columns in this model's order, matched by name (a permutation is reordered and noted, other
    /// differences refused), and its field checked against the model's.
    /// - Parameters:
    ///   - label: how messages name the model ("the model models/plate").
    ///   - outputs: match the outputs too (`false` for prediction inputs).
    /// - Returns: the matched table; its `notes` end with what matching added.
    public func matching(_ data: SimulationData, label: String, outputs: Bool = true) throws -> SimulationData {
        let result = try data.matching(inputs: inputNames, outputs: outputs ? outputNames : nil, of: label)
        if data.fields != nil {
            let files = data.sources.joined(separator: ", ")
            guard let pod else {
                throw DumpTrainingError("\(files): the dump has a field (\(data.fieldWidth) values per row) but \(label) predicts none")
            }
            guard pod.mean.count == data.fieldWidth else {
                throw DumpTrainingError("\(files): the dump's field has \(data.fieldWidth) values per row, \(label)'s \(pod.mean.count)")
            }
        }
        return result
    }
}

extension SurrogateTrainer {
    /// What ``train(on:configuration:study:progress:)`` produced.
    public struct Result: Sendable {
        /// Everything to write to the model directory.
        public var output: ModelDirectory.TrainingOutput
        /// The training report (curves, early stops, metrics, timings).
        public var report: TrainingReport
    }

    /// Trains on a table and assembles what the model directory stores: the model with the table's units, bounds
    /// and observed range, the dumps' SHA-256, metrics on every split, loss curves and the test predictions.
    /// - Parameter study: lineage of a study the table came from (its `sources` are then empty).
    public static func train(on data: SimulationData, configuration c: TrainingConfiguration,
                             study: ModelManifest.StudyLineage? = nil,
                             progress: (EpochReport) -> Void = { _ in }) throws -> Result {
        let m = data.matrices
        let started = Date()
        var (model, report) = try train(inputs: m.inputs, outputs: m.outputs, fields: m.fields, inputNames: data.inputNames,
                                        outputNames: data.outputNames, configuration: c, progress: progress)
        model.inputUnits = data.inputUnits
        model.inputLevels = data.inputLevels
        model.outputUnits = data.outputUnits
        model.inputBounds = data.inputBounds
        model.trainingRange = data.observedInputRange
        let sources = try data.sources.map { path in
            let revision = GitRevision.of(file: path)
            return ModelManifest.Source(path: path, sha256: try FileDigest.sha256(ofFile: path), gitCommit: revision?.commit,
                                        gitClean: revision?.clean)
        }
        let test = TestPredictions(model: model, inputs: m.inputs, outputs: m.outputs, fields: m.fields, indices: report.testRowIndices)
        var metrics = TrainingMetrics(report: report, droppedRows: data.droppedRows, pod: model.pod)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        metrics.startedAt = iso.string(from: started)
        metrics.finishedAt = iso.string(from: Date())
        if let units = data.outputUnits {
            metrics.units = Dictionary(zip(data.outputNames, units).filter { !$0.1.isEmpty }) { a, _ in a }
        }
        let output = ModelDirectory.TrainingOutput(
            model: model, configuration: c, sources: sources, study: study, metrics: metrics,
            history: report.history, testPredictions: test)
        return Result(output: output, report: report)
    }
}
