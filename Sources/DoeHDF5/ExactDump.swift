import CHDF5
import DoeBase
import Foundation

/// A simulation dump read in double precision with its column names, for recording results
/// (`doe observe NAME --results runs.h5`), or written for `doe train` (`doe trials NAME --format h5`).
///
/// The layout is the training dump's (see ``DumpLayout``): `/inputs` and `/outputs`, each a 2-D dataset (rows ×
/// columns, names in its `names` or `columns` attribute, or the file's `input_names`/`output_names`) or a group of
/// 1-D datasets named by column; optional `/id` (one trial id per row, 1-D or `n × 1`) and `/fields/<name>`
/// (`n × width` each). Columns are always matched by name, never by position: a dataset without names is refused.
public struct ExactDump: Sendable {
    /// Input column names and values (`rows × inputNames.count`, row-major); empty names when the file has no inputs.
    public var inputNames: [String]
    /// See ``inputNames``.
    public var inputs: [Double]
    /// Output column names and values (`rows × outputNames.count`, row-major).
    public var outputNames: [String]
    /// See ``outputNames``.
    public var outputs: [Double]
    /// Input units per column, when given.
    public var inputUnits: [String]?
    /// Output units per column, when given.
    public var outputUnits: [String]?
    /// Input bounds (`low`/`high` attributes of the inputs), when given.
    public var inputBounds: Bounds?
    /// Trial id per row (`/id`), when given.
    public var ids: [Int]?
    /// Fields: name, width and `rows × width` values (row-major).
    public var fields: [(name: String, width: Int, values: [Double])]
    /// Number of rows.
    public var rows: Int
    /// Categorical inputs: column name → level names (attribute `levels_<name>` on `/inputs`); such a column holds the
    /// level's index (0, 1, …).
    public var inputLevels: [String: [String]] = [:]

    /// A dump from its parts (row-major arrays).
    public init(inputNames: [String], inputs: [Double], outputNames: [String], outputs: [Double], rows: Int,
                inputUnits: [String]? = nil, outputUnits: [String]? = nil, inputBounds: Bounds? = nil, ids: [Int]? = nil,
                fields: [(name: String, width: Int, values: [Double])] = []) {
        self.inputNames = inputNames
        self.inputs = inputs
        self.outputNames = outputNames
        self.outputs = outputs
        self.rows = rows
        self.inputUnits = inputUnits
        self.outputUnits = outputUnits
        self.inputBounds = inputBounds
        self.ids = ids
        self.fields = fields
    }

    /// `true` when the file starts with the HDF5 signature (at offset 0; user blocks are not looked for).
    public static func isHDF5(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        return (try? handle.read(upToCount: 8)).map { [UInt8]($0) == signature } ?? false
    }

    /// Reads a dump.
    /// - Throws: ``DumpError`` naming the file and dataset: no `/outputs`, columns without names, duplicate names, rows
    ///   that differ between datasets, a non-integer id, a field that is not `n × width`.
    public static func read(_ path: String) throws -> ExactDump {
        let file = try H5File.open(path)
        func fail(_ message: String) -> DumpError { DumpError("\(path): \(message)") }
        guard file.exists("/outputs") else { throw fail("no /outputs (the results: a 2-D dataset with a 'names' attribute, or a group)") }
        let outputs = try table(file, "/outputs", fileNames: "output_names", fail: fail)
        var rows = outputs.rows
        var inputs: (names: [String], values: [Double], units: [String]?, rows: Int) = ([], [], nil, rows)
        var bounds: Bounds?
        var levelsRead: [String: [String]] = [:]
        if file.exists("/inputs") {
            let t = try table(file, "/inputs", fileNames: "input_names", fail: fail)
            guard t.rows == rows else { throw fail("/inputs has \(t.rows) rows, /outputs \(rows)") }
            inputs = (t.names, t.values, t.units, t.rows)
            levelsRead = try DumpReader.inputLevels(in: file, of: "/inputs", names: t.names, rows: t.rows, path: path) { row, j in
                t.values[row * t.names.count + j]
            }
            if let low = try file.numbersAttribute("low", of: "/inputs"), let high = try file.numbersAttribute("high", of: "/inputs"),
               low.count == t.names.count, high.count == t.names.count {
                bounds = Bounds(low: low, high: high)
            }
        }
        var ids: [Int]?
        if file.exists("/id") {
            let shape = try file.shape(of: "/id")
            guard shape.isNumeric, shape.dimensions.first == rows, shape.dimensions.dropFirst().allSatisfy({ $0 == 1 }) else {
                throw fail("/id must hold one number per row (\(rows)), it is \(shape.dimensions) \(shape.typeName)")
            }
            ids = try file.readRowsDouble("/id", rows: 0..<rows, columns: 1).enumerated().map { row, v in
                guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else { throw fail("/id row \(row + 1) is \(v), not a trial id") }
                return Int(v)
            }
        }
        var fields: [(name: String, width: Int, values: [Double])] = []
        if file.kind(of: "/fields") == .group {
            for member in file.members(of: "/fields").sorted() {
                let name = "/fields/" + member
                let shape = try file.shape(of: name)
                guard shape.isNumeric, shape.dimensions.count == 2, shape.dimensions[0] == rows else {
                    throw fail("\(name) must be \(rows) × width numbers (one field per row), it is \(shape.dimensions) \(shape.typeName)")
                }
                fields.append((member, shape.dimensions[1], try file.readRowsDouble(name, rows: 0..<rows, columns: shape.dimensions[1])))
            }
        }
        rows = outputs.rows
        var dump = ExactDump(inputNames: inputs.names, inputs: inputs.values, outputNames: outputs.names, outputs: outputs.values,
                             rows: rows, inputUnits: inputs.units, outputUnits: outputs.units, inputBounds: bounds, ids: ids,
                             fields: fields)
        dump.inputLevels = levelsRead
        return dump
    }

