import DoeBase
import Foundation

/// Where the datasets of a simulation dump are and what to do with incomplete rows.
///
/// `inputs` and `outputs` each name either a 2-D dataset (rows × columns; a 1-D dataset is one column) or a group of
/// per-variable 1-D datasets (`/inputs/width`, `/inputs/height`, …), read as columns.
public struct DumpLayout: Sendable {
    /// Inputs dataset or group (`n × d`).
    public var inputs: String = "/inputs"
    /// Outputs dataset or group (`n × m`, or `n` for a single output); `nil` reads the inputs only (prediction).
    public var outputs: String? = "/outputs"
    /// Optional field dataset (`n × p`, one field per sample, e.g. `/fields/uy`).
    public var fields: String?
    /// Drop rows with NaN or infinite values (`true`) or refuse the dump (`false`).
    public var dropNonFinite: Bool = true
    /// Rows read per hyperslab (the reader never holds more than this many float64 rows at once).
    public var chunkRows: Int = 65_536

    /// The default layout: `/inputs`, `/outputs`, no field, NaN rows dropped.
    public init() {}
}

/// A training table read from one or more HDF5 dumps, in single precision, row-major.
public struct SimulationData: Sendable {
    /// Input names (attribute `names`/`columns` of the inputs dataset, else the file's `input_names`, else `x0…`).
    public var inputNames: [String]
    /// Output names (likewise, `output_names` on the file, else `y0…`).
    public var outputNames: [String]
    /// `false` when the dump named no inputs and ``inputNames`` are the made-up `x0…`.
    public var inputNamesGiven: Bool
    /// `false` when the dump named no outputs and ``outputNames`` are the made-up `y0…`.
    public var outputNamesGiven: Bool
    /// Input units (attribute `units`, or the file's `input_units`), if given.
    public var inputUnits: [String]?
    /// Output units (attribute `units` of the outputs, or the file's `output_units`), if given.
    public var outputUnits: [String]?
    /// Input bounds (attributes `low`/`high`, or `bounds` as d×2 or 2×d, on the dataset or the file), if given.
    public var inputBounds: Bounds?
    /// `rows × inputNames.count`.
    public var inputs: [Float]
    /// `rows × outputNames.count`.
    public var outputs: [Float]
    /// `rows × fieldWidth` when a field dataset was read.
    public var fields: [Float]?
    /// Width of one field.
    public var fieldWidth: Int
    /// Number of rows kept.
    public var rows: Int
    /// Rows dropped for NaN/Inf values.
    public var droppedRows: Int
    /// The files read, in order.
    public var sources: [String]
    /// Things the reader did that the user should hear about (columns reordered, no names), one sentence each.
    public var notes: [String]
    /// Categorical inputs: input name → its level names; such a column holds the level's index (0, 1, …).
    public var inputLevels: [String: [String]] = [:]

    /// A table from its parts (`inputs`/`outputs`/`fields` row-major).
    public init(inputNames: [String], outputNames: [String], inputUnits: [String]?, inputBounds: Bounds?,
                inputs: [Float], outputs: [Float], fields: [Float]?, fieldWidth: Int, rows: Int, droppedRows: Int, sources: [String],
                outputUnits: [String]? = nil, inputNamesGiven: Bool = true, outputNamesGiven: Bool = true, notes: [String] = []) {
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.inputNamesGiven = inputNamesGiven
        self.outputNamesGiven = outputNamesGiven
        self.inputUnits = inputUnits
        self.outputUnits = outputUnits
        self.inputBounds = inputBounds
        self.inputs = inputs
        self.outputs = outputs
        self.fields = fields
        self.fieldWidth = fieldWidth
        self.rows = rows
        self.droppedRows = droppedRows
        self.sources = sources
        self.notes = notes
    }
}

extension SimulationData {
    /// The smallest and largest value of every input column over the kept rows (what a model trained on them saw);
    /// `nil` without rows.
    public var observedInputRange: Bounds? {
        let d = inputNames.count
        guard rows > 0, d > 0 else { return nil }
        var low = [Double](repeating: .infinity, count: d), high = [Double](repeating: -.infinity, count: d)
        for i in 0..<rows {
            for j in 0..<d {
                let v = Double(inputs[i * d + j])
                low[j] = min(low[j], v)
                high[j] = max(high[j], v)
            }
        }
        return Bounds(low: low, high: high)
    }
}

/// The domain of ``DumpError``.
public enum DumpErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `dump.invalid`.
    public static var code: String { "dump.invalid" }
}

