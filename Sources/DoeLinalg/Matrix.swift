/// A dense matrix of `Float` or `Double` stored column-major, the layout BLAS and LAPACK use natively.
///
/// `Matrix` is a value type over one flat array: element `(i, j)` lives at `storage[i + j * rows]`.
/// Shapes are checked with `precondition` (a mismatch is a programming error); numerical failures
/// throw ``LinalgError``.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The entries, column-major: `storage[i + j * rows]` is row `i`, column `j`.
    public var storage: [Scalar]

    /// A `rows × columns` matrix with every entry equal to `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix whose entries are left uninitialized, for results a BLAS call overwrites entirely
    /// (skips the zero fill, measurable on the small matrices of network training).
    @inlinable
    public init(uninitializedRows rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = Array(unsafeUninitializedCapacity: rows * columns) { _, count in count = rows * columns }
    }

    /// A matrix over existing column-major storage.
    @inlinable
    public init(rows: Int, columns: Int, columnMajor storage: [Scalar]) {
        precondition(storage.count == rows * columns,
                     "Matrix \(rows)×\(columns) needs \(rows * columns) entries, got \(storage.count)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from a list of rows (convenient for small literals in tests and examples).
    public init(_ rowList: [[Scalar]]) {
        let r = rowList.count
        let c = rowList.first?.count ?? 0
        precondition(rowList.allSatisfy { $0.count == c }, "All rows must have \(c) entries")
        var m = Matrix(rows: r, columns: c)
        for i in 0..<r { for j in 0..<c { m[i, j] = rowList[i][j] } }
        self = m
    }

    /// The `n × n` identity.
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// Entry at row `i`, column `j`.
    @inlinable public subscript(i: Int, j: Int) -> Scalar {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    /// Column `j` as an array.
    @inlinable
    public func column(_ j: Int) -> [Scalar] { Array(storage[(j * rows)..<((j + 1) * rows)]) }

    /// Row `i` as an array.
    @inlinable
    public func row(_ i: Int) -> [Scalar] { (0..<columns).map { self[i, $0] } }

    /// The main diagonal.
    @inlinable
    public var diagonal: [Scalar] { (0..<min(rows, columns)).map { self[$0, $0] } }

    /// The transpose.
    @inlinable
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns { for i in 0..<rows { t[j, i] = self[i, j] } }
        return t
    }

    /// `true` when every entry is finite.
    @inlinable
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }

    /// Largest absolute entry-wise difference to `other` (same shape).
    @inlinable
    public func maxAbsDifference(_ other: Matrix) -> Scalar {
        precondition(rows == other.rows && columns == other.columns,
                     "shape mismatch \(rows)×\(columns) vs \(other.rows)×\(other.columns)")
        return zip(storage, other.storage).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }
}

extension Matrix: CustomStringConvertible {
    /// The entries row by row: one line per row, columns separated by a space.
    public var description: String {
        (0..<rows).map { i in (0..<columns).map { "\(self[i, $0])" }.joined(separator: " ") }.joined(separator: "\n")
    }
}
