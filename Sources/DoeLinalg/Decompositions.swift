/// Eigen-decomposition `A = V·diag(values)·Vᵀ` of a symmetric matrix (LAPACK `?syevd`).
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Scalar]
    /// Orthonormal eigenvectors, one per column, in the order of ``values``.
    public let vectors: Matrix<Scalar>

    /// Decomposes `matrix` (only its lower triangle is read).
    /// - Throws: ``LinalgError/noConvergence(routine:info:)`` or ``LinalgError/nonFiniteInput(routine:)``.
    public init(_ matrix: Matrix<Scalar>) throws(LinalgError) {
        precondition(matrix.rows == matrix.columns, "eigen-decomposition needs a square matrix")
        guard matrix.isFinite else { throw .nonFiniteInput(routine: "syevd") }
        let n = matrix.rows
        var a = matrix
        var w = [Scalar](repeating: 0, count: n)
        if n > 0 {
            let info = a.storage.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { Scalar.syevd(n, pa.baseAddress!, n, $0.baseAddress!) }
            }
            if let error = LinalgError.check(info, routine: "syevd") { throw error }
        }
        values = w
        vectors = a
    }
}

/// Thin singular value decomposition `A = U·diag(singularValues)·Vᵀ` (LAPACK `?gesdd`).
public struct SingularValueDecomposition<Scalar: BLASScalar>: Sendable {
    /// `m × k` left singular vectors, `k = min(m, n)`.
    public let u: Matrix<Scalar>
    /// `k` singular values in descending order.
    public let singularValues: [Scalar]
    /// `k × n` transposed right singular vectors.
    public let vt: Matrix<Scalar>

    /// Decomposes `matrix`.
    /// - Throws: ``LinalgError/noConvergence(routine:info:)`` or ``LinalgError/nonFiniteInput(routine:)``.
    public init(_ matrix: Matrix<Scalar>) throws(LinalgError) {
        guard matrix.isFinite else { throw .nonFiniteInput(routine: "gesdd") }
        let m = matrix.rows, n = matrix.columns, k = min(m, n)
        var a = matrix
        var s = [Scalar](repeating: 0, count: k)
        var u = Matrix<Scalar>(rows: m, columns: k)
        var vt = Matrix<Scalar>(rows: k, columns: n)
        if k > 0 {
            let info = a.storage.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { ps in
                    u.storage.withUnsafeMutableBufferPointer { pu in
                        vt.storage.withUnsafeMutableBufferPointer { pv in
                            Scalar.gesdd(m, n, pa.baseAddress!, m, ps.baseAddress!, pu.baseAddress!, m, pv.baseAddress!, k)
                        }
                    }
                }
            }
            if let error = LinalgError.check(info, routine: "gesdd") { throw error }
        }
        self.u = u
        self.singularValues = s
        self.vt = vt
    }
}
