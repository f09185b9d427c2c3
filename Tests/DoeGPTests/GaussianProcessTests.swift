@testable import DoeBO
import DoeBase
import DoeDesign
@testable import DoeGP
import DoeLinalg
import Foundation
import Testing

/// Central finite differences of `f` at `x`.
func finiteDifferences(_ f: ([Double]) -> Double, at x: [Double], step: Double = 1e-6) -> [Double] {
    x.indices.map { j in
        var up = x, down = x
        up[j] += step
        down[j] -= step
        return (f(up) - f(down)) / (2 * step)
    }
}

func expectClose(_ a: [Double], _ b: [Double], relative: Double, absolute: Double = 1e-7, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (i, (u, v)) in zip(a, b).enumerated() {
        #expect(abs(u - v) <= absolute + relative * max(abs(u), abs(v)), "\(what)[\(i)]: analytic \(u) vs numeric \(v)", sourceLocation: sourceLocation)
    }
}

func randomInputs(n: Int, d: Int, seed: UInt64) -> Matrix<Double> {
    var rng = SplitMix64(seed: seed)
    return Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in rng.nextUnit() })
}

@Suite struct GaussianProcessTests {
    @Test(arguments: KernelKind.allCases)
    func marginalLikelihoodGradientMatchesFiniteDifferences(kernel: KernelKind) throws {
        let x = randomInputs(n: 12, d: 3, seed: 1)
        let y = (0..<12).map { i in sin(6 * x[i, 0]) + x[i, 1] * x[i, 2] }
        let noise = (0..<12).map { Double($0 % 3) * 0.01 }
        let h = GPHyperparameters(logLengthscales: [log(0.3), log(0.7), log(1.4)], logSignalVariance: log(1.3),
                                  logNoiseVariance: log(0.02), mean: 0.1)
        var gradient = [Double](repeating: 0, count: 6)
        _ = try #require(GaussianProcess.logMarginalLikelihood(inputs: x, outputs: y, pointNoise: noise, hyperparameters: h,
                                                               kernel: kernel, gradient: &gradient))
        let numeric = finiteDifferences({ v in
            var g = [Double](repeating: 0, count: 6)
            return GaussianProcess.logMarginalLikelihood(inputs: x, outputs: y, pointNoise: noise, hyperparameters: GPHyperparameters(vector: v),
                                                         kernel: kernel, gradient: &g)!
        }, at: h.vector)
        expectClose(gradient, numeric, relative: 1e-5, "d log p / d theta")
    }

    @Test func marginalLikelihoodMatchesDenseFormula() throws {
        // log p = -½ rᵀK⁻¹r - ½ log|K| - n/2 log 2π, computed here with an explicit solve of a 2×2 system.
        let x = Matrix<Double>([[0.1], [0.6]])
        let h = GPHyperparameters(logLengthscales: [log(0.5)], logSignalVariance: 0, logNoiseVariance: log(0.1), mean: 0)
        let y = [1.0, -0.5]
        let r = 0.5 / 0.5 * 5.0.squareRoot()
        let k12 = (1 + r + r * r / 3) * exp(-r)
        let a = 1.1, b = k12, det = a * a - b * b
        let quad = (a * y[0] * y[0] - 2 * b * y[0] * y[1] + a * y[1] * y[1]) / det
        let expected = -0.5 * quad - 0.5 * log(det) - log(2 * Double.pi)
        var g = [Double](repeating: 0, count: 4)
        let value = try #require(GaussianProcess.logMarginalLikelihood(inputs: x, outputs: y, pointNoise: [0, 0], hyperparameters: h,
                                                                       kernel: .matern52, gradient: &g))
        #expect(abs(value - expected) < 1e-12)
    }

    @Test func posteriorMatchesHandSolvedTwoPointCase() throws {
        // Squared-exponential, ℓ = 1, s² = 1, σ² = 0.01, c = 0, points 0 and 1 with y = 1, -1; predict at 0.5.
        let x = Matrix<Double>([[0], [1]])
        let h = GPHyperparameters(logLengthscales: [0], logSignalVariance: 0, logNoiseVariance: log(0.01), mean: 0)
        let gp = try GaussianProcess(inputs: x, outputs: [1, -1], hyperparameters: h, kernel: .squaredExponential)
        let e = exp(-0.5), k = exp(-0.125)
        // K = [[1.01, e], [e, 1.01]]; k* = [k, k]; by symmetry the mean is 0 and the variance 1 − 2k²/(1.01 + e).
        let p = gp.posterior(at: Matrix([[0.5], [0.0]]))
        #expect(abs(p.mean[0]) < 1e-14)
        #expect(abs(p.variance[0] - (1 - 2 * k * k / (1.01 + e))) < 1e-12)
        // at a training point: mean = k*ᵀK⁻¹y with k* = [1, e]
        let det = 1.01 * 1.01 - e * e
        let alpha = [(1.01 * 1 - e * -1) / det, (-e * 1 + 1.01 * -1) / det]
        #expect(abs(p.mean[1] - (alpha[0] + e * alpha[1])) < 1e-12)
    }

    @Test(arguments: KernelKind.allCases)
    func posteriorGradientsMatchFiniteDifferences(kernel: KernelKind) throws {
        let x = randomInputs(n: 15, d: 4, seed: 2)
        let y = (0..<15).map { i in cos(5 * x[i, 0]) - x[i, 3] }
        let h = GPHyperparameters(logLengthscales: [log(0.4), log(0.9), log(0.5), log(0.3)], logSignalVariance: 0.2,
                                  logNoiseVariance: log(1e-3), mean: 0)
        let gp = try GaussianProcess(inputs: x, outputs: y, hyperparameters: h, kernel: kernel)
        let point = [0.31, 0.77, 0.12, 0.58]
        let p = gp.posteriorWithGradient(at: point)
        let batch = gp.posterior(at: Matrix(rows: 1, columns: 4, columnMajor: point))
        #expect(abs(p.mean - batch.mean[0]) < 1e-12 && abs(p.variance - batch.variance[0]) < 1e-12)
        expectClose(p.meanGradient, finiteDifferences({ gp.posteriorWithGradient(at: $0).mean }, at: point), relative: 1e-6, "mean")
        expectClose(p.varianceGradient, finiteDifferences({ gp.posteriorWithGradient(at: $0).variance }, at: point), relative: 1e-5, "variance")
    }

    @Test func conditioningEqualsRefitWithTheExtraPoint() throws {
        let x = randomInputs(n: 10, d: 2, seed: 3)
        let y = (0..<10).map { i in x[i, 0] - x[i, 1] }
        let h = GPHyperparameters(logLengthscales: [log(0.3), log(0.5)], logSignalVariance: 0, logNoiseVariance: log(1e-4), mean: 0)
        let gp = try GaussianProcess(inputs: x, outputs: y, hyperparameters: h, kernel: .matern52)
        let extra = [0.42, 0.17]
        let conditioned = gp.conditioned(on: extra, value: 0.3)
        var grown = Matrix<Double>(rows: 11, columns: 2)
        for i in 0..<10 { grown[i, 0] = x[i, 0]; grown[i, 1] = x[i, 1] }
        grown[10, 0] = extra[0]; grown[10, 1] = extra[1]
        let refit = try GaussianProcess(inputs: grown, outputs: y + [0.3], hyperparameters: h, kernel: .matern52)
        let probe = randomInputs(n: 5, d: 2, seed: 4)
        let a = conditioned.posterior(at: probe), b = refit.posterior(at: probe)
        expectClose(a.mean, b.mean, relative: 1e-9, "mean")
        expectClose(a.variance, b.variance, relative: 1e-8, absolute: 1e-12, "variance")
        #expect(conditioned.observedCount == 10)
    }

    @Test func fitRecoversSmoothFunctionAndReportsLOO() throws {
        let x = randomInputs(n: 40, d: 2, seed: 5)
        let y = (0..<40).map { i in sin(3 * x[i, 0]) }   // x1 is irrelevant
        let gp = try GaussianProcess.fit(inputs: x, outputs: y)
        let ls = gp.hyperparameters.lengthscales
        #expect(ls[1] > 3 * ls[0], "irrelevant input should get a long lengthscale: \(ls)")
        let probe = randomInputs(n: 20, d: 2, seed: 6)
        let p = gp.posterior(at: probe)
        for i in 0..<20 { #expect(abs(p.mean[i] - sin(3 * probe[i, 0])) < 0.02) }
        let loo = gp.leaveOneOut()
        let rmse = (zip(loo.mean, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 40).squareRoot()
        #expect(rmse < 0.05)
    }

    @Test func illConditionedInputsNeverCrash() throws {
        // duplicate points
        var x = randomInputs(n: 10, d: 2, seed: 7)
        for j in 0..<2 { x[1, j] = x[0, j]; x[2, j] = x[0, j] }
        let y = (0..<10).map { Double($0) / 10 }
        let dup = try GaussianProcess.fit(inputs: x, outputs: y)
        #expect(dup.posterior(at: x).mean.allSatisfy { $0.isFinite })
        // constant outputs
        let constant = try GaussianProcess.fit(inputs: randomInputs(n: 8, d: 3, seed: 8), outputs: Array(repeating: 0, count: 8))
        let p = constant.posterior(at: randomInputs(n: 4, d: 3, seed: 9))
        #expect(p.mean.allSatisfy { abs($0) < 1e-6 } && p.variance.allSatisfy { $0.isFinite })
        // a single point
        let single = try GaussianProcess.fit(inputs: Matrix([[0.5, 0.5]]), outputs: [0])
        #expect(single.posterior(at: Matrix([[0.1, 0.9]])).variance[0] > 0)
        // points 1e-9 apart
        var close = randomInputs(n: 6, d: 1, seed: 10)
        for i in 1..<6 { close[i, 0] = close[0, 0] + Double(i) * 1e-9 }
        _ = try GaussianProcess.fit(inputs: close, outputs: [0, 1, 0, 1, 0, 1])
    }

    @Test(arguments: [1e-9, 1.0, 1e9])
    func bayesianOptimizerIsScaleInvariant(scale: Double) throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#)
        let points = SobolSequence(dimension: 2, scrambleSeed: 1).points(count: 10).map(space.assignment(fromUnit:))
        let data = points.map { a in (a, -scale * ((a[0].number! - 0.3) * (a[0].number! - 0.3) + (a[1].number! - 0.6) * (a[1].number! - 0.6))) }
        var settings = BOSettings()
        settings.seed = 4
        let proposals = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(points), count: 2, settings: settings)
        #expect(proposals.count == 2)
        #expect(proposals.allSatisfy { $0.predictedMean.isFinite && $0.predictedStd.isFinite })
        let first = proposals[0].assignment.map { $0.number! }
        #expect(abs(first[0] - 0.3) < 0.15 && abs(first[1] - 0.6) < 0.15, "\(first) should be near the optimum (0.3, 0.6)")
    }

    @Test func largeDataFitsOnASubset() throws {
        var configuration = GPConfiguration()
        configuration.maxFitPoints = 100
        let x = randomInputs(n: 300, d: 2, seed: 11)
        let y = (0..<300).map { i in x[i, 0] * x[i, 0] }
        let gp = try GaussianProcess.fit(inputs: x, outputs: y, configuration: configuration)
        #expect(gp.count == 300)
        #expect(abs(gp.posterior(at: Matrix([[0.5, 0.5]])).mean[0] - 0.25) < 0.01)
    }
}

