import DoeBase
import Foundation

/// One side of a dump (its inputs or its outputs) as found in a file: a 2-D dataset, a 1-D dataset (one column), or a
/// group of per-variable 1-D datasets; with the column names, units and bounds that the dataset or the file declares.
///
/// Precedence: an attribute on the dataset (`names`/`columns`, `units`, `low`/`high`/`bounds`) wins over the file's
/// root attribute (`input_names`/`output_names`, `input_units`/`output_units`, `bounds`). Names decide which column is
/// which, so two sets of names that disagree are refused; units or bounds that disagree are noted and the dataset's used.
struct DumpTable {
    enum Role: String { case inputs, outputs }

    let name: String
    let role: Role
    /// `true` for a 2-D dataset (which could be stored transposed).
    let isMatrix: Bool
    let rows: Int
    let columns: Int
    let names: [String]
    let namesGiven: Bool
    let units: [String]?
    let bounds: Bounds?
    let notes: [String]
    /// For a group: the per-variable datasets, in column order.
    let columnDatasets: [String]?

    /// Rows `range` of every column, row-major, as `Float`.
    func read(_ range: Range<Int>, from file: H5File) throws -> [Float] {
        guard let columnDatasets else { return try file.readRows(name, rows: range, columns: columns) }
        var values = [Float](repeating: 0, count: range.count * columns)
        for (j, dataset) in columnDatasets.enumerated() {
            let column = try file.readRows(dataset, rows: range, columns: 1)
            for i in 0..<range.count { values[i * columns + j] = column[i] }
        }
        return values
    }

    static func resolve(_ name: String, role: Role, in file: H5File) throws -> DumpTable {
        let path = file.path
        let prefix = role == .inputs ? "input" : "output"
        let rootNames = try file.stringsAttribute(prefix + "_names", of: "/")
        let rootUnits = try file.stringsAttribute(prefix + "_units", of: "/")
        switch file.kind(of: name) {
        case .missing:
            throw H5Error(operation: "find the \(role.rawValue) dataset", path: path, object: name,
                          hint: "the file holds \(file.rootMembers().joined(separator: ", ")); choose another with --\(role.rawValue)")
        case .other:
            throw DumpError(message: "\(path): '\(name)' is neither a dataset nor a group")
        case .group:
            return try resolveGroup(name, role: role, in: file, rootNames: rootNames, rootUnits: rootUnits)
        case .dataset:
            break
        }
        let shape = try file.shape(of: name)
        guard shape.isNumeric else {
            throw DumpError(message: "\(path): \(role.rawValue) dataset '\(name)' holds \(shape.typeName) values, not numbers")
        }
        let rows: Int, columns: Int
        switch shape.dimensions.count {
        case 1: (rows, columns) = (shape.dimensions[0], 1)
        case 2: (rows, columns) = (shape.dimensions[0], shape.dimensions[1])
        default:
            throw DumpError(message: "\(path): \(role.rawValue) dataset '\(name)' has rank \(shape.dimensions.count) "
                + "(\(shape.dimensions.map(String.init).joined(separator: "×"))); expected rows × columns")
        }
        let datasetNames = try file.stringsAttribute("names", of: name) ?? file.stringsAttribute("columns", of: name)
        if let datasetNames, let rootNames, datasetNames != rootNames {
            throw DumpError(message: "\(path): attribute 'names' of '\(name)' (\(datasetNames.joined(separator: ", "))) and the file's "
                + "'\(prefix)_names' (\(rootNames.joined(separator: ", "))) disagree; fix or remove one of them")
        }
        let attributeName = datasetNames != nil ? "attribute 'names' of '\(name)'" : "the file's attribute '\(prefix)_names'"
        var notes: [String] = []
        let names: [String]
        if let given = datasetNames ?? rootNames {
            guard given.count == columns else {
                var message = "\(path): \(attributeName) has \(given.count) entries "
                    + "for the \(columns) columns of '\(name)' (\(rows)×\(columns))"
                if given.count == rows && shape.dimensions.count == 2 {
                    message += "; the dataset looks stored transposed (columns × rows, as MATLAB and Fortran write): "
                        + "write it rows × columns (in h5py: data.T)"
                }
                throw DumpError(message: message)
            }
            try checkUnique(given, path: path, what: attributeName)
            names = given
        } else {
            names = (0..<columns).map { "\(role == .inputs ? "x" : "y")\($0)" }
        }
        let datasetUnits = try file.stringsAttribute("units", of: name)
        if let datasetUnits, let rootUnits, datasetUnits != rootUnits {
            notes.append("\(path): units of '\(name)' (\(datasetUnits.joined(separator: ", "))) differ from the file's '\(prefix)_units' "
                + "(\(rootUnits.joined(separator: ", "))); using the dataset's")
        }
        let units = datasetUnits ?? rootUnits
        if let units, units.count != columns {
            throw DumpError(message: "\(path): \(datasetUnits != nil ? "attribute 'units' of '\(name)'" : "the file's '\(prefix)_units'") "
                + "has \(units.count) entries for \(columns) columns")
        }
        var bounds: Bounds?
        if role == .inputs {
            if let low = try file.numbersAttribute("low", of: name), let high = try file.numbersAttribute("high", of: name) {
                guard low.count == columns, high.count == columns else {
                    throw DumpError(message: "\(path): attributes 'low'/'high' of '\(name)' have \(low.count)/\(high.count) entries "
                        + "for \(columns) columns")
                }
                bounds = Bounds(low: low, high: high)
            } else if let b = try file.numbersAttribute("bounds", of: name) {
                bounds = try splitBounds(b, dimensions: file.attributeDimensions("bounds", of: name) ?? [b.count], columns: columns,
                                         what: "\(path): attribute 'bounds' of '\(name)'")
            }
            if let b = try file.numbersAttribute("bounds", of: "/") {
                let root = try splitBounds(b, dimensions: file.attributeDimensions("bounds", of: "/") ?? [b.count], columns: columns,
                                           what: "\(path): the file's attribute 'bounds'")
                if let bounds, bounds.low != root.low || bounds.high != root.high {
                    notes.append("\(path): the bounds of '\(name)' differ from the file's 'bounds'; using the dataset's")
                }
                bounds = bounds ?? root
            }
            if let b = bounds { try checkBounds(b, names: names, path: path) }
        }
        return DumpTable(name: name, role: role, isMatrix: shape.dimensions.count == 2, rows: rows, columns: columns, names: names,
                         namesGiven: datasetNames != nil || rootNames != nil, units: units, bounds: bounds, notes: notes,
                         columnDatasets: nil)
    }