/// A dump that cannot be used, with the file and dataset concerned.
public typealias DumpError = DomainError<DumpErrorDomain>

/// Reads simulation dumps as h5py or a solver writes them: 2-D float32/float64 datasets, contiguous or chunked and
/// gzip-compressed, several files or a folder concatenated row-wise.
public enum DumpReader {
    /// Expands folders to their `.h5`/`.hdf5` files (sorted) and reads everything.
    ///
    /// Later files are matched to the first by column name: a permutation is reordered (and said in ``SimulationData/notes``),
    /// other differences are refused.
    /// - Throws: ``DumpError`` or ``H5Error`` naming the file and dataset (missing dataset, wrong rank or type,
    ///   mismatched row counts or column names between files, NaN rows when `dropNonFinite` is off).
    public static func load(_ paths: [String], layout: DumpLayout = DumpLayout()) throws -> SimulationData {
        let files = try expand(paths)
        guard !files.isEmpty else { throw DumpError(message: "\(paths.joined(separator: ", ")): no HDF5 files (.h5 or .hdf5) there") }
        var result: SimulationData?
        for file in files {
            var part = try loadOne(file, layout: layout)
            guard var merged = result else { result = part; continue }
            guard part.fieldWidth == merged.fieldWidth else {
                throw DumpError(message: "\(file): fields have \(part.fieldWidth) values per row, "
                    + "\(merged.sources[0]) has \(merged.fieldWidth)")
            }
            guard part.inputLevels == merged.inputLevels else {
                throw DumpError(message: "\(file): the categorical inputs' levels (levels_NAME attributes) differ from "
                    + "\(merged.sources[0])'s; one training set needs one set of levels")
            }
            part = try part.matching(inputs: merged.inputNames, outputs: layout.outputs == nil ? nil : merged.outputNames,
                                     of: "\(merged.sources[0])")
            merged.inputs += part.inputs
            merged.outputs += part.outputs
            if let f = part.fields { merged.fields = (merged.fields ?? []) + f }
            merged.rows += part.rows
            merged.droppedRows += part.droppedRows
            merged.sources += part.sources
            merged.notes += part.notes
            result = merged
        }
        return result!
    }

    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DumpError(message: "\(path): no such file or folder", kind: .notFound, code: "dump.not_found")
            }
            if isDirectory.boolValue {
                let entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += entries.filter { $0.hasSuffix(".h5") || $0.hasSuffix(".hdf5") }.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }

    static func loadOne(_ path: String, layout: DumpLayout) throws -> SimulationData {
        let file = try H5File.open(path)
        let inputs = try DumpTable.resolve(layout.inputs, role: .inputs, in: file)
        let outputs = try layout.outputs.map { try DumpTable.resolve($0, role: .outputs, in: file) }
        var notes = inputs.notes + (outputs?.notes ?? [])
        if let outputs, inputs.rows != outputs.rows {
            var message = "\(path): '\(inputs.name)' has \(inputs.rows) rows but '\(outputs.name)' has \(outputs.rows)"
            if inputs.columns == outputs.rows && inputs.isMatrix {
                message += "; is '\(inputs.name)' stored transposed (\(inputs.rows)×\(inputs.columns), "
                    + "columns × rows as MATLAB and Fortran write)? "
                    + "Write it rows × columns (in h5py: data.T)"
            } else if outputs.columns == inputs.rows && outputs.isMatrix {
                message += "; is '\(outputs.name)' stored transposed (\(outputs.rows)×\(outputs.columns), "
                    + "columns × rows as MATLAB and Fortran write)? "
                    + "Write it rows × columns (in h5py: data.T)"
            }
            throw DumpError(message: message)
        }
        if let outputs, !inputs.namesGiven, !outputs.namesGiven, inputs.isMatrix, outputs.isMatrix,
           inputs.columns > inputs.rows, outputs.columns == inputs.columns {
            throw DumpError(message: "\(path): '\(inputs.name)' is \(inputs.rows)×\(inputs.columns) "
                + "and '\(outputs.name)' \(outputs.rows)×\(outputs.columns): "
                + "more columns than rows and the same column count, "
                + "so both look stored transposed (columns × rows, as MATLAB and Fortran write). "
                + "Write them rows × columns (in h5py: data.T), or name the columns with a 'names' attribute")
        }
        var fieldShape: (rows: Int, columns: Int)?
        if let fields = layout.fields {
            let shape = try file.shape(of: fields)
            guard shape.isNumeric else {
                throw DumpError(message: "\(path): fields dataset '\(fields)' holds \(shape.typeName) values, not numbers")
            }
            guard shape.dimensions.count == 2 else {
                throw DumpError(message: "\(path): fields dataset '\(fields)' has rank \(shape.dimensions.count) "
                    + "(\(shape.dimensions.map(String.init).joined(separator: "×"))); expected rows × values")
            }
            guard shape.dimensions[0] == inputs.rows else {
                throw DumpError(message: "\(path): '\(fields)' has \(shape.dimensions[0]) rows but '\(inputs.name)' has \(inputs.rows)")
            }
            fieldShape = (shape.dimensions[0], shape.dimensions[1])
        }
        if !inputs.namesGiven {
            notes.append("\(path): '\(inputs.name)' names no columns (attribute 'names' on the dataset, or 'input_names' on the file); "
                + "they are called \(inputs.names.first!)…\(inputs.names.last!) and can only be matched by position")
        }
        if let outputs, !outputs.namesGiven {
            notes.append("\(path): '\(outputs.name)' names no columns (attribute 'names' on the dataset, or 'output_names' on the file); "
                + "they are called \(outputs.names.first!)…\(outputs.names.last!)")
        }

        var x: [Float] = [], y: [Float] = [], f: [Float]? = fieldShape == nil ? nil : []
        x.reserveCapacity(inputs.rows * inputs.columns)
        y.reserveCapacity(inputs.rows * (outputs?.columns ?? 0))
        var dropped = 0
        var start = 0
        let chunk = max(layout.chunkRows, 1)
        let m = outputs?.columns ?? 0
        while start < inputs.rows {
            let range = start..<min(start + chunk, inputs.rows)
            let xs = try inputs.read(range, from: file)
            let ys = try outputs?.read(range, from: file) ?? []
            let fs = try fieldShape.map { try file.readRows(layout.fields!, rows: range, columns: $0.columns) }
            for r in 0..<range.count {
                let xr = xs[(r * inputs.columns)..<((r + 1) * inputs.columns)]
                let yr = ys[(r * m)..<((r + 1) * m)]
                let fr = fieldShape.map { fs![(r * $0.columns)..<((r + 1) * $0.columns)] }
                let finite = xr.allSatisfy(\.isFinite) && yr.allSatisfy(\.isFinite) && (fr?.allSatisfy(\.isFinite) ?? true)
                if !finite {
                    guard layout.dropNonFinite else {
                        throw DumpError(message: "\(path): row \(range.lowerBound + r) has NaN or infinite values "
                            + "(drop such rows with the default policy, or fix the dump)")
                    }
                    dropped += 1
                    continue
                }
                x += xr
                y += yr
                if let fr { f! += fr }
            }
            start = range.upperBound
        }
        var data = SimulationData(inputNames: inputs.names, outputNames: outputs?.names ?? [], inputUnits: inputs.units,
                                  inputBounds: inputs.bounds,
                                  inputs: x, outputs: y, fields: f, fieldWidth: fieldShape?.columns ?? 0,
                                  rows: inputs.rows - dropped, droppedRows: dropped, sources: [path], outputUnits: outputs?.units,
                                  inputNamesGiven: inputs.namesGiven, outputNamesGiven: outputs?.namesGiven ?? true, notes: notes)
        data.inputLevels = try inputLevels(in: file, of: inputs.name, names: inputs.names, rows: data.rows, path: path) { row, j in
            Double(x[row * inputs.columns + j])
        }
        return data
    }

    /// Categorical input columns (attribute `levels_<name>` on the inputs dataset or group `object`: the level names,
    /// the column holding each row's level index), checked: every value must be the index of a level. What
    /// `doe train` (this reader) and `doe observe --results` (``ExactDump``) both read.
    /// - Parameter value: the value at a row and column (0-based) of the inputs.
    static func inputLevels(in file: H5File, of object: String, names: [String], rows: Int, path: String,
                            value: (_ row: Int, _ column: Int) -> Double) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (j, name) in names.enumerated() {
            guard let levels = try file.stringsAttribute("levels_" + name, of: object) else { continue }
            guard !levels.isEmpty else { throw DumpError(message: "\(path): attribute 'levels_\(name)' of '\(object)' is empty") }
            for row in 0..<rows {
                let v = value(row, j)
                guard v == v.rounded(), v >= 0, v < Double(levels.count) else {
                    throw DumpError(message: "\(path): '\(object)' column '\(name)' row \(row + 1) is \(v), not the index of "
                        + "one of its levels (levels_\(name): \(levels.joined(separator: ", ")))")
                }
            }
            result[name] = levels
        }
        return result
    }
}
