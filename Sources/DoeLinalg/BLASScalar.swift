import CBLAS
import CLAPACKE

/// A floating-point type that BLAS and LAPACK implement: `Float` (s-routines) or `Double` (d-routines).
///
/// Every routine is column-major. The static members are thin, unchecked forwards to CBLAS/LAPACKE;
/// `Matrix` checks shapes before calling them.
public protocol BLASScalar: BinaryFloatingPoint, Sendable where Self: LosslessStringConvertible {
    /// `C ← alpha·op(A)·op(B) + beta·C` (`?gemm`).
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// `y ← alpha·op(A)·x + beta·y` (`?gemv`).
    static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
                     _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>)
    /// Lower triangle of `C ← alpha·op(A)·op(A)ᵀ + beta·C` (`?syrk`; `trans == false` means `A·Aᵀ`).
    static func syrk(_ trans: Bool, _ n: Int, _ k: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// Solves `op(L)·X = alpha·B` in place for lower-triangular `L` (`?trsm`, left side).
    static func trsmLowerLeft(_ transL: Bool, _ m: Int, _ n: Int, _ alpha: Self, _ l: UnsafePointer<Self>, _ ldl: Int,
                              _ b: UnsafeMutablePointer<Self>, _ ldb: Int)
    /// Cholesky factor, lower triangle (`?potrf`); returns LAPACK's `info`.
    static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ lda: Int) -> Int32
    /// Solves `A·X = B` from a lower Cholesky factor (`?potrs`); returns `info`.
    static func potrs(_ n: Int, _ nrhs: Int, _ l: UnsafePointer<Self>, _ ldl: Int,
                      _ b: UnsafeMutablePointer<Self>, _ ldb: Int) -> Int32
    /// Inverse from a lower Cholesky factor, lower triangle (`?potri`); returns `info`.
    static func potri(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ lda: Int) -> Int32
    /// Solves `op(L)·x = b` in place for one vector (`?trsv`, lower, non-unit).
    static func trsvLower(_ transL: Bool, _ n: Int, _ l: UnsafePointer<Self>, _ ldl: Int, _ x: UnsafeMutablePointer<Self>)
    /// `A ← alpha·x·yᵀ + A` (`?ger`).
    static func ger(_ m: Int, _ n: Int, _ alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>,
                    _ a: UnsafeMutablePointer<Self>, _ lda: Int)
    /// Symmetric eigen-decomposition (`?syevd`, lower triangle, vectors); returns `info`.
    static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ lda: Int, _ w: UnsafeMutablePointer<Self>) -> Int32
    /// Thin singular value decomposition (`?gesdd`, job `S`); returns `info`.
    static func gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Self>, _ lda: Int, _ s: UnsafeMutablePointer<Self>,
                      _ u: UnsafeMutablePointer<Self>, _ ldu: Int, _ vt: UnsafeMutablePointer<Self>, _ ldvt: Int) -> Int32
}

@inline(__always) private func transposeFlag(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }
@inline(__always) private func ascii(_ c: Unicode.Scalar) -> CChar { CChar(bitPattern: UInt8(ascii: c)) }

extension Double: BLASScalar {
    /// Forwards to `cblas_dgemm`, column-major.
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
                            _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                            _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        cblas_dgemm(CblasColMajor, transposeFlag(transA), transposeFlag(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    /// Forwards to `cblas_dgemv`, column-major.
    public static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
                            _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasColMajor, transposeFlag(transA), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
    /// Forwards to `cblas_dsyrk`, column-major, lower triangle.
    public static func syrk(_ trans: Bool, _ n: Int, _ k: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
                            _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        cblas_dsyrk(CblasColMajor, CblasLower, transposeFlag(trans), Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    /// Forwards to `cblas_dtrsm`, column-major, left side, lower, non-unit.
    public static func trsmLowerLeft(_ transL: Bool, _ m: Int, _ n: Int, _ alpha: Double, _ l: UnsafePointer<Double>, _ ldl: Int,
                                     _ b: UnsafeMutablePointer<Double>, _ ldb: Int) {
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, transposeFlag(transL), CblasNonUnit, Int32(m), Int32(n), alpha,
                    l, Int32(ldl), b, Int32(ldb))
    }
    /// Forwards to `LAPACKE_dpotrf`, column-major, lower triangle.
    public static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ lda: Int) -> Int32 {
        LAPACKE_dpotrf(LAPACK_COL_MAJOR, ascii("L"), Int32(n), a, Int32(lda))
    }
    /// Forwards to `LAPACKE_dpotrs`, column-major, lower factor.
    public static func potrs(_ n: Int, _ nrhs: Int, _ l: UnsafePointer<Double>, _ ldl: Int,
                             _ b: UnsafeMutablePointer<Double>, _ ldb: Int) -> Int32 {
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, ascii("L"), Int32(n), Int32(nrhs), l, Int32(ldl), b, Int32(ldb))
    }
    /// Forwards to `LAPACKE_dpotri`, column-major, lower triangle.
    public static func potri(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ lda: Int) -> Int32 {
        LAPACKE_dpotri(LAPACK_COL_MAJOR, ascii("L"), Int32(n), a, Int32(lda))
    }
    /// Forwards to `cblas_dtrsv`, column-major, lower, non-unit, unit stride.
    public static func trsvLower(_ transL: Bool, _ n: Int, _ l: UnsafePointer<Double>, _ ldl: Int, _ x: UnsafeMutablePointer<Double>) {
        cblas_dtrsv(CblasColMajor, CblasLower, transposeFlag(transL), CblasNonUnit, Int32(n), l, Int32(ldl), x, 1)
    }
    /// Forwards to `cblas_dger`, column-major.
    public static func ger(_ m: Int, _ n: Int, _ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                           _ a: UnsafeMutablePointer<Double>, _ lda: Int) {
        cblas_dger(CblasColMajor, Int32(m), Int32(n), alpha, x, 1, y, 1, a, Int32(lda))
    }
    /// Forwards to `LAPACKE_dsyevd`, column-major, eigenvectors, lower triangle.
    public static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ lda: Int, _ w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(LAPACK_COL_MAJOR, ascii("V"), ascii("L"), Int32(n), a, Int32(lda), w)
    }
    /// Forwards to `LAPACKE_dgesdd`, column-major, job `S`.
    public static func gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, _ lda: Int, _ s: UnsafeMutablePointer<Double>,
                             _ u: UnsafeMutablePointer<Double>, _ ldu: Int, _ vt: UnsafeMutablePointer<Double>, _ ldvt: Int) -> Int32 {
        LAPACKE_dgesdd(LAPACK_COL_MAJOR, ascii("S"), Int32(m), Int32(n), a, Int32(lda), s, u, Int32(ldu), vt, Int32(ldvt))
    }
}

