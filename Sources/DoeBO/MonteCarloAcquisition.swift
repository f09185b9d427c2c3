import DoeBase
import DoeGP
import DoeLinalg
import Foundation

/// What the acquisition optimizer maximizes: a function of a point in the unit cube, batched and with a gradient.
public protocol AcquisitionFunction {
    /// Values at the rows of `points` (`m × d`).
    func values(at points: Matrix<Double>) -> [Double]
    /// Value and gradient (`d` values) at one point.
    func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double])
}

/// The per-sample part of a Monte Carlo acquisition: the log utility of the free point in one joint sample.
///
/// ``MonteCarloAcquisition`` owns everything else (sampling, feasibility weighting, the mean over samples in log
/// space); a utility only says what one sample of the free point's objectives is worth against that sample's
/// reference (the baseline and the batch points chosen before it).
public protocol MonteCarloUtility: Sendable {
    /// `log u_s(y)` for sample `s` with objective values `y` (one per objective, standardized, maximized), and its
    /// gradient with respect to `y` written into `gradient` (same length).
    func logUtility(sample s: Int, values y: [Double], gradient: inout [Double]) -> Double
    /// `log u_s(y)` alone, for screening many candidates; the default calls ``logUtility(sample:values:gradient:)``
    /// (allocating a gradient per call, so utilities on a hot path implement it).
    func logValue(sample s: Int, values y: [Double]) -> Double
}

extension MonteCarloUtility {
    /// `log u_s(y)` through ``logUtility(sample:values:gradient:)``, discarding the gradient.
    public func logValue(sample s: Int, values y: [Double]) -> Double {
        var scratch = [Double](repeating: 0, count: y.count)
        return logUtility(sample: s, values: y, gradient: &scratch)
    }
}

/// An outcome constraint in a GP's units: feasible when the latent value is at most `limit`.
public struct SampledConstraint: Sendable {
    /// Samples of the constrained quantity.
    public let sampler: JointPosteriorSampler
    /// The upper limit (the sampled GP's standardized units).
    public let limit: Double
    /// Width of the smoothed indicator `σ((limit − c)/τ)` (same units).
    public let temperature: Double

    /// A constraint `c ≤ limit` on `sampler`'s function, smoothed over `temperature`.
    public init(sampler: JointPosteriorSampler, limit: Double, temperature: Double = 1e-3) {
        self.sampler = sampler
        self.limit = limit
        self.temperature = temperature
    }

    /// Whether sample `s` of fixed point `i` satisfies the constraint (hard indicator).
    public func isFeasible(sample s: Int, point i: Int) -> Bool { sampler.samples[s, i] <= limit }
}

/// A Monte Carlo acquisition in log space:
/// `log (1/S)·Σ_s u_s(y_s)·Π_k σ((limit_k − c_{k,s})/τ_k)` over fixed quasi-random base samples, where `y_s` and
/// `c_{k,s}` are joint posterior samples of the objectives and constraints at the free point (jointly with the
/// baseline and the batch points chosen before it). Deterministic and smooth in the point; gradient analytic.
public struct MonteCarloAcquisition<Utility: MonteCarloUtility>: AcquisitionFunction {
    /// One sampler per objective.
    public let objectives: [JointPosteriorSampler]
    /// Outcome constraints.
    public let constraints: [SampledConstraint]
    /// The per-sample utility.
    public let utility: Utility

    /// The acquisition of `utility` over these objectives and constraints (all with the same sample count).
    public init(objectives: [JointPosteriorSampler], constraints: [SampledConstraint] = [], utility: Utility) {
        self.objectives = objectives
        self.constraints = constraints
        self.utility = utility
    }

    var sampleCount: Int { objectives.first?.sampleCount ?? constraints.first?.sampler.sampleCount ?? 0 }

    /// Values at the rows of `points`, batched through BLAS.
    public func values(at points: Matrix<Double>) -> [Double] {
        let objectiveSamples = objectives.map { $0.samples(at: points) }
        let constraintSamples = constraints.map { $0.sampler.samples(at: points) }
        let s = sampleCount
        var y = [Double](repeating: 0, count: objectives.count)
        var terms = [Double](repeating: 0, count: s)
        return (0..<points.rows).map { c in
            for k in 0..<s {
                for o in objectives.indices { y[o] = objectiveSamples[o][k, c] }
                var t = utility.logValue(sample: k, values: y)
                for (q, constraint) in constraints.enumerated() {
                    t += logSigmoid((constraint.limit - constraintSamples[q][k, c]) / constraint.temperature)
                }
                terms[k] = t
            }
            return logMeanExp(terms).value
        }
    }

