import Foundation
import Testing

/// `doe suggest --fix NAME=VALUE`: the batch holds those parameters at the value — in the initial design and in the
/// Bayesian phase — the GP still models them, and the journal records what was fixed.
@Suite struct FixedFeaturesTests {
    @Test func suggestionsHoldTheFixedValuesAndTheJournalSaysSo() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", """
            parameters:
              - {name: x, type: real, low: 0, high: 1}
              - {name: y, type: real, low: 0, high: 1}
              - {name: material, type: categorical, choices: [steel, aluminium]}
            objectives: [{name: cost, direction: minimize}]
            """)
        try cli.ok(["init", "f", "--space", "space.yaml", "--seed", "3"])
        func suggest(_ arguments: [String]) throws -> [[String: Any]] {
            let doc = try #require(try cli.json(try cli.ok(["suggest", "f", "--json"] + arguments)) as? [String: Any])
            return try #require(doc["trials"] as? [[String: Any]])
        }
        func observe(_ trials: [[String: Any]]) throws {
            for t in trials {
                let p = try #require(t["params"] as? [String: Any])
                let x = p["x"] as? Double ?? 0, y = p["y"] as? Double ?? 0
                let cost = (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) + (p["material"] as? String == "steel" ? 0 : 0.2)
                try cli.ok(["observe", "f", "\(t["id"]!)", "--value", "\(cost)"])
            }
        }
        // initial design, with the material held
        let sobol = try suggest(["--batch", "8", "--fix", "material=aluminium"])
        #expect(sobol.allSatisfy { ($0["params"] as? [String: Any])?["material"] as? String == "aluminium" })
        try observe(sobol)
        try observe(try suggest(["--batch", "4"]))
        // the Bayesian phase, with a real parameter held at 0.25
        let gp = try suggest(["--batch", "3", "--fix", "x=0.25"])
        #expect(gp.count == 3 && gp.allSatisfy { ($0["generator"] as? String)?.hasPrefix("gp") == true }, "\(gp)")
        #expect(gp.allSatisfy { ($0["params"] as? [String: Any])?["x"] as? Double == 0.25 }, "\(gp)")
        let ys = gp.compactMap { ($0["params"] as? [String: Any])?["y"] as? Double }
        #expect(Set(ys).count == 3, "the free parameters still vary across the batch: \(ys)")
        let steel = try suggest(["--batch", "2", "--fix", "material=steel"])
        #expect(steel.allSatisfy { ($0["params"] as? [String: Any])?["material"] as? String == "steel" }, "\(steel)")
        let journal = try #require(cli.read("studies/f/journal.jsonl"))
        let fixedLines = journal.split(separator: "\n").filter { $0.contains("\"fixed\":{\"x\":0.25}") }
        #expect(fixedLines.count == 3, "each trial records what was fixed")
        // refused: out of bounds, not a choice, unknown, fixed twice, everything fixed, malformed
        for (arguments, message) in [(["--fix", "x=2"], "parameter 'x'"), (["--fix", "material=titanium"], "material"),
                                     (["--fix", "z=1"], "no parameter 'z'"), (["--fix", "x=0.1", "--fix", "x=0.2"], "fixed twice"),
                                     (["--fix", "x=0.1", "--fix", "y=0.1", "--fix", "material=steel"], "every varied parameter is fixed"),
                                     (["--fix", "x"], "NAME=VALUE")] {
            let before = cli.read("studies/f/journal.jsonl")
            let r = try cli.run(["suggest", "f"] + arguments)
            #expect(r.status == 64 && r.stderr.contains(message), "\(arguments): \(r.status) \(r.stderr)")
            #expect(cli.read("studies/f/journal.jsonl") == before)
        }
    }
}
