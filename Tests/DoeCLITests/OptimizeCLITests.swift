import Foundation
import Testing

/// `doe optimize`: the candidates are what `doe predict` says at them, inside the box and the constraints; `--into`
/// adds them to a study as pending trials with the model's hashes; bad requests name the problem.
@Suite struct OptimizeCLITests {
    static let space = """
        parameters:
          - {name: rw, type: real, low: 0.05, high: 0.15}
          - {name: r, type: real, low: 100, high: 50000}
          - {name: Tu, type: real, low: 63070, high: 115600}
          - {name: Hu, type: real, low: 990, high: 1110}
          - {name: Tl, type: real, low: 63.1, high: 116}
          - {name: Hl, type: real, low: 700, high: 820}
          - {name: L, type: real, low: 1120, high: 1680}
          - {name: Kw, type: real, low: 9855, high: 12045}
        objectives: [{name: flow, direction: maximize}]
        parameter_constraints: ["Hu - Hl >= 350"]
        """

    @Test func candidatesAreThePredictionsAtThemAndGoIntoAStudy() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.borehole, "--out", "bh", "--hidden", "16,16", "--epochs", "20", "--ensemble", "2"])
        let out = try cli.ok(["optimize", "bh", "--maximize", "flow", "--where", "flow <= 200", "--constraint", "L <= 1400",
                              "--format", "json", "--count", "4"])
        let result = try #require(try cli.json(out) as? [String: Any])
        let candidates = try #require(result["candidates"] as? [[String: Any]])
        #expect(candidates.count == 4 && (result["screened"] as? Int ?? 0) > 1000 && (result["optimizations"] as? Int ?? 0) >= 1)
        var csv = "rw,r,Tu,Hu,Tl,Hl,L,Kw\n"
        let names = ["rw", "r", "Tu", "Hu", "Tl", "Hl", "L", "Kw"]
        for c in candidates {
            let x = try #require(c["inputs"] as? [String: Double])
            #expect((x["L"] ?? .infinity) <= 1400 + 1e-6, "the input constraint holds: \(x)")
            #expect((x["rw"] ?? 0) >= 0.05 && (x["rw"] ?? 1) <= 0.15)
            let flow = try #require((c["outputs"] as? [String: Double])?["flow"])
            #expect(flow <= 200 + 1e-3, "the output bound holds: \(flow)")
            csv += names.map { "\(x[$0]!)" }.joined(separator: ",") + "\n"
        }
        let best = try #require((candidates[0]["outputs"] as? [String: Double])?["flow"])
        #expect(best > 199, "maximizing flow under flow <= 200 lands on the bound: \(best)")
        // what doe predict says at the candidates
        try cli.write("c.csv", csv)
        let predicted = try #require((try cli.json(try cli.ok(["predict", "bh", "--input", "c.csv", "--std", "--format", "json"]))
            as? [String: Any])?["predictions"] as? [[String: Any]])
        for (c, p) in zip(candidates, predicted) {
            let flow = (c["outputs"] as? [String: Double])?["flow"] ?? .nan, std = (c["std"] as? [String: Double])?["flow"] ?? .nan
            #expect(abs(flow - (p["flow"] as? Double ?? .infinity)) < 1e-3 && abs(std - (p["flow_std"] as? Double ?? .infinity)) < 1e-3)
        }
        // into a study: pending trials of generator surrogate with the model's hashes, in the study's space
        try cli.write("space.yaml", Self.space)
        try cli.ok(["init", "bore", "--space", "space.yaml"])
        let into = try cli.run(["optimize", "bh", "--maximize", "flow", "--count", "3", "--into", "bore"])
        #expect(into.status == 0 && into.stderr.contains("added trials 1–3 to bore"), "\(into.stderr)")
        let trials = try #require((try cli.json(try cli.ok(["trials", "bore", "--format", "json"])) as? [String: Any])?["trials"] as? [[String: Any]])
        #expect(trials.count == 3 && trials.allSatisfy { $0["generator"] as? String == "surrogate" && $0["state"] as? String == "pending" })
        for t in trials {
            let p = try #require(t["params"] as? [String: Any])
            #expect(((p["Hu"] as? Double) ?? 0) - ((p["Hl"] as? Double) ?? 0) >= 350 - 1e-6, "the study's parameter constraint holds: \(p)")
        }
        let journal = try #require(cli.read("studies/bore/journal.jsonl"))
        let sha = try #require(try runProcess("/usr/bin/sha256sum", [cli.directory + "/bh/model.json"]).1.split(separator: " ").first)
        #expect(journal.contains("\"model.json\":\"\(sha)\"") && journal.contains("\"generator\":\"surrogate\""), "the model's hash is in the journal")
    }

    @Test func badRequestsNameTheProblem() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.borehole, "--out", "bh", "--hidden", "8", "--epochs", "5", "--ensemble", "2"])
        try cli.write("short.yaml", Self.space.replacingOccurrences(of: "  - {name: Kw, type: real, low: 9855, high: 12045}\n", with: ""))
        try cli.write("space.yaml", Self.space)
        try cli.ok(["init", "short", "--space", "short.yaml"])
        let cases: [([String], Int32, String)] = [
            (["optimize", "bh"], 64, "--minimize OUT or --maximize OUT"),
            (["optimize", "bh", "--maximize", "flw"], 64, "'flw' is not an output of bh (outputs: flow)"),
            (["optimize", "bh", "--maximize", "flow", "--where", "flow <= x"], 64, "'x' is not a finite number"),
            (["optimize", "bh", "--maximize", "flow", "--constraint", "rw + q <= 1"], 64, "unknown name 'q'"),
            (["optimize", "bh", "--maximize", "flow", "--where", "flow >= 1e6"], 1, "no design in the box meets every constraint"),
            (["optimize", "bh", "--maximize", "flow", "--fix", "Kw=abc"], 64, "'abc' is not a finite number"),
            (["optimize", "bh", "--maximize", "flow", "--into", "short"], 64, "has no parameter for the model's input(s) Kw"),
            (["optimize", "bh", "--maximize", "flow", "--into", "../x"], 64, "../x"),
            (["optimize", "bh", "--maximize", "flow", "--trust", "nan"], 64, "--trust"),
            (["optimize", "nope", "--maximize", "flow"], 1, "nope"),
        ]
        for (arguments, status, message) in cases {
            let r = try cli.run(arguments)
            #expect(r.status == status && r.stderr.contains(message), "\(arguments): \(r.status) \(r.stderr)")
        }
        #expect(try cli.ok(["trials", "short", "--format", "json"]).contains("\"trials\":[]"), "nothing recorded by a refused request")
    }
}
