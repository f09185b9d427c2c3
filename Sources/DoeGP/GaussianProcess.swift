import DoeBase
import DoeLinalg
import DoeOptim
import Foundation

// Notation (as in Optuna's gp.py, short names are defined once here):
//   n        number of training points, d input dimension (unit cube)
//   X        n × d training inputs, column-major; Xs = X scaled column-wise by 1/ℓ
//   y        standardized training outputs (the GP always *maximizes*; minimized objectives are negated)
//   c        constant mean; s² signal variance; σ² noise variance; ℓ ARD lengthscales
//   m, ρ     an optional prior mean function and its fitted scale: the mean is μ(x) = c + ρ·m(x)
//   K        s²·φ(r²) + (σ² + per-point noise)·I, n × n;  L its lower Cholesky factor
//   α        K⁻¹ (y − μ(X))
//   W        α αᵀ − K⁻¹, the matrix in every marginal-likelihood gradient: ∂ log p/∂θ = ½ tr(W ∂K/∂θ)

/// Hyperparameters of a ``GaussianProcess``, kept in log space where they are positive.
public struct GPHyperparameters: Sendable, Equatable {
    /// `log ℓⱼ`, one per input dimension.
    public var logLengthscales: [Double]
    /// `log s²`.
    public var logSignalVariance: Double
    /// `log σ²` (homoscedastic noise, in standardized units).
    public var logNoiseVariance: Double
    /// Constant mean `c` (standardized units).
    public var mean: Double
    /// Scale `ρ` of the prior mean function (the mean is `c + ρ·m(x)`); `nil` when the GP has none.
    public var priorScale: Double?

    /// ARD lengthscales `ℓⱼ = exp(log ℓⱼ)`, one per input dimension, in unit-cube units.
    public var lengthscales: [Double] { logLengthscales.map { exp($0) } }
    /// Signal variance `s² = exp(log s²)` (standardized units).
    public var signalVariance: Double { exp(logSignalVariance) }
    /// Noise variance `σ² = exp(log σ²)` (standardized units).
    public var noiseVariance: Double { exp(logNoiseVariance) }

    /// The flat vector `[log ℓ₁…log ℓ_d, log s², log σ², c]` (and `ρ` last when there is a prior) L-BFGS works on.
    var vector: [Double] { logLengthscales + [logSignalVariance, logNoiseVariance, mean] + (priorScale.map { [$0] } ?? []) }

    /// From ``vector``; `withPrior` says whether its last entry is `ρ`.
    init(vector v: [Double], withPrior: Bool = false) {
        let d = v.count - 3 - (withPrior ? 1 : 0)
        logLengthscales = Array(v[0..<d])
        logSignalVariance = v[d]
        logNoiseVariance = v[d + 1]
        mean = v[d + 2]
        priorScale = withPrior ? v[d + 3] : nil
    }

    /// Hyperparameters from their log-space values; `logLengthscales` has one entry per input dimension; `priorScale`
    /// is `ρ` for a GP with a prior mean function.
    public init(logLengthscales: [Double], logSignalVariance: Double, logNoiseVariance: Double, mean: Double,
                priorScale: Double? = nil) {
        self.logLengthscales = logLengthscales
        self.logSignalVariance = logSignalVariance
        self.logNoiseVariance = logNoiseVariance
        self.mean = mean
        self.priorScale = priorScale
    }
}

/// Priors for MAP estimation, following BoTorch's defaults since 0.12 (Hvarfner, Hellsten & Nardi 2024):
/// `ℓ ~ LogNormal(√2 + ½·log d, √3)` (dimension-scaled, so high-dimensional problems start smooth),
/// `σ² ~ LogNormal(−4, 1)`; doe also keeps a signal variance with `s² ~ LogNormal(0, 1)` on standardized outputs.
public struct GPPriors: Sendable {
    /// Prior mean of `log ℓ` (`√2 + ½·log d` by default).
    public var lengthscaleLocation: Double
    /// Prior standard deviation of `log ℓ`.
    public var lengthscaleScale: Double = 3.0.squareRoot()
    /// Prior mean of `log σ²`.
    public var noiseLocation: Double = -4
    /// Prior standard deviation of `log σ²`.
    public var noiseScale: Double = 1
    /// Prior mean of `log s²`.
    public var signalLocation: Double = 0
    /// Prior standard deviation of `log s²`.
    public var signalScale: Double = 1

