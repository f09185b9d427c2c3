import DoeBase
import DoeGP
import DoeLinalg
import Foundation

/// A GP of one side of an outcome constraint, in the form `g(x) ≤ limit` (`g = sign·metric`, the limit in the
/// GP's standardized units).
public struct ConstraintModel: Sendable {
    /// The GP of `g`, fitted to the same trials as the objective (same rows, same order).
    public let gp: GaussianProcess
    /// The limit on `g`, standardized like the GP's outputs.
    public let limit: Double
    /// A readable name (`stress ≤ 250`).
    public let label: String
    /// How `g` was made from the constraint's slack, for the record.
    public let transform: ConstraintTransform
    /// What the evidence said of a simulation prior of the constrained metric; `nil` without one.
    public let priorEvidence: PriorEvidence?

    /// A constraint `g ≤ limit` on `gp`'s function, `g` made from the slack by `transform`.
    public init(gp: GaussianProcess, limit: Double, label: String, transform: ConstraintTransform,
                priorEvidence: PriorEvidence? = nil) {
        self.gp = gp
        self.limit = limit
        self.label = label
        self.transform = transform
        self.priorEvidence = priorEvidence
    }

    /// `log P(g(x) ≤ limit)` under the posterior `N(mean, variance)`, and its derivatives with respect to the mean
    /// and the variance.
    public func logProbability(mean: Double, variance: Double) -> (value: Double, dMean: Double, dVariance: Double) {
        let sd = variance.squareRoot()
        let z = (limit - mean) / sd
        let (value, ratio) = logNormalCDF(z)          // ratio = φ(z)/Φ(z)
        return (value, -ratio / sd, -ratio * z / (2 * variance))
    }

    /// `log P(g(x) ≤ limit)` at a point of the unit cube.
    public func logProbability(at x: [Double]) -> Double {
        let p = gp.posterior(at: Matrix(rows: 1, columns: x.count, columnMajor: x))
        return logProbability(mean: p.mean[0], variance: p.variance[0]).value
    }

    /// This constraint with its GP conditioned on a fantasized value at `x` (its posterior mean), as the
    /// Kriging-believer batch does for the objective.
    public func conditionedOnMean(at x: [Double]) -> ConstraintModel {
        let mean = gp.posterior(at: Matrix(rows: 1, columns: x.count, columnMajor: x)).mean[0]
        return ConstraintModel(gp: gp.conditioned(on: x, value: mean, exact: true), limit: limit, label: label,
                               transform: transform, priorEvidence: priorEvidence)
    }
}

/// How a constraint model's function `g` is made from the constraint's slack `s` (negative inside the limit).
public enum ConstraintTransform: String, Sendable {
    /// `g = s`.
    case identity
    /// `g = sign(s)·log(1 + |s|/m)`, `m` the median `|s|`.
    case signedLog = "signed-log"
}

/// `log Φ(z)` and `φ(z)/Φ(z)`, accurate far into the lower tail (through the scaled complementary error function).
public func logNormalCDF(_ z: Double) -> (value: Double, ratio: Double) {
    if z < -1 {
        let e = ExpectedImprovementMath.erfcx(-z / 2.0.squareRoot())      // Φ(z) = e^{−z²/2}·erfcx(−z/√2)/2
        return (log(e / 2) - 0.5 * z * z, (2 / Double.pi).squareRoot() / e)
    }
    let cdf = NormalDistribution.cdf(z)
    return (log(cdf), ExpectedImprovementMath.normalPDF(z) / cdf)
}

/// An analytic acquisition weighted by the probability that every outcome constraint holds:
/// `a(x) + Σ_k log P(g_k(x) ≤ limit_k)` (independent GPs). Without a base acquisition (no feasible trial yet) it is
/// the log probability of feasibility alone.
public struct ConstrainedAcquisition: AcquisitionFunction {
    /// The objective's acquisition, or `nil` to maximize feasibility only.
    public let base: AnalyticAcquisition?
    /// The constraints.
    public let constraints: [ConstraintModel]

    /// `base` weighted by the constraints' log probabilities.
    public init(base: AnalyticAcquisition?, constraints: [ConstraintModel]) {
        self.base = base
        self.constraints = constraints
    }

    /// Values at the rows of `points`.
    public func values(at points: Matrix<Double>) -> [Double] {
        var total = base?.values(at: points) ?? Array(repeating: 0, count: points.rows)
        for c in constraints {
            let p = c.gp.posterior(at: points)
            for i in total.indices { total[i] += c.logProbability(mean: p.mean[i], variance: p.variance[i]).value }
        }
        return total
    }

    /// Value and gradient at one point.
    public func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) {
        var (value, gradient) = base?.valueAndGradient(at: x) ?? (0, Array(repeating: 0, count: x.count))
        for c in constraints {
            let p = c.gp.posteriorWithGradient(at: x)
            let (v, dm, dv) = c.logProbability(mean: p.mean, variance: p.variance)
            value += v
            for j in gradient.indices { gradient[j] += dm * p.meanGradient[j] + dv * p.varianceGradient[j] }
        }
        return (value, gradient)
    }
}
