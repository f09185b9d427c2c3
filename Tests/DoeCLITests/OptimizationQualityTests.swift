import Foundation
import Testing

/// A quality test (fixed seeds, no timing): GP-BO through the CLI on Branin reaches regret < 0.05 within
/// 30 evaluations on most seeds.
@Suite struct OptimizationQualityTests {
    static func branin(_ u: Double, _ v: Double) -> Double {
        let x1 = 15 * u - 5, x2 = 15 * v
        let a = x2 - 5.1 / (4 * Double.pi * Double.pi) * x1 * x1 + 5 / Double.pi * x1 - 6
        return a * a + 10 * (1 - 1 / (8 * Double.pi)) * cos(x1) + 10
    }

    @Test func braninRegretBelowFiveHundredthsWithinThirtyEvaluations() throws {
        let optimum = 0.397887357729738
        var regrets: [Double] = []
        for seed in [1, 2, 3] {
            let cli = try CLI()
            defer { cli.cleanUp() }
            try cli.write("space.json", #"[{"name":"x0","type":"real","low":0,"high":1},{"name":"x1","type":"real","low":0,"high":1}]"#)
            try cli.ok(["init", "branin", "--space", "space.json", "--seed", "\(seed)"])
            var best = Double.infinity
            for _ in 0..<10 {
                let doc = try #require(try cli.json(try cli.ok(["suggest", "branin", "--batch", "3", "--json"])) as? [String: Any])
                var results: [[String: Any]] = []
                for t in try #require(doc["trials"] as? [[String: Any]]) {
                    let p = try #require(t["params"] as? [String: Double])
                    let y = OptimizationQualityTests.branin(p["x0"]!, p["x1"]!)
                    best = min(best, y)
                    results.append(["id": t["id"]!, "value": y])
                }
                let file = try cli.write("r.json", String(decoding: try JSONSerialization.data(withJSONObject: ["results": results]), as: UTF8.self))
                try cli.ok(["observe", "branin", "--results", file])
            }
            regrets.append(best - optimum)
        }
        print("Branin regret after 30 evaluations (seeds 1, 2, 3): \(regrets)")
        #expect(regrets.filter { $0 < 0.05 }.count >= 2, "regrets \(regrets)")
    }
}

@Suite struct ReproducibilityTests {
    /// Same seed and same journal contents → the same GP suggestions, byte for byte.
    @Test func gaussianProcessSuggestionsRepeatForTheSameSeedAndJournal() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", #"[{"name":"x0","type":"real","low":0,"high":1},{"name":"n","type":"int","low":1,"high":9},{"name":"c","type":"categorical","choices":["a","b","c"]}]"#)
        var rows: [String] = []
        for i in 0..<12 {
            let x = Double(i) / 11
            rows.append(#"{"params":{"x0":\#(x),"n":\#(1 + i % 9),"c":"\#(["a", "b", "c"][i % 3])"},"value":\#((x - 0.4) * (x - 0.4) + Double(i % 9) * 0.01)}"#)
        }
        try cli.write("old.json", #"{"results":["# + rows.joined(separator: ",") + "]}")
        var outputs: [String] = []
        for name in ["a", "b"] {
            try cli.ok(["init", name, "--space", "space.json", "--seed", "42"])
            try cli.ok(["observe", name, "--results", "old.json"])
            let out = try cli.ok(["suggest", name, "--batch", "3", "--json"])
            #expect(out.contains("gp-logei"))
            outputs.append(out)
        }
        #expect(outputs[0] == outputs[1])
    }
}