    /// Default priors for dimension `d`.
    public init(dimension d: Int) {
        lengthscaleLocation = 2.0.squareRoot() + 0.5 * log(Double(max(d, 1)))
    }

    /// `log p(θ)` up to a constant, and its gradient.
    func logDensity(_ h: GPHyperparameters, gradient g: inout [Double]) -> Double {
        var value = 0.0
        let d = h.logLengthscales.count
        for j in 0..<d {
            let z = (h.logLengthscales[j] - lengthscaleLocation) / lengthscaleScale
            value -= 0.5 * z * z
            g[j] = -z / lengthscaleScale
        }
        let zs = (h.logSignalVariance - signalLocation) / signalScale
        value -= 0.5 * zs * zs
        g[d] = -zs / signalScale
        let zn = (h.logNoiseVariance - noiseLocation) / noiseScale
        value -= 0.5 * zn * zn
        g[d + 1] = -zn / noiseScale
        for k in (d + 2)..<g.count { g[k] = 0 }
        return value
    }
}

/// Settings of a GP fit.
public struct GPConfiguration: Sendable {
    /// The kernel.
    public var kernel: KernelKind = .matern52
    /// Box for `log ℓ` (inputs live in the unit cube).
    public var logLengthscaleBounds: ClosedRange<Double> = log(0.01)...log(100)
    /// Box for `log s²`.
    public var logSignalBounds: ClosedRange<Double> = log(0.05)...log(20)
    /// Box for `log σ²` (standardized units; 1e-6 is BoTorch's lower bound too).
    public var logNoiseBounds: ClosedRange<Double> = log(1e-6)...log(4)
    /// Number of L-BFGS starts for the hyperparameters.
    public var restarts: Int = 3
    /// Evaluation budget per start.
    public var maxEvaluations: Int = 150
    /// Relative tolerance on the log posterior (hyperparameters need no more: the acquisition barely moves).
    public var relativeTolerance: Double = 1e-9
    /// Above this many points, hyperparameters are fitted on a seeded random subset of this size
    /// (the posterior still conditions on every point).
    public var maxFitPoints: Int = 600
    /// Seed for subset selection.
    public var seed: UInt64 = 0
    /// Fix the noise variance (standardized units) instead of inferring it; `nil` infers it.
    public var fixedNoiseVariance: Double?

    /// The default settings (Matérn 5/2, 3 restarts of at most 150 evaluations, noise inferred).
    public init() {}
}

/// A Gaussian-process regression model in double precision on BLAS/LAPACK.
///
/// ```swift
/// let gp = try GaussianProcess.fit(inputs: x, outputs: y)      // x: n × d in [0,1]ᵈ
/// let p = gp.posterior(at: candidates)          // p.mean, p.variance: standardized units
/// ```
public struct GaussianProcess: Sendable {
    /// Training inputs, `n × d`, column-major (fantasized points included).
    public let inputs: Matrix<Double>
    /// Standardized training outputs.
    public let outputs: [Double]
    /// Extra per-point noise variance (standardized units; known measurement noise), added to σ².
    public let pointNoise: [Double]
    /// The hyperparameters.
    public let hyperparameters: GPHyperparameters
    /// The kernel.
    public let kernel: KernelKind
    /// Cholesky factor of `K`.
    public let cholesky: Cholesky<Double>
    /// `α = K⁻¹ (y − μ(X))`.
    public let alpha: [Double]
    /// The prior mean function `m` (its scale is ``GPHyperparameters/priorScale``), or `nil`.
    public let priorMean: (any GPMeanFunction)?
    /// `m` at each training input (fantasized points included); empty without a prior mean.
    public let priorAtInputs: [Double]
    /// Number of real (not fantasized) training points; the first `observedCount` rows of ``inputs``.
    public let observedCount: Int

