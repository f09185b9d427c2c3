import Foundation

/// Stationary ARD kernels `k(x, x') = s²·φ(r²)` with `r² = Σⱼ (xⱼ − x'ⱼ)² / ℓⱼ²`.
///
/// Both gradients the GP needs come from one radial function `ψ(r²) = −2·φ'(r²)`:
/// `∂k/∂x'ⱼ = −s²·ψ·(x'ⱼ − xⱼ)/ℓⱼ²` and `∂k/∂log ℓⱼ = s²·ψ·(xⱼ − x'ⱼ)²/ℓⱼ²`.
public enum KernelKind: String, Sendable, CaseIterable {
    /// Matérn ν = 5/2: `φ = (1 + √5 r + 5r²/3)·e^{−√5 r}`, `ψ = (5/3)(1 + √5 r)·e^{−√5 r}`.
    /// Twice differentiable; the default.
    case matern52
    /// Squared exponential (RBF): `φ = e^{−r²/2}`, `ψ = e^{−r²/2}`.
    case squaredExponential = "rbf"

    /// `φ(r²)`.
    @inline(__always) public func phi(_ r2: Double) -> Double {
        switch self {
        case .matern52:
            let r = (max(r2, 0) * 5).squareRoot()  // √5·r
            return (1 + r + r * r / 3) * exp(-r)
        case .squaredExponential:
            return exp(-0.5 * r2)
        }
    }

    /// `φ(r²)` and `ψ(r²)` together, with one exponential.
    @inline(__always) public func phiAndPsi(_ r2: Double) -> (phi: Double, psi: Double) {
        switch self {
        case .matern52:
            let r = (max(r2, 0) * 5).squareRoot()
            let e = exp(-r)
            return ((1 + r + r * r / 3) * e, 5.0 / 3.0 * (1 + r) * e)
        case .squaredExponential:
            let e = exp(-0.5 * r2)
            return (e, e)
        }
    }

    /// `ψ(r²) = −2·dφ/d(r²)` (non-negative).
    @inline(__always) public func psi(_ r2: Double) -> Double {
        switch self {
        case .matern52:
            let r = (max(r2, 0) * 5).squareRoot()
            return 5.0 / 3.0 * (1 + r) * exp(-r)
        case .squaredExponential:
            return exp(-0.5 * r2)
        }
    }
}
