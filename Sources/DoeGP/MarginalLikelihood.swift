import DoeBase
import DoeLinalg
import DoeOptim
import Foundation

/// The domain of ``GPError``.
public enum GPErrorDomain: ErrorDomain {
    /// refused unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .refused }
    /// `gp.failed`.
    public static var code: String { "gp.failed" }
    /// `Gaussian process: ` before the message.
    public static var prefix: String { "Gaussian process: " }
}

/// A failed GP fit.
public typealias GPError = DomainError<GPErrorDomain>

extension GaussianProcess {
    /// Log marginal likelihood `log p(y | θ)` and its gradient with respect to ``GPHyperparameters`` (vector order).
    ///
    /// `log p = −½ (y−c)ᵀ α − Σ log Lᵢᵢ − (n/2) log 2π`,
    /// and `∂ log p/∂θ = ½ tr(W ∂K/∂θ)` with `W = ααᵀ − K⁻¹`.
    /// The lengthscale terms use `Σ_ab M_ab (x_aj − x_bj)² = 2 Σ_a x_aj² (M·1)_a − 2 x_jᵀ M x_j` with `M = W ∘ s²ψ`,
    /// so they cost one `gemm` instead of d passes over n² pairs. With a prior mean function (`m` its values at the
    /// inputs, `h.priorScale` = ρ) the residual is `y − c − ρ·m` and `∂ log p/∂ρ = mᵀα`.
    /// - Returns: `nil` when `K` cannot be factored.
    public static func logMarginalLikelihood(inputs x: Matrix<Double>, outputs y: [Double], pointNoise: [Double],
                                             hyperparameters h: GPHyperparameters, kernel: KernelKind,
                                             priorValues: [Double]? = nil, gradient: inout [Double]) -> Double? {
        let n = x.rows, d = x.columns
        let r2 = scaledSquaredDistances(x, x, lengthscales: h.lengthscales)
        let s2 = h.signalVariance, sigma2 = h.noiseVariance
        var k = Matrix<Double>(rows: n, columns: n)
        var sPsi = Matrix<Double>(rows: n, columns: n)   // s²·ψ(r²)
        r2.storage.withUnsafeBufferPointer { pr in
            k.storage.withUnsafeMutableBufferPointer { pk in
                sPsi.storage.withUnsafeMutableBufferPointer { ps in
                    // symmetric: evaluate the kernel on the lower triangle only and mirror it
                    for b in 0..<n {
                        for a in b..<n {
                            let (phi, psi) = kernel.phiAndPsi(pr[a + b * n])
                            pk[a + b * n] = s2 * phi
                            ps[a + b * n] = s2 * psi
                            pk[b + a * n] = s2 * phi
                            ps[b + a * n] = s2 * psi
                        }
                    }
                }
            }
        }
        for i in 0..<n { k[i, i] = s2 + sigma2 + pointNoise[i] }
        guard let chol = try? Cholesky(k, initialJitter: 1e-9, maxTries: 4) else { return nil }
        let rho = h.priorScale ?? 0
        let residual = y.indices.map { i in y[i] - h.mean - (priorValues.map { rho * $0[i] } ?? 0) }
        let alpha = chol.solve(residual)
        let quadratic = zip(residual, alpha).reduce(0) { $0 + $1.0 * $1.1 }
        let value = -0.5 * quadratic - 0.5 * chol.logDeterminant - 0.5 * Double(n) * log(2 * Double.pi)
        guard value.isFinite else { return nil }

        var w = chol.inverse()   // becomes W = ααᵀ − K⁻¹
        var traceW = 0.0, signalTerm = 0.0
        w.storage.withUnsafeMutableBufferPointer { pw in
            k.storage.withUnsafeBufferPointer { pk in
                sPsi.storage.withUnsafeMutableBufferPointer { ps in
                    for b in 0..<n {
                        let ab = alpha[b], base = b * n
                        for a in 0..<n {
                            let wab = alpha[a] * ab - pw[base + a]
                            pw[base + a] = wab
                            // ∂K/∂log s² is the kernel part of K (noise excluded)
                            signalTerm += wab * (a == b ? s2 : pk[base + a])
                            ps[base + a] *= wab      // M = W ∘ s²ψ
                        }
                        traceW += pw[base + b]
                    }
                }
            }
        }
        let m = sPsi
        let rowSums = m.gemv([Double](repeating: 1, count: n))
        let mx = m * x                           // n × d
        let ls2 = h.lengthscales.map { $0 * $0 }
        for j in 0..<d {
            var t1 = 0.0, t2 = 0.0
            for a in 0..<n {
                let xa = x[a, j]
                t1 += xa * xa * rowSums[a]
                t2 += xa * mx[a, j]
            }
            gradient[j] = 0.5 * (2 * t1 - 2 * t2) / ls2[j]
        }
        gradient[d] = 0.5 * signalTerm
        gradient[d + 1] = 0.5 * sigma2 * traceW
        gradient[d + 2] = alpha.reduce(0, +)
        if let priorValues, h.priorScale != nil { gradient[d + 3] = zip(priorValues, alpha).reduce(0) { $0 + $1.0 * $1.1 } }
        return value
    }

