import CHDF5
import DoeBase

/// A failure reported by libhdf5, with the file and object it concerns.
public struct H5Error: CodedError {
    /// A file that cannot be read as the dump it should be.
    public var kind: ErrorKind { .invalidValue }
    /// `hdf5.read`.
    public var code: String { "hdf5.read" }
    /// What doe was doing, as a verb phrase that the object completes, e.g. "open dataset" or "read rows 0–9 of".
    public let operation: String
    /// The file path.
    public let path: String
    /// The object inside the file, if any (e.g. "/inputs").
    public let object: String?
    /// What probably went wrong or what to do, if doe knows.
    public let hint: String?

    /// An error for `operation` on `object` in the file at `path`.
    public init(operation: String, path: String, object: String?, hint: String? = nil) {
        self.operation = operation
        self.path = path
        self.object = object
        self.hint = hint
    }

    /// "FILE: cannot OPERATION 'OBJECT' (HINT)".
    public var description: String {
        "\(path): cannot \(operation)\(object.map { " '\($0)'" } ?? "")\(hint.map { " (\($0))" } ?? "")"
    }
}

/// A 2-D numeric dataset read into memory, row-major as HDF5 stores it.
public struct H5Table: Sendable, Equatable {
    /// Number of rows (first dimension).
    public let rows: Int
    /// Number of columns (second dimension).
    public let columns: Int
    /// Row-major values converted to `Double`.
    public let values: [Double]
}

/// An open HDF5 file (read-only or newly created); closed when the value goes away.
public final class H5File {
    let id: hid_t
    /// The path the file was opened from.
    public let path: String

    private init(id: hid_t, path: String) {
        self.id = id
        self.path = path
    }

    deinit { H5Fclose(id) }

    /// Opens an existing file read-only.
    public static func open(_ path: String) throws -> H5File {
        doe_h5_silence_errors()
        let id = H5Fopen(path, doe_h5f_acc_rdonly(), doe_h5p_default())
        guard id >= 0 else {
            throw H5Error(operation: "open file", path: path, object: nil, hint: "not an HDF5 file, damaged, or not readable")
        }
        return H5File(id: id, path: path)
    }

    /// Creates (or truncates) a file.
    public static func create(_ path: String) throws -> H5File {
        doe_h5_silence_errors()
        let id = H5Fcreate(path, doe_h5f_acc_trunc(), doe_h5p_default(), doe_h5p_default())
        guard id >= 0 else { throw H5Error(operation: "create file", path: path, object: nil) }
        return H5File(id: id, path: path)
    }

    /// Writes a `rows × columns` float64 dataset from row-major values.
    public func write(_ name: String, rows: Int, columns: Int, values: [Double]) throws {
        precondition(values.count == rows * columns, "dataset \(name): \(values.count) values for \(rows)×\(columns)")
        var dims: [hsize_t] = [hsize_t(rows), hsize_t(columns)]
        let space = H5Screate_simple(2, &dims, nil)
        guard space >= 0 else { throw H5Error(operation: "create dataspace for", path: path, object: name) }
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, name, doe_h5t_ieee_f64le(), space, doe_h5p_default(), doe_h5p_default(), doe_h5p_default())
        guard dataset >= 0 else { throw H5Error(operation: "create dataset", path: path, object: name) }
        defer { H5Dclose(dataset) }
        let status = values.withUnsafeBufferPointer {
            H5Dwrite(dataset, doe_h5t_native_double(), doe_h5s_all(), doe_h5s_all(), doe_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw H5Error(operation: "write dataset", path: path, object: name) }
    }

    /// Creates a group (`/fields`), parents first.
    public func createGroup(_ name: String) throws {
        guard !exists(name) else { return }
        let group = H5Gcreate2(id, name, doe_h5p_default(), doe_h5p_default(), doe_h5p_default())
        guard group >= 0 else { throw H5Error(operation: "create group", path: path, object: name) }
        H5Gclose(group)
    }

    /// Attaches a 1-D attribute of fixed-length UTF-8 strings (`names`, `units`) to a dataset or group, as h5py
    /// reads it (`[s.decode() for s in ds.attrs['names']]`).
    public func writeAttribute(_ attribute: String, strings: [String], on object: String) throws {
        let width = max(strings.map(\.utf8.count).max() ?? 1, 1)
        var buffer = [CChar](repeating: 0, count: width * strings.count)
        for (i, text) in strings.enumerated() {
            for (k, byte) in text.utf8.enumerated() { buffer[i * width + k] = CChar(bitPattern: byte) }
        }
        let type = H5Tcopy(doe_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, width)
        H5Tset_cset(type, H5T_CSET_UTF8)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        try writeAttribute(attribute, type: type, count: strings.count, on: object) { attr in H5Awrite(attr, type, buffer) }
    }

    /// Attaches a 1-D float64 attribute (`low`, `high`) to a dataset or group.
    public func writeAttribute(_ attribute: String, numbers: [Double], on object: String) throws {
        try writeAttribute(attribute, type: doe_h5t_ieee_f64le(), count: numbers.count, on: object) { attr in
            H5Awrite(attr, doe_h5t_native_double(), numbers)
        }
    }

    private func writeAttribute(_ attribute: String, type: hid_t, count: Int, on object: String,
                                write: (hid_t) -> herr_t) throws {
        var dims: [hsize_t] = [hsize_t(count)]
        let space = H5Screate_simple(1, &dims, nil)
        guard space >= 0 else { throw H5Error(operation: "create dataspace for attribute '\(attribute)' of", path: path, object: object) }
        defer { H5Sclose(space) }
        let attr = H5Acreate_by_name(id, object, attribute, type, space, doe_h5p_default(), doe_h5p_default(), doe_h5p_default())
        guard attr >= 0 else { throw H5Error(operation: "create attribute '\(attribute)' of", path: path, object: object) }
        defer { H5Aclose(attr) }
        guard write(attr) >= 0 else { throw H5Error(operation: "write attribute '\(attribute)' of", path: path, object: object) }
    }

    /// Reads a 2-D numeric dataset (any float or integer type), converting to `Double`.
    public func readTable(_ name: String) throws -> H5Table {
        let dataset = H5Dopen2(id, name, doe_h5p_default())
        guard dataset >= 0 else { throw H5Error(operation: "open dataset", path: path, object: name) }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_ndims(space) == 2 else {
            throw H5Error(operation: "read dataset", path: path, object: name, hint: "it is not 2-D")
        }
        var dims: [hsize_t] = [0, 0]
        H5Sget_simple_extent_dims(space, &dims, nil)
        let rows = Int(dims[0]), columns = Int(dims[1])
        var values = [Double](repeating: 0, count: rows * columns)
        let status = values.withUnsafeMutableBufferPointer {
            H5Dread(dataset, doe_h5t_native_double(), doe_h5s_all(), doe_h5s_all(), doe_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw H5Error(operation: "read dataset", path: path, object: name) }
        return H5Table(rows: rows, columns: columns, values: values)
    }
}
