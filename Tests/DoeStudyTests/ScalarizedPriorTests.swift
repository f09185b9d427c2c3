import DoeBO
import DoeLinalg
@testable import DoeStrategies
import Foundation
import Testing

/// The prior of a ParEGO-scalarized objective: the augmented Chebyshev scalarization of the objectives' priors,
/// its value equal to the scalarization of their values and its gradient checked by central finite differences.
@Suite struct ScalarizedPriorTests {
    /// A smooth test prior with a closed-form gradient.
    struct Analytic: FeaturePrior {
        let f: @Sendable ([Double]) -> Double
        let g: @Sendable ([Double]) -> [Double]
        func values(atFeatures points: Matrix<Double>) -> [Double] {
            (0..<points.rows).map { i in f((0..<points.columns).map { points[i, $0] }) }
        }
        func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double]) { (f(x), g(x)) }
    }

    @Test func valueIsTheScalarizationAndGradientMatchesFiniteDifferences() throws {
        let mass = Analytic(f: { 3 * $0[0] * $0[0] + $0[1] }, g: { [6 * $0[0], 1, 0] })
        let deflection = Analytic(f: { sin(2 * $0[1]) + $0[2] * $0[0] }, g: { [$0[2], 2 * cos(2 * $0[1]), $0[0]] })
        let scalarization = ParEGOScalarization(weights: [0.35, 0.65],
                                                ranges: [(lower: 0, span: 4, maximize: false), (lower: -1, span: 3, maximize: true)])
        let prior = ScalarizedPrior(priors: [mass, deflection], scalarization: scalarization)
        var checked = 0
        var rng = SystemRandomNumberGenerator()
        while checked < 20 {
            let x = (0..<3).map { _ in Double.random(in: 0...1, using: &rng) }
            let terms = [0.35 * (4 - mass.f(x)) / 4, 0.65 * (deflection.f(x) + 1) / 3]
            guard abs(terms[0] - terms[1]) > 1e-3 else { continue }   // the minimum is not differentiable at a tie
            let (value, gradient) = prior.valueAndGradient(atFeatures: x)
            #expect(abs(value - scalarization.value([mass.f(x), deflection.f(x)])) < 1e-12)
            #expect(abs(value - (terms.min()! + 0.05 * terms.reduce(0, +))) < 1e-12)
            let batch = prior.values(atFeatures: Matrix(rows: 1, columns: 3, columnMajor: x))
            #expect(abs(batch[0] - value) < 1e-12)
            for k in 0..<3 {
                let h = 1e-6
                var up = x, down = x
                up[k] += h; down[k] -= h
                let numeric = (prior.valueAndGradient(atFeatures: up).value - prior.valueAndGradient(atFeatures: down).value) / (2 * h)
                #expect(abs(numeric - gradient[k]) < 1e-6 * max(1, abs(numeric)), "x \(x), k \(k): \(gradient[k]) vs \(numeric)")
            }
            checked += 1
        }
    }
}
