import Foundation

/// Variance-based (Sobol) sensitivity indices of a function on the unit cube, estimated from quasi-random samples.
///
/// Two matrices `A` and `B` of `N` points come from one scrambled Sobol sequence of dimension `2p` (the first `p`
/// coordinates for `A`, the last `p` for `B`); `AB_i` is `A` with column `i` taken from `B`. With `V` the variance of
/// all `f(A)` and `f(B)` values:
/// - first order `S_i = mean(f(B) · (f(AB_i) − f(A))) / V` (Saltelli et al. 2010, table 2 (b)),
/// - total `ST_i = mean((f(A) − f(AB_i))²) / (2V)` (Jansen 1999).
/// That is `N · (p + 2)` function evaluations, asked for in one batch.
public enum SobolSensitivity {
    /// Indices per input coordinate.
    public struct Indices: Sendable {
        /// First-order indices (share of variance explained by the input alone).
        public let firstOrder: [Double]
        /// Total-effect indices (share including all interactions).
        public let total: [Double]
        /// Variance of the function over the cube.
        public let variance: Double
        /// Base sample size `N`.
        public let samples: Int
    }

    /// Estimates the indices of `f` on `[0, 1]^dimension`.
    /// - Parameters:
    ///   - samples: base sample size `N` (rounded up to a power of two, the Sobol sequence's balanced sizes).
    ///   - evaluate: the function on a batch of points (each `dimension` long); returns one value per point.
    /// - Returns: `nil` when the function is constant (no variance to share) or returns non-finite values.
    public static func estimate(dimension p: Int, samples: Int = 4096, seed: UInt64 = 0,
                                evaluate: ([[Double]]) throws -> [Double]) rethrows -> Indices? {
        try estimate(dimension: p, samples: samples, seed: seed, outputs: 1) { [try evaluate($0)] }[0]
    }

    /// The indices of several outputs of one function from one batch of evaluations (a surrogate predicts all its
    /// outputs at once).
    /// - Parameter evaluate: returns `outputs` arrays, each with one value per point of the batch.
    /// - Returns: per output, the indices or `nil` (constant, non-finite, or the wrong number of values).
    public static func estimate(dimension p: Int, samples: Int = 4096, seed: UInt64 = 0, outputs: Int,
                                evaluate: ([[Double]]) throws -> [[Double]]) rethrows -> [Indices?] {
        guard p >= 1, 2 * p <= SobolSequence.maxDimension else { return Array(repeating: nil, count: outputs) }
        var n = 1
        while n < max(samples, 2) { n *= 2 }
        let sequence = SobolSequence(dimension: 2 * p, scrambleSeed: seed)
        let points = sequence.points(count: n)
        let a = points.map { Array($0[0..<p]) }, b = points.map { Array($0[p..<(2 * p)]) }
        var batch = a + b
        for i in 0..<p {
            for j in 0..<n {
                var row = a[j]
                row[i] = b[j][i]
                batch.append(row)
            }
        }
        let values = try evaluate(batch)
        return (0..<outputs).map { k in
            guard k < values.count, values[k].count == batch.count else { return nil }
            return indices(values[k], dimension: p, samples: n)
        }
    }

    /// The estimators on the values at `A`, `B`, `AB_1`, …, `AB_p` (in that order, `n` each).
    static func indices(_ values: [Double], dimension p: Int, samples n: Int) -> Indices? {
        guard values.allSatisfy(\.isFinite) else { return nil }
        let fA = Array(values[0..<n]), fB = Array(values[n..<(2 * n)])
        let all = fA + fB
        let mean = all.reduce(0, +) / Double(all.count)
        let variance = all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)
        guard variance > 0, variance > 1e-24 * mean * mean else { return nil }   // constant up to rounding
        var first: [Double] = [], total: [Double] = []
        for i in 0..<p {
            let offset = (2 + i) * n
            var s = 0.0, t = 0.0
            for j in 0..<n {
                let fABi = values[offset + j]
                s += fB[j] * (fABi - fA[j])
                t += (fA[j] - fABi) * (fA[j] - fABi)
            }
            first.append(s / Double(n) / variance)
            total.append(t / Double(2 * n) / variance)
        }
        return Indices(firstOrder: first, total: total, variance: variance, samples: n)
    }
}
