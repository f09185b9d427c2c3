import DoeBase
import DoeDesign
import DoeHDF5
import DoeStudy
import Foundation

/// A study as an HDF5 simulation dump and back: `doe trials NAME --format h5` writes its completed trials the way
/// `doe train` reads a dump (scalars and fields), and `doe observe NAME --results runs.h5` records a dump's rows,
/// matched to trials by its `/id` column or, without one, imported by their parameters. So a simulation campaign is a
/// study end to end: suggest → run → observe the dump → train.
public enum StudyDump {
    /// The result rows of an HDF5 dump, checked against the space by name.
    ///
    /// Inputs named like parameters are the parameters (with `/id`, checked against the suggestion unless `--as-run`);
    /// outputs named like objectives or constrained metrics are the values (every one must be present); other outputs
    /// and inputs are kept as metadata; each `/fields/<name>` row is stored with its result.
    /// - Throws: ``DumpError`` for a malformed file, ``StudyError`` for a dump that does not fit the space (naming the
    ///   file and the column).
    public static func resultRows(path: String, space: DesignSpace) throws -> [ResultRow] {
        let dump = try ExactDump.read(path)
        let metrics = space.outcomeNames
        let parameters = Set(space.parameters.map(\.name))
        let missing = metrics.filter { !dump.outputNames.contains($0) }
        guard missing.isEmpty else {
            throw StudyError.invalidInput("\(path): /outputs has no column \(missing.map { "'\($0)'" }.joined(separator: ", ")) "
                + "(its columns: \(dump.outputNames.joined(separator: ", ")); the study's metrics: \(metrics.joined(separator: ", ")))")
        }
        if let clash = dump.outputNames.first(where: parameters.contains) {
            throw StudyError.invalidInput("\(path): /outputs column '\(clash)' is a parameter of the study (put it in /inputs)")
        }
        if dump.ids == nil {
            let absent = space.variedParameters.map(\.name).filter { !dump.inputNames.contains($0) }
            guard absent.isEmpty else {
                throw StudyError.invalidInput("\(path): no /id, so the rows are imported by their parameters, but /inputs has no "
                    + "column \(absent.map { "'\($0)'" }.joined(separator: ", ")) (its columns: "
                    + "\(dump.inputNames.isEmpty ? "none" : dump.inputNames.joined(separator: ", ")))")
            }
        }
        let textOf = { (p: Parameter, v: Double) -> JSONValue in
            if let levels = dump.inputLevels[p.name] { return .string(levels[Int(v)]) }   // read checks the index
            if case let .categorical(choices) = p.domain, v == v.rounded(), v >= 0, Int(v) < choices.count {
                return .string(choices[Int(v)].description)
            }
            if case .integer = p.domain, v == v.rounded(), abs(v) < 1e15 { return .string("\(Int(v))") }
            return .string("\(v)")
        }
        let di = dump.inputNames.count, dout = dump.outputNames.count
        return (0..<dump.rows).map { row in
            var params: [String: JSONValue] = [:]
            var meta: [(String, JSONValue)] = []
            for (j, name) in dump.inputNames.enumerated() {
                let v = dump.inputs[row * di + j]
                if let p = space.parameters.first(where: { $0.name == name }) { params[name] = textOf(p, v) } else {
                    meta.append((name, v.isFinite ? .double(v) : .string("\(v)")))
                }
            }
            var values: [(String, JSONValue)] = []
            for (j, name) in dump.outputNames.enumerated() {
                let v = dump.outputs[row * dout + j]
                if metrics.contains(name) { values.append((name, .double(v))) } else if v.isFinite { meta.append((name, .double(v))) }
            }
            let fields = dump.fields.map { f in (f.name, Array(f.values[(row * f.width)..<((row + 1) * f.width)])) }
            return ResultRow(location: "\(path) row \(row + 1)\(dump.ids.map { " (id \($0[row]))" } ?? "")", id: dump.ids?[row],
                             params: params.isEmpty ? nil : params, values: values, meta: meta, fields: fields)
        }
    }

    /// What ``write(study:to:)`` wrote.
    public struct Written: Sendable {
        /// Rows (completed trials) written.
        public let rows: Int
        /// Fields written, by name.
        public let fields: [String]
        /// Fields left out because some completed trials have none, with those trials.
        public let leftOut: [(field: String, trials: [Int])]
    }

