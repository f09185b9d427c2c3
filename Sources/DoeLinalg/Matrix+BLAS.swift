/// BLAS level-2/3 operations on ``Matrix``.
extension Matrix {
    /// General matrix product `alpha·op(A)·op(B) + beta·C` (BLAS `?gemm`).
    ///
    /// - Parameters:
    ///   - a: left factor; used transposed when `transposeA` is true.
    ///   - b: right factor; used transposed when `transposeB` is true.
    ///   - alpha: scale of the product.
    ///   - beta: scale of `c` (ignored when `c` is nil).
    ///   - c: optional accumulator of the result's shape.
    /// - Returns: the `op(A).rows × op(B).columns` result.
    /// - Complexity: O(m·n·k), in BLAS.
    @inlinable
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Scalar = 1, beta: Scalar = 0, adding c: Matrix? = nil) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "gemm: inner dimensions differ (\(k) vs \(kb))")
        if k == 0 || m == 0 || n == 0, c == nil { return Matrix(rows: m, columns: n) }
        var result = c ?? Matrix(uninitializedRows: m, columns: n)   // beta = 0: BLAS writes every entry
        precondition(result.rows == m && result.columns == n, "gemm: accumulator must be \(m)×\(n)")
        if m == 0 || n == 0 { return result }
        if k == 0 {
            let scale = c == nil ? 0 : beta
            for idx in result.storage.indices { result.storage[idx] *= scale }
            return result
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                result.storage.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transposeA, transposeB, m, n, k, alpha, pa.baseAddress!, Swift.max(1, a.rows),
                                pb.baseAddress!, Swift.max(1, b.rows), c == nil ? 0 : beta, pc.baseAddress!, Swift.max(1, m))
                }
            }
        }
        return result
    }

    /// `self · other`.
    @inlinable
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { gemm(lhs, rhs) }

    /// Matrix–vector product `alpha·op(A)·x + beta·y` (BLAS `?gemv`).
    @inlinable
    public func gemv(_ x: [Scalar], transpose: Bool = false, alpha: Scalar = 1, beta: Scalar = 0, adding y: [Scalar]? = nil) -> [Scalar] {
        let inner = transpose ? rows : columns
        let outer = transpose ? columns : rows
        precondition(x.count == inner, "gemv: vector has \(x.count) entries, expected \(inner)")
        var result = y ?? Array(repeating: 0, count: outer)
        precondition(result.count == outer, "gemv: accumulator has \(result.count) entries, expected \(outer)")
        if outer == 0 { return result }
        if inner == 0 { return y == nil ? result : result.map { $0 * beta } }
        storage.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                result.withUnsafeMutableBufferPointer { py in
                    Scalar.gemv(transpose, rows, columns, alpha, pa.baseAddress!, Swift.max(1, rows), px.baseAddress!,
                                y == nil ? 0 : beta, py.baseAddress!)
                }
            }
        }
        return result
    }

    /// Symmetric rank-k product: `alpha·A·Aᵀ` (or `alpha·Aᵀ·A` with `transpose`), both triangles filled (BLAS `?syrk`).
    @inlinable
    public func gram(transpose: Bool = false, alpha: Scalar = 1) -> Matrix {
        let n = transpose ? columns : rows
        let k = transpose ? rows : columns
        var result = Matrix(rows: n, columns: n)
        if n == 0 || k == 0 { return result }
        storage.withUnsafeBufferPointer { pa in
            result.storage.withUnsafeMutableBufferPointer { pc in
                Scalar.syrk(transpose, n, k, alpha, pa.baseAddress!, Swift.max(1, rows), 0, pc.baseAddress!, n)
            }
        }
        result.symmetrizeFromLower()
        return result
    }

    /// Rank-1 update `self ← self + alpha·x·yᵀ` (BLAS `?ger`); with `x` all ones it adds `yᵀ` to every row.
    @inlinable
    public mutating func addOuterProduct(_ x: [Scalar], _ y: [Scalar], alpha: Scalar = 1) {
        precondition(x.count == rows && y.count == columns, "ger: vectors \(x.count), \(y.count) for a \(rows)×\(columns) matrix")
        if rows == 0 || columns == 0 { return }
        let m = rows, n = columns
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                storage.withUnsafeMutableBufferPointer { pa in
                    Scalar.ger(m, n, alpha, px.baseAddress!, py.baseAddress!, pa.baseAddress!, m)
                }
            }
        }
    }

    /// Copies the lower triangle onto the upper one.
    @inlinable
    public mutating func symmetrizeFromLower() {
        precondition(rows == columns, "symmetrize needs a square matrix")
        for j in 0..<columns { for i in (j + 1)..<Swift.max(j + 1, rows) { self[j, i] = self[i, j] } }
    }

    /// Solves `op(L)·X = B` where `self` holds a lower-triangular `L` (BLAS `?trsm`).
    /// - Parameters:
    ///   - b: right-hand sides, `rows × nrhs`.
    ///   - transpose: solve with `Lᵀ` instead of `L`.
    @inlinable
    public func solveLowerTriangular(_ b: Matrix, transpose: Bool = false) -> Matrix {
        precondition(rows == columns, "triangular solve needs a square matrix")
        precondition(b.rows == rows, "triangular solve: right-hand side has \(b.rows) rows, expected \(rows)")
        var x = b
        if rows == 0 || b.columns == 0 { return x }
        storage.withUnsafeBufferPointer { pl in
            x.storage.withUnsafeMutableBufferPointer { px in
                Scalar.trsmLowerLeft(transpose, rows, b.columns, 1, pl.baseAddress!, rows, px.baseAddress!, rows)
            }
        }
        return x
    }
}
