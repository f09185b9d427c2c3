import Foundation
import Testing

/// Studies that learn their outputs (`goal: learn`, `doe suggest --goal learn`): batches spread apart, and a model of
/// the outputs better than the same number of Sobol points gives.
@Suite struct LearnCLITests {
    /// A function of `a` alone (b barely matters): space-filling designs spend half their points on `b`.
    static func truth(_ a: Double, _ b: Double) -> Double { sin(8 * a) + 0.01 * b }

    static let space = """
        parameters:
          - {name: a, type: real, low: 0, high: 1}
          - {name: b, type: real, low: 0, high: 1}
        objectives: [y]
        initial_trials: 6
        """

    /// Runs `rounds` suggest/observe rounds of `batch` trials; returns the trials' unit points and generator_info.
    static func loop(_ cli: CLI, study: String, rounds: Int, batch: Int, extra: [String] = []) throws -> [(x: [Double], info: [String: Any])] {
        var result: [(x: [Double], info: [String: Any])] = []
        for _ in 0..<rounds {
            let out = try cli.ok(["suggest", study, "--batch", "\(batch)", "--json"] + extra)
            let trials = try #require((try cli.json(out) as? [String: Any])?["trials"] as? [[String: Any]])
            var csv = "id,y\n"
            for t in trials {
                let p = try #require(t["params"] as? [String: Double])
                let (a, b) = (p["a"]!, p["b"]!)
                csv += "\(t["id"]!),\(truth(a, b))\n"
                result.append(([a, b], t["generator_info"] as? [String: Any] ?? [:]))
            }
            try cli.write("r.csv", csv)
            try cli.ok(["observe", study, "--results", "r.csv"])
        }
        return result
    }

    /// Test RMSE of `doe predict STUDY` on 200 fixed points.
    static func rmse(_ cli: CLI, study: String) throws -> Double {
        var state: UInt64 = 17
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let points = (0..<200).map { _ in (unit(), unit()) }
        try cli.write("points.csv", "a,b\n" + points.map { "\($0.0),\($0.1)" }.joined(separator: "\n") + "\n")
        let out = try cli.ok(["predict", study, "--input", "points.csv", "--format", "json"])
        let rows = try #require((try cli.json(out) as? [String: Any])?["predictions"] as? [[String: Any]], "\(out.prefix(300))")
        let predicted = try rows.map { try #require($0["y"] as? Double) }
        let errors = zip(predicted, points).map { p, x in (p - truth(x.0, x.1)) * (p - truth(x.0, x.1)) }
        return (errors.reduce(0, +) / Double(errors.count)).squareRoot()
    }

    @Test func learningBatchesAreSpreadApartAndModelTheOutputBetterThanSobol() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("learn.yaml", Self.space + "\ngoal: learn\n")
        try cli.write("sobol.yaml", Self.space.replacingOccurrences(of: "initial_trials: 6", with: "initial_trials: 100"))
        var learned: [Double] = [], sobol: [Double] = []
        for seed in 1...4 {
            try cli.ok(["init", "learn\(seed)", "--space", "learn.yaml", "--seed", "\(seed)"])
            try cli.ok(["init", "sobol\(seed)", "--space", "sobol.yaml", "--seed", "\(seed)"])
            let trials = try Self.loop(cli, study: "learn\(seed)", rounds: 4, batch: 3)
            _ = try Self.loop(cli, study: "sobol\(seed)", rounds: 4, batch: 3)
            // every learning point keeps its distance from every earlier trial and every other point of its batch
            for (k, t) in trials.enumerated() where k >= 6 {
                #expect(t.info["acquisition"] as? String == "integrated-variance-reduction", "\(t.info)")
                let enforced = try #require(t.info["enforced_distance"] as? Double)
                #expect(enforced == t.info["min_distance"] as? Double && enforced > 0.05, "\(t.info)")
                let nearest = trials[..<k].map { hypot($0.x[0] - t.x[0], $0.x[1] - t.x[1]) }.min()!
                #expect(nearest >= enforced, "trial \(k + 1) is \(nearest) from an earlier one (enforced \(enforced))")
                let variance = try #require((t.info["integrated_variance"] as? [String: Any])?["y"] as? [String: Double])
                #expect(variance["after"]! < variance["before"]!, "\(variance)")
            }
            learned.append(try Self.rmse(cli, study: "learn\(seed)"))
            sobol.append(try Self.rmse(cli, study: "sobol\(seed)"))
        }
        let wins = zip(learned, sobol).filter { $0 <= $1 * 1.05 }.count
        #expect(wins >= 3, "learned \(learned) vs Sobol \(sobol)")
        #expect(learned.reduce(0, +) < 0.7 * sobol.reduce(0, +), "learned \(learned) vs Sobol \(sobol)")

        // --goal learn on an optimization study for one batch; a goal the file cannot have is refused
        try cli.write("opt.yaml", Self.space)
        try cli.ok(["init", "opt", "--space", "opt.yaml", "--seed", "1"])
        _ = try Self.loop(cli, study: "opt", rounds: 2, batch: 3)
        let override = try Self.loop(cli, study: "opt", rounds: 1, batch: 2, extra: ["--goal", "learn"])
        #expect(override.allSatisfy { $0.info["goal"] as? String == "learn" }, "\(override.map(\.info))")
        try cli.write("bad.yaml", Self.space + "\ngoal: explore\n")
        let bad = try cli.run(["init", "bad", "--space", "bad.yaml"])
        #expect(bad.status == 64 && bad.stderr.contains("goal") && bad.stderr.contains("learn"), "\(bad.stderr)")
    }
}
