import Foundation

/// Where the datasets of a simulation dump are and what to do with incomplete rows.
public struct DumpLayout: Sendable {
    /// Inputs dataset (`n × d`).
    public var inputs: String = "/inputs"
    /// Outputs dataset (`n × m`, or `n` for a single output).
    public var outputs: String = "/outputs"
    /// Optional field dataset (`n × p`, one field per sample, e.g. `/fields/uy`).
    public var fields: String?
    /// Drop rows with NaN or infinite values (`true`) or refuse the dump (`false`).
    public var dropNonFinite: Bool = true
    /// Rows read per hyperslab (the reader never holds more than this many float64 rows at once).
    public var chunkRows: Int = 65_536

    public init() {}
}

/// A training table read from one or more HDF5 dumps, in single precision, row-major.
public struct SimulationData: Sendable {
    /// Input names (attribute `names`/`columns` of the inputs dataset, else `x0…`).
    public var inputNames: [String]
    /// Output names.
    public var outputNames: [String]
    /// Input units (attribute `units`), if given.
    public var inputUnits: [String]?
    /// Input bounds (attributes `low`/`high`, or `bounds` as d×2), if given.
    public var inputBounds: (low: [Double], high: [Double])?
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

    public init(inputNames: [String], outputNames: [String], inputUnits: [String]?, inputBounds: (low: [Double], high: [Double])?,
                inputs: [Float], outputs: [Float], fields: [Float]?, fieldWidth: Int, rows: Int, droppedRows: Int, sources: [String]) {
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.inputUnits = inputUnits
        self.inputBounds = inputBounds
        self.inputs = inputs
        self.outputs = outputs
        self.fields = fields
        self.fieldWidth = fieldWidth
        self.rows = rows
        self.droppedRows = droppedRows
        self.sources = sources
    }
}

/// A dump that cannot be used, with the file and dataset concerned.
public struct DumpError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Reads simulation dumps as h5py or a solver writes them: 2-D float32/float64 datasets, contiguous or chunked and
/// gzip-compressed, several files or a folder concatenated row-wise.
public enum DumpReader {
    /// Expands folders to their `.h5`/`.hdf5` files (sorted) and reads everything.
    /// - Throws: ``DumpError`` or ``H5Error`` naming the file and dataset (missing dataset, wrong rank or type,
    ///   mismatched row counts or column names between files, NaN rows when `dropNonFinite` is off).
    public static func load(_ paths: [String], layout: DumpLayout = DumpLayout()) throws -> SimulationData {
        let files = try expand(paths)
        guard !files.isEmpty else { throw DumpError(message: "no HDF5 files in \(paths.joined(separator: ", "))") }
        var result: SimulationData?
        for file in files {
            let part = try loadOne(file, layout: layout)
            guard var merged = result else { result = part; continue }
            guard part.inputNames == merged.inputNames, part.outputNames == merged.outputNames, part.fieldWidth == merged.fieldWidth else {
                throw DumpError(message: "\(file): columns (\(part.inputNames.joined(separator: ",")) → \(part.outputNames.joined(separator: ","))) differ from \(merged.sources[0]) (\(merged.inputNames.joined(separator: ",")) → \(merged.outputNames.joined(separator: ",")))")
            }
            merged.inputs += part.inputs
            merged.outputs += part.outputs
            if let f = part.fields { merged.fields = (merged.fields ?? []) + f }
            merged.rows += part.rows
            merged.droppedRows += part.droppedRows
            merged.sources += part.sources
            result = merged
        }
        return result!
    }

    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DumpError(message: "\(path): no such file or folder")
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
        func matrixShape(_ name: String, role: String) throws -> (rows: Int, columns: Int) {
            let shape = try file.shape(of: name)
            guard shape.isNumeric else {
                throw DumpError(message: "\(path): \(role) dataset '\(name)' holds \(shape.typeName) values, not numbers")
            }
            switch shape.dimensions.count {
            case 1: return (shape.dimensions[0], 1)
            case 2: return (shape.dimensions[0], shape.dimensions[1])
            default:
                throw DumpError(message: "\(path): \(role) dataset '\(name)' has rank \(shape.dimensions.count) (\(shape.dimensions.map(String.init).joined(separator: "×"))); expected rows × columns")
            }
        }
        let inputShape = try matrixShape(layout.inputs, role: "inputs")
        let outputShape = try matrixShape(layout.outputs, role: "outputs")
        guard inputShape.rows == outputShape.rows else {
            throw DumpError(message: "\(path): '\(layout.inputs)' has \(inputShape.rows) rows but '\(layout.outputs)' has \(outputShape.rows)")
        }
        var fieldShape: (rows: Int, columns: Int)?
        if let fields = layout.fields {
            let shape = try matrixShape(fields, role: "fields")
            guard shape.rows == inputShape.rows else {
                throw DumpError(message: "\(path): '\(fields)' has \(shape.rows) rows but '\(layout.inputs)' has \(inputShape.rows)")
            }
            fieldShape = shape
        }
        let names = { (dataset: String, count: Int, prefix: String) throws -> [String] in
            let given = try file.stringsAttribute("names", of: dataset) ?? file.stringsAttribute("columns", of: dataset)
            if let given {
                guard given.count == count else {
                    throw DumpError(message: "\(path): attribute 'names' of '\(dataset)' has \(given.count) entries for \(count) columns")
                }
                return given
            }
            return (0..<count).map { "\(prefix)\($0)" }
        }
        let inputNames = try names(layout.inputs, inputShape.columns, "x")
        let outputNames = try names(layout.outputs, outputShape.columns, "y")
        let units = try file.stringsAttribute("units", of: layout.inputs)
        var bounds: (low: [Double], high: [Double])?
        if let low = try file.numbersAttribute("low", of: layout.inputs), let high = try file.numbersAttribute("high", of: layout.inputs),
           low.count == inputShape.columns, high.count == inputShape.columns {
            bounds = (low, high)
        } else if let b = try file.numbersAttribute("bounds", of: layout.inputs), b.count == 2 * inputShape.columns {
            bounds = (stride(from: 0, to: b.count, by: 2).map { b[$0] }, stride(from: 1, to: b.count, by: 2).map { b[$0] })
        }

