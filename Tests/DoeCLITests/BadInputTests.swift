import Foundation
import Testing

/// Every refused request exits non-zero, names the problem, and leaves the journal byte-for-byte unchanged.
@Suite struct BadInputTests {
    static let space = #"{"parameters":[{"name":"x0","type":"real","low":0,"high":1},{"name":"x1","type":"int","low":1,"high":5}],"objectives":[{"name":"y","direction":"minimize"}]}"#

    func prepared() throws -> CLI {
        let cli = try CLI()
        try cli.write("space.json", BadInputTests.space)
        try cli.ok(["init", "s", "--space", "space.json", "--seed", "1"])
        try cli.ok(["suggest", "s", "--batch", "3"])
        try cli.ok(["observe", "s", "1", "--value", "0.5"])
        return cli
    }

    @Test(arguments: [
        (["observe", "s", "2", "--value", "nan"], "not a finite number"),
        (["observe", "s", "2", "--value", "inf"], "not a finite number"),
        (["observe", "s", "2", "--value", "abc"], "not a number"),
        (["observe", "s", "99", "--value", "1"], "trial 99 does not exist"),
        (["observe", "s", "1", "--value", "1"], "already has a different result"),
        (["observe", "s", "2", "--value", "z=1"], "unknown objective 'z'"),
        (["fail", "s", "1", "--reason", "x"], "not pending"),
        (["abandon", "s", "42"], "trial 42 does not exist"),
        (["suggest", "nope"], "no study 'nope'"),
        (["status", "../s"], "invalid study name"),
        (["init", "a/b", "--space", "space.json"], "invalid study name"),
        (["init", "..", "--space", "space.json"], "invalid study name"),
        (["init", "bad\u{7}name", "--space", "space.json"], "invalid study name"),
        (["init", "s", "--space", "space.json"], "already exists"),
        (["init", "t", "--space", "missing.yaml"], "missing.yaml"),
        (["observe", "s", "--results", "missing.json"], "cannot read 'missing.json'"),
    ])
    func refusedCommands(arguments: [String], message: String) throws {
        let cli = try prepared()
        defer { cli.cleanUp() }
        let before = cli.read("studies/s/journal.jsonl")
        let r = try cli.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)")
        #expect(cli.read("studies/s/journal.jsonl") == before)
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/studies/t"))
    }

    @Test(arguments: [
        ("r.json", #"{"results":[{"id":2,"y":1}]}"#, "unknown field 'y'"),
        ("r.json", #"{"results":[{"id":2,"value":0.1},{"id":3,"value":1e999}]}"#, "not valid JSON"),
        ("r.json", #"{"results":[{"id":2,"value":0.1},{"id":3,"value":null}]}"#, "must be a number"),
        ("r.json", #"{"results":[{"id":2,"value":0.1},{"id":2,"value":0.2}]}"#, "already appears"),
        ("r.json", #"{"results":[{"id":2,"value":0.1},{"id":77,"value":0.2}]}"#, "results[1]: trial 77 does not exist"),
        ("r.json", #"{"results":[{"params":{"x0":2,"x1":1},"value":1}]}"#, "parameter 'x0': 2.0 is outside [0.0, 1.0]"),
        ("r.json", #"{"results":[{"params":{"x0":0.5},"value":1}]}"#, "parameter 'x1' is missing"),
        ("r.json", #"{"results":[{"value":1}]}"#, "needs 'id'"),
        ("r.json", #"{"rows":[]}"#, "expected {\"results\""),
        ("r.json", #"{"results":[{"id":2,"value":1}"#, "not valid JSON"),
        ("r.csv", "id\n2\n", "missing column 'y'"),
        ("r.csv", "id,y\n2,0.1\n3,NaN\n", "line 3: value of 'y' is nan"),
        ("r.csv", "id,y\n2,0.1,extra\n", "line 2: 3 fields"),
        ("r.csv", "id,y\ntwo,0.1\n", "id 'two' is not an integer"),
        ("r.csv", "id,y\n2,\n", "no value for 'y'"),
        ("r.csv", "x0,y\n0.5,1\n", "missing 'x1'"),
        ("r.csv", "x0,x1,y\n0.5,3.5,1\n", "not an integer"),
        ("r.csv", "", "empty file"),
    ])
    func refusedResultFiles(name: String, content: String, message: String) throws {
        let cli = try prepared()
        defer { cli.cleanUp() }
        try cli.write(name, content)
        let before = cli.read("studies/s/journal.jsonl")
        let r = try cli.run(["observe", "s", "--results", name])
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)")
        #expect(r.stderr.contains(name) || message == "empty file", "the message names the file: \(r.stderr)")
        #expect(cli.read("studies/s/journal.jsonl") == before)
    }

    @Test func malformedSpaceFileNamesFieldAndParameter() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("bad.yaml", "parameters:\n  - {name: width, type: real, low: 3, high: 1}\n")
        let r = try cli.run(["init", "s", "--space", "bad.yaml"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("bad.yaml: parameter 'width' (#1): field 'high'"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/studies/s"))
    }

    @Test func usageErrorsExitWithUsageStatus() throws {
        let cli = try prepared()
        defer { cli.cleanUp() }
        let r = try cli.run(["suggest", "s", "--batch", "0"])
        #expect(r.status == 64)
        let both = try cli.run(["observe", "s", "2", "--value", "1", "--results", "x.json"])
        #expect(both.status == 64)
    }
}