@Suite struct PointNoiseTests {
    @Test func knownNoiseWidensThePosteriorAtThatPoint() throws {
        let x = Matrix<Double>([[0.1], [0.5], [0.9]])
        let h = GPHyperparameters(logLengthscales: [log(0.3)], logSignalVariance: 0, logNoiseVariance: log(1e-4), mean: 0)
        let exact = try GaussianProcess(inputs: x, outputs: [0, 1, 0], hyperparameters: h, kernel: .matern52)
        let noisy = try GaussianProcess(inputs: x, outputs: [0, 1, 0], pointNoise: [0, 0.5, 0], hyperparameters: h, kernel: .matern52)
        let at = Matrix<Double>([[0.5]])
        #expect(noisy.posterior(at: at).variance[0] > 10 * exact.posterior(at: at).variance[0])
        #expect(noisy.posterior(at: at).mean[0] < exact.posterior(at: at).mean[0])   // shrunk towards the mean
        // the likelihood gradient accounts for point noise too
        var g = [Double](repeating: 0, count: 4)
        _ = try #require(GaussianProcess.logMarginalLikelihood(inputs: x, outputs: [0, 1, 0], pointNoise: [0, 0.5, 0],
                                                               hyperparameters: h, kernel: .matern52, gradient: &g))
        let numeric = finiteDifferences({ v in
            var gg = [Double](repeating: 0, count: 4)
            return GaussianProcess.logMarginalLikelihood(inputs: x, outputs: [0, 1, 0], pointNoise: [0, 0.5, 0],
                                                         hyperparameters: GPHyperparameters(vector: v), kernel: .matern52, gradient: &gg)!
        }, at: h.vector)
        expectClose(g, numeric, relative: 1e-5, "gradient with point noise")
    }
}
