@testable import DoeBO
import DoeBase
import DoeDesign
@testable import DoeGP
import DoeLinalg
import Foundation
import Testing

/// A smooth known function of the unit square, the stand-in for a simulation surrogate.
struct SineMean: GPMeanFunction, FeaturePrior {
    func value(_ x: [Double]) -> Double { sin(3 * x[0]) + x[1] * x[1] }
    func gradient(_ x: [Double]) -> [Double] { [3 * cos(3 * x[0]), 2 * x[1]] }
    func values(at points: Matrix<Double>) -> [Double] { (0..<points.rows).map { value([points[$0, 0], points[$0, 1]]) } }
    func valueAndGradient(at x: [Double]) -> (value: Double, gradient: [Double]) { (value(x), gradient(x)) }
    func values(atFeatures points: Matrix<Double>) -> [Double] { values(at: points) }
    func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double]) { (value(x), gradient(x)) }
}

@Suite struct PriorMeanTests {
    @Test func marginalLikelihoodGradientIncludesRho() throws {
        let x = randomInputs(n: 14, d: 2, seed: 4)
        let prior = SineMean()
        let m = prior.values(at: x)
        let y = (0..<14).map { 1.7 * m[$0] + 0.2 * cos(5 * x[$0, 1]) }
        let h = GPHyperparameters(logLengthscales: [log(0.4), log(0.8)], logSignalVariance: log(0.6),
                                  logNoiseVariance: log(0.01), mean: 0.1, priorScale: 1.2)
        var gradient = [Double](repeating: 0, count: 6)
        _ = try #require(GaussianProcess.logMarginalLikelihood(inputs: x, outputs: y, pointNoise: Array(repeating: 0, count: 14),
                                                               hyperparameters: h, kernel: .matern52, priorValues: m,
                                                               gradient: &gradient))
        let numeric = finiteDifferences({ v in
            var g = [Double](repeating: 0, count: 6)
            return GaussianProcess.logMarginalLikelihood(inputs: x, outputs: y, pointNoise: Array(repeating: 0, count: 14),
                                                         hyperparameters: GPHyperparameters(vector: v, withPrior: true),
                                                         kernel: .matern52, priorValues: m, gradient: &g)!
        }, at: h.vector)
        expectClose(gradient, numeric, relative: 1e-5, "d log p / d theta (rho last)")
        #expect(abs(gradient[5]) > 1e-3, "the rho gradient is exercised")
    }

    @Test func posteriorGradientIncludesThePrior() throws {
        let x = randomInputs(n: 10, d: 2, seed: 5)
        let prior = SineMean()
        let y = prior.values(at: x).map { 2 * $0 }
        let h = GPHyperparameters(logLengthscales: [log(0.3), log(0.5)], logSignalVariance: 0, logNoiseVariance: log(1e-4),
                                  mean: 0.3, priorScale: 2)
        let gp = try GaussianProcess(inputs: x, outputs: y, hyperparameters: h, kernel: .matern52, priorMean: prior)
        let point = [0.37, 0.81]
        let analytic = gp.posteriorWithGradient(at: point)
        let numeric = finiteDifferences({ v in gp.posterior(at: Matrix(rows: 1, columns: 2, columnMajor: v)).mean[0] }, at: point)
        expectClose(analytic.meanGradient, numeric, relative: 1e-5, "d mean / d x")
        #expect(abs(analytic.mean - gp.posterior(at: Matrix(rows: 1, columns: 2, columnMajor: point)).mean[0]) < 1e-10)
        // far from the data the posterior returns to the prior mean c + ρ·m(x)
        let far = gp.conditioned(on: [0.9, 0.1], value: 0).posterior(at: Matrix(rows: 1, columns: 2, columnMajor: point)).mean[0]
        #expect(far.isFinite)
        let joint = gp.jointPosterior(at: Matrix(rows: 1, columns: 2, columnMajor: point))
        #expect(abs(joint.mean[0] - analytic.mean) < 1e-10)
    }

    @Test func rhoIsRecoveredWhereTheTruthIsKnown() throws {
        // y = 0.5 + 2.5·m(x) + a small smooth discrepancy: ρ is identified by the data.
        let x = randomInputs(n: 40, d: 2, seed: 6)
        let prior = SineMean()
        let m = prior.values(at: x)
        let y = (0..<40).map { 0.5 + 2.5 * m[$0] + 0.05 * sin(4 * x[$0, 0] + x[$0, 1]) }
        let fitted = try GaussianProcess.fitWithEvidence(inputs: x, outputs: y, priorMean: prior)
        let rho = try #require(fitted.model.hyperparameters.priorScale)
        #expect(abs(rho - 2.5) < 0.1, "rho \(rho)")
    }

    @Test func aHelpfulPriorIsUsedAndPredictsBetter() throws {
        // Six experiments of f = 3·m + 1 + δ; the prior knows m. Without it the GP cannot interpolate from six points.
        let space = try DesignSpace(parameters: [Parameter(name: "a", domain: .real(low: 0, high: 1, logScale: false)),
                                                 Parameter(name: "b", domain: .real(low: 0, high: 1, logScale: false))])
        let encoding = SpaceEncoding(space: space)
        let prior = SineMean()
        let truth: ([Double]) -> Double = { 3 * prior.value($0) + 1 + 0.1 * $0[0] }
        let design = randomInputs(n: 6, d: 2, seed: 7)
        let points = (0..<6).map { [design[$0, 0], design[$0, 1]] }
        let assignments = points.map { [ParameterValue.real($0[0]), .real($0[1])] }
        let fitted = try BayesianOptimizer.fitWithPrior(encoding: encoding, assignments: assignments, values: points.map(truth),
                                                        kernel: nil, seed: 1, prior: prior)
        #expect(fitted.evidence.used)
        #expect(fitted.evidence.varianceExplained > 0.9)
        let plain = try BayesianOptimizer.fit(encoding: encoding, assignments: assignments, values: points.map(truth), kernel: nil, seed: 1)
        let test = randomInputs(n: 200, d: 2, seed: 8)
        func rmse(_ gp: GaussianProcess, _ t: OutputTransform) -> Double {
            let p = gp.posterior(at: test).mean.map(t.inverse)
            let e = (0..<200).map { p[$0] - truth([test[$0, 0], test[$0, 1]]) }
            return (e.map { $0 * $0 }.reduce(0, +) / 200).squareRoot()
        }
        let withPrior = rmse(fitted.gp, fitted.transform), without = rmse(plain.gp, plain.transform)
        #expect(withPrior < 0.25 * without, "RMSE with the prior \(withPrior), without \(without)")
    }

    @Test func aMinimizedObjectiveSeesThePriorOriented() throws {
        // values = −metric (minimized); the prior predicts the metric: ρ must come out positive (about 1).
        let space = try DesignSpace(parameters: [Parameter(name: "a", domain: .real(low: 0, high: 1, logScale: false)),
                                                 Parameter(name: "b", domain: .real(low: 0, high: 1, logScale: false))])
        let prior = SineMean()
        let design = randomInputs(n: 12, d: 2, seed: 9)
        let points = (0..<12).map { [design[$0, 0], design[$0, 1]] }
        let fitted = try BayesianOptimizer.fitWithPrior(encoding: SpaceEncoding(space: space),
                                                        assignments: points.map { [.real($0[0]), .real($0[1])] },
                                                        values: points.map { -prior.value($0) - 0.2 }, kernel: nil, seed: 1,
                                                        prior: prior, orientation: -1)
        #expect(fitted.evidence.used)
        #expect(abs(fitted.evidence.rho - 1) < 0.05, "rho \(fitted.evidence.rho)")
    }
}
