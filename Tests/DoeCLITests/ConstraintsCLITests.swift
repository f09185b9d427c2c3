import Foundation
import Testing

/// A constrained study through the CLI: results must report the constrained metric, status and best count only
/// feasible trials, and everything round-trips through --json.
@Suite struct ConstraintsCLITests {
    @Test func constrainedStudyRoundTripsThroughTheCLI() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("bad.yaml", """
            parameters: [{name: t, type: real, low: 1, high: 5, unit: mm}, {name: w, type: real, low: 10, high: 40, unit: mm}]
            objectives: [{name: mass, direction: minimize, unit: kg}]
            constraints: [{name: stress, max: 250, unit: MPa}, {name: stress, min: 0}]
            """)
        let bad = try cli.run(["init", "bad", "--space", "bad.yaml"])
        #expect(bad.status == 64 && bad.stderr.contains("constraint 'stress' (#2)") && bad.stderr.contains("already"), "\(bad.stderr)")
        try cli.write("beam.yaml", """
            parameters: [{name: t, type: real, low: 1, high: 5, unit: mm}, {name: w, type: real, low: 10, high: 40, unit: mm}]
            objectives: [{name: mass, direction: minimize, unit: kg}]
            constraints: [{name: stress, max: 250, unit: MPa}]
            initial_trials: 5
            """)
        try cli.ok(["init", "beam", "--space", "beam.yaml", "--seed", "2"])
        // mass grows with the section, stress falls with it: the constraint binds
        func measure(_ t: Double, _ w: Double) -> (mass: Double, stress: Double) { (0.01 * t * w, 6000 / (t * w)) }
        func run(_ trials: [[String: Any]]) throws {
            var rows = ["id,mass,stress"]
            for trial in trials {
                let params = try #require(trial["params"] as? [String: Double])
                let m = measure(params["t"]!, params["w"]!)
                rows.append("\(trial["id"] as! Int),\(m.mass),\(m.stress)")
            }
            try cli.write("r.csv", rows.joined(separator: "\n") + "\n")
            try cli.ok(["observe", "beam", "--results", "r.csv"])
        }
        let first = try #require(try cli.json(try cli.ok(["suggest", "beam", "--batch", "5", "--json"])) as? [String: Any])
        let firstTrials = try #require(first["trials"] as? [[String: Any]])
        // a result without the constrained metric is refused, naming it; nothing is recorded
        let missing = try cli.run(["observe", "beam", "\(firstTrials[0]["id"] as! Int)", "--value", "mass=1"])
        #expect(missing.status == 64 && missing.stderr.contains("'stress'") && missing.stderr.contains("stress ≤ 250"), "\(missing.stderr)")
        let nan = try cli.run(["observe", "beam", "\(firstTrials[0]["id"] as! Int)", "--value", "mass=1", "--value", "stress=nan"])
        #expect(nan.status == 64 && nan.stderr.contains("stress"), "\(nan.stderr)")
        try run(firstTrials)
        for _ in 0..<3 {
            let next = try #require(try cli.json(try cli.ok(["suggest", "beam", "--batch", "3", "--json"])) as? [String: Any])
            let trials = try #require(next["trials"] as? [[String: Any]])
            let info = try #require(trials[0]["generator_info"] as? [String: Any])
            #expect(info["constraints"] as? [String] == ["stress ≤ 250"], "\(info)")
            let probability = try #require(info["probability_feasible"] as? Double)
            #expect(probability >= 0 && probability <= 1)
            try run(trials)
        }
        let status = try #require(try cli.json(try cli.ok(["status", "beam", "--json"])) as? [String: Any])
        let constraints = try #require(status["constraints"] as? [[String: Any]])
        #expect(constraints.first?["name"] as? String == "stress" && constraints.first?["max"] as? Double == 250)
        let feasible = try #require(status["feasible"] as? Int)
        let trials = try #require(try cli.json(try cli.ok(["trials", "beam", "--format", "json"])) as? [String: Any])
        let all = try #require(trials["trials"] as? [[String: Any]])
        let flagged = all.filter { $0["feasible"] as? Bool == true }
        #expect(flagged.count == feasible && feasible >= 2, "feasible \(feasible) of \(all.count)")
        for t in all {
            let values = try #require(t["values"] as? [String: Double])
            #expect((t["feasible"] as? Bool) == (values["stress"]! <= 250))
        }
        // best is the lightest feasible trial, though lighter infeasible ones exist
        let best = try #require(try cli.json(try cli.ok(["best", "beam", "--json"])) as? [String: Any])
        let bestTrial = try #require((best["best"] as? [[String: Any]])?.first)
        let bestMass = try #require((bestTrial["values"] as? [String: Double])?["mass"])
        let feasibleMasses = flagged.compactMap { ($0["values"] as? [String: Double])?["mass"] }
        #expect(bestMass == feasibleMasses.min())
        #expect(try cli.ok(["status", "beam"]).contains("feasible: \(feasible) of \(all.count) completed trials satisfy stress ≤ 250"))
        let csv = try cli.ok(["trials", "beam", "--format", "csv"])
        #expect(csv.hasPrefix("id,state,t,w,mass,stress,feasible,generator"), "\(csv)")
        // the lightest feasible section has t·w = 24 (mass 0.24 kg); after 14 trials the best is within 25 %
        #expect(bestMass < 0.3, "best feasible mass \(bestMass)")
    }

    @Test func parameterConstraintsAreRefusedWhenUnsatisfiableAndHoldEverywhere() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let parameters = "parameters: [{name: x1, type: real, low: 0, high: 10}, {name: x2, type: int, low: 0, high: 10}]\n"
        try cli.write("empty.yaml", parameters + #"parameter_constraints: ["x1 + x2 <= 12", "x1 * x2 >= 200"]"#)
        let empty = try cli.run(["init", "empty", "--space", "empty.yaml"])
        #expect(empty.status == 64 && empty.stderr.contains("parameter_constraints") && empty.stderr.contains("x1 * x2 >= 200")
                && empty.stderr.contains("no point"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/studies/empty"), "a refused init leaves no study")
        try cli.write("typo.yaml", parameters + #"parameter_constraints: ["x1 * x3 <= 32"]"#)
        let typo = try cli.run(["init", "typo", "--space", "typo.yaml"])
        #expect(typo.status == 64 && typo.stderr.contains("unknown name 'x3'") && typo.stderr.contains("column 6"), "\(typo.stderr)")
        try cli.write("geo.yaml", parameters + #"parameter_constraints: ["x1 * x2 <= 32", "x1^2 + x2^2 >= 9"]"#)
        let design = try #require(try cli.json(try cli.ok(["design", "geo.yaml", "-n", "20", "--format", "json"])) as? [String: Any])
        let rows = try #require(design["design"] as? [[String: Double]])
        #expect(rows.count == 20)
        for r in rows { #expect(r["x1"]! * r["x2"]! <= 32 + 1e-9 && r["x1"]! * r["x1"]! + r["x2"]! * r["x2"]! >= 9 - 1e-9, "\(r)") }
        try cli.ok(["init", "geo", "--space", "geo.yaml", "--seed", "5"])
        for round in 0..<3 {
            let batch = try #require(try cli.json(try cli.ok(["suggest", "geo", "--batch", "4", "--json"])) as? [String: Any])
            var lines = ["id,value"]
            for t in try #require(batch["trials"] as? [[String: Any]]) {
                let p = try #require(t["params"] as? [String: Double])
                #expect(p["x1"]! * p["x2"]! <= 32 + 1e-9 && p["x1"]! * p["x1"]! + p["x2"]! * p["x2"]! >= 9 - 1e-9, "round \(round): \(p)")
                lines.append("\(t["id"] as! Int),\(-(p["x1"]! + p["x2"]!))")     // pushes into the x1·x2 ≤ 32 boundary
            }
            try cli.write("r.csv", lines.joined(separator: "\n") + "\n")
            try cli.ok(["observe", "geo", "--results", "r.csv"])
        }
        try cli.write("bad.csv", "x1,x2,value\n8,6,1\n")
        let bad = try cli.run(["observe", "geo", "--results", "bad.csv"])
        #expect(bad.status == 64 && bad.stderr.contains("bad.csv line 2") && bad.stderr.contains("x1 * x2 <= 32"), "\(bad.stderr)")
    }
}
