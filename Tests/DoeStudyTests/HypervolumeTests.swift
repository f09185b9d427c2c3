import DoeBase
import DoeDesign
import DoeStrategies
@testable import DoeStudy
import Foundation
import Testing

/// The exact hypervolume against hand-computed fronts, against a Monte Carlo estimate, and for a study's objectives
/// (directions, a given or inferred reference point).
@Suite struct HypervolumeTests {
    @Test func handComputedFronts() {
        // 2-D staircase: strips 3·1 + 2·1 + 1·1
        #expect(Hypervolume.minimizing([[1, 3], [2, 2], [3, 1]], reference: [4, 4]) == 6)
        // a dominated point, a duplicate and a point outside the reference box add nothing
        #expect(Hypervolume.minimizing([[1, 3], [2, 2], [3, 1], [3, 3], [2, 2], [5, 0]], reference: [4, 4]) == 6)
        #expect(Hypervolume.minimizing([[4, 1]], reference: [4, 4]) == 0, "on the reference's boundary")
        #expect(Hypervolume.minimizing([], reference: [1, 1]) == 0)
        // 3-D: one box; two boxes 2·2·1 and 1·1·2 overlapping in 1·1·1
        #expect(Hypervolume.minimizing([[1, 1, 1]], reference: [2, 2, 2]) == 1)
        #expect(Hypervolume.minimizing([[0, 0, 1], [1, 1, 0]], reference: [2, 2, 2]) == 5)
        // 3-D, by inclusion–exclusion: boxes [0,3)×[0,3)×[2,3) (9), [2,3)×[0,3)×[0,3) (9), [0,3)×[2,3)×[0,3) (9); pairwise overlaps 3 each; triple 1
        #expect(Hypervolume.minimizing([[0, 0, 2], [2, 0, 0], [0, 2, 0]], reference: [3, 3, 3]) == 9 * 3 - 3 * 3 + 1)
        // 4-D: one point
        #expect(Hypervolume.minimizing([[0, 0, 0, 0]], reference: [1, 2, 3, 4]) == 24)
    }

    @Test(arguments: [3, 4])
    func agreesWithAMonteCarloEstimate(objectives m: Int) {
        var rng = SplitMix64(seed: UInt64(40 + m))
        // a random front on the unit simplex-ish surface plus dominated points
        let points = (0..<(m == 3 ? 40 : 25)).map { _ in (0..<m).map { _ in rng.nextUnit() } }
        let reference = [Double](repeating: 1.1, count: m)
        let exact = Hypervolume.minimizing(points, reference: reference)
        let samples = 200_000
        var hits = 0
        for _ in 0..<samples {
            let x = (0..<m).map { _ in 1.1 * rng.nextUnit() }
            if points.contains(where: { p in zip(p, x).allSatisfy { $0 <= $1 } }) { hits += 1 }
        }
        let box = pow(1.1, Double(m)), share = Double(hits) / Double(samples)
        let estimate = box * share, standardError = box * (share * (1 - share) / Double(samples)).squareRoot()
        #expect(abs(exact - estimate) <= 5 * standardError, "exact \(exact), Monte Carlo \(estimate) ± \(standardError)")
        #expect(exact > 0 && exact < box)
    }

    @Test func aStudysFrontWithDirectionsAndReferencePoints() throws {
        let yaml = """
        parameters: [{name: x, type: real, low: 0, high: 1}]
        objectives: [{name: mass, direction: minimize, unit: kg}, {name: stiffness, direction: maximize}]
        reference_point: {mass: 4, stiffness: 0}
        """
        let space = try DesignSpace.parse(yaml)
        #expect(space.referencePoint == ["mass": 4, "stiffness": 0])
        func trial(_ id: Int, _ mass: Double, _ stiffness: Double) -> Trial {
            Trial(id: id, params: [.real(0.5)], generator: "test", generatorInfo: nil, state: .completed,
                  values: ["mass": mass, "stiffness": stiffness], meta: [], suggestedAt: "", finishedAt: nil, reason: nil,
                  suggestedBy: "t", finishedBy: nil, observationCount: 1)
        }
        // maximizing stiffness: the same staircase as (1,3), (2,2), (3,1) minimized with reference (4, 4) after x ↦ 4 − x
        let trials = [trial(1, 1, 1), trial(2, 2, 2), trial(3, 3, 3)]
        let given = try #require(StudyHypervolume(trials: trials, space: space))
        #expect(given.value == 6 && !given.inferred && given.reference == [4, 0])
        var inferredSpace = space
        inferredSpace.referencePoint = nil
        let inferred = try #require(StudyHypervolume(trials: trials, space: inferredSpace))
        #expect(inferred.inferred && inferred.reference == [3.2, 0.8], "worst value pushed out by 10 % of the range")
        #expect(StudyHypervolume(trials: [], space: space) == nil)
        // refused reference points
        for (text, message) in [("{mass: 4}", "no value for objective 'stiffness'"), ("{mass: 4, stiffness: 0, cost: 1}", "'cost' is not an objective"),
                                ("{mass: 4, stiffness: .nan}", "finite number"), ("[4, 0]", "expected a mapping")] {
            #expect(throws: (any Error).self, "\(text)") { try DesignSpace.parse(yaml.replacingOccurrences(of: "{mass: 4, stiffness: 0}", with: text)) }
            do { _ = try DesignSpace.parse(yaml.replacingOccurrences(of: "{mass: 4, stiffness: 0}", with: text)) } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        let single = "parameters: [{name: x, type: real, low: 0, high: 1}]\nobjectives: [mass]\nreference_point: {mass: 1}\n"
        #expect { try DesignSpace.parse(single) } throws: { "\($0)".contains("two or more objectives") }
    }
}
