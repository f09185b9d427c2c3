import DoeBase
import DoeDesign
@testable import DoeStudy
import DoeStrategies
import Foundation
import Testing

/// Every point a study makes satisfies every parameter constraint: the initial design, the GP's batches (LogEI and
/// qLogNEI, with and without --fix), in spaces with reals, log reals and integers and with linear and nonlinear
/// constraints drawn at random; imports that violate one are refused.
@Suite struct ParameterConstraintStudyTests {
    func study(_ text: String, seed: UInt64) throws -> (Study, String) {
        let directory = NSTemporaryDirectory() + "doe-pconstraints-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: directory + "/space.yaml", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.yaml", in: directory, seed: seed)
        s.onWarning = { _ in }
        return (s, directory)
    }

    /// A random space of a real, a log-scaled real and an integer, with two or three random constraints.
    func randomSpace(_ rng: inout SplitMix64) -> String {
        func r(_ lo: Double, _ hi: Double) -> String { NumberText.significant(lo + (hi - lo) * rng.nextUnit(), digits: 3) }
        let pool = [
            "a + \(r(0.5, 2))*b <= \(r(4, 9))",                    // linear
            "a * n >= \(r(0.5, 3))",                               // bilinear with the integer
            "(a - 2.5)^2 + (b - 2.5)^2 <= \(r(2, 6))",             // a disc
            "sqrt(a * b) + n / 4 <= \(r(2.5, 4))",                 // nonlinear
            "abs(a - b) <= \(r(1, 3))",                            // a band
            "log(b) + a / n >= \(r(-0.5, 0.5))",
        ]
        var chosen: [String] = []
        while chosen.count < 2 + Int(rng.nextUnit() * 2) {
            let c = pool[Int(rng.nextUnit() * Double(pool.count)) % pool.count]
            if !chosen.contains(c) { chosen.append(c) }
        }
        return """
            parameters:
              - {name: a, type: real, low: 0, high: 5}
              - {name: b, type: real, low: 0.1, high: 5, log: true}
              - {name: n, type: int, low: 1, high: 6}
            parameter_constraints: [\(chosen.map { "\"\($0)\"" }.joined(separator: ", "))]
            initial_trials: 6
            """
    }

    @Test func everySuggestionSatisfiesEveryConstraint() throws {
        var rng = SplitMix64(seed: 17)
        var spaces = 0
        while spaces < 8 {
            let text = randomSpace(&rng)
            guard let space = try? DesignSpace.parse(text), space.feasibleShare() >= 0.05 else { continue }
            spaces += 1
            let (s, directory) = try study(text, seed: UInt64(spaces))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            func objective(_ t: Trial) -> Double {
                let a = t.params[0].number!, b = t.params[1].number!, n = t.params[2].number!
                return (a - 4) * (a - 4) + (b - 4) * (b - 4) - n        // its optimum (4, 4, 6) is usually cut off
            }
            let acquisition: AcquisitionKind = spaces % 2 == 0 ? .logei : .qlognei
            for round in 0..<4 {
                let fixed: [String: ParameterValue] = round == 3 ? ["n": .integer(2)] : [:]
                let batch = try s.suggest(count: round == 0 ? 6 : 3, strategy: BayesianStrategy(acquisition: acquisition, fixed: fixed))
                for t in batch {
                    #expect(s.space.satisfiesParameterConstraints(t.params),
                            "\(s.space.parameterConstraints.map(\.text)): trial \(t.id) \(t.params) by \(t.generator)")
                    try s.observe(id: t.id, values: [("value", objective(t))])
                }
                if round > 0 { #expect(batch.allSatisfy { $0.generator.hasPrefix("gp-") }) }
            }
        }
    }

    @Test func importsThatViolateAConstraintAreRefusedNamingIt() throws {
        let (s, directory) = try study("""
            parameters: [{name: x1, type: real, low: 0, high: 10}, {name: x2, type: real, low: 0, high: 10}]
            parameter_constraints: ["x1 * x2 <= 32"]
            """, seed: 1)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = try Data(contentsOf: URL(fileURLWithPath: s.journalPath))
        do {
            try s.observe(ResultsFile.parse("x1,x2,value\n2,3,1\n5,8,2\n", source: "runs.csv", space: s.space))
            Issue.record("a violating row was imported")
        } catch {
            #expect("\(error)".contains("runs.csv line 3") && "\(error)".contains("x1 * x2 <= 32") && "\(error)".contains("off by 8"),
                    "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.journalPath)) == before)
        try s.observe(ResultsFile.parse("x1,x2,value\n2,3,1\n4,8,2\n", source: "runs.csv", space: s.space))
        #expect(try s.load().trials.count == 2)
    }
}
