import Foundation
import Testing

/// Result rows are checked against the trials they name; a repeated identical result is a no-op.
@Suite struct ResultsRowsTests {
    /// A study with two pending trials; returns their (id, width, height) as suggested.
    func beam(_ cli: CLI) throws -> [(Int, Double, Double)] {
        try cli.write("space.yaml", """
        parameters:
          - {name: width, type: real, low: 10, high: 50, unit: mm}
          - {name: height, type: real, low: 10, high: 80, unit: mm}
        """)
        try cli.ok(["init", "beam", "--space", "space.yaml", "--seed", "5"])
        let out = try cli.json(try cli.ok(["suggest", "beam", "--batch", "2", "--format", "json"])) as! [String: Any]
        return (out["trials"] as! [[String: Any]]).map { t in
            let p = t["params"] as! [String: Double]
            return (t["id"] as! Int, p["width"]!, p["height"]!)
        }
    }

    @Test func parameterColumnsMustMatchTheSuggestionUnlessAsRun() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let t = try beam(cli)
        let journal = { cli.read("studies/beam/journal.jsonl") ?? "" }
        let before = journal()
        // rows swapped: the ids stay, the parameters belong to the other trial
        try cli.write("swapped.csv", "id,width,height,value\n\(t[0].0),\(t[1].1),\(t[1].2),1\n\(t[1].0),\(t[0].1),\(t[0].2),2\n")
        let swapped = try cli.run(["observe", "beam", "--results", "swapped.csv"])
        #expect(swapped.status == 64 && swapped.stderr.contains("swapped.csv line 2") && swapped.stderr.contains("rows swapped?")
                && swapped.stderr.contains("--as-run"), "\(swapped.stderr)")
        #expect(journal() == before)
        // rounded to 0.1 mm the way the rig prints them: accepted, and stored as the suggestion
        let w0 = String(format: "%.1f", t[0].1), h0 = String(format: "%.1f", t[0].2)
        try cli.write("rounded.csv", "id,width,height,value\n\(t[0].0),\(w0),\(h0),1.5\n")
        try cli.ok(["observe", "beam", "--results", "rounded.csv"])
        #expect(!journal().contains("as_run"))
        // --as-run records what the rig ran; trials and the model use it
        let ran = (t[1].1 + 3).rounded(), ranText = String(format: "%.1f", ran)
        try cli.write("ran.csv", "id,width,value\n\(t[1].0),\(ranText),2.5\n")
        let asRun = try cli.json(try cli.ok(["observe", "beam", "--results", "ran.csv", "--as-run", "--json"])) as! [String: Any]
        #expect(((asRun["recorded"] as? [[String: Any]])?.first?["as_run"] as? Bool) == true)
        let trials = try cli.json(try cli.ok(["trials", "beam", "--format", "json"])) as! [String: Any]
        let row = (trials["trials"] as! [[String: Any]]).first { $0["id"] as? Int == t[1].0 }!
        #expect((row["params"] as? [String: Double])?["width"] == ran)
        #expect((row["params"] as? [String: Double])?["height"] == t[1].2)
        // values run must still lie in the space
        try cli.write("outside.csv", "id,width,value\n\(t[1].0),99,2.5\n")
        let outside = try cli.run(["observe", "beam", "--results", "outside.csv", "--as-run", "--replace"])
        #expect(outside.status == 64 && outside.stderr.contains("outside.csv line 2") && outside.stderr.contains("width"), "\(outside.stderr)")
    }

    @Test func rowsWithoutIdThatMatchPendingTrialsAreRefused() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let t = try beam(cli)
        let before = cli.read("studies/beam/journal.jsonl")
        try cli.write("batch.csv", "width,height,value\n\(t[0].1),\(t[0].2),1\n\(t[1].1),\(t[1].2),2\n")
        let refused = try cli.run(["observe", "beam", "--results", "batch.csv"])
        #expect(refused.status == 1 && refused.stderr.contains("match pending trials \(t[0].0), \(t[1].0)")
                && refused.stderr.contains("add the id column") && refused.stderr.contains("--import"), "\(refused.stderr)")
        #expect(cli.read("studies/beam/journal.jsonl") == before)
        #expect(try cli.ok(["observe", "beam", "--results", "batch.csv", "--import"]).contains("imported 2"))
    }

    @Test func anIdenticalObservationIsANoOp() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let t = try beam(cli)
        try cli.ok(["observe", "beam", "\(t[0].0)", "--value", "1.25"])
        let before = cli.read("studies/beam/journal.jsonl")
        let again = try cli.run(["observe", "beam", "\(t[0].0)", "--value", "1.25"])
        #expect(again.status == 0 && again.stdout.contains("already has this result (nothing written)"), "\(again.stdout)\(again.stderr)")
        #expect(cli.read("studies/beam/journal.jsonl") == before)
        let different = try cli.run(["observe", "beam", "\(t[0].0)", "--value", "1.5"])
        #expect(different.status == 1 && different.stderr.contains("already has a different result") && different.stderr.contains("--replace"))
    }
}
