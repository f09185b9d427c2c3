import DoeBO
import DoeDesign
import DoeLinalg
@testable import DoeStrategies
import Foundation
import Testing

/// A study of simulations as the prior of another study: the GP of the simulation study's metric seen through the
/// other study's features (different bounds, a log scale on one side, an integer, a categorical), its value equal to
/// the GP's prediction at the mapped point and its gradient checked by central finite differences.
@Suite struct StudyGPPriorTests {
    static let simulation = """
        parameters:
          - {name: a, type: real, low: 0.1, high: 10, log: true}
          - {name: n, type: int, low: 0, high: 20}
          - {name: m, type: categorical, choices: [steel, alu, ti]}
        objectives: [{name: y, direction: minimize}]
        """
    static let study = """
        parameters:
          - {name: a, type: real, low: 0.5, high: 5}
          - {name: n, type: int, low: 2, high: 12}
          - {name: m, type: categorical, choices: [alu, steel]}
          - {name: extra, type: real, low: 0, high: 1}
        objectives: [{name: y, direction: minimize}]
        """

    @Test func theMappedGPAndItsGradient() throws {
        let sim = try DesignSpace.parse(Self.simulation)
        let space = try DesignSpace.parse(Self.study)
        let simEncoding = SpaceEncoding(space: sim)
        var rng = SystemRandomNumberGenerator()
        let choices = ["steel", "alu", "ti"]
        let rows: [[ParameterValue]] = (0..<40).map { _ in
            [.real(exp(Double.random(in: log(0.1)...log(10), using: &rng))), .integer(Int.random(in: 0...20, using: &rng)),
             .text(choices[Int.random(in: 0..<3, using: &rng)])]
        }
        func truth(_ r: [ParameterValue]) -> Double {
            let a = r[0].number!, n = r[1].number!
            return log(a) * 3 + 0.1 * n * n - (r[2] == .text("alu") ? 2 : 0)
        }
        let fitted = try BayesianOptimizer.fitWithScore(encoding: simEncoding, assignments: rows, values: rows.map(truth),
                                                        kernel: nil, seed: 1, warping: false, alsoNoiseFree: true)
        let links = try StudyPrior.featureLinks(simulation: sim, name: "sim", space: space)
        let prior = StudyGPFeaturePrior(gp: fitted.gp, transform: fitted.transform, links: links, dimension: simEncoding.dimension)
        let encoding = SpaceEncoding(space: space)
        for _ in 0..<10 {
            let f = (0..<encoding.dimension).map { _ in Double.random(in: 0.05...0.95, using: &rng) }
            // the value: the GP at the simulation point the features decode to (a, n continuous; m by its choice)
            let a = 0.5 + f[0] * 4.5, n = 2 + f[1] * 10
            let material = f[2] < 0.5 ? 1 : 0   // the study's alu (choice 0) is the simulation's index 1
            var simFeatures = [log(a / 0.1) / log(100), n / 20, 0, 0, 0]
            simFeatures[2 + material] = 1
            let expected = fitted.transform.inverse(fitted.gp.posterior(at: Matrix(rows: 1, columns: 5, columnMajor: simFeatures)).mean[0])
            let (value, gradient) = prior.valueAndGradient(atFeatures: f)
            #expect(abs(value - expected) < 1e-9 * max(1, abs(expected)), "\(value) vs \(expected)")
            #expect(abs(prior.values(atFeatures: Matrix(rows: 1, columns: f.count, columnMajor: f))[0] - value) < 1e-9)
            for k in [0, 1, 3] {   // the continuous features (2 is the categorical, 3 is not a simulation parameter)
                let h = 1e-5
                var up = f, down = f
                up[k] += h; down[k] -= h
                let numeric = (prior.valueAndGradient(atFeatures: up).value - prior.valueAndGradient(atFeatures: down).value) / (2 * h)
                #expect(abs(numeric - gradient[k]) < 1e-4 * max(1, abs(numeric)), "k \(k): \(gradient[k]) vs \(numeric)")
            }
            #expect(gradient[3] == 0 && gradient[2] == 0)
        }
    }

    @Test func parametersThatDoNotMatchAreRefusedNamingBothSides() throws {
        let sim = try DesignSpace.parse(Self.simulation)
        let missing = try DesignSpace.parse(Self.study.replacingOccurrences(of: "name: n,", with: "name: count,"))
        #expect(throws: PriorError.self) { try StudyPrior.featureLinks(simulation: sim, name: "sim", space: missing) }
        do { _ = try StudyPrior.featureLinks(simulation: sim, name: "sim", space: missing) } catch {
            #expect("\(error)".contains("'n' is not a parameter") && "\(error)".contains("study parameters: a, count, m, extra"),
                    "\(error)")
        }
        let foreign = try DesignSpace.parse(Self.study.replacingOccurrences(of: "[alu, steel]", with: "[alu, wood]"))
        do { _ = try StudyPrior.featureLinks(simulation: sim, name: "sim", space: foreign); Issue.record("accepted") } catch {
            #expect("\(error)".contains("\"wood\"") && "\(error)".contains("not a choice"), "\(error)")
        }
        let categorical = try DesignSpace.parse(Self.study.replacingOccurrences(
            of: "{name: a, type: real, low: 0.5, high: 5}", with: "{name: a, type: categorical, choices: [x, y]}"))
        do { _ = try StudyPrior.featureLinks(simulation: sim, name: "sim", space: categorical); Issue.record("accepted") } catch {
            #expect("\(error)".contains("'a' is categorical"), "\(error)")
        }
    }
}