    /// Value and gradient at one point.
    public func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) {
        let objectiveSamples = objectives.map { $0.samplesWithGradient(at: x) }
        let constraintSamples = constraints.map { $0.sampler.samplesWithGradient(at: x) }
        let s = sampleCount
        var y = [Double](repeating: 0, count: objectives.count), dy = y
        var terms = [Double](repeating: 0, count: s)
        var objectiveWeights = objectives.map { _ in [Double](repeating: 0, count: s) }
        var constraintWeights = constraints.map { _ in [Double](repeating: 0, count: s) }
        for k in 0..<s {
            for o in objectives.indices { y[o] = objectiveSamples[o].values[k] }
            var t = utility.logUtility(sample: k, values: y, gradient: &dy)
            for o in objectives.indices { objectiveWeights[o][k] = dy[o] }
            for (q, constraint) in constraints.enumerated() {
                let z = (constraint.limit - constraintSamples[q].values[k]) / constraint.temperature
                t += logSigmoid(z)
                constraintWeights[q][k] = -sigmoid(-z) / constraint.temperature   // d log σ(z)/dc
            }
            terms[k] = t
        }
        let (value, softmax) = logMeanExp(terms)
        var gradient = [Double](repeating: 0, count: x.count)
        for o in objectives.indices {
            let g = objectiveSamples[o].gradient(weights: zip(softmax, objectiveWeights[o]).map { $0 * $1 })
            for j in gradient.indices { gradient[j] += g[j] }
        }
        for q in constraints.indices {
            let g = constraintSamples[q].gradient(weights: zip(softmax, constraintWeights[q]).map { $0 * $1 })
            for j in gradient.indices { gradient[j] += g[j] }
        }
        return (value, gradient)
    }
}

/// `log((1/S)·Σ exp(tₛ))` and the softmax weights (its gradient with respect to each `tₛ`).
func logMeanExp(_ t: [Double]) -> (value: Double, weights: [Double]) {
    let top = t.max() ?? -.infinity
    guard top.isFinite else { return (top, t.map { _ in 0 }) }
    let e = t.map { exp($0 - top) }
    let sum = e.reduce(0, +)
    return (top + log(sum / Double(t.count)), e.map { $0 / sum })
}

func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

/// `log σ(z) = −softplus(−z)`, stable for large `|z|`.
func logSigmoid(_ z: Double) -> Double { z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z)) }

/// A fat-tailed smooth ReLU in log space (after Ament et al. 2023): `g(t) = softplus(t) + α/(1 + t²)`, which is
/// positive, increasing (α = 0.1) and decays like `1/t²` instead of `eᵗ`, so `log g` keeps a useful gradient far
/// below zero. Returns `log g(t)` and `d log g/dt`.
public func logFatSoftplus(_ t: Double) -> (value: Double, derivative: Double) {
    let alpha = 0.1
    let softplus = max(t, 0) + log1p(exp(-abs(t)))
    let tail = alpha / (1 + t * t)
    let g = softplus + tail
    let dg = sigmoid(t) - 2 * alpha * t / ((1 + t * t) * (1 + t * t))
    return (log(g), dg / g)
}

/// qLogNEI's utility: the smoothed improvement of the free point over the best *sampled* value among the baseline
/// (the observed points) and the batch points chosen before it, in the same joint sample — so the incumbent's own
/// uncertainty is integrated over instead of being replaced by a point estimate (noisy EI, Letham et al. 2019).
/// `log(τ·g((y − r_s)/τ))` with ``logFatSoftplus(_:)``.
public struct LogNoisyImprovement: MonteCarloUtility {
    /// The reference per sample: the best feasible sampled value at the fixed points.
    public let reference: [Double]
    /// Smoothing width of the ReLU (standardized units).
    public let temperature: Double

    /// The utility against per-sample `reference` values (`S`).
    public init(reference: [Double], temperature: Double = 1e-3) {
        self.reference = reference
        self.temperature = temperature
    }

    /// The reference from samples at the fixed points: per sample, the best value among points feasible in that
    /// sample (every point when there are no constraints); when none is, the lowest value sampled there.
    public init(objective: JointPosteriorSampler, constraints: [SampledConstraint] = [], temperature: Double = 1e-3) {
        let f = objective.samples
        reference = (0..<f.rows).map { s in
            var best = -Double.infinity, lowest = Double.infinity
            for i in 0..<f.columns {
                lowest = min(lowest, f[s, i])
                if constraints.allSatisfy({ $0.isFeasible(sample: s, point: i) }) { best = max(best, f[s, i]) }
            }
            return best.isFinite ? best : (lowest.isFinite ? lowest : 0)
        }
        self.temperature = temperature
    }

    /// `log(τ·g((y₀ − r_s)/τ))`.
    public func logUtility(sample s: Int, values y: [Double], gradient: inout [Double]) -> Double {
        let (value, derivative) = logFatSoftplus((y[0] - reference[s]) / temperature)
        gradient[0] = derivative / temperature
        return value + log(temperature)
    }

    /// `log(τ·g((y₀ − r_s)/τ))` without its gradient.
    public func logValue(sample s: Int, values y: [Double]) -> Double {
        logFatSoftplus((y[0] - reference[s]) / temperature).value + log(temperature)
    }
}

/// The utility 1 for every sample: with constraints, the acquisition is the log probability that all hold
/// (what a study with no feasible trial yet maximizes).
public struct Feasibility: MonteCarloUtility {
    /// The constant utility.
    public init() {}
    /// `log 1 = 0`.
    public func logUtility(sample s: Int, values y: [Double], gradient: inout [Double]) -> Double {
        for i in gradient.indices { gradient[i] = 0 }
        return 0
    }

    /// `log 1 = 0`.
    public func logValue(sample s: Int, values y: [Double]) -> Double { 0 }
}