    /// Number of training points `n` (rows of ``inputs``, fantasized points included).
    public var count: Int { inputs.rows }
    /// Input dimension `d` (columns of ``inputs``).
    public var dimension: Int { inputs.columns }

    /// Builds the model for fixed hyperparameters.
    /// - Parameter priorMean: the prior mean function `m`; required exactly when `hyperparameters.priorScale` is set.
    /// - Throws: ``LinalgError`` when `K` cannot be factored even with jitter.
    public init(inputs: Matrix<Double>, outputs: [Double], pointNoise: [Double]? = nil,
                hyperparameters: GPHyperparameters, kernel: KernelKind, priorMean: (any GPMeanFunction)? = nil) throws {
        precondition(inputs.rows == outputs.count, "GP: \(inputs.rows) inputs, \(outputs.count) outputs")
        precondition(hyperparameters.logLengthscales.count == inputs.columns, "GP: lengthscales do not match d")
        precondition((priorMean == nil) == (hyperparameters.priorScale == nil), "GP: a prior mean needs its scale ρ")
        let noise = pointNoise ?? Array(repeating: 0, count: outputs.count)
        let k = GaussianProcess.covariance(inputs, hyperparameters: hyperparameters, kernel: kernel, pointNoise: noise)
        try self.init(inputs: inputs, outputs: outputs, pointNoise: noise, hyperparameters: hyperparameters, kernel: kernel,
                      cholesky: Cholesky(k, initialJitter: 1e-9), observedCount: outputs.count, priorMean: priorMean,
                      priorAtInputs: priorMean?.values(at: inputs) ?? [])
    }

    private init(inputs: Matrix<Double>, outputs: [Double], pointNoise: [Double], hyperparameters: GPHyperparameters,
                 kernel: KernelKind, cholesky: Cholesky<Double>, observedCount: Int, priorMean: (any GPMeanFunction)?,
                 priorAtInputs: [Double]) {
        self.inputs = inputs
        self.outputs = outputs
        self.pointNoise = pointNoise
        self.hyperparameters = hyperparameters
        self.kernel = kernel
        self.cholesky = cholesky
        self.priorMean = priorMean
        self.priorAtInputs = priorAtInputs
        let rho = hyperparameters.priorScale ?? 0
        self.alpha = cholesky.solve(outputs.indices.map { i in
            outputs[i] - hyperparameters.mean - (priorAtInputs.isEmpty ? 0 : rho * priorAtInputs[i])
        })
        self.observedCount = observedCount
    }

    /// The prior mean `μ(x) = c + ρ·m(x)` at each row of `points` (`c` alone without a prior mean function).
    public func priorMeanValues(at points: Matrix<Double>) -> [Double] {
        let c = hyperparameters.mean
        guard let priorMean, let rho = hyperparameters.priorScale else { return Array(repeating: c, count: points.rows) }
        return priorMean.values(at: points).map { c + rho * $0 }
    }

    // MARK: - Kernel matrices