    /// Fits hyperparameters by maximizing the log posterior (marginal likelihood + ``GPPriors``) with multi-start
    /// bounded L-BFGS on analytic gradients, then builds the model on every point.
    ///
    /// - Parameters:
    ///   - inputs: `n × d` points in the unit cube (duplicates allowed).
    ///   - outputs: standardized outputs (constant outputs are fine: the noise and mean absorb them).
    ///   - pointNoise: optional known noise variance per point (standardized units).
    ///   - priorMean: a prior mean function `m`; its scale ρ is fitted with the rest (the mean is `c + ρ·m(x)`).
    /// - Throws: ``GPError`` when no start produces a valid model.
    public static func fit(inputs: Matrix<Double>, outputs: [Double], pointNoise: [Double]? = nil,
                           configuration: GPConfiguration = GPConfiguration(),
                           priorMean: (any GPMeanFunction)? = nil) throws -> GaussianProcess {
        try fitWithEvidence(inputs: inputs, outputs: outputs, pointNoise: pointNoise, configuration: configuration,
                            priorMean: priorMean).model
    }

    /// ``fit(inputs:outputs:pointNoise:configuration:)``, also returning the log marginal likelihood per point at the
    /// fitted hyperparameters (on the fitting subset), the evidence used to choose between kernels and output warpings.
    /// With `priorMean`, ρ and `c` start from the least-squares line of the outputs on `m` (ρ within ±max(10, 3|ρ₀|)).
    public static func fitWithEvidence(inputs: Matrix<Double>, outputs: [Double], pointNoise: [Double]? = nil,
                                       configuration: GPConfiguration = GPConfiguration(),
                                       priorMean: (any GPMeanFunction)? = nil) throws -> (model: GaussianProcess,
                                                                                          logLikelihoodPerPoint: Double) {
        let n = inputs.rows, d = inputs.columns
        guard n >= 1 else { throw GPError(message: "no training points") }
        let noise = pointNoise ?? Array(repeating: 0, count: n)
        let priors = GPPriors(dimension: d)

        // Hyperparameters from a seeded subset when n is large.
        var fitX = inputs, fitY = outputs, fitNoise = noise
        if n > configuration.maxFitPoints {
            var rng = SplitMix64.stream(seed: configuration.seed, label: "gp-subset")
            let chosen = Array(Array(0..<n).shuffled(using: &rng).prefix(configuration.maxFitPoints)).sorted()
            fitX = Matrix(rows: chosen.count, columns: d)
            for (r, i) in chosen.enumerated() { for j in 0..<d { fitX[r, j] = inputs[i, j] } }
            fitY = chosen.map { outputs[$0] }
            fitNoise = chosen.map { noise[$0] }
        }
        let fitPrior = priorMean?.values(at: fitX)
        if let fitPrior, !fitPrior.allSatisfy(\.isFinite) {
            throw GPError(message: "the prior mean is not finite at every training point")
        }
        var yMean = fitY.reduce(0, +) / Double(fitY.count)
        var meanBounds = (min(fitY.min() ?? -1, -1), max(fitY.max() ?? 1, 1))
        var rhoStart = 0.0, rhoBound = 0.0
        if let fitPrior {
            let line = leastSquaresLine(fitY, on: fitPrior)
            rhoStart = line.slope
            rhoBound = max(10, 3 * abs(line.slope))
            yMean = line.intercept
            meanBounds = (min(meanBounds.0, line.intercept - 10), max(meanBounds.1, line.intercept + 10))
        }
        let lower = Array(repeating: configuration.logLengthscaleBounds.lowerBound, count: d)
            + [configuration.logSignalBounds.lowerBound,
               configuration.fixedNoiseVariance.map { log(max($0, 1e-12)) } ?? configuration.logNoiseBounds.lowerBound,
               meanBounds.0] + (fitPrior == nil ? [] : [-rhoBound])
        let upper = Array(repeating: configuration.logLengthscaleBounds.upperBound, count: d)
            + [configuration.logSignalBounds.upperBound,
               configuration.fixedNoiseVariance.map { log(max($0, 1e-12)) } ?? configuration.logNoiseBounds.upperBound,
               meanBounds.1] + (fitPrior == nil ? [] : [rhoBound])
        let withPrior = fitPrior != nil
        let priorLengthscale = min(max(priors.lengthscaleLocation, lower[0]), upper[0])
        let startLengthscales = [log(0.5), priorLengthscale, log(0.15), log(1.5)].prefix(max(configuration.restarts, 1))
        let kernel = configuration.kernel
        var best: (value: Double, point: [Double])?
        for startLog in startLengthscales {
            let start = Array(repeating: min(max(startLog, lower[0]), upper[0]), count: d)
                + [0, min(max(log(0.01), lower[d + 1]), upper[d + 1]), min(max(yMean, lower[d + 2]), upper[d + 2])]
                + (withPrior ? [rhoStart] : [])
            let lbfgs = BoundedLBFGS(lower: lower, upper: upper, maxEvaluations: configuration.maxEvaluations,
                                     relativeFunctionTolerance: configuration.relativeTolerance, relativeParameterTolerance: 1e-5)
            nonisolated(unsafe) var evaluations = 0
            let result = try? lbfgs.minimize(from: start) { v, g in
                evaluations += 1
                let h = GPHyperparameters(vector: v, withPrior: withPrior)
                var likelihoodGradient = [Double](repeating: 0, count: v.count)
                guard let ll = logMarginalLikelihood(inputs: fitX, outputs: fitY, pointNoise: fitNoise, hyperparameters: h,
                                                     kernel: kernel, priorValues: fitPrior,
                                                     gradient: &likelihoodGradient) else { return .infinity }
                var priorGradient = [Double](repeating: 0, count: v.count)
                let lp = priors.logDensity(h, gradient: &priorGradient)
                if !g.isEmpty { for i in g.indices { g[i] = -(likelihoodGradient[i] + priorGradient[i]) } }
                return -(ll + lp)
            }
            if ProcessInfo.processInfo.environment["DOE_DEBUG_FIT"] != nil {
                FileHandle.standardError.write(Data(("fit start: \(evaluations) evaluations, "
                    + "status \(result.map { "\($0.status)" } ?? "failed"), value \(result?.value ?? .nan)\n").utf8))
            }
            if let result, result.value.isFinite, result.value < (best?.value ?? .infinity) {
                best = (result.value, result.point)
            }
        }
        guard let best else { throw GPError(message: "hyperparameter fit failed from every start (is the data finite?)") }
        let hyperparameters = GPHyperparameters(vector: best.point, withPrior: withPrior)
        var gradient = [Double](repeating: 0, count: best.point.count)
        let evidence = logMarginalLikelihood(inputs: fitX, outputs: fitY, pointNoise: fitNoise, hyperparameters: hyperparameters,
                                             kernel: kernel, priorValues: fitPrior, gradient: &gradient) ?? -.infinity
        let model = try GaussianProcess(inputs: inputs, outputs: outputs, pointNoise: noise, hyperparameters: hyperparameters,
                                        kernel: kernel, priorMean: priorMean)
        return (model, evidence / Double(fitY.count))
    }

    /// Least-squares `y ≈ intercept + slope·m` (slope 0 when `m` is constant).
    static func leastSquaresLine(_ y: [Double], on m: [Double]) -> (intercept: Double, slope: Double) {
        let n = Double(y.count)
        let my = y.reduce(0, +) / n, mm = m.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for i in y.indices { sxy += (m[i] - mm) * (y[i] - my); sxx += (m[i] - mm) * (m[i] - mm) }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (my - slope * mm, slope)
    }
}
