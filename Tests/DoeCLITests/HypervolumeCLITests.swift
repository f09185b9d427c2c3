import Foundation
import Testing

/// `status` and `best` report the Pareto front's hypervolume and its reference point (given or inferred).
@Suite struct HypervolumeCLITests {
    @Test func statusAndBestReportTheFrontsHypervolume() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("bad.yaml", """
            parameters: [{name: x, type: real, low: 0, high: 1}]
            objectives: [{name: mass, direction: minimize, unit: kg}, {name: stiffness, direction: maximize}]
            reference_point: {mass: 4, stifness: 0}
            """)
        let bad = try cli.run(["init", "bad", "--space", "bad.yaml"])
        #expect(bad.status == 64 && bad.stderr.contains("reference_point") && bad.stderr.contains("'stifness' is not an objective"),
                "\(bad.stderr)")
        try cli.write("mo.yaml", """
            parameters: [{name: x, type: real, low: 0, high: 1}]
            objectives: [{name: mass, direction: minimize, unit: kg}, {name: stiffness, direction: maximize}]
            reference_point: {mass: 4, stiffness: 0}
            """)
        try cli.ok(["init", "mo", "--space", "mo.yaml", "--seed", "1"])
        try cli.ok(["suggest", "mo", "--batch", "4"])
        for (id, mass, stiffness) in [(1, 1.0, 1.0), (2, 2.0, 2.0), (3, 3.0, 3.0), (4, 3.0, 1.0)] {   // trial 4 is dominated
            try cli.ok(["observe", "mo", "\(id)", "--value", "mass=\(mass)", "--value", "stiffness=\(stiffness)"])
        }
        let status = try #require(try cli.json(try cli.ok(["status", "mo", "--json"])) as? [String: Any])
        let hv = try #require(status["hypervolume"] as? [String: Any])
        #expect(hv["value"] as? Double == 6 && hv["inferred"] as? Bool == false, "\(hv)")
        #expect((hv["reference_point"] as? [String: Double]) == ["mass": 4, "stiffness": 0])
        #expect(try cli.ok(["status", "mo"]).contains("Pareto front: 3 trials, hypervolume 6 (reference point mass = 4 kg, stiffness = 0)"))
        let best = try #require(try cli.json(try cli.ok(["best", "mo", "--json"])) as? [String: Any])
        #expect(((best["hypervolume"] as? [String: Any])?["value"] as? Double) == 6)
        #expect((best["best"] as? [[String: Any]])?.count == 3)
    }
}
