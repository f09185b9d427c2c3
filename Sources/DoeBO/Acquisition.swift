import DoeBase
import DoeGP
import DoeLinalg
import Foundation

/// An analytic acquisition function on a fitted GP (which maximizes, in standardized units). `qlognei` is computed
/// here in its analytic form, LogEI (its q = 1 noiseless limit); ``MonteCarloAcquisition`` computes it properly.
public struct Acquisition: Sendable {
    /// Which function.
    public let kind: AcquisitionKind
    /// The incumbent for LogEI: the largest posterior mean at the training points.
    public let incumbent: Double
    /// UCB's exploration weight κ.
    public let kappa: Double

    /// An acquisition of `kind` with LogEI's `incumbent` (standardized units) and UCB's `kappa`.
    public init(kind: AcquisitionKind, incumbent: Double, kappa: Double = 2) {
        self.kind = kind
        self.incumbent = incumbent
        self.kappa = kappa
    }

    /// The incumbent of a GP: `max_i E[f(x_i)]` over its training points, `y − (σ² + noiseᵢ)·α` in O(n).
    public static func incumbent(of gp: GaussianProcess) -> Double {
        let sigma2 = gp.hyperparameters.noiseVariance + gp.cholesky.jitter
        var best = -Double.infinity
        for i in 0..<gp.count { best = max(best, gp.outputs[i] - (sigma2 + gp.pointNoise[i]) * gp.alpha[i]) }
        return best
    }

    /// Value from a posterior mean and variance.
    public func value(mean: Double, variance: Double) -> Double {
        let sigma = variance.squareRoot()
        switch kind {
        case .logei, .qlognei, .qlognehvi:
            return ExpectedImprovementMath.logH((mean - incumbent) / sigma).value + log(sigma)
        case .ucb:
            return mean + kappa * sigma
        }
    }

    /// Values at the rows of `points` (`m × d`), in one batched posterior.
    public func values(_ gp: GaussianProcess, at points: Matrix<Double>) -> [Double] {
        let posterior = gp.posterior(at: points)
        return zip(posterior.mean, posterior.variance).map { value(mean: $0, variance: $1) }
    }

    /// Value and gradient at one point.
    public func valueAndGradient(_ gp: GaussianProcess, at x: [Double]) -> (value: Double, gradient: [Double]) {
        let p = gp.posteriorWithGradient(at: x)
        let sigma = p.variance.squareRoot()
        let sigmaGradient = p.varianceGradient.map { $0 / (2 * sigma) }
        switch kind {
        case .logei, .qlognei, .qlognehvi:
            let z = (p.mean - incumbent) / sigma
            let (logH, dLogH) = ExpectedImprovementMath.logH(z)
            let gradient = (0..<x.count).map { j in
                let dz = (p.meanGradient[j] - z * sigmaGradient[j]) / sigma
                return dLogH * dz + sigmaGradient[j] / sigma
            }
            return (logH + log(sigma), gradient)
        case .ucb:
            return (p.mean + kappa * sigma, (0..<x.count).map { p.meanGradient[$0] + kappa * sigmaGradient[$0] })
        }
    }
}

/// An analytic acquisition on its GP, as the optimizer takes it.
public struct AnalyticAcquisition: AcquisitionFunction {
    /// The acquisition.
    public let acquisition: Acquisition
    /// The model it is computed on.
    public let gp: GaussianProcess

    /// Values at the rows of `points` (`m × d`).
    public func values(at points: Matrix<Double>) -> [Double] { acquisition.values(gp, at: points) }
    /// Value and gradient at one point.
    public func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) { acquisition.valueAndGradient(gp, at: x) }
}

extension Acquisition {
    /// This acquisition on `gp`.
    public func on(_ gp: GaussianProcess) -> AnalyticAcquisition { AnalyticAcquisition(acquisition: self, gp: gp) }
}
