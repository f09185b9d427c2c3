import DoeDesign
import Foundation
import Testing

@Suite struct SobolSensitivityTests {
    /// Ishigami function (a = 7, b = 0.1) on [−π, π]³, whose indices are known in closed form:
    /// S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    @Test func ishigamiMatchesClosedForm() throws {
        let a = 7.0, b = 0.1
        let indices = try #require(SobolSensitivity.estimate(dimension: 3, samples: 16384, seed: 7) { points in
            points.map { u in
                let x = u.map { -Double.pi + 2 * Double.pi * $0 }
                return sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0])
            }
        })
        // closed forms (Sobol' & Levitan 1999)
        let v1 = 0.5 * pow(1 + b * pow(Double.pi, 4) / 5, 2)
        let v2 = a * a / 8
        let v13 = pow(b, 2) * pow(Double.pi, 8) * (1.0 / 18 - 1.0 / 50)
        let v = v1 + v2 + v13
        let expectedFirst = [v1 / v, v2 / v, 0]
        let expectedTotal = [(v1 + v13) / v, v2 / v, v13 / v]
        #expect(abs(indices.variance - v) / v < 0.02)
        for i in 0..<3 {
            #expect(abs(indices.firstOrder[i] - expectedFirst[i]) < 0.03, "S\(i + 1) = \(indices.firstOrder[i]), expected \(expectedFirst[i])")
            #expect(abs(indices.total[i] - expectedTotal[i]) < 0.03, "ST\(i + 1) = \(indices.total[i]), expected \(expectedTotal[i])")
        }
        #expect(indices.samples == 16384)
    }

    /// A linear function has no interactions: S_i = ST_i = a_i² / Σ a² (inputs uniform, equal variance).
    @Test func additiveFunctionHasEqualFirstAndTotal() throws {
        let weights = [3.0, 1.0, 0.0, 2.0]
        let indices = try #require(SobolSensitivity.estimate(dimension: 4, samples: 4096) { points in
            points.map { u in zip(u, weights).map { $0 * $1 }.reduce(0, +) }
        })
        let total = weights.map { $0 * $0 }.reduce(0, +)
        for i in 0..<4 {
            #expect(abs(indices.firstOrder[i] - weights[i] * weights[i] / total) < 0.01)
            #expect(abs(indices.total[i] - weights[i] * weights[i] / total) < 0.01)
        }
    }

    @Test func constantOrNonFiniteFunctionsGiveNoIndices() {
        #expect(SobolSensitivity.estimate(dimension: 2, samples: 64) { $0.map { _ in 4.2 } } == nil)
        #expect(SobolSensitivity.estimate(dimension: 2, samples: 64) { $0.map { $0[0] > 0.5 ? .nan : $0[1] } } == nil)
        #expect(SobolSensitivity.estimate(dimension: 0, samples: 64) { $0.map { _ in 1 } } == nil)
    }
}
