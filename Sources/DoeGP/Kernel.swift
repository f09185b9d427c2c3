import DoeBase
import Foundation

/// The kernel functions; the kinds are declared in DoeBase so that space files can name them.
extension KernelKind {
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