    private static func resolveGroup(_ name: String, role: Role, in file: H5File,
                                     rootNames: [String]?, rootUnits: [String]?) throws -> DumpTable {
        let path = file.path
        let prefix = role == .inputs ? "input" : "output"
        let base = name.hasSuffix("/") ? name : name + "/"
        let members = file.members(of: name)
        let datasets = members.filter { file.kind(of: base + $0) == .dataset }
        guard !datasets.isEmpty else {
            throw DumpError(message: "\(path): '\(name)' is a group holding "
                + "\(members.isEmpty ? "nothing" : members.joined(separator: ", ")), "
                + "not the per-variable datasets doe reads as columns")
        }
        var rows: Int?
        for member in datasets {
            let shape = try file.shape(of: base + member)
            guard shape.isNumeric else {
                throw DumpError(message: "\(path): '\(base + member)' holds \(shape.typeName) values, not numbers")
            }
            guard shape.dimensions.count == 1 || (shape.dimensions.count == 2 && shape.dimensions[1] == 1) else {
                throw DumpError(message: "\(path): '\(base + member)' is \(shape.dimensions.map(String.init).joined(separator: "×")); "
                    + "a group of per-variable datasets needs one column each")
            }
            if let rows, rows != shape.dimensions[0] {
                throw DumpError(message: "\(path): '\(base + member)' has \(shape.dimensions[0]) rows "
                    + "but '\(base + datasets[0])' has \(rows)")
            }
            rows = shape.dimensions[0]
        }
        // Column order: the group's 'names', else the file's '<role>_names', else the group's own order.
        var order = datasets
        let groupNames = try file.stringsAttribute("names", of: name) ?? file.stringsAttribute("columns", of: name)
        for (given, what) in [(groupNames, "attribute 'names' of '\(name)'"), (rootNames, "the file's '\(prefix)_names'")] {
            guard let given else { continue }
            try checkUnique(given, path: path, what: what)
            guard Set(given) == Set(datasets) else {
                throw DumpError(message: "\(path): \(what) (\(given.joined(separator: ", "))) does not list the datasets in '\(name)' "
                    + "(\(datasets.joined(separator: ", ")))")
            }
            order = given
            break
        }
        var units: [String]?
        let memberUnits = try order.map { try file.stringsAttribute("units", of: base + $0)?.first }
        if memberUnits.contains(where: { $0 != nil }) {
            units = memberUnits.map { $0 ?? "" }
        } else if let rootUnits {
            guard rootUnits.count == order.count else {
                throw DumpError(message: "\(path): the file's '\(prefix)_units' has \(rootUnits.count) entries "
                    + "for \(order.count) datasets in '\(name)'")
            }
            units = rootUnits
        }
        var bounds: Bounds?
        if role == .inputs {
            let lows = try order.map { try file.numbersAttribute("low", of: base + $0)?.first }
            let highs = try order.map { try file.numbersAttribute("high", of: base + $0)?.first }
            if lows.allSatisfy({ $0 != nil }) && highs.allSatisfy({ $0 != nil }) {
                bounds = Bounds(low: lows.map { $0! }, high: highs.map { $0! })
            } else if let b = try file.numbersAttribute("bounds", of: "/") {
                bounds = try splitBounds(b, dimensions: file.attributeDimensions("bounds", of: "/") ?? [b.count], columns: order.count,
                                         what: "\(path): the file's attribute 'bounds'")
            }
            if let b = bounds { try checkBounds(b, names: order, path: path) }
        }
        return DumpTable(name: name, role: role, isMatrix: false, rows: rows ?? 0, columns: order.count, names: order, namesGiven: true,
                         units: units, bounds: bounds, notes: [], columnDatasets: order.map { base + $0 })
    }

