import DoeBase
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
        if x < 26 { return exp(x * x) * erfc(x) }
        // asymptotic series 1/(x√π)·Σ (−1)ᵏ (2k−1)!!/(2x²)ᵏ
        let t = 1 / (2 * x * x)
        var term = 1.0, sum = 1.0
        for k in 1...8 {
            term *= -Double(2 * k - 1) * t
            sum += term
        }
        return sum / (x * Double.pi.squareRoot())
    }

    /// `log(1 − eᵃ)` for `a < 0`, accurate at both ends.
    public static func log1mexp(_ a: Double) -> Double {
        a > -log(2.0) ? log(-expm1(a)) : log1p(-exp(a))
    }

    /// Standard normal CDF (``NormalDistribution/cdf(_:)``).
    public static func normalCDF(_ z: Double) -> Double { NormalDistribution.cdf(z) }

    /// Standard normal density.
    public static func normalPDF(_ z: Double) -> Double { exp(-0.5 * z * z - logSqrt2Pi) }

    /// `log h(z)` and `d log h/dz = Φ(z)/h(z)`.
    public static func logH(_ z: Double) -> (value: Double, derivative: Double) {
        if z > -1 {
            let cdf = normalCDF(z)
            let h = normalPDF(z) + z * cdf
            return (log(h), cdf / h)
        }
        if z >= -36 {
            let x = -z / 2.0.squareRoot()
            let e = erfcx(x)
            let a = log(-z * e) + halfLogHalfPi          // log(|z|·√(π/2)·erfcx)
            let value = -0.5 * z * z - logSqrt2Pi + log1mexp(a)
            let derivative = (Double.pi / 2).squareRoot() * e / (-expm1(a))
            return (value, derivative)
        }
        // Φ(z) = φ(z)/|z|·Σ (−1)ᵏ (2k−1)!!/z²ᵏ and h(z) = φ(z)·Σ_{k≥1} (−1)^{k+1} (2k−1)!!/z²ᵏ
        let inv2 = 1 / (z * z)
        var term = 1.0, cdfSum = 1.0, hSum = 0.0
        for k in 1...7 {
            term *= -Double(2 * k - 1) * inv2
            cdfSum += term
            hSum -= term
        }
        let hSeries = hSum
        let cdfSeries = cdfSum / (-z)
        return (-0.5 * z * z - logSqrt2Pi + log(hSeries), cdfSeries / hSeries)
    }
}
