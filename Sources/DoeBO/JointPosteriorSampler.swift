import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// Fixed standard-normal base samples for Monte Carlo acquisitions: `S × D`, scrambled Sobol points mapped by
/// Box–Muller (quasi-random, so `S` samples integrate better than `S` pseudo-random ones), fixed for one batch so
/// that an acquisition is a deterministic, smooth function of the point L-BFGS moves.
public struct BaseSamples: Sendable {
    /// The normals, `count × dimension`, column-major.
    public let normals: Matrix<Double>

    /// Number of samples `S`.
    public var count: Int { normals.rows }
    /// Number of dimensions `D` (one per jointly sampled point).
    public var dimension: Int { normals.columns }

    /// `count` samples of `dimension` independent standard normals from the seed.
    public init(count: Int, dimension: Int, seed: UInt64) {
        let pairs = (dimension + 1) / 2
        var z = Matrix<Double>(rows: count, columns: dimension)
        func fill(_ u: [[Double]]) {
            for s in 0..<count {
                for p in 0..<pairs {
                    let u1 = min(max(u[s][2 * p], 1e-12), 1 - 1e-12), u2 = u[s][2 * p + 1]
                    let r = (-2 * log(u1)).squareRoot()
                    z[s, 2 * p] = r * cos(2 * Double.pi * u2)
                    if 2 * p + 1 < dimension { z[s, 2 * p + 1] = r * sin(2 * Double.pi * u2) }
                }
            }
        }
        if 2 * pairs <= SobolSequence.maxDimension {
            fill(SobolSequence(dimension: max(2 * pairs, 1), scrambleSeed: seed).points(count: count))
        } else {
            var rng = SplitMix64.stream(seed: seed, label: "base-samples")
            fill((0..<count).map { _ in (0..<(2 * pairs)).map { _ in rng.nextUnit() } })
        }
        normals = z
    }

    /// Base samples of the given normals (`count × dimension`).
    init(normals: Matrix<Double>) { self.normals = normals }

    /// Independent base samples for `models` jointly sampled models (objectives and constraints), each
    /// `count × dimension`: column blocks of one quasi-random sequence. Separately seeded scrambles of the same
    /// sequence are not independent of each other (a digital scramble keeps the leading bits' structure), which
    /// would correlate models the posterior treats as independent.
    public static func independent(models: Int, count: Int, dimension: Int, seed: UInt64) -> [BaseSamples] {
        guard models > 0 else { return [] }
        let joint = BaseSamples(count: count, dimension: models * dimension, seed: seed)
        return (0..<models).map { k in
            var z = Matrix<Double>(rows: count, columns: dimension)
            for j in 0..<dimension { for i in 0..<count { z[i, j] = joint.normals[i, k * dimension + j] } }
            return BaseSamples(normals: z)
        }
    }
}

/// Joint posterior samples of one GP's latent function at `m` fixed points, extended by one free point `x`.
///
/// With `Σ = L·Lᵀ` the posterior covariance of the fixed points, sample `s` is `f_M = μ_M + L·z_s[0..<m]`; at `x`,
/// `f_x = μ(x) + ℓᵀ·z_s[0..<m] + σ̃·z_s[m]` with `ℓ = L⁻¹·Σ_{M,x}` and `σ̃² = σ²(x) − |ℓ|²` — the same joint
/// draw, computed incrementally, so the fixed points' samples do not depend on `x` and the gradient is analytic.
public struct JointPosteriorSampler: Sendable {
    /// The model sampled.
    public let gp: GaussianProcess
    /// The fixed points, `m × d`.
    public let points: Matrix<Double>
    /// Samples at the fixed points, `S × m` (standardized units).
    public let samples: Matrix<Double>
    let factor: Matrix<Double>      // L, m × m lower
    let weights: Matrix<Double>     // K⁻¹ k(X, M), n × m
    let base: Matrix<Double>        // S × (m + 1)
    let varianceFloor: Double

    /// Samples at `points` (`m × d`) from the first `m + 1` columns of `base` (the last for the free point).
    public init(gp: GaussianProcess, points: Matrix<Double>, base: BaseSamples) {
        let m = points.rows
        precondition(base.dimension > m, "JointPosteriorSampler: \(base.dimension) base dimensions for \(m) + 1 points")
        self.gp = gp
        self.points = points
        varianceFloor = 1e-10 * gp.hyperparameters.signalVariance
        let joint = gp.jointPosterior(at: points)
        var covariance = joint.covariance
        for i in 0..<m { covariance[i, i] += 1e-8 * gp.hyperparameters.signalVariance }
        let lower = (try? Cholesky(covariance, initialJitter: 1e-9))?.lower ?? Matrix(rows: m, columns: m)
        factor = lower
        weights = joint.weights
        let s = base.count
        var z = Matrix<Double>(rows: s, columns: m + 1)
        for j in 0...m { for i in 0..<s { z[i, j] = base.normals[i, j] } }
        self.base = z
        var f = Matrix<Double>(rows: s, columns: m)
        if m > 0 {
            var zm = Matrix<Double>(rows: s, columns: m)
            for j in 0..<m { for i in 0..<s { zm[i, j] = z[i, j] } }
            f = Matrix.gemm(zm, lower, transposeB: true)
            for j in 0..<m { for i in 0..<s { f[i, j] += joint.mean[j] } }
        }
        samples = f
    }

    /// Number of samples `S`.
    public var sampleCount: Int { base.rows }

