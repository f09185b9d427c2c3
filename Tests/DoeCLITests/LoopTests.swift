import Foundation
import Testing

@Suite struct LoopTests {
    static let twoParameters = #"[{"name":"x0","type":"real","low":0,"high":1},{"name":"x1","type":"int","low":1,"high":5}]"#

    @Test func thirtyTrialLoopWithTheJSONFormats() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", LoopTests.twoParameters)
        try cli.ok(["init", "loop", "--space", "space.json", "--seed", "11"])
        var ids: [Int] = []
        var bestSeen = Double.infinity
        for _ in 0..<10 {
            let out = try cli.ok(["suggest", "loop", "--batch", "3", "--json"])
            let doc = try #require(try cli.json(out) as? [String: Any])
            let trials = try #require(doc["trials"] as? [[String: Any]])
            #expect(trials.count == 3)
            var results: [[String: Any]] = []
            for t in trials {
                let id = try #require(t["id"] as? Int)
                let params = try #require(t["params"] as? [String: Any])
                let x0 = try #require(params["x0"] as? Double)
                let x1 = try #require(params["x1"] as? Int)
                #expect((0...1).contains(x0) && (1...5).contains(x1))
                let value = (x0 - 0.3) * (x0 - 0.3) + Double(x1)
                bestSeen = min(bestSeen, value)
                ids.append(id)
                results.append(["id": id, "value": value])
            }
            let file = try cli.write("results.json", String(decoding: try JSONSerialization.data(withJSONObject: ["results": results]), as: UTF8.self))
            try cli.ok(["observe", "loop", "--results", file])
        }
        #expect(ids == Array(1...30))
        let status = try #require(try cli.json(try cli.ok(["status", "loop", "--json"])) as? [String: Any])
        let counts = try #require(status["counts"] as? [String: Int])
        #expect(counts["completed"] == 30 && counts["pending"] == 0)
        let best = try #require(try cli.json(try cli.ok(["best", "loop", "--json"])) as? [String: Any])
        let bestTrial = try #require((best["best"] as? [[String: Any]])?.first)
        let values = try #require(bestTrial["values"] as? [String: Double])
        // JSONSerialization (the test's writer) does not always print the shortest round-trip form
        #expect(abs(values["value"]! - bestSeen) <= 1e-12 * abs(bestSeen))
        // The trial table is a complete CSV with one row per trial.
        let csv = try cli.ok(["trials", "loop", "--format", "csv"]).split(separator: "\n")
        #expect(csv.count == 31)
        #expect(csv[0].hasPrefix("id,state,x0,x1,value,generator"))
        // 30 distinct points: the Sobol sequence continues across calls.
        let table = try #require(try cli.json(try cli.ok(["trials", "loop", "--format", "json"])) as? [String: Any])
        let rows = try #require(table["trials"] as? [[String: Any]])
        let points = Set(rows.map { "\($0["params"]!)" })
        #expect(points.count == 30)
    }

    @Test func byHandLoopWithCSVAndMetadata() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", """
        parameters:
          - {name: thickness, type: real, low: 1, high: 5, unit: mm}
          - {name: alloy, type: categorical, choices: [A356, "6061"]}
        objectives:
          - {name: mass, direction: minimize}
          - {name: stiffness, direction: maximize}
        """)
        let created = try cli.ok(["init", "bracket", "--space", "space.yaml", "--seed", "1"])
        #expect(created.contains("initial design 6 trials"))
        let csv = try cli.ok(["suggest", "bracket", "--batch", "2", "--format", "csv"])
        #expect(csv.hasPrefix("id,thickness,alloy\n1,"))
        try cli.ok(["observe", "bracket", "1", "--value", "mass=2.5", "--value", "stiffness=310", "--meta", "operator=ana", "--meta", "rig=2"])
        try cli.write("r.csv", "id,mass,stiffness,comment\n2,1.5,280,\"cracked, re-run later\"\n")
        try cli.ok(["observe", "bracket", "--results", "r.csv"])
        let table = try #require(try cli.json(try cli.ok(["trials", "bracket", "--format", "json"])) as? [String: Any])
        let rows = try #require(table["trials"] as? [[String: Any]])
        let meta1 = try #require(rows[0]["meta"] as? [String: Any])
        #expect(meta1["operator"] as? String == "ana" && meta1["rig"] as? Int == 2)
        let meta2 = try #require(rows[1]["meta"] as? [String: Any])
        #expect(meta2["comment"] as? String == "cracked, re-run later")
        // neither dominates the other: both are on the Pareto front
        let best = try cli.ok(["best", "bracket"])
        #expect(best.contains("Pareto front (2 trials)"))
        // --replace appends a correction; the original record stays in the journal
        try cli.ok(["observe", "bracket", "2", "--value", "mass=1.4", "--value", "stiffness=281", "--replace"])
        let journal = try #require(cli.read("studies/bracket/journal.jsonl"))
        #expect(journal.contains(#""values":{"mass":1.5,"stiffness":280.0}"#) || journal.contains(#""values":{"mass":1.5,"stiffness":280}"#))
        #expect(journal.contains(#""replace":true"#))
        let status = try cli.ok(["status", "bracket"])
        #expect(status.contains("2 completed"))
    }

    @Test func importsExistingResultsByParameters() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", LoopTests.twoParameters)
        try cli.ok(["init", "seeded", "--space", "space.json"])
        try cli.write("old.json", #"{"results":[{"params":{"x0":0.5,"x1":2},"value":2.0},{"params":{"x0":0.1,"x1":4},"value":1.0,"meta":{"source":"2019 campaign"}}]}"#)
        let out = try cli.ok(["observe", "seeded", "--results", "old.json"])
        #expect(out.contains("imported 2 existing results as trials 1, 2"))
        try cli.write("old.csv", "x0,x1,value,lab\n0.25,3,0.5,north\n")
        try cli.ok(["observe", "seeded", "--results", "old.csv"])
        let status = try #require(try cli.json(try cli.ok(["status", "seeded", "--json"])) as? [String: Any])
        #expect((status["counts"] as? [String: Int])?["completed"] == 3)
        let best = try #require(((try cli.json(try cli.ok(["best", "seeded", "--json"])) as? [String: Any])?["best"] as? [[String: Any]])?.first)
        #expect(best["id"] as? Int == 3)
        #expect(best["generator"] as? String == "import")
        // imported trials count towards the study; the next suggestion gets id 4
        let next = try #require(try cli.json(try cli.ok(["suggest", "seeded", "--json"])) as? [String: Any])
        #expect((next["trials"] as? [[String: Any]])?.first?["id"] as? Int == 4)
        // results can come from standard input
        try cli.ok(["observe", "seeded", "--results", "-"], stdin: #"{"results":[{"id":4,"value":3.5}]}"#)
    }

    @Test func pendingTrialsAreTakenAndStatusShowsThem() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", LoopTests.twoParameters)
        try cli.ok(["init", "p", "--space", "space.json", "--seed", "5"])
        let first = try cli.ok(["suggest", "p", "--batch", "2", "--format", "csv"])
        let second = try cli.ok(["suggest", "p", "--batch", "2", "--format", "csv"])
        let firstRows = Set(first.split(separator: "\n").dropFirst().map { $0.split(separator: ",", maxSplits: 1)[1] })
        let secondRows = Set(second.split(separator: "\n").dropFirst().map { $0.split(separator: ",", maxSplits: 1)[1] })
        #expect(firstRows.isDisjoint(with: secondRows))
        try cli.ok(["fail", "p", "1", "--reason", "sensor broke"])
        try cli.ok(["abandon", "p", "2"])
        let status = try cli.ok(["status", "p"])
        #expect(status.contains("2 pending"))
        #expect(status.contains("sensor broke"))
        #expect(status.contains("initial design (Sobol): 2 of 6 taken"))
        let json = try #require(try cli.json(try cli.ok(["status", "p", "--json"])) as? [String: Any])
        let pending = try #require(json["pending"] as? [[String: Any]])
        #expect(pending.map { $0["id"] as? Int } == [3, 4])
        #expect(pending.allSatisfy { ($0["age_seconds"] as? Double ?? -1) >= 0 })
    }

    @Test func sameSeedSameSuggestions() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", LoopTests.twoParameters)
        try cli.ok(["init", "a", "--space", "space.json", "--seed", "99"])
        try cli.ok(["init", "b", "--space", "space.json", "--seed", "99"])
        let a = try cli.ok(["suggest", "a", "--batch", "5", "--format", "csv"])
        let b = try cli.ok(["suggest", "b", "--batch", "5", "--format", "csv"])
        #expect(a == b)
    }

    @Test func designCommandWritesTables() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", LoopTests.twoParameters)
        let csv = try cli.ok(["design", "space.json", "--method", "lhs", "-n", "10", "--seed", "3"])
        #expect(csv.split(separator: "\n").count == 11)
        #expect(csv == (try cli.ok(["design", "space.json", "--method", "lhs", "-n", "10", "--seed", "3"])))
        let json = try #require(try cli.json(try cli.ok(["design", "space.json", "--format", "json", "-n", "4"])) as? [String: Any])
        #expect((json["design"] as? [[String: Any]])?.count == 4)
        let factorial = try cli.ok(["design", "space.json", "--method", "factorial", "--levels", "2"])
        #expect(factorial.split(separator: "\n").count == 1 + 2 * 5)
    }
}
