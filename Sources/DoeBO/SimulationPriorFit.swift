import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// A simulation surrogate's prediction of one metric as a function of the space's unit-cube features, in the
/// metric's own units (not oriented); what a study's `prior:` contributes to the GP of that metric.
public protocol FeaturePrior: Sendable {
    /// The predictions at each row of `points` (`k × D` features): `k` values.
    func values(atFeatures points: Matrix<Double>) -> [Double]
    /// The prediction at one feature vector and its gradient with respect to the features (`D` values).
    func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double])
}

/// `(a·p(x) + b − center)/scale`: a ``FeaturePrior`` carried into a GP's standardized output units, where the GP of
/// the values `a·metric + b` (oriented objective, or a constraint's slack) sees it.
struct StandardizedPrior: GPMeanFunction {
    let prior: any FeaturePrior
    let factor: Double
    let offset: Double

    init(_ prior: any FeaturePrior, orientation a: Double, shift b: Double, transform: OutputTransform) {
        self.prior = prior
        factor = a / transform.scale
        offset = (b - transform.center) / transform.scale
    }

    func values(at points: Matrix<Double>) -> [Double] {
        prior.values(atFeatures: points).map { factor * $0 + offset }
    }

    func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) {
        let (v, g) = prior.valueAndGradient(atFeatures: x)
        return (factor * v + offset, g.map { factor * $0 })
    }
}

/// What the evidence said about a simulation prior of one metric.
public struct PriorEvidence: Sendable {
    /// The fitted scale `ρ` of the prior (the metric ≈ `ρ·s(x) + c + δ(x)`; dimensionless, 1 = the simulation's scale).
    public let rho: Double
    /// Log marginal likelihood per observation (original units) with the prior.
    public let withPrior: Double
    /// The same without it (the GP doe fits when the study has no prior).
    public let withoutPrior: Double
    /// Share of the observed values' variance that `c + ρ·s(x)` explains (1 − var(residual)/var(values)).
    public let varianceExplained: Double
    /// Whether the prior was used: its evidence is at least the evidence without it. A prior that lowers the
    /// marginal likelihood is reported (here, in `generator_info` and in `doe status`), not used.
    public var used: Bool { withPrior >= withoutPrior }
}

extension BayesianOptimizer {
    /// Fits the GP of `values` (oriented: `a·metric + b`) both with the prior mean `c + ρ·(a·s(x) + b)` and without,
    /// and keeps the one with the higher marginal likelihood.
    ///
    /// With the prior, only the identity warping is fitted (the log warping's reference would cut through a prior
    /// that predicts beyond the observed best); `ρ` and `c` are fitted with the kernel
    /// (``GaussianProcess/fitWithEvidence(inputs:outputs:pointNoise:configuration:priorMean:)``).
    /// - Parameters:
    ///   - prior: the simulation's prediction of the metric.
    ///   - orientation: `a`, the sign the values carry (−1 for a minimized objective).
    ///   - shift: `b` (minus the limit for a constraint's slack).
    /// - Throws: when neither model can be fitted, or the prior is not finite at an observed point.
    public static func fitWithPrior(encoding: SpaceEncoding, assignments: [[ParameterValue]], values: [Double],
                                    noise: [Double]? = nil, kernel: KernelKind?, seed: UInt64, warping: Bool = true,
                                    prior: any FeaturePrior, orientation: Double = 1, shift: Double = 0)
        throws -> (gp: GaussianProcess, transform: OutputTransform, score: Double, evidence: PriorEvidence) {
        let without = try fitWithScore(encoding: encoding, assignments: assignments, values: values, noise: noise,
                                       kernel: kernel, seed: seed, warping: warping)
        let n = assignments.count
        let x = features(encoding: encoding, assignments: assignments)
        let transform = OutputTransform(kind: .identity, values: values)
        let z = values.map(transform.forward)
        let mean = StandardizedPrior(prior, orientation: orientation, shift: shift, transform: transform)
        let atObserved = mean.values(at: x)
        guard atObserved.allSatisfy(\.isFinite) else {
            throw GPError(message: "the simulation prior is not finite at every observed trial")
        }
        let pointNoise = noise.map { sds in zip(values, sds).map { g, sd in pow(sd * transform.derivative(g), 2) } }
        var best: (gp: GaussianProcess, score: Double)?
        for kernel in kernel.map({ [$0] }) ?? [.squaredExponential, .matern52] {
            var configuration = GPConfiguration()
            configuration.kernel = kernel
            configuration.seed = seed
            guard let fitted = try? GaussianProcess.fitWithEvidence(inputs: x, outputs: z, pointNoise: pointNoise,
                                                                    configuration: configuration, priorMean: mean) else { continue }
            let score = fitted.logLikelihoodPerPoint + transform.logJacobian(values) / Double(n)
            if best == nil || score > best!.score { best = (fitted.model, score) }
        }
        guard let best else {
            return (without.gp, without.transform, without.score,
                    PriorEvidence(rho: .nan, withPrior: -.infinity, withoutPrior: without.score, varianceExplained: .nan))
        }
        let h = best.gp.hyperparameters
        let rho = h.priorScale ?? 0
        let residual = z.indices.map { z[$0] - h.mean - rho * atObserved[$0] }
        let evidence = PriorEvidence(rho: rho, withPrior: best.score, withoutPrior: without.score,
                                     varianceExplained: 1 - variance(residual) / max(variance(z), 1e-300))
        return evidence.used ? (best.gp, transform, best.score, evidence) : (without.gp, without.transform, without.score, evidence)
    }

    /// The unit-cube features of `assignments`, `n × D`.
    public static func features(encoding: SpaceEncoding, assignments: [[ParameterValue]]) -> Matrix<Double> {
        var x = Matrix<Double>(rows: assignments.count, columns: encoding.dimension)
        for (i, a) in assignments.enumerated() {
            let f = encoding.encode(a)
            for j in 0..<encoding.dimension { x[i, j] = f[j] }
        }
        return x
    }
}

private func variance(_ v: [Double]) -> Double {
    let m = v.reduce(0, +) / Double(max(v.count, 1))
    return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(v.count, 1))
}
