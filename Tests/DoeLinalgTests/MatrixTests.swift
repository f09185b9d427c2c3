import DoeLinalg
import Foundation
import Testing

private func close<T: BinaryFloatingPoint>(_ a: T, _ b: T, tolerance: T) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

@Suite struct MatrixTests {
    @Test func layoutIsColumnMajor() {
        let m = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(m.storage == [1, 4, 2, 5, 3, 6])
        #expect(m.row(1) == [4, 5, 6])
        #expect(m.column(2) == [3, 6])
        #expect(m.transposed == Matrix([[1, 4], [2, 5], [3, 6]]))
    }

    @Test func gemmMatchesHandComputedProducts() {
        let a = Matrix<Double>([[1, 2], [3, 4], [5, 6]])        // 3×2
        let b = Matrix<Double>([[7, 8, 9], [10, 11, 12]])       // 2×3
        #expect(a * b == Matrix([[27, 30, 33], [61, 68, 75], [95, 106, 117]]))
        #expect(Matrix.gemm(a, a, transposeA: true) == Matrix([[35, 44], [44, 56]]))
        #expect(Matrix.gemm(b, b, transposeB: true) == Matrix([[194, 266], [266, 365]]))
        let c = Matrix<Double>([[1, 1], [1, 1]])
        #expect(Matrix.gemm(a, a, transposeA: true, alpha: 2, beta: -1, adding: c) == Matrix([[69, 87], [87, 111]]))
    }

    @Test func gemmInFloat() {
        let a = Matrix<Float>([[1, 2], [3, 4]])
        #expect(a * a == Matrix<Float>([[7, 10], [15, 22]]))
    }

    @Test func gemvBothWays() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        #expect(a.gemv([1, 0, -1]) == [-2, -2])
        #expect(a.gemv([1, 1], transpose: true) == [5, 7, 9])
        #expect(a.gemv([1, 1, 1], alpha: 2, beta: 1, adding: [1, 1]) == [13, 31])
    }

    @Test func gramEqualsExplicitProduct() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6], [-1, 0, 2]])
        #expect(a.gram() == a * a.transposed)
        #expect(a.gram(transpose: true) == a.transposed * a)
    }

    @Test func choleskySolvesKnownSystem() throws {
        // A = L Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,1]]
        let l = Matrix<Double>([[2, 0, 0], [1, 3, 0], [-1, 2, 1]])
        let a = l * l.transposed
        let chol = try Cholesky(a)
        #expect(chol.jitter == 0)
        #expect(chol.lower.maxAbsDifference(l) < 1e-12)
        let x = chol.solve([1, 2, 3])
        let back = a.gemv(x)
        for (u, v) in zip(back, [1.0, 2, 3]) { #expect(close(u, v, tolerance: 1e-12)) }
        // log det A = 2 (log 2 + log 3 + log 1)
        #expect(close(chol.logDeterminant, 2 * (log(2.0) + log(3.0)), tolerance: 1e-12))
    }

    @Test func choleskyAddsJitterForDuplicatePoints() throws {
        // A Gram matrix of duplicate points is singular: rank 1.
        let a = Matrix<Double>([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
        let chol = try Cholesky(a)
        #expect(chol.jitter > 0)
        #expect(chol.jitter < 1e-3)
        let reconstructed = chol.lower * chol.lower.transposed
        #expect(reconstructed.maxAbsDifference(a) <= chol.jitter * 1.0001)
    }

    @Test func choleskyRejectsIndefiniteAndNonFinite() {
        let indefinite = Matrix<Double>([[1, 0], [0, -5]])
        #expect(throws: LinalgError.self) { try Cholesky(indefinite) }
        do {
            _ = try Cholesky(indefinite)
        } catch {
            guard case let .notPositiveDefinite(order, jitter) = error else { Issue.record("wrong error \(error)"); return }
            #expect(order == 2)
            #expect(jitter > 0)
        }
        #expect(throws: LinalgError.nonFiniteInput(routine: "potrf")) { try Cholesky(Matrix<Double>([[1, .nan], [.nan, 1]])) }
    }

    @Test func choleskyHandlesExtremeScales() throws {
        for scale in [1e-9, 1e9] {
            let l = Matrix<Double>([[2, 0], [1, 3]])
            var a = l * l.transposed
            for i in a.storage.indices { a.storage[i] *= scale }
            let chol = try Cholesky(a)
            let x = chol.solve([scale, 2 * scale])
            let back = a.gemv(x)
            #expect(close(back[0], scale, tolerance: 1e-9) && close(back[1], 2 * scale, tolerance: 1e-9))
        }
    }

    @Test func triangularSolveBothWays() {
        let l = Matrix<Double>([[2, 0], [1, 4]])
        let b = Matrix<Double>([[2], [9]])
        #expect(l.solveLowerTriangular(b) == Matrix([[1], [2]]))      // L x = b
        #expect(l.solveLowerTriangular(b, transpose: true) == Matrix([[-0.125], [2.25]])) // Lᵀ x = b
    }

    @Test func symmetricEigenOfKnownMatrix() throws {
        let eigen = try SymmetricEigen(Matrix<Double>([[2, 1], [1, 2]]))
        #expect(close(eigen.values[0], 1, tolerance: 1e-14) && close(eigen.values[1], 3, tolerance: 1e-14))
        let v = eigen.vectors.column(1)
        #expect(close(abs(v[0]), 1 / 2.0.squareRoot(), tolerance: 1e-12))
        #expect(close(v[0], v[1], tolerance: 1e-12))
    }

    @Test func svdReconstructsAndMatchesKnownValues() throws {
        let a = Matrix<Double>([[3, 0], [4, 5]])  // singular values √45 and √5
        let svd = try SingularValueDecomposition(a)
        #expect(close(svd.singularValues[0], 45.0.squareRoot(), tolerance: 1e-12))
        #expect(close(svd.singularValues[1], 5.0.squareRoot(), tolerance: 1e-12))
        var us = svd.u
        for j in 0..<2 { for i in 0..<2 { us[i, j] *= svd.singularValues[j] } }
        #expect((us * svd.vt).maxAbsDifference(a) < 1e-12)
        // tall matrix: thin factors
        let tall = Matrix<Float>([[1, 2], [3, 4], [5, 6]])
        let thin = try SingularValueDecomposition(tall)
        #expect(thin.u.rows == 3 && thin.u.columns == 2 && thin.vt.rows == 2)
        #expect(throws: LinalgError.self) { try SingularValueDecomposition(Matrix<Double>([[.infinity]])) }
    }
}