    /// `s²·φ(r²(a, b))` for every row `a` of `A` and `b` of `B`, via BLAS: `r² = |a|² + |b|² − 2 a·b` on scaled inputs.
    static func crossCovariance(_ a: Matrix<Double>, _ b: Matrix<Double>, hyperparameters h: GPHyperparameters,
                                kernel: KernelKind) -> Matrix<Double> {
        let r2 = scaledSquaredDistances(a, b, lengthscales: h.lengthscales)
        var k = r2
        let s2 = h.signalVariance
        k.storage.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = s2 * kernel.phi(p[i]) }
        }
        return k
    }

    /// Squared scaled distances `r²(aᵢ, bⱼ)`, `A.rows × B.rows`.
    static func scaledSquaredDistances(_ a: Matrix<Double>, _ b: Matrix<Double>, lengthscales: [Double]) -> Matrix<Double> {
        let as_ = scaled(a, lengthscales), bs = scaled(b, lengthscales)
        let na = rowSquaredNorms(as_), nb = rowSquaredNorms(bs)
        var r2 = Matrix.gemm(as_, bs, transposeB: true, alpha: -2)
        r2.storage.withUnsafeMutableBufferPointer { p in
            let m = a.rows
            for j in 0..<b.rows {
                let base = j * m, nbj = nb[j]
                for i in 0..<m { p[base + i] = max(p[base + i] + na[i] + nbj, 0) }
            }
        }
        return r2
    }

    static func scaled(_ x: Matrix<Double>, _ lengthscales: [Double]) -> Matrix<Double> {
        var s = x
        s.storage.withUnsafeMutableBufferPointer { p in
            for j in 0..<x.columns {
                let inv = 1 / lengthscales[j], base = j * x.rows
                for i in 0..<x.rows { p[base + i] *= inv }
            }
        }
        return s
    }

    static func rowSquaredNorms(_ x: Matrix<Double>) -> [Double] {
        var norms = [Double](repeating: 0, count: x.rows)
        x.storage.withUnsafeBufferPointer { p in
            for j in 0..<x.columns {
                let base = j * x.rows
                for i in 0..<x.rows { norms[i] += p[base + i] * p[base + i] }
            }
        }
        return norms
    }

    /// `K = s²·φ(r²) + (σ² + noiseᵢ)·I`.
    static func covariance(_ x: Matrix<Double>, hyperparameters h: GPHyperparameters, kernel: KernelKind,
                           pointNoise: [Double]) -> Matrix<Double> {
        var k = crossCovariance(x, x, hyperparameters: h, kernel: kernel)
        let sigma2 = h.noiseVariance
        for i in 0..<x.rows { k[i, i] = h.signalVariance + sigma2 + pointNoise[i] }
        return k
    }

    // MARK: - Posterior

    /// Posterior mean and variance of the latent function (noise excluded) at `m` points.
    /// - Parameter points: `m × d` in the unit cube.
    /// - Returns: means and variances (standardized units), `m` each.
    /// - Complexity: O(n²·m) (one `trsm`).
    public func posterior(at points: Matrix<Double>) -> GPPrediction {
        precondition(points.columns == dimension, "posterior: points have \(points.columns) columns, the GP \(dimension)")
        let kStar = GaussianProcess.crossCovariance(inputs, points, hyperparameters: hyperparameters, kernel: kernel)  // n × m
        let mean = zip(kStar.gemv(alpha, transpose: true), priorMeanValues(at: points)).map { $0 + $1 }
        let v = cholesky.lower.solveLowerTriangular(kStar)
        let s2 = hyperparameters.signalVariance
        var variance = [Double](repeating: s2, count: points.rows)
        v.storage.withUnsafeBufferPointer { p in
            for j in 0..<points.rows {
                var s = 0.0
                let base = j * count
                for i in 0..<count { s += p[base + i] * p[base + i] }
                variance[j] = max(s2 - s, 1e-12 * s2)
            }
        }
        return GPPrediction(mean: mean, variance: variance)
    }

    /// Posterior mean and variance at one point, with their gradients with respect to the point.
    /// - Parameter row: ``kernelRow(at:against:)`` of `x` against ``inputs``, when the caller has it already.
    public func posteriorWithGradient(at x: [Double], row: (values: [Double], radial: [Double])? = nil)
        -> (mean: Double, variance: Double, meanGradient: [Double], varianceGradient: [Double]) {
        let n = count, d = dimension
        let ls2 = hyperparameters.lengthscales.map { $0 * $0 }
        let s2 = hyperparameters.signalVariance
        let (kStar, psiS) = row ?? kernelRow(at: x, against: inputs)   // k(x, xₐ) and s²·ψ(r²) per training point
        var mean = hyperparameters.mean + zip(kStar, alpha).reduce(0) { $0 + $1.0 * $1.1 }
        var priorGradient: [Double]?
        if let priorMean, let rho = hyperparameters.priorScale {
            let (m, dm) = priorMean.valueAndGradient(at: x)
            mean += rho * m
            priorGradient = dm.map { rho * $0 }
        }
        let v = cholesky.solveLower(kStar)
        let w = cholesky.solveLower(v, transpose: true)  // K⁻¹ k*
        let variance = max(s2 - v.reduce(0) { $0 + $1 * $1 }, 1e-12 * s2)
        var meanGradient = [Double](repeating: 0, count: d)
        var varianceGradient = [Double](repeating: 0, count: d)
        inputs.storage.withUnsafeBufferPointer { p in
            for j in 0..<d {
                var gm = 0.0, gv = 0.0
                let base = j * n
                for a in 0..<n {
                    let dk = -psiS[a] * (x[j] - p[base + a]) / ls2[j]   // ∂k(x_a, x)/∂x_j
                    gm += alpha[a] * dk
                    gv += w[a] * dk
                }
                meanGradient[j] = gm + (priorGradient?[j] ?? 0)
                varianceGradient[j] = -2 * gv
            }
        }
        return (mean, variance, meanGradient, varianceGradient)
    }

    /// The model with one more (fantasized or pending) observation, hyperparameters unchanged. O(n²).
    /// - Parameters:
    ///   - noise: extra noise variance of this observation, added to σ².
    ///   - exact: treat the observation as noise-free (σ² not added; a 1e-6·s² nugget keeps it stable). Batch
    ///     fantasies use this, so a point's own batch cannot re-propose it under a noisy model.
    public func conditioned(on x: [Double], value: Double, noise: Double = 0, exact: Bool = false) -> GaussianProcess {
        let point = Matrix(rows: 1, columns: dimension, columnMajor: x)
        let k = GaussianProcess.crossCovariance(inputs, point, hyperparameters: hyperparameters, kernel: kernel).storage
        let nugget = exact ? 1e-6 * hyperparameters.signalVariance - hyperparameters.noiseVariance : noise
        let diagonal = hyperparameters.signalVariance + hyperparameters.noiseVariance + nugget
        var grownInputs = Matrix<Double>(rows: count + 1, columns: dimension)
        for j in 0..<dimension {
            for i in 0..<count { grownInputs[i, j] = inputs[i, j] }
            grownInputs[count, j] = x[j]
        }
        let grown = cholesky.appending(column: k, diagonal: diagonal)
            ?? (try? Cholesky(GaussianProcess.covariance(grownInputs, hyperparameters: hyperparameters, kernel: kernel,
                                                            pointNoise: pointNoise + [nugget]), initialJitter: 1e-9))
        guard let grown else { return self }  // numerically a duplicate of a training point: nothing to learn
        return GaussianProcess(inputs: grownInputs, outputs: outputs + [value], pointNoise: pointNoise + [nugget],
                               hyperparameters: hyperparameters, kernel: kernel, cholesky: grown, observedCount: observedCount,
                               priorMean: priorMean, priorAtInputs: priorMean.map { priorAtInputs + [$0.value(at: x)] } ?? [])
    }

    // MARK: - Joint posterior (Monte Carlo acquisitions)

    /// Prior covariance `k(aᵢ, bⱼ)` (signal variance included, noise not), `A.rows × B.rows`.
    /// - Parameters: a, b: points in the unit cube, `· × d`.
    public func kernelMatrix(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
        GaussianProcess.crossCovariance(a, b, hyperparameters: hyperparameters, kernel: kernel)
    }

    /// The joint posterior of the latent function at `m` points.
    /// - Parameter points: `m × d` in the unit cube.
    /// - Returns: means (`m`), covariance (`m × m`) and `K⁻¹·k(X, points)` (`n × m`, what a later cross-covariance needs).
    /// - Complexity: O(n²·m + n·m²), in BLAS.
    public func jointPosterior(at points: Matrix<Double>) -> GPJointPrediction {
        let kXM = GaussianProcess.crossCovariance(inputs, points, hyperparameters: hyperparameters, kernel: kernel)  // n × m
        let mean = zip(kXM.gemv(alpha, transpose: true), priorMeanValues(at: points)).map { $0 + $1 }
        let v = cholesky.lower.solveLowerTriangular(kXM)
        let prior = GaussianProcess.crossCovariance(points, points, hyperparameters: hyperparameters, kernel: kernel)
        var covariance = Matrix.gemm(v, v, transposeA: true, alpha: -1, beta: 1, adding: prior)
        for j in 0..<points.rows {
            for i in 0..<j {
                let m = 0.5 * (covariance[i, j] + covariance[j, i])
                covariance[i, j] = m
                covariance[j, i] = m
            }
        }
        let weights = cholesky.lower.solveLowerTriangular(v, transpose: true)
        return GPJointPrediction(mean: mean, covariance: covariance, weights: weights)
    }

    /// Kernel values and radial derivatives between one point and the rows of `points`: `k(x, pₐ)` and `s²·ψ(r²)`,
    /// so that `∂k(x, pₐ)/∂xⱼ = −s²ψ·(xⱼ − pₐⱼ)/ℓⱼ²`.
    public func kernelRow(at x: [Double], against points: Matrix<Double>) -> (values: [Double], radial: [Double]) {
        let n = points.rows, d = dimension
        let ls2 = hyperparameters.lengthscales.map { $0 * $0 }
        let s2 = hyperparameters.signalVariance
        var values = [Double](repeating: 0, count: n), radial = [Double](repeating: 0, count: n)
        points.storage.withUnsafeBufferPointer { p in
            for a in 0..<n {
                var r2 = 0.0
                for j in 0..<d { let t = x[j] - p[a + j * n]; r2 += t * t / ls2[j] }
                let (phi, psi) = kernel.phiAndPsi(r2)
                values[a] = s2 * phi
                radial[a] = s2 * psi
            }
        }
        return (values, radial)
    }

    /// Leave-one-out predictive means and variances, observed points only
    /// (closed form: `μ₋ᵢ = yᵢ − αᵢ/[K⁻¹]ᵢᵢ`, `σ²₋ᵢ = 1/[K⁻¹]ᵢᵢ`).
    public func leaveOneOut() -> GPPrediction {
        let inverse = cholesky.inverse()
        var means: [Double] = [], variances: [Double] = []
        for i in 0..<observedCount {
            let kii = inverse[i, i]
            means.append(outputs[i] - alpha[i] / kii)
            variances.append(1 / kii)
        }
        return GPPrediction(mean: means, variance: variances)
    }
}

/// Means and variances of the latent function at `m` points (standardized units; noise excluded).
public struct GPPrediction: Sendable, Equatable {
    /// Posterior means, `m` values.
    public let mean: [Double]
    /// Posterior variances, `m` values (> 0).
    public let variance: [Double]

    /// A prediction with these arrays (same length).
    public init(mean: [Double], variance: [Double]) {
        self.mean = mean
        self.variance = variance
    }
}

/// The joint posterior of the latent function at `m` points (standardized units; noise excluded).
public struct GPJointPrediction: Sendable {
    /// Posterior means, `m` values.
    public let mean: [Double]
    /// Posterior covariance, `m × m`, symmetric.
    public let covariance: Matrix<Double>
    /// `K⁻¹·k(X, points)`, `n × m`: the cross-covariance with another point `x` is `k(x, points) − k(x, X)·weights`.
    public let weights: Matrix<Double>
}