        var inputs: [Float] = [], outputs: [Float] = [], fields: [Float]? = fieldShape == nil ? nil : []
        inputs.reserveCapacity(inputShape.rows * inputShape.columns)
        outputs.reserveCapacity(outputShape.rows * outputShape.columns)
        var dropped = 0
        var start = 0
        let chunk = max(layout.chunkRows, 1)
        while start < inputShape.rows {
            let range = start..<min(start + chunk, inputShape.rows)
            let x = try file.readRows(layout.inputs, rows: range, columns: inputShape.columns)
            let y = try file.readRows(layout.outputs, rows: range, columns: outputShape.columns)
            let f = try fieldShape.map { try file.readRows(layout.fields!, rows: range, columns: $0.columns) }
            for r in 0..<range.count {
                let xr = x[(r * inputShape.columns)..<((r + 1) * inputShape.columns)]
                let yr = y[(r * outputShape.columns)..<((r + 1) * outputShape.columns)]
                let fr = fieldShape.map { f![(r * $0.columns)..<((r + 1) * $0.columns)] }
                let finite = xr.allSatisfy(\.isFinite) && yr.allSatisfy(\.isFinite) && (fr?.allSatisfy(\.isFinite) ?? true)
                if !finite {
                    guard layout.dropNonFinite else {
                        throw DumpError(message: "\(path): row \(range.lowerBound + r) has NaN or infinite values (drop such rows with the default policy, or fix the dump)")
                    }
                    dropped += 1
                    continue
                }
                inputs += xr
                outputs += yr
                if let fr { fields! += fr }
            }
            start = range.upperBound
        }
        return SimulationData(inputNames: inputNames, outputNames: outputNames, inputUnits: units, inputBounds: bounds,
                              inputs: inputs, outputs: outputs, fields: fields, fieldWidth: fieldShape?.columns ?? 0,
                              rows: inputShape.rows - dropped, droppedRows: dropped, sources: [path])
    }
}