    /// Samples at each row of `candidates` (`c × d`) as the free point: `S × c`.
    public func samples(at candidates: Matrix<Double>) -> Matrix<Double> {
        let m = points.rows, c = candidates.rows, s = sampleCount
        let posterior = gp.posterior(at: candidates)
        var result = Matrix<Double>(rows: s, columns: c)
        var scale = posterior.variance
        if m > 0 {
            // Σ_{M,x} = k(M, x) − Wᵀ k(X, x), then ℓ = L⁻¹ Σ_{M,x}
            let kXc = gp.kernelMatrix(gp.inputs, candidates)
            let cross = Matrix.gemm(weights, kXc, transposeA: true, alpha: -1, beta: 1, adding: gp.kernelMatrix(points, candidates))
            let ell = factor.solveLowerTriangular(cross)
            var zm = Matrix<Double>(rows: s, columns: m)
            for j in 0..<m { for i in 0..<s { zm[i, j] = base[i, j] } }
            result = Matrix.gemm(zm, ell)
            for k in 0..<c {
                var norm = 0.0
                for i in 0..<m { norm += ell[i, k] * ell[i, k] }
                scale[k] = posterior.variance[k] - norm
            }
        }
        for k in 0..<c {
            let sd = max(scale[k], varianceFloor).squareRoot()
            for i in 0..<s { result[i, k] += posterior.mean[k] + sd * base[i, m] }
        }
        return result
    }

    /// Samples at one free point, with what their gradient needs.
    public func samplesWithGradient(at x: [Double]) -> FreePointSamples {
        let m = points.rows, s = sampleCount
        let training = gp.kernelRow(at: x, against: gp.inputs)
        let p = gp.posteriorWithGradient(at: x, row: training)
        var ell = [Double](repeating: 0, count: m)
        var fixedRow = (values: [Double](), radial: [Double]())
        if m > 0 {
            fixedRow = gp.kernelRow(at: x, against: points)
            var cross = weights.gemv(training.values, transpose: true, alpha: -1)
            for i in 0..<m { cross[i] += fixedRow.values[i] }
            ell = Cholesky(lower: factor, jitter: 0).solveLower(cross)
        }
        let residual = p.variance - ell.reduce(0) { $0 + $1 * $1 }
        let clamped = residual <= varianceFloor
        let sd = max(residual, varianceFloor).squareRoot()
        var values = [Double](repeating: p.mean, count: s)
        base.storage.withUnsafeBufferPointer { z in
            for i in 0..<m where ell[i] != 0 {
                let column = i * s, e = ell[i]
                for k in 0..<s { values[k] += e * z[column + k] }
            }
            let last = m * s
            for k in 0..<s { values[k] += sd * z[last + k] }
        }
        return FreePointSamples(sampler: self, x: x, values: values, ell: ell, sd: clamped ? 0 : sd, mean: p,
                                training: training, fixed: fixedRow)
    }
}

/// The samples of a ``JointPosteriorSampler`` at one free point, and the chain rule back to the point.
public struct FreePointSamples {
    let sampler: JointPosteriorSampler
    let x: [Double]
    /// Samples at the free point, `S` values (standardized units).
    public let values: [Double]
    let ell: [Double]
    let sd: Double               // 0 when the conditional variance is at its floor (no gradient through it)
    let mean: (mean: Double, variance: Double, meanGradient: [Double], varianceGradient: [Double])
    let training: (values: [Double], radial: [Double])
    let fixed: (values: [Double], radial: [Double])

    /// `Σ_s g_s·∂f_s/∂x` for per-sample weights `g` (`S` values): the gradient of any function of the samples.
    ///
    /// With `G = Σ g_s`, `a = Σ g_s z_s[0..<m]`, `b = Σ g_s z_s[m]`: `G·∇μ + (b/2σ̃)·∇σ² + rᵀ·∇Σ_{M,x}` where
    /// `r = L⁻ᵀ(a − (b/σ̃)·ℓ)` and `∇Σ_{M,x} = ∇k(x, M) − Wᵀ∇k(x, X)`.
    public func gradient(weights g: [Double]) -> [Double] {
        let s = sampler.sampleCount, m = sampler.points.rows, d = x.count
        let base = sampler.base
        var total = 0.0
        for k in 0..<s { total += g[k] }
        var a = [Double](repeating: 0, count: m)
        var b = 0.0
        base.storage.withUnsafeBufferPointer { z in
            for i in 0..<m {
                var t = 0.0
                let column = i * s
                for k in 0..<s { t += g[k] * z[column + k] }
                a[i] = t
            }
            let last = m * s
            for k in 0..<s { b += g[k] * z[last + k] }
        }
        let varianceWeight = sd > 0 ? b / (2 * sd) : 0
        var gradient = (0..<d).map { total * mean.meanGradient[$0] + varianceWeight * mean.varianceGradient[$0] }
        guard m > 0 else { return gradient }
        let shift = sd > 0 ? b / sd : 0
        let r = Cholesky(lower: sampler.factor, jitter: 0).solveLower((0..<m).map { a[$0] - shift * ell[$0] }, transpose: true)
        let wr = sampler.weights.gemv(r)             // n
        let ls2 = sampler.gp.hyperparameters.lengthscales.map { $0 * $0 }
        let inputs = sampler.gp.inputs, points = sampler.points
        let n = inputs.rows
        inputs.storage.withUnsafeBufferPointer { p in
            for j in 0..<d {
                var t = 0.0
                let column = j * n
                for i in 0..<n { t += wr[i] * training.radial[i] * (x[j] - p[column + i]) }
                gradient[j] += t / ls2[j]          // − Wᵀ∇k(x, X): ∇k = −s²ψ(x − p)/ℓ²
            }
        }
        points.storage.withUnsafeBufferPointer { p in
            for j in 0..<d {
                var t = 0.0
                let column = j * m
                for i in 0..<m { t += r[i] * fixed.radial[i] * (x[j] - p[column + i]) }
                gradient[j] -= t / ls2[j]
            }
        }
        return gradient
    }
}
