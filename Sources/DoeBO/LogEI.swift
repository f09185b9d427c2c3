import Foundation

/// Numerically careful pieces of (log) expected improvement.
///
/// `EI = σ·h(z)` with `z = (μ − best)/σ` and `h(z) = φ(z) + z·Φ(z)`. Far in the tail `h(z)` underflows long before
/// the acquisition stops carrying information, so doe works with `log h(z)` (Ament et al. 2023): directly for
/// `z > −1`, through the scaled complementary error function for `−25 ≤ z ≤ −1`, and through its asymptotic
/// series below that. `d log h/dz = Φ(z)/h(z)` is computed the same way.
///
/// References:
/// [1]: S. Ament, S. Daulton, D. Eriksson, M. Balandat, E. Bakshy, Unexpected improvements to expected improvement
///      for Bayesian optimization, NeurIPS 2023.
public enum ExpectedImprovementMath {
    static let logSqrt2Pi = 0.5 * log(2 * Double.pi)
    static let halfLogHalfPi = 0.5 * log(Double.pi / 2)

    /// `exp(x²)·erfc(x)` for `x ≥ 0`.
    public static func erfcx(_ x: Double) -> Double {
        if x < 25 { return exp(x * x) * erfc(x) }
        let inv2 = 1 / (x * x)
        // asymptotic series 1/(x√π)·(1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶) + 105/(16x⁸))
        return (1 - inv2 / 2 + 3 * inv2 * inv2 / 4 - 15 * inv2 * inv2 * inv2 / 8 + 105 * inv2 * inv2 * inv2 * inv2 / 16)
            / (x * Double.pi.squareRoot())
    }

    /// `log(1 − eᵃ)` for `a < 0`, accurate at both ends.
    public static func log1mexp(_ a: Double) -> Double {
        a > -log(2.0) ? log(-expm1(a)) : log1p(-exp(a))
    }

    /// Standard normal CDF.
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Standard normal density.
    public static func normalPDF(_ z: Double) -> Double { exp(-0.5 * z * z - logSqrt2Pi) }

    /// `log h(z)` and `d log h/dz = Φ(z)/h(z)`.
    public static func logH(_ z: Double) -> (value: Double, derivative: Double) {
        if z > -1 {
            let cdf = normalCDF(z)
            let h = normalPDF(z) + z * cdf
            return (log(h), cdf / h)
        }
        if z >= -25 {
            let x = -z / 2.0.squareRoot()
            let e = erfcx(x)
            let a = log(-z * e) + halfLogHalfPi          // log(|z|·√(π/2)·erfcx)
            let value = -0.5 * z * z - logSqrt2Pi + log1mexp(a)
            let derivative = (Double.pi / 2).squareRoot() * e / (-expm1(a))
            return (value, derivative)
        }
        let inv2 = 1 / (z * z)
        // h(z) = φ(z)·(1/z² − 3/z⁴ + 15/z⁶ − 105/z⁸ + …), Φ(z) = φ(z)/|z|·(1 − 1/z² + 3/z⁴ − 15/z⁶ + …)
        let hSeries = inv2 * (1 - 3 * inv2 + 15 * inv2 * inv2 - 105 * inv2 * inv2 * inv2)
        let cdfSeries = (1 - inv2 + 3 * inv2 * inv2 - 15 * inv2 * inv2 * inv2) / (-z)
        return (-0.5 * z * z - logSqrt2Pi + log(hSeries), cdfSeries / hSeries)
    }
}