    /// Writes the study's completed trials as a dump `doe train` reads: `/inputs` (varied parameters, with names,
    /// units and the space's bounds), `/outputs` (objectives and constrained metrics, with units), `/id` and
    /// `/fields/<name>` for every field all completed trials have (each read back from the study and checked against
    /// its hash).
    /// A categorical parameter is a column of choice indices with its choices as the attribute `levels_<name>`.
    /// - Throws: ``StudyError`` when there is no completed trial, a field's width differs between trials, or a field
    ///   file does not match the journal.
    public static func write(study: Study, to path: String) throws -> Written {
        let space = study.space
        let completed = try study.load().trials(in: .completed)
        guard !completed.isEmpty else { throw StudyError.invalidState("study '\(study.name)' has no completed trial to write") }
        let varied = space.parameters.enumerated().filter { $0.element.isVaried }
        var levels: [String: [String]] = [:]
        for (_, p) in varied { if case let .categorical(choices) = p.domain { levels[p.name] = choices.map(\.description) } }
        func number(_ p: Parameter, _ v: ParameterValue) -> Double {
            if case let .categorical(choices) = p.domain { return choices.firstIndex { $0.matches(v) }.map(Double.init) ?? .nan }
            return p.numericValue(of: v) ?? .nan
        }
        let metrics = space.outcomeNames
        var inputs: [Double] = [], outputs: [Double] = []
        for t in completed {
            for (index, p) in varied { inputs.append(number(p, t.params[index])) }
            outputs += metrics.map { t.values[$0] ?? .nan }
        }
        if let gap = completed.first(where: { t in metrics.contains { t.values[$0] == nil } }) {
            throw StudyError.invalidState("trial \(gap.id) has no value for "
                + "'\(metrics.first { gap.values[$0] == nil }!)'; record it with `doe observe --replace` before writing a dump")
        }
        let bounds = varied.map { p -> (Double, Double) in
            switch p.element.domain {
            case let .real(low, high, _): return (low, high)
            case let .integer(low, high): return (Double(low), Double(high))
            case let .categorical(choices): return (0, Double(choices.count - 1))
            default: return (0, 0)
            }
        }
        let store = FieldStore(studyDirectory: study.path)
        let names = Set(completed.flatMap { $0.fields.keys }).sorted()
        var fields: [(name: String, width: Int, values: [Double])] = []
        var leftOut: [(field: String, trials: [Int])] = []
        for name in names {
            let without = completed.filter { $0.fields[name] == nil }.map(\.id)
            guard without.isEmpty else { leftOut.append((name, without)); continue }
            let widths = Set(completed.map { $0.fields[name]!.count })
            guard widths.count == 1, let width = widths.first else {
                let first = completed[0]
                let other = completed.first { $0.fields[name]!.count != first.fields[name]!.count }!
                throw StudyError.invalidState("field '\(name)' has \(first.fields[name]!.count) values in trial \(first.id) "
                    + "but \(other.fields[name]!.count) in trial \(other.id): a dump needs one width")
            }
            var values: [Double] = []
            values.reserveCapacity(width * completed.count)
            for t in completed { values += try store.read(t.fields[name]!, trial: t.id, field: name) }
            fields.append((name, width, values))
        }
        let units = varied.contains { $0.element.unit != nil } ? varied.map { $0.element.unit ?? "" } : nil
        let objectiveUnits = metrics.map { m in space.objectives.first { $0.name == m }?.unit }
        var dump = ExactDump(inputNames: varied.map(\.element.name), inputs: inputs, outputNames: metrics, outputs: outputs,
                             rows: completed.count, inputUnits: units,
                             outputUnits: objectiveUnits.contains { $0 != nil } ? objectiveUnits.map { $0 ?? "" } : nil,
                             inputBounds: Bounds(low: bounds.map(\.0), high: bounds.map(\.1)), ids: completed.map(\.id), fields: fields)
        dump.inputLevels = levels
        try dump.write(to: path)
        return Written(rows: completed.count, fields: fields.map(\.name), leftOut: leftOut)
    }
}
