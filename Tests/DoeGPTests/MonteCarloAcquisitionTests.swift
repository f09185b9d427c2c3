@testable import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation
import Testing

@Suite struct MonteCarloAcquisitionTests {
    /// A GP on a smooth 3-D function with the given noise variance (fixed, so the test knows the model).
    func gp(noise: Double, n: Int = 14, seed: UInt64 = 21) throws -> GaussianProcess {
        let x = randomInputs(n: n, d: 3, seed: seed)
        let y = (0..<n).map { i in -((x[i, 0] - 0.4) * (x[i, 0] - 0.4)) * 3 + 0.8 * x[i, 1] - 0.5 * x[i, 2] * x[i, 0] }
        let h = GPHyperparameters(logLengthscales: [log(0.35), log(0.6), log(0.9)], logSignalVariance: log(0.4),
                                  logNoiseVariance: log(noise), mean: 0.1)
        return try GaussianProcess(inputs: x, outputs: y, hyperparameters: h, kernel: .matern52)
    }

    func rows(_ gp: GaussianProcess, _ indices: [Int], extra: [[Double]] = []) -> Matrix<Double> {
        Matrix(indices.map { gp.inputs.row($0) } + extra)
    }

    @Test func freePointSamplesAreTheJointDrawOfTheFixedPoints() throws {
        // Sampling x as the free point must give exactly what sampling it among the fixed points gives.
        let gp = try gp(noise: 0.01)
        let base = BaseSamples(count: 64, dimension: 8, seed: 3)
        let x = [0.3, 0.7, 0.2]
        let alone = JointPosteriorSampler(gp: gp, points: rows(gp, [0, 3, 5]), base: base)
        let joint = JointPosteriorSampler(gp: gp, points: rows(gp, [0, 3, 5], extra: [x]), base: base)
        let free = alone.samplesWithGradient(at: x).values
        let batched = alone.samples(at: Matrix([x, [0.9, 0.1, 0.5]]))
        for s in 0..<64 {
            #expect(abs(free[s] - joint.samples[s, 3]) < 1e-5, "sample \(s): \(free[s]) vs \(joint.samples[s, 3])")
            #expect(abs(free[s] - batched[s, 0]) < 1e-9)
            for i in 0..<3 { #expect(abs(alone.samples[s, i] - joint.samples[s, i]) < 1e-9) }
        }
        // and the samples have the posterior's moments (QMC: close with 64 samples, exact in the limit)
        let many = JointPosteriorSampler(gp: gp, points: rows(gp, [0]), base: BaseSamples(count: 4096, dimension: 2, seed: 9))
        let draw = many.samplesWithGradient(at: x).values
        let mean = draw.reduce(0, +) / 4096
        let variance = draw.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4095
        let p = gp.posterior(at: Matrix([x]))
        #expect(abs(mean - p.mean[0]) < 0.02 * p.variance[0].squareRoot() + 1e-9)
        #expect(abs(variance / p.variance[0] - 1) < 0.05)
    }

    @Test(arguments: [0, 2, 5])
    func qLogNEIGradientMatchesFiniteDifferences(earlier: Int) throws {
        let gp = try gp(noise: 0.02)
        let base = BaseSamples(count: 128, dimension: 14 + earlier + 1, seed: 11)
        let extra: [[Double]] = (0..<earlier).map { (k: Int) -> [Double] in
            let t = Double(k)
            return [0.1 + 0.15 * t, 0.8 - 0.1 * t, 0.5]
        }
        let sampler = JointPosteriorSampler(gp: gp, points: rows(gp, Array(0..<14), extra: extra), base: base)
        let acquisition = MonteCarloAcquisition(objectives: [sampler], utility: LogNoisyImprovement(objective: sampler))
        for point in [[0.2, 0.5, 0.9], [0.45, 0.95, 0.05], [0.9, 0.1, 0.5], [0.4, 0.99, 0.01]] {
            let (value, gradient) = acquisition.valueAndGradient(at: point)
            #expect(abs(value - acquisition.values(at: Matrix([point]))[0]) < 1e-8)
            expectClose(gradient, finiteDifferences({ acquisition.valueAndGradient(at: $0).value }, at: point),
                        relative: 1e-4, absolute: 1e-5, "qLogNEI gradient at \(point) with \(earlier) earlier points")
        }
    }

    @Test func constrainedAcquisitionGradientMatchesFiniteDifferences() throws {
        let objective = try gp(noise: 0.02)
        let constraintGP = try gp(noise: 0.01, seed: 5)
        let base = BaseSamples(count: 128, dimension: 16, seed: 2)
        let points = rows(objective, Array(0..<14))
        let sampler = JointPosteriorSampler(gp: objective, points: points, base: base)
        let constraintSampler = JointPosteriorSampler(gp: constraintGP, points: points,
                                                      base: BaseSamples(count: 128, dimension: 16, seed: 3))
        let constraint = SampledConstraint(sampler: constraintSampler, limit: 0.2, temperature: 0.05)
        let acquisitions: [any AcquisitionFunction] = [
            MonteCarloAcquisition(objectives: [sampler], constraints: [constraint],
                                  utility: LogNoisyImprovement(objective: sampler, constraints: [constraint])),
            MonteCarloAcquisition(objectives: [], constraints: [constraint], utility: Feasibility()),
        ]
        for acquisition in acquisitions {
            for point in [[0.2, 0.5, 0.9], [0.7, 0.3, 0.4]] {
                let (value, gradient) = acquisition.valueAndGradient(at: point)
                #expect(value.isFinite && value <= 1e-12)
                expectClose(gradient, finiteDifferences({ acquisition.valueAndGradient(at: $0).value }, at: point),
                            relative: 1e-4, absolute: 1e-5, "constrained gradient at \(point)")
            }
        }
    }

    @Test func qLogNEIEqualsAnalyticLogEIInTheNoiselessSingleLimit() throws {
        // Noise 1e-8: the sampled values at the observed points are the observations, so the best sampled value
        // is the best observation and qLogNEI (q = 1) is log EI over it, up to Monte Carlo and smoothing error.
        let gp = try gp(noise: 1e-8)
        let sampler = JointPosteriorSampler(gp: gp, points: rows(gp, Array(0..<14)),
                                            base: BaseSamples(count: 4096, dimension: 15, seed: 4))
        let mc = MonteCarloAcquisition(objectives: [sampler], utility: LogNoisyImprovement(objective: sampler))
        let analytic = Acquisition(kind: .logei, incumbent: gp.outputs.max()!)
        var checked = 0
        let candidates = randomInputs(n: 40, d: 3, seed: 8)
        for point in (0..<40).map(candidates.row) {
            let p = gp.posterior(at: Matrix([point]))
            let expected = analytic.value(mean: p.mean[0], variance: p.variance[0])
            guard expected > -6 else { continue }    // EI far below the smoothing width says nothing about MC error
            let value = mc.values(at: Matrix([point]))[0]
            // 4096 QMC samples: relative error of EI well under 5 %
            #expect(abs(value - expected) < 0.05, "at \(point): qLogNEI \(value), LogEI \(expected)")
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test func fatSoftplusIsSmoothIncreasingAndHasAPolynomialTail() {
        var previous = -Double.infinity
        for t in stride(from: -1e4, through: 50, by: 0.37) {
            let (value, derivative) = logFatSoftplus(t)
            #expect(value > previous && derivative > 0)
            previous = value
        }
        let far = logFatSoftplus(-1e6)
        #expect(far.value.isFinite && far.value > -40 && far.derivative > 0)
        for t in [-30.0, -1, 0, 0.5, 3, 40] {
            let h = 1e-6
            let numeric = (logFatSoftplus(t + h).value - logFatSoftplus(t - h).value) / (2 * h)
            #expect(abs(numeric - logFatSoftplus(t).derivative) < 1e-6 * max(1, abs(numeric)))
        }
    }
}