    /// Bounds stored as `d × 2` (a low, high pair per column), `2 × d` (a row of lows, a row of highs), or flat pairs.
    static func splitBounds(_ values: [Double], dimensions: [Int], columns: Int, what: String) throws -> Bounds {
        guard values.count == 2 * columns else {
            throw DumpError(message: "\(what) has \(values.count) values; expected \(columns)×2 (a low and a high per column)")
        }
        if dimensions == [2, columns] && columns != 2 {
            return Bounds(low: Array(values[0..<columns]), high: Array(values[columns...]))
        }
        return Bounds(low: stride(from: 0, to: values.count, by: 2).map { values[$0] },
                      high: stride(from: 1, to: values.count, by: 2).map { values[$0] })
    }

    static func checkBounds(_ bounds: Bounds, names: [String], path: String) throws {
        for (j, name) in names.enumerated() where !(bounds.low[j].isFinite && bounds.high[j].isFinite && bounds.low[j] <= bounds.high[j]) {
            throw DumpError(message: "\(path): the bounds of input '\(name)' are [\(bounds.low[j]), \(bounds.high[j])]; "
                + "expected finite low ≤ high")
        }
    }

    static func checkUnique(_ names: [String], path: String, what: String) throws {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw DumpError(message: "\(path): \(what) names '\(name)' twice")
        }
    }
}

extension SimulationData {
    /// The same table with its columns in the order of `inputs` (and `outputs`, unless `nil`), matched by name.
    ///
    /// A permutation is reordered and noted; a dump without names is taken by position when the counts agree (and
    /// noted); any other difference is refused, listing what is missing and what is extra.
    /// - Parameter owner: what the names belong to, for messages ("the model", "a.h5").
    /// - Throws: ``DumpError`` naming the dump's files and both lists of names.
    public func matching(inputs: [String], outputs: [String]?, of owner: String) throws -> SimulationData {
        let source = sources.joined(separator: ", ")
        var result = self
        /// The permutation taking `have` to `want` (nil when none is needed), with a note when one is applied.
        func order(_ have: [String], given: Bool, want: [String], role: String) throws -> [Int]? {
            if have == want { return nil }
            if !given {
                guard have.count == want.count else {
                    throw DumpError(message: "\(source): \(have.count) \(role) without names; "
                        + "\(owner) has \(want.count) (\(want.joined(separator: ", ")))")
                }
                result.notes.append("\(source): \(role) without names taken by position as \(owner)'s \(want.joined(separator: ", "))")
                return nil
            }
            let missing = want.filter { !have.contains($0) }, extra = have.filter { !want.contains($0) }
            guard missing.isEmpty && extra.isEmpty && have.count == want.count else {
                var parts: [String] = []
                if !missing.isEmpty { parts.append("missing from the dump: \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { parts.append("not in \(owner): \(extra.joined(separator: ", "))") }
                throw DumpError(message: "\(source): the dump's \(role) (\(have.joined(separator: ", "))) do not match those of \(owner) "
                    + "(\(want.joined(separator: ", "))); \(parts.joined(separator: "; "))")
            }
            result.notes.append("\(source): \(role) are in another order than \(owner)'s; matched by name "
                + "(\(have.joined(separator: ", ")) → \(want.joined(separator: ", ")))")
            return want.map { have.firstIndex(of: $0)! }
        }
        if let permutation = try order(inputNames, given: inputNamesGiven, want: inputs, role: "inputs") {
            result.inputs = Self.permute(self.inputs, columns: inputNames.count, rows: rows, by: permutation)
            result.inputUnits = inputUnits.map { u in permutation.map { u[$0] } }
            result.inputBounds = inputBounds.map { b in Bounds(low: permutation.map { b.low[$0] }, high: permutation.map { b.high[$0] }) }
        }
        result.inputNames = inputs
        if let outputs {
            if let permutation = try order(outputNames, given: outputNamesGiven, want: outputs, role: "outputs") {
                result.outputs = Self.permute(self.outputs, columns: outputNames.count, rows: rows, by: permutation)
                result.outputUnits = outputUnits.map { u in permutation.map { u[$0] } }
            }
            result.outputNames = outputs
        }
        return result
    }

    private static func permute(_ values: [Float], columns: Int, rows: Int, by permutation: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for i in 0..<rows { for (j, source) in permutation.enumerated() { out[i * columns + j] = values[i * columns + source] } }
        return out
    }
}
