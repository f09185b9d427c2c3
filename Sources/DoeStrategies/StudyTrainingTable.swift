import DoeBase
import DoeHDF5
import DoeModelFormat
import DoeProvenance
import DoeStudy
import Foundation

/// A study's completed trials as a training table for `doe train --study`, with the lineage the model records.
public struct StudyTrainingTable: Sendable {
    /// Varied parameters → objectives, one row per completed trial; a categorical choice is its index, with the
    /// level names in `inputLevels` (so the model takes and reports names); objective units become output units.
    public var data: SimulationData
    /// Study name, journal records replayed, completed trials, SHA-256 of the journal bytes read.
    public var lineage: ModelManifest.StudyLineage
}

extension Study {
    /// The completed trials as a training table (the bounds are the space's; a categorical input spans its indices).
    public func trainingTable() throws -> StudyTrainingTable {
        guard let journalBytes = FileManager.default.contents(atPath: journalPath) else {
            throw StudyError.io(path: journalPath, operation: "read", errno: errno)
        }
        let state = try load()
        let completed = state.trials(in: .completed)
        let varied = space.parameters.enumerated().filter { $0.element.isVaried }
        var inputs: [Float] = [], outputs: [Float] = []
        for t in completed {
            for (index, p) in varied { inputs.append(Float(p.numericValue(of: t.params[index]) ?? 0)) }
            outputs += space.objectives.map { Float(t.values[$0.name] ?? .nan) }
        }
        let ranges = varied.map { p -> (low: Double, high: Double) in
            switch p.element.domain {
            case let .real(low, high, _): return (low, high)
            case let .integer(low, high): return (Double(low), Double(high))
            case let .categorical(choices): return (0, Double(choices.count - 1))
            default: return (0, 0)
            }
        }
        let units = varied.contains { $0.element.unit != nil } ? varied.map { $0.element.unit ?? "" } : nil
        let outputUnits = space.objectives.contains { $0.unit != nil } ? space.objectives.map { $0.unit ?? "" } : nil
        var data = SimulationData(inputNames: varied.map(\.element.name), outputNames: space.objectives.map(\.name),
                                  inputUnits: units, inputBounds: Bounds(low: ranges.map(\.low), high: ranges.map(\.high)),
                                  inputs: inputs, outputs: outputs, fields: nil, fieldWidth: 0,
                                  rows: completed.count, droppedRows: 0, sources: [], outputUnits: outputUnits)
        for (_, p) in varied {
            if case let .categorical(choices) = p.domain { data.inputLevels[p.name] = choices.map(\.description) }
        }
        let lineage = ModelManifest.StudyLineage(name: name, journalRecords: state.recordCount, completedTrials: completed.count,
                                                 journalSHA256: FileDigest.sha256(of: journalBytes))
        return StudyTrainingTable(data: data, lineage: lineage)
    }
}
