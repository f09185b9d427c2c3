import Foundation
import Testing

/// A study's space changes only through `doe space --set`, which checks the trials and journals the change.
@Suite struct SpaceChangeTests {
    static func space(width high: Int, name: String = "width") -> String {
        """
        parameters:
          - {name: \(name), type: real, low: 10, high: \(high), unit: mm}
          - {name: height, type: real, low: 10, high: 80, unit: mm}
        """
    }

    func study(_ cli: CLI) throws {
        try cli.write("space.yaml", Self.space(width: 50))
        try cli.ok(["init", "beam", "--space", "space.yaml", "--seed", "2"])
        try cli.write("old.csv", "width,height,value\n12,20,5\n45,30,3\n48,70,1\n")
        try cli.ok(["observe", "beam", "--results", "old.csv"])
        try cli.ok(["suggest", "beam", "--batch", "2"])
    }

    @Test func wideningIsRecordedAndNarrowingListsTheTrialsOutside() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try study(cli)
        let journal = { cli.read("studies/beam/journal.jsonl") ?? "" }
        try cli.write("wider.yaml", Self.space(width: 60))
        let widened = try cli.ok(["space", "beam", "--set", "wider.yaml", "--reason", "optimum at the bound"])
        #expect(widened.contains("width widened: [10, 50] → [10, 60]"), "\(widened)")
        #expect(journal().contains("\"op\":\"space_changed\"") && journal().contains("optimum at the bound"))
        #expect(cli.read("studies/beam/space.yaml") == Self.space(width: 60))
        #expect(try cli.ok(["space", "beam"]).contains("optimum at the bound"))
        try cli.ok(["status", "beam"])

        let before = journal()
        try cli.write("narrow.yaml", Self.space(width: 40))
        let refused = try cli.run(["space", "beam", "--set", "narrow.yaml"])
        #expect(refused.status == 1 && refused.stderr.contains("leaves") && refused.stderr.contains("2 (completed)")
                && refused.stderr.contains("3 (completed)") && refused.stderr.contains("--exclude-outside"), "\(refused.stderr)")
        #expect(journal() == before && cli.read("studies/beam/space.yaml") == Self.space(width: 60))
        let narrowed = try cli.ok(["space", "beam", "--set", "narrow.yaml", "--exclude-outside", "--reason", "rig limit"])
        #expect(narrowed.contains("out of the model from now on: 2, 3"), "\(narrowed)")
        let trials = try #require(try cli.json(try cli.ok(["trials", "beam", "--format", "json"])) as? [String: Any])
        let rows = try #require(trials["trials"] as? [[String: Any]])
        for id in [2, 3] {
            let row = try #require(rows.first { $0["id"] as? Int == id })
            #expect(row["state"] as? String == "abandoned", "\(row)")
        }
        // the study goes on in the narrowed space
        let next = try #require(try cli.json(try cli.ok(["suggest", "beam", "--format", "json"])) as? [String: Any])
        let width = try #require(((next["trials"] as? [[String: Any]])?.first?["params"] as? [String: Double])?["width"])
        #expect(width <= 40)
        // structural changes need a new study
        try cli.write("renamed.yaml", Self.space(width: 40, name: "breadth"))
        let renamed = try cli.run(["space", "beam", "--set", "renamed.yaml"])
        #expect(renamed.status == 1 && renamed.stderr.contains("needs a new study"), "\(renamed.stderr)")
    }

    @Test func aHandEditedSpaceIsDetectedAndRestored() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try study(cli)
        let before = cli.read("studies/beam/journal.jsonl")
        try cli.write("studies/beam/space.yaml", Self.space(width: 40))
        for command in [["status", "beam"], ["suggest", "beam"], ["observe", "beam", "4", "--value", "2"]] {
            let r = try cli.run(command)
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr.contains("space.yaml was changed outside doe") && r.stderr.contains("doe space beam --restore")
                    && r.stderr.contains("doe space beam --set"), "\(r.stderr)")
            #expect(!r.stderr.contains("remove that line") && !r.stderr.contains("damaged"), "\(r.stderr)")
        }
        #expect(cli.read("studies/beam/journal.jsonl") == before)
        // even a hand edit that no longer parses can be undone
        try cli.write("studies/beam/space.yaml", "parameters: [oops")
        #expect(try cli.ok(["space", "beam", "--restore"]).contains("restored"))
        #expect(cli.read("studies/beam/space.yaml") == Self.space(width: 50))
        try cli.ok(["status", "beam"])
    }

    @Test func statusSaysWhenTheBestTrialSitsOnABound() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", Self.space(width: 50))
        try cli.ok(["init", "beam", "--space", "space.yaml"])
        try cli.write("old.csv", "width,height,value\n12,20,5\n50,30,1\n30,70,3\n")
        try cli.ok(["observe", "beam", "--results", "old.csv"])
        let status = try cli.ok(["status", "beam"])
        #expect(status.contains("note: best trial 2 has width = 50 mm at its upper bound") && status.contains("doe space beam --set"), "\(status)")
        let json = try #require(try cli.json(try cli.ok(["status", "beam", "--json"])) as? [String: Any])
        #expect((json["at_bounds"] as? [[String: Any]])?.first?["parameter"] as? String == "width")
    }
}

@Suite struct NotAStudyTests {
    @Test func aRegistryFolderIsNamedAsSuch() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", DumpMatchingCLITests.fixtures + "root_attributes.h5", "--out", "m", "--epochs", "3", "--hidden", "4"])
        try cli.ok(["registry", "add", "--create", "m", "--name", "m", "--registry", "studies/registry"])
        let r = try cli.run(["status", "registry"])
        #expect(r.status == 64 && r.stderr.contains("is not a study: it is a model registry"), "\(r.stderr)")
    }
}

@Suite struct TrainingMessagesTests {
    @Test func tinyTablesAndEarlyStopsAreSaid() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "s", "--space", "space.json", "--seed", "3"])
        var csv = "x,y,value\n"
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<24 { csv += "\(Double.random(in: 0...1, using: &rng)),\(Double.random(in: 0...1, using: &rng)),\(Double.random(in: 0...1, using: &rng))\n" }
        try cli.write("r.csv", csv)
        try cli.ok(["observe", "s", "--results", "r.csv"])
        try cli.write("train.yaml", "patience: 3\nepochs: 500\n")
        let r = try cli.run(["train", "--study", "s", "--out", "m", "--config", "train.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: the test split has only 3 rows (of 24)"), "\(r.stderr)")
        #expect(r.stderr.contains("stopped early at epoch") && r.stderr.contains("of 500"), "\(r.stderr)")
    }
}
