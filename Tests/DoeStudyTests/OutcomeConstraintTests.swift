import DoeBase
import DoeDesign
@testable import DoeStudy
import DoeStrategies
import Foundation
import Testing

/// Outcome constraints: the space file's `constraints:`, results that must report them, feasible-only bests, and a
/// suggestion that moves toward feasibility and then optimizes inside it.
@Suite struct OutcomeConstraintTests {
    static let header = """
        parameters: [{name: x, type: real, low: 0, high: 1}, {name: y, type: real, low: 0, high: 1}]
        objectives: [{name: cost, direction: minimize}]

        """

    func study(_ text: String, seed: UInt64 = 1) throws -> (Study, String) {
        let directory = NSTemporaryDirectory() + "doe-constraints-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: directory + "/space.yaml", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.yaml", in: directory, seed: seed)
        s.onWarning = { _ in }
        return (s, directory)
    }

    @Test func spaceFileConstraintsParseAndBadOnesNameTheField() throws {
        let space = try DesignSpace.parse(Self.header + "constraints: [{name: stress, max: 250, unit: MPa}, {name: gap, min: 0, max: 2}]")
        #expect(space.outcomeConstraints == [OutcomeConstraint(name: "stress", max: 250, unit: "MPa"),
                                             OutcomeConstraint(name: "gap", max: 2, min: 0)])
        #expect(space.outcomeNames == ["cost", "stress", "gap"])
        #expect(space.isFeasible(["stress": 250, "gap": 0]) && !space.isFeasible(["stress": 250.5, "gap": 1]))
        #expect(!space.isFeasible(["stress": 1]), "a missing constrained value is not feasible")
        #expect(space.outcomeConstraints[1].description == "0 ≤ gap ≤ 2")
        let bad: [(String, String)] = [
            ("constraints: {stress: 250}", "expected a list"),
            ("constraints: [{name: stress}]", "needs max, min or both"),
            ("constraints: [{name: stress, max: .nan}]", "finite number"),
            ("constraints: [{name: stress, max: 1, min: 2}]", "nothing is feasible"),
            ("constraints: [{name: x, max: 1}]", "already a parameter"),
            ("constraints: [{name: cost, max: 1}]", "already a parameter, objective"),
            ("constraints: [{name: s, max: 1}, {name: s, min: 0}]", "already"),
            ("constraints: [{name: stress, maximum: 1}]", "unknown field"),
            ("constraints: [{name: id, max: 1}]", "reserved"),
        ]
        for (line, message) in bad {
            #expect(throws: SpaceError.self, "\(line)") { try DesignSpace.parse(Self.header + line) }
            do { _ = try DesignSpace.parse(Self.header + line) } catch {
                #expect("\(error)".contains(message) && "\(error)".contains("constraint"), "\(line): \(error)")
            }
        }
    }

    @Test func resultsMustReportEveryConstrainedMetricAndNothingIsLost() throws {
        let (s, directory) = try study(Self.header + "constraints: [{name: stress, max: 250}]")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trials = try s.suggest(count: 3)
        try s.observe(id: trials[0].id, values: [("cost", 1), ("stress", 100)])
        let before = try Data(contentsOf: URL(fileURLWithPath: s.journalPath))
        let refusals: [[(String, Double)]] = [[("cost", 2)], [("cost", 2), ("stress", .nan)], [("cost", 2), ("strain", 1)]]
        for values in refusals {
            do {
                try s.observe(id: trials[1].id, values: values)
                Issue.record("accepted \(values)")
            } catch {
                let text = "\(error)"
                #expect(text.contains("stress") || text.contains("strain"), "\(text)")
            }
        }
        let csv = "id,cost\n\(trials[1].id),2\n"
        #expect(throws: StudyError.self) { try s.observe(ResultsFile.parse(csv, source: "r.csv", space: s.space)) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.journalPath)) == before, "a refused result writes nothing")
        try s.observe(ResultsFile.parse("id,cost,stress\n\(trials[1].id),0.5,300\n", source: "r.csv", space: s.space))
        let state = try s.load()
        #expect(state.trial(trials[1].id)?.values == ["cost": 0.5, "stress": 300])
        // best and the summary only count the feasible trial, though the infeasible one is cheaper
        let summary = StudySummary(state: state, space: s.space, fitModels: false)
        #expect(summary.feasible == 1 && summary.best.map(\.id) == [trials[0].id])
        let csvOut = TrialTable.csv(state, space: s.space)
        #expect(csvOut.hasPrefix("id,state,x,y,cost,stress,feasible,generator"), "\(csvOut)")
        #expect(csvOut.contains(",0.5,300.0,false,"))
    }

    /// `stress = 2 − x − y ≤ 0.1`: feasible only where x + y ≥ 1.9 (0.5 % of the square); the initial design
    /// misses it. The batch must move toward it and, once there, minimize cost = x² + (1 − y)² inside it.
    @Test(arguments: ["logei", "qlognei"])
    func infeasibleStudyMovesTowardFeasibilityThenOptimizesInside(acquisition: String) throws {
        let (s, directory) = try study(Self.header + "constraints: [{name: stress, max: 0.1}]\ninitial_trials: 6", seed: 3)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kind = try #require(AcquisitionKind(rawValue: acquisition))
        func measure(_ t: Trial) throws {
            let x = t.params[0].number!, y = t.params[1].number!
            try s.observe(id: t.id, values: [("cost", x * x + (1 - y) * (1 - y)), ("stress", 2 - x - y)])
        }
        // six imported infeasible runs (x + y ≤ 1.3) make the initial design
        let runs = [(0.1, 0.2), (0.5, 0.7), (0.9, 0.1), (0.3, 0.9), (0.7, 0.45), (0.05, 0.6)]
        let rows = runs.map { x, y in "\(x),\(y),\(x * x + (1 - y) * (1 - y)),\(2 - x - y)" }
        try s.observe(ResultsFile.parse((["x,y,cost,stress"] + rows).joined(separator: "\n") + "\n", source: "runs.csv", space: s.space))
        var state = try s.load()
        let initialFeasible = state.trials(in: .completed).filter { s.space.isFeasible($0.values) }.count
        #expect(initialFeasible == 0, "the test needs an infeasible start")
        let initialBest = state.trials(in: .completed).map { $0.values["stress"]! }.min()!
        let first = try s.suggest(count: 2, strategy: BayesianStrategy(acquisition: kind))
        #expect(first[0].generatorInfo?["feasibility_only"] == .bool(true))
        #expect(first[0].generatorInfo?["constraints"] == .array(["stress ≤ 0.1"]))
        for t in first { try measure(t) }
        state = try s.load()
        let afterFirst = first.map { state.trial($0.id)!.values["stress"]! }.min()!
        #expect(afterFirst < initialBest, "the first constrained batch moves toward feasibility: \(afterFirst) vs \(initialBest)")
        for _ in 0..<5 { for t in try s.suggest(count: 2, strategy: BayesianStrategy(acquisition: kind)) { try measure(t) } }
        state = try s.load()
        let summary = StudySummary(state: state, space: s.space, fitModels: false)
        let best = try #require(summary.best.first)
        #expect((summary.feasible ?? 0) >= 3, "feasible trials found: \(summary.feasible ?? 0)")
        #expect(s.space.isFeasible(best.values))
        // the constrained optimum is (0.9, 1) with cost 0.81 (the feasible corners cost 1 and 1.01); the
        // unconstrained one, (0, 1), is infeasible
        #expect(best.values["cost"]! < 0.86, "best feasible cost \(best.values["cost"]!)")
    }

    /// Each constraint's model is chosen by marginal likelihood of its slack: a constraint linear in the parameters
    /// keeps the identity, one spanning five orders of magnitude gets the signed log; `generator_info` says which.
    @Test func constraintTransformIsChosenByEvidenceAndRecorded() throws {
        let (s, directory) = try study(Self.header + "constraints: [{name: sum, max: 1.2}, {name: spike, max: 100}]")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rng = SplitMix64(seed: 11)
        let rows = (0..<24).map { _ -> String in
            let x = rng.nextUnit(), y = rng.nextUnit()
            return "\(x),\(y),\(x * x + y),\(x + y),\(exp(12 * x))"
        }
        try s.observe(ResultsFile.parse((["x,y,cost,sum,spike"] + rows).joined(separator: "\n") + "\n", source: "runs.csv",
                                        space: s.space))
        let trial = try #require(try s.suggest(count: 1).first)
        #expect(trial.generatorInfo?["constraints"] == .array(["sum ≤ 1.2", "spike ≤ 100"]))
        #expect(trial.generatorInfo?["constraint_transforms"] == .array(["identity", "signed-log"]),
                "\(String(describing: trial.generatorInfo))")
    }
}
