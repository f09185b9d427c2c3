import Foundation

/// The standard normal distribution, for acquisition functions, calibration and intervals.
public enum NormalDistribution {
    /// Φ(z), the cumulative distribution function, accurate in both tails (through `erfc`).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// φ(z), the density.
    public static func pdf(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

    /// Φ⁻¹(p) for p in (0, 1), by bisection on ``cdf(_:)`` to 1e-13; ±∞ at 0 and 1.
    public static func quantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
        var lo = -40.0, hi = 40.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-13 { break }
        }
        return (lo + hi) / 2
    }
}