extension Float: BLASScalar {
    /// Forwards to `cblas_sgemm`, column-major.
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasColMajor, transposeFlag(transA), transposeFlag(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    /// Forwards to `cblas_sgemv`, column-major.
    public static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                            _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasColMajor, transposeFlag(transA), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
    /// Forwards to `cblas_ssyrk`, column-major, lower triangle.
    public static func syrk(_ trans: Bool, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_ssyrk(CblasColMajor, CblasLower, transposeFlag(trans), Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    /// Forwards to `cblas_strsm`, column-major, left side, lower, non-unit.
    public static func trsmLowerLeft(_ transL: Bool, _ m: Int, _ n: Int, _ alpha: Float, _ l: UnsafePointer<Float>, _ ldl: Int,
                                     _ b: UnsafeMutablePointer<Float>, _ ldb: Int) {
        cblas_strsm(CblasColMajor, CblasLeft, CblasLower, transposeFlag(transL), CblasNonUnit, Int32(m), Int32(n), alpha,
                    l, Int32(ldl), b, Int32(ldb))
    }
    /// Forwards to `LAPACKE_spotrf`, column-major, lower triangle.
    public static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Float>, _ lda: Int) -> Int32 {
        LAPACKE_spotrf(LAPACK_COL_MAJOR, ascii("L"), Int32(n), a, Int32(lda))
    }
    /// Forwards to `LAPACKE_spotrs`, column-major, lower factor.
    public static func potrs(_ n: Int, _ nrhs: Int, _ l: UnsafePointer<Float>, _ ldl: Int,
                             _ b: UnsafeMutablePointer<Float>, _ ldb: Int) -> Int32 {
        LAPACKE_spotrs(LAPACK_COL_MAJOR, ascii("L"), Int32(n), Int32(nrhs), l, Int32(ldl), b, Int32(ldb))
    }
    /// Forwards to `LAPACKE_spotri`, column-major, lower triangle.
    public static func potri(_ n: Int, _ a: UnsafeMutablePointer<Float>, _ lda: Int) -> Int32 {
        LAPACKE_spotri(LAPACK_COL_MAJOR, ascii("L"), Int32(n), a, Int32(lda))
    }
    /// Forwards to `cblas_strsv`, column-major, lower, non-unit, unit stride.
    public static func trsvLower(_ transL: Bool, _ n: Int, _ l: UnsafePointer<Float>, _ ldl: Int, _ x: UnsafeMutablePointer<Float>) {
        cblas_strsv(CblasColMajor, CblasLower, transposeFlag(transL), CblasNonUnit, Int32(n), l, Int32(ldl), x, 1)
    }
    /// Forwards to `cblas_sger`, column-major.
    public static func ger(_ m: Int, _ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                           _ a: UnsafeMutablePointer<Float>, _ lda: Int) {
        cblas_sger(CblasColMajor, Int32(m), Int32(n), alpha, x, 1, y, 1, a, Int32(lda))
    }
    /// Forwards to `LAPACKE_ssyevd`, column-major, eigenvectors, lower triangle.
    public static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Float>, _ lda: Int, _ w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(LAPACK_COL_MAJOR, ascii("V"), ascii("L"), Int32(n), a, Int32(lda), w)
    }
    /// Forwards to `LAPACKE_sgesdd`, column-major, job `S`.
    public static func gesdd(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Float>, _ lda: Int, _ s: UnsafeMutablePointer<Float>,
                             _ u: UnsafeMutablePointer<Float>, _ ldu: Int, _ vt: UnsafeMutablePointer<Float>, _ ldvt: Int) -> Int32 {
        LAPACKE_sgesdd(LAPACK_COL_MAJOR, ascii("S"), Int32(m), Int32(n), a, Int32(lda), s, u, Int32(ldu), vt, Int32(ldvt))
    }
}
