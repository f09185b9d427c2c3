/// The Cholesky factorization `A + jitter·I = L·Lᵀ` of a symmetric positive (semi)definite matrix.
///
/// Kernel matrices of Gaussian processes are often numerically singular (duplicate or very close points,
/// tiny noise). ``init(_:initialJitter:maxTries:)`` first tries the plain factorization; when LAPACK
/// reports a non-positive pivot it adds a growing multiple of the mean diagonal and tries again, and
/// records the jitter it needed in ``jitter``.
public struct Cholesky<Scalar: BLASScalar>: Sendable {
    /// The lower-triangular factor `L` (upper triangle zeroed).
    public let lower: Matrix<Scalar>
    /// The value added to the diagonal to make the factorization succeed (0 when none was needed).
    public let jitter: Scalar

    /// Factors `matrix` (only its lower triangle is read).
    ///
    /// - Parameters:
    ///   - matrix: a symmetric `n × n` matrix.
    ///   - initialJitter: first jitter, relative to the mean diagonal entry, tried after the plain attempt fails.
    ///   - maxTries: how many times the jitter is multiplied by 10 before giving up.
    /// - Throws: ``LinalgError/notPositiveDefinite(order:jitter:)`` when even the largest jitter fails,
    ///   ``LinalgError/nonFiniteInput(routine:)`` for NaN or infinite entries.
    @inlinable
    public init(_ matrix: Matrix<Scalar>, initialJitter: Scalar = 1e-10, maxTries: Int = 8) throws(LinalgError) {
        precondition(matrix.rows == matrix.columns, "Cholesky needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        guard matrix.isFinite else { throw .nonFiniteInput(routine: "potrf") }
        let n = matrix.rows
        let diagonalMean = n == 0 ? 1 : Swift.max(matrix.diagonal.reduce(0) { $0 + Swift.abs($1) } / Scalar(n), Scalar.leastNormalMagnitude)
        var jitter: Scalar = 0
        var lastOrder = 0
        for attempt in 0...maxTries {
            var a = matrix
            if attempt > 0 {
                jitter = initialJitter * diagonalMean * Scalar(pow10: attempt - 1)
                for i in 0..<n { a[i, i] += jitter }
            }
            let info = n == 0 ? 0 : a.storage.withUnsafeMutableBufferPointer { Scalar.potrf(n, $0.baseAddress!, n) }
            if info < 0 { throw .illegalArgument(routine: "potrf", argument: Int(-info)) }
            if info == 0 {
                for j in 0..<n { for i in 0..<j { a[i, j] = 0 } }
                self.lower = a
                self.jitter = jitter
                return
            }
            lastOrder = Int(info)
        }
        throw .notPositiveDefinite(order: lastOrder, jitter: Double(jitter))
    }

    /// Order of the factored matrix.
    @inlinable
    public var order: Int { lower.rows }

    /// Solves `A·X = B` (LAPACK `?potrs`).
    @inlinable
    public func solve(_ b: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(b.rows == order, "Cholesky.solve: right-hand side has \(b.rows) rows, expected \(order)")
        var x = b
        if order == 0 || b.columns == 0 { return x }
        let info = lower.storage.withUnsafeBufferPointer { pl in
            x.storage.withUnsafeMutableBufferPointer { px in
                Scalar.potrs(order, b.columns, pl.baseAddress!, order, px.baseAddress!, order)
            }
        }
        precondition(info == 0, "potrs failed with info \(info) on a valid factor")
        return x
    }

    /// Solves `A·x = b` for one vector.
    @inlinable
    public func solve(_ b: [Scalar]) -> [Scalar] {
        solve(Matrix(rows: b.count, columns: 1, columnMajor: b)).storage
    }

    /// Creates a factorization from an existing lower factor (e.g. one extended by ``appending(column:diagonal:)``).
    @inlinable
    public init(lower: Matrix<Scalar>, jitter: Scalar) {
        precondition(lower.rows == lower.columns, "Cholesky factor must be square")
        self.lower = lower
        self.jitter = jitter
    }

    /// `A⁻¹` (both triangles), from LAPACK `?potri`.
    @inlinable
    public func inverse() -> Matrix<Scalar> {
        var a = lower
        if order == 0 { return a }
        let info = a.storage.withUnsafeMutableBufferPointer { Scalar.potri(order, $0.baseAddress!, order) }
        precondition(info == 0, "potri failed with info \(info) on a valid factor")
        a.symmetrizeFromLower()
        return a
    }

    /// Solves `L·x = b` (or `Lᵀ·x = b`) for one vector (BLAS `?trsv`).
    @inlinable
    public func solveLower(_ b: [Scalar], transpose: Bool = false) -> [Scalar] {
        precondition(b.count == order, "solveLower: vector has \(b.count) entries, expected \(order)")
        var x = b
        if order == 0 { return x }
        lower.storage.withUnsafeBufferPointer { pl in
            x.withUnsafeMutableBufferPointer { Scalar.trsvLower(transpose, order, pl.baseAddress!, order, $0.baseAddress!) }
        }
        return x
    }

    /// The factor of the matrix grown by one row and column: `[[A, k], [kᵀ, κ]]`, in O(n²).
    /// - Parameters:
    ///   - column: `k`, the new off-diagonal column (n entries).
    ///   - diagonal: `κ`, the new diagonal entry.
    /// - Returns: `nil` when the grown matrix is not numerically positive definite.
    @inlinable
    public func appending(column: [Scalar], diagonal: Scalar) -> Cholesky? {
        let n = order
        let l = solveLower(column)
        let rest = diagonal + jitter - l.reduce(0) { $0 + $1 * $1 }
        guard rest > 0, rest.isFinite else { return nil }
        var grown = Matrix<Scalar>(rows: n + 1, columns: n + 1)
        for j in 0..<n {
            for i in j..<n { grown[i, j] = lower[i, j] }
            grown[n, j] = l[j]
        }
        grown[n, n] = rest.squareRoot()
        return Cholesky(lower: grown, jitter: jitter)
    }

    /// `log det A = 2·Σ log Lᵢᵢ`.
    @inlinable
    public var logDeterminant: Scalar {
        lower.diagonal.reduce(0) { $0 + 2 * Scalar(log(Double($1))) }
    }
}

extension BinaryFloatingPoint {
    /// `10^exponent` for a small integer exponent.
    @inlinable
    init(pow10 exponent: Int) {
        var v: Self = 1
        for _ in 0..<Swift.abs(exponent) { v *= 10 }
        self = exponent >= 0 ? v : 1 / v
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