    /// A named table: a 2-D (or 1-D, one column) dataset with names, or a group of 1-D datasets.
    static func table(_ file: H5File, _ name: String, fileNames: String,
                      fail: (String) -> DumpError) throws -> (names: [String], values: [Double], rows: Int, units: [String]?) {
        if file.kind(of: name) == .group {
            let members = file.members(of: name).sorted()
            guard !members.isEmpty else { throw fail("\(name) is an empty group") }
            var columns: [[Double]] = []
            var rows: Int?
            for m in members {
                let shape = try file.shape(of: name + "/" + m)
                guard shape.isNumeric, shape.dimensions.count == 1 || (shape.dimensions.count == 2 && shape.dimensions[1] == 1) else {
                    throw fail("\(name)/\(m) must be a 1-D numeric dataset, it is \(shape.dimensions) \(shape.typeName)")
                }
                guard rows == nil || rows == shape.dimensions[0] else {
                    throw fail("\(name)/\(m) has \(shape.dimensions[0]) rows, the other columns \(rows!)")
                }
                rows = shape.dimensions[0]
                columns.append(try file.readRowsDouble(name + "/" + m, rows: 0..<shape.dimensions[0], columns: 1))
            }
            let n = rows ?? 0
            var values = [Double](repeating: 0, count: n * members.count)
            for (j, column) in columns.enumerated() { for i in 0..<n { values[i * members.count + j] = column[i] } }
            return (members, values, n, nil)
        }
        let shape = try file.shape(of: name)
        guard shape.isNumeric, (1...2).contains(shape.dimensions.count) else {
            throw fail("\(name) must be a 1-D or 2-D numeric dataset, it is \(shape.dimensions) \(shape.typeName)")
        }
        let rows = shape.dimensions[0], columns = shape.dimensions.count == 2 ? shape.dimensions[1] : 1
        let names = try file.stringsAttribute("names", of: name) ?? file.stringsAttribute("columns", of: name)
            ?? file.stringsAttribute(fileNames, of: "/")
        guard let names else {
            throw fail("\(name) has no column names (attribute 'names' on the dataset, or '\(fileNames)' on the file): "
                + "results are matched by name, never by position")
        }
        guard names.count == columns else { throw fail("\(name) has \(columns) columns but \(names.count) names") }
        if let dup = names.enumerated().first(where: { i, n in names[..<i].contains(n) })?.element {
            throw fail("\(name): column name '\(dup)' appears twice")
        }
        let units = try file.stringsAttribute("units", of: name).flatMap { $0.count == columns ? $0 : nil }
        return (names, try file.readRowsDouble(name, rows: 0..<rows, columns: columns), rows, units)
    }

    /// Writes the dump to `path` as a whole: a temporary file beside it, closed, then renamed over `path`.
    /// Inputs and outputs are float64 `rows × columns` with `names` (and `units`, `low`/`high`, `levels_<name>` when
    /// given), `/id` is `rows × 1`, each field `/fields/<name>` `rows × width`.
    public func write(to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        do {
            let file = try H5File.create(temporary)
            if !inputNames.isEmpty {
                try file.write("/inputs", rows: rows, columns: inputNames.count, values: inputs)
                try file.writeAttribute("names", strings: inputNames, on: "/inputs")
                if let inputUnits { try file.writeAttribute("units", strings: inputUnits, on: "/inputs") }
                if let inputBounds {
                    try file.writeAttribute("low", numbers: inputBounds.low, on: "/inputs")
                    try file.writeAttribute("high", numbers: inputBounds.high, on: "/inputs")
                }
                for name in inputNames {
                    if let levels = inputLevels[name] { try file.writeAttribute("levels_" + name, strings: levels, on: "/inputs") }
                }
            }
            try file.write("/outputs", rows: rows, columns: outputNames.count, values: outputs)
            try file.writeAttribute("names", strings: outputNames, on: "/outputs")
            if let outputUnits { try file.writeAttribute("units", strings: outputUnits, on: "/outputs") }
            if let ids { try file.write("/id", rows: rows, columns: 1, values: ids.map(Double.init)) }
            if !fields.isEmpty {
                try file.createGroup("/fields")
                for field in fields { try file.write("/fields/" + field.name, rows: rows, columns: field.width, values: field.values) }
            }
            guard H5Fflush(file.id, H5F_SCOPE_GLOBAL) >= 0 else { throw H5Error(operation: "flush", path: temporary, object: nil) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileIOError(path: path, operation: "rename", code: code)
        }
    }
}
