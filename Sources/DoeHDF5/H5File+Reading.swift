import CHDF5

/// What an HDF5 path names.
public enum H5ObjectKind: Sendable, Equatable {
    /// Nothing at that path.
    case missing
    /// A group (a folder of datasets).
    case group
    /// A dataset.
    case dataset
    /// A named datatype or something else.
    case other
}

/// Shape and element type of a dataset.
public struct H5DatasetShape: Sendable, Equatable {
    /// Extent of every dimension.
    public let dimensions: [Int]
    /// `true` for integer and floating-point element types.
    public let isNumeric: Bool
    /// A short type name for messages (`float32`, `float64`, `int64`, `string`, …).
    public let typeName: String
}

extension H5File {
    /// `true` when `name` (an absolute path such as `/fields/uy`) exists in the file.
    public func exists(_ name: String) -> Bool {
        // Check every prefix: H5Lexists fails on a path whose parent group is missing.
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, doe_h5p_default()) <= 0 { return false }
        }
        return !prefix.isEmpty
    }

    /// Names of the objects directly under the root group (for "did you mean" messages), as absolute paths.
    public func rootMembers() -> [String] { members(of: "/").map { "/" + $0 } }

    /// What kind of object `name` is.
    public func kind(of name: String) -> H5ObjectKind {
        guard name == "/" || exists(name) else { return .missing }
        let object = H5Oopen(id, name, doe_h5p_default())
        guard object >= 0 else { return .missing }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    /// Names (not paths) of the links in group `group`: in creation order when the file tracks it (h5py's
    /// `track_order=True`), else in name order.
    public func members(of group: String) -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info_by_name(id, group, &info, doe_h5p_default()) >= 0 else { return [] }
        func names(_ index: H5_index_t) -> [String]? {
            var result: [String] = []
            for i in 0..<info.nlinks {
                let length = H5Lget_name_by_idx(id, group, index, H5_ITER_INC, i, nil, 0, doe_h5p_default())
                guard length > 0 else { return nil }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Lget_name_by_idx(id, group, index, H5_ITER_INC, i, &buffer, buffer.count, doe_h5p_default())
                result.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return result
        }
        return names(H5_INDEX_CRT_ORDER) ?? names(H5_INDEX_NAME) ?? []
    }

    /// Extent of every dimension of attribute `attribute` of `object`, or `nil` when absent.
    public func attributeDimensions(_ attribute: String, of object: String) -> [Int]? {
        guard H5Aexists_by_name(id, object, attribute, doe_h5p_default()) > 0 else { return nil }
        let attr = H5Aopen_by_name(id, object, attribute, doe_h5p_default(), doe_h5p_default())
        guard attr >= 0 else { return nil }
        defer { H5Aclose(attr) }
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.prefix(rank).map { Int($0) }
    }

    /// Shape and type of dataset `name`.
    public func shape(of name: String) throws -> H5DatasetShape {
        try withDataset(name) { dataset in
            let space = H5Dget_space(dataset)
            defer { H5Sclose(space) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            H5Sget_simple_extent_dims(space, &dims, nil)
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            let size = H5Tget_size(type)
            let typeName: String
            let numeric: Bool
            switch H5Tget_class(type) {
            case H5T_FLOAT: typeName = "float\(size * 8)"; numeric = true
            case H5T_INTEGER: typeName = "int\(size * 8)"; numeric = true
            case H5T_STRING: typeName = "string"; numeric = false
            default: typeName = "non-numeric"; numeric = false
            }
            return H5DatasetShape(dimensions: dims.prefix(rank).map { Int($0) }, isNumeric: numeric, typeName: typeName)
        }
    }

    /// Rows `rows` of a 1-D or 2-D numeric dataset, converted to `Float` by libhdf5 (row-major).
    ///
    /// Only the selected rows are read (a hyperslab), so a large dump can be streamed chunk by chunk; chunked and
    /// gzip/shuffle-compressed datasets are decompressed by libhdf5 transparently.
    public func readRows(_ name: String, rows: Range<Int>, columns: Int) throws -> [Float] {
        try readRows(name, rows: rows, columns: columns, memoryType: doe_h5t_native_float(), zero: Float(0))
    }

    /// ``readRows(_:rows:columns:)`` in double precision.
    public func readRowsDouble(_ name: String, rows: Range<Int>, columns: Int) throws -> [Double] {
        try readRows(name, rows: rows, columns: columns, memoryType: doe_h5t_native_double(), zero: Double(0))
    }

    private func readRows<T>(_ name: String, rows: Range<Int>, columns: Int, memoryType: hid_t, zero: T) throws -> [T] {
        try withDataset(name) { dataset in
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            let rank = H5Sget_simple_extent_ndims(fileSpace)
            var values = [T](repeating: zero, count: rows.count * columns)
            if rows.isEmpty { return values }
            if rank == 1 {
                var start: [hsize_t] = [hsize_t(rows.lowerBound)], count: [hsize_t] = [hsize_t(rows.count)]
                H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil)
            } else {
                _ = doe_h5s_select_rows(fileSpace, UInt64(rows.lowerBound), UInt64(rows.count), UInt64(columns))
            }
            var memoryDims: [hsize_t] = [hsize_t(rows.count * columns)]
            let memorySpace = H5Screate_simple(1, &memoryDims, nil)
            defer { H5Sclose(memorySpace) }
            let status = values.withUnsafeMutableBytes {
                H5Dread(dataset, memoryType, memorySpace, fileSpace, doe_h5p_default(), $0.baseAddress)
            }
            guard status >= 0 else {
                throw H5Error(operation: "read rows \(rows.lowerBound)–\(rows.upperBound - 1) of dataset", path: path, object: name,
                              hint: "a compression filter may be unavailable, e.g. h5py's lzf; write the dump with gzip")
            }
            return values
        }
    }

    /// A string-array attribute (variable- or fixed-length strings, as h5py writes them), or `nil` when absent.
    public func stringsAttribute(_ attribute: String, of object: String) throws -> [String]? {
        guard H5Aexists_by_name(id, object, attribute, doe_h5p_default()) > 0 else { return nil }
        let attr = H5Aopen_by_name(id, object, attribute, doe_h5p_default(), doe_h5p_default())
        guard attr >= 0 else { throw H5Error(operation: "open attribute '\(attribute)' of", path: path, object: object) }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else {
            throw H5Error(operation: "read attribute '\(attribute)' of", path: path, object: object,
                          hint: "expected strings, it holds numbers")
        }
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        let count = max(Int(H5Sget_simple_extent_npoints(space)), 0)
        if H5Tis_variable_str(type) > 0 {
            let memoryType = H5Tcopy(doe_h5t_c_s1())
            defer { H5Tclose(memoryType) }
            H5Tset_size(memoryType, -1)
            H5Tset_cset(memoryType, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attr, memoryType, &pointers) >= 0 else {
                throw H5Error(operation: "read attribute '\(attribute)' of", path: path, object: object)
            }
            defer { for p in pointers { if let p { H5free_memory(p) } } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        var buffer = [CChar](repeating: 0, count: size * count)
        guard H5Aread(attr, type, &buffer) >= 0 else {
            throw H5Error(operation: "read attribute '\(attribute)' of", path: path, object: object)
        }
        return (0..<count).map { i in
            let slice = buffer[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
            return String(decoding: slice.map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingCharacters(in: " ")
        }
    }

    /// A numeric-array attribute converted to `Double`, or `nil` when absent.
    public func numbersAttribute(_ attribute: String, of object: String) throws -> [Double]? {
        guard H5Aexists_by_name(id, object, attribute, doe_h5p_default()) > 0 else { return nil }
        let attr = H5Aopen_by_name(id, object, attribute, doe_h5p_default(), doe_h5p_default())
        guard attr >= 0 else { throw H5Error(operation: "open attribute '\(attribute)' of", path: path, object: object) }
        defer { H5Aclose(attr) }
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        var values = [Double](repeating: 0, count: max(Int(H5Sget_simple_extent_npoints(space)), 0))
        guard H5Aread(attr, doe_h5t_native_double(), &values) >= 0 else {
            throw H5Error(operation: "read attribute '\(attribute)' of", path: path, object: object, hint: "expected numbers")
        }
        return values
    }

    func withDataset<T>(_ name: String, _ body: (hid_t) throws -> T) throws -> T {
        guard exists(name) else {
            throw H5Error(operation: "find dataset", path: path, object: name,
                          hint: "the file holds \(rootMembers().joined(separator: ", "))")
        }
        if kind(of: name) == .group {
            let inside = members(of: name)
            throw H5Error(operation: "read dataset", path: path, object: name,
                          hint: "it is a group holding \(inside.isEmpty ? "nothing" : inside.joined(separator: ", ")); "
                              + "name a dataset in it")
        }
        let dataset = H5Dopen2(id, name, doe_h5p_default())
        guard dataset >= 0 else { throw H5Error(operation: "open dataset", path: path, object: name) }
        defer { H5Dclose(dataset) }
        return try body(dataset)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
