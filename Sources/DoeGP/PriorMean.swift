import DoeLinalg

/// A known function `m(x)` of the GP's inputs that its mean follows: the GP models `y = c + ρ·m(x) + δ(x)`, with
/// the scale `ρ` fitted by marginal likelihood together with the kernel of the discrepancy `δ` (a simulation
/// surrogate's prediction as the prior of an experiment; Kennedy & O'Hagan 2001's autoregressive form).
///
/// `m` must be in the GP's own (standardized) output units and deterministic.
public protocol GPMeanFunction: Sendable {
    /// `m` at each row of `points` (`k × d`, unit cube): `k` values.
    func values(at points: Matrix<Double>) -> [Double]
    /// `m(x)` and `∂m/∂x` (`d` values) at one point of the unit cube.
    func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double])
}

extension GPMeanFunction {
    /// `m(x)` at one point.
    func value(at x: [Double]) -> Double {
        values(at: Matrix(rows: 1, columns: x.count, columnMajor: x))[0]
    }
}
