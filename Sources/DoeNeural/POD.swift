import DoeLinalg
import DoeModelFormat

/// A proper orthogonal decomposition (reduced basis) of field outputs: `field ≈ mean + coefficients·basisᵀ`.
///
/// Built from the SVD of the centred training fields; ``modes`` keeps the smallest number of modes whose squared
/// singular values reach the requested energy fraction, so the squared reconstruction error of the training fields
/// equals the discarded energy.
public struct POD: Sendable, Equatable {
    /// Mean field (`p` values).
    public let mean: [Float]
    /// `p × k` orthonormal basis, column-major.
    public let basis: Matrix<Float>
    /// Fraction of the centred energy the kept modes carry.
    public let energy: Double
    /// Sum of squared singular values left out (the training reconstruction error, squared Frobenius norm).
    public let discardedEnergy: Double

    /// Number of kept modes `k` (columns of ``basis``).
    public var modes: Int { basis.columns }

    /// A decomposition from its parts: `mean` has `p` values, `basis` is `p × k` column-major.
    public init(mean: [Float], basis: Matrix<Float>, energy: Double, discardedEnergy: Double) {
        self.mean = mean
        self.basis = basis
        self.energy = energy
        self.discardedEnergy = discardedEnergy
    }

    /// Fits to `fields` (`n × p`) keeping `energyFraction` of the energy (at least one mode).
    public init(fitting fields: Matrix<Float>, energyFraction: Double) throws {
        let n = fields.rows, p = fields.columns
        var mean = [Float](repeating: 0, count: p)
        for j in 0..<p {
            var s: Float = 0
            for i in 0..<n { s += fields[i, j] }
            mean[j] = s / Float(max(n, 1))
        }
        var centred = fields
        centred.addOuterProduct([Float](repeating: 1, count: n), mean, alpha: -1)
        let svd = try SingularValueDecomposition(centred)
        let energies = svd.singularValues.map { Double($0) * Double($0) }
        let total = energies.reduce(0, +)
        var kept = 0, cumulative = 0.0
        while kept < energies.count && (kept == 0 || (total > 0 && cumulative / total < energyFraction)) {
            cumulative += energies[kept]
            kept += 1
        }
        // basis = first k rows of Vᵀ, transposed: p × k
        var basis = Matrix<Float>(rows: p, columns: kept)
        for m in 0..<kept { for j in 0..<p { basis[j, m] = svd.vt[m, j] } }
        self.init(mean: mean, basis: basis, energy: total > 0 ? cumulative / total : 1, discardedEnergy: max(total - cumulative, 0))
    }

    /// Coefficients of `fields` (`n × p` → `n × k`).
    public func project(_ fields: Matrix<Float>) -> Matrix<Float> {
        var centred = fields
        centred.addOuterProduct([Float](repeating: 1, count: fields.rows), mean, alpha: -1)
        return Matrix.gemm(centred, basis)
    }

    /// Fields from coefficients (`n × k` → `n × p`).
    public func reconstruct(_ coefficients: Matrix<Float>) -> Matrix<Float> {
        var fields = Matrix.gemm(coefficients, basis, transposeB: true)
        fields.addOuterProduct([Float](repeating: 1, count: coefficients.rows), mean)
        return fields
    }
}
