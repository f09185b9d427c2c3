import Foundation
import Testing

@Suite struct RegistryTests {
    /// Two models of the plate dump, a good and a deliberately worse one.
    func trained(_ cli: CLI) throws {
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "good", "--hidden", "32,32", "--epochs", "150", "--batch-size", "32", "--seed", "1"])
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "bad", "--hidden", "4", "--epochs", "3", "--seed", "1"])
        try cli.write("card.yaml", "purpose: cantilever plate surrogate\nowner: ana\nlimitations: [only the trained box, plane stress]\n")
    }

    @Test func addPromoteShowVerifyAndGate() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try trained(cli)
        let r = ["--registry", "reg"]
        #expect(try cli.ok(["registry", "add", "--create", "good", "--name", "plate", "--card", "card.yaml",
                            "--external-dump", SurrogateCLITests.plate] + r).contains("registered plate@1"))
        #expect(try cli.ok(["registry", "add", "--create", "bad", "--name", "plate"] + r).contains("registered plate@2"))
        try cli.ok(["registry", "promote", "plate@1", "--alias", "production", "--by", "ana", "--reason", "first"] + r)
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "plate@production"] + r)) as? [String: Any])
        #expect(shown["version"] as? Int == 1)
        let card = try #require(shown["card"] as? [String: Any])
        #expect(card["owner"] as? String == "ana")
        #expect(Set(((card["metrics"] as? [String: Any]) ?? [:]).keys) == ["train", "validation", "test", "external"])
        #expect(card["training_data"] != nil)
        let lineage = try #require(shown["lineage"] as? [String: Any])
        #expect(((lineage["sources"] as? [[String: Any]])?.first?["sha256"] as? String)?.count == 64)
        #expect((shown["alias_history"] as? [[String: Any]])?.first?["reason"] as? String == "first")
        #expect(try cli.ok(["registry", "list"] + r).contains("production→1"))
        #expect(try cli.ok(["registry", "verify"] + r).contains("2 versions verified"))
        #expect(try cli.ok(["registry", "compare", "plate@1", "plate@2"] + r).contains("rmse"))

        // the worse candidate fails the gate, with a JUnit failure and exit 1; the better one passes
        let failing = try cli.run(["gate", "plate@2", "--baseline", "plate@production", "--max-regression", "rmse=2%",
                                   "--report-dir", "gate-fail"] + r)
        #expect(failing.status == 1 && failing.stderr.contains("gate failed"))
        let junit = try #require(cli.read("gate-fail/junit.xml"))
        #expect(junit.contains("<testsuite") && junit.contains("<failure") && !junit.contains("failures=\"0\""))
        let reportText = try #require(cli.read("gate-fail/metrics.json"))
        let report = try #require(try cli.json(reportText) as? [String: Any])
        #expect(report["passed"] as? Bool == false)
        let passing = try cli.run(["gate", "plate@1", "--baseline", "plate@2", "--max-regression", "rmse=0%",
                                   "--absolute", "--max-regression", "r2=0.001", "--report-dir", "gate-pass"] + r)
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
        #expect(cli.read("gate-pass/junit.xml")?.contains("failures=\"0\"") == true)
        // gating on an external dump evaluates both models on it
        let external = try cli.run(["gate", "plate@1", "--baseline", "plate@2", "--max-regression", "mae=5%",
                                    "--dump", SurrogateCLITests.plate, "--report-dir", "gate-dump"] + r)
        #expect(external.status == 0, "\(external.stderr)")

        // plate@2 failed its last gate: promoting it is refused unless --force (with a reason), which the history keeps
        let refused = try cli.run(["registry", "promote", "plate@2", "--alias", "production"] + r)
        #expect(refused.status == 1 && refused.stderr.contains("its last gate") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try cli.run(["registry", "promote", "plate@2", "--alias", "production", "--force"] + r).status == 64)
        try cli.ok(["registry", "promote", "plate@2", "--alias", "staging", "--force", "--reason", "field trial"] + r)
        let forced = try #require(try cli.json(try cli.ok(["registry", "show", "plate@2"] + r)) as? [String: Any])
        let history = try #require(forced["alias_history"] as? [[String: Any]])
        #expect(history.last?["forced"] as? Bool == true && history.last?["reason"] as? String == "field trial")
        #expect((forced["last_gate"] as? [String: Any])?["passed"] as? Bool == false)
        // the gate table's columns line up with its header
        let lines = failing.stdout.split(separator: "\n").map(String.init).dropFirst()
        let verdictColumn = try #require(lines.first?.range(of: "verdict")).lowerBound.utf16Offset(in: lines.first!)
        for line in lines.dropFirst() {
            #expect(line.count > verdictColumn && ["pass", "FAIL"].contains { line.dropFirst(verdictColumn).hasPrefix($0) }, "\(line)")
        }

        // a registered version exports to ONNX
        try cli.ok(["registry", "export", "plate@production", "--onnx", "p.onnx"] + r)
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/p.onnx"))
    }

    @Test func tamperedArtifactsAreReportedAndRefused() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try trained(cli)
        let r = ["--registry", "reg"]
        try cli.ok(["registry", "add", "--create", "good", "--name", "plate"] + r)
        let objects = try FileManager.default.contentsOfDirectory(atPath: cli.directory + "/reg/objects").filter { !$0.hasPrefix(".") }
        let victim = cli.directory + "/reg/objects/" + objects[0]
        chmod(victim, 0o644)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: victim))
        let verify = try cli.run(["registry", "verify"] + r)
        #expect(verify.status == 1 && verify.stderr.contains("does not match its hash"))
        let promote = try cli.run(["registry", "promote", "plate@1", "--alias", "production"] + r)
        #expect(promote.status == 1 && promote.stderr.contains("refusing to promote"))
        let export = try cli.run(["registry", "export", "plate@1", "--onnx", "x.onnx"] + r)
        #expect(export.status == 1 && export.stderr.contains("cannot be used"))
    }

    @Test(arguments: [
        (["registry", "add", "good", "--name", "../x"], "invalid model name", 64),
        (["registry", "add", "good", "--name", "a/b"], "invalid model name", 64),
        (["registry", "add", "nope", "--name", "p"], "not a model directory", 1),
        (["registry", "promote", "plate@9", "--alias", "production"], "has no version 9", 1),
        (["registry", "promote", "ghost@1", "--alias", "production"], "no model 'ghost'", 1),
        (["registry", "show", "plate@staging"], "has no alias 'staging'", 1),
        (["gate", "plate@1", "--baseline", "plate@1", "--max-regression", "accuracy=1%"], "unknown metric 'accuracy'", 2),
    ] as [([String], String, Int32)])
    func badRequestsAreRefused(arguments: [String], message: String, status: Int32) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "good", "--epochs", "3"])
        try cli.ok(["registry", "add", "--create", "good", "--name", "plate", "--registry", "reg"])
        let journal = cli.read("reg/journal.jsonl")
        let r = try cli.run(arguments + ["--registry", "reg"])
        #expect(r.status == status && r.stderr.contains(message), "\(r.status) \(r.stderr)")
        if status != 2 { #expect(cli.read("reg/journal.jsonl") == journal, "a refused request leaves the registry journal unchanged") }
    }

    /// Several processes registering at once never get the same version number.
    @Test func concurrentAddsNeverCollide() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "good", "--epochs", "3"])
        try cli.ok(["registry", "init", "--registry", "reg"])
        var processes: [Process] = []
        for k in 0..<6 {   // six different models (seeds), so each is a new version
            try cli.ok(["train", SurrogateCLITests.plate, "--out", "good\(k)", "--epochs", "3", "--seed", "\(k + 1)"])
        }
        for k in 0..<6 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["registry", "add", "good\(k)", "--name", "plate", "--registry", cli.directory + "/reg"]
            p.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            processes.append(p)
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        let listed = try #require(try cli.json(try cli.ok(["registry", "list", "--json", "--registry", "reg"])) as? [String: Any])
        #expect((listed["models"] as? [[String: Any]])?.first?["versions"] as? Int == 6)
        let lines = try #require(cli.read("reg/journal.jsonl")).split(separator: "\n").filter { $0.contains("model_added") }
        let versions = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }.compactMap { $0["version"] as? Int }
        #expect(Set(versions) == Set(1...6))
    }
}

@Suite struct StudyLineageTests {
    /// `doe train --study` trains on a study's observed trials and the registry records which study and journal state.
    @Test func trainingOnAStudyRecordsItsJournalInTheLineage() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1},{"name":"k","type":"int","low":1,"high":4}]"#)
        try cli.ok(["init", "exp", "--space", "space.json", "--seed", "1"])
        for _ in 0..<5 {
            let doc = try #require(try cli.json(try cli.ok(["suggest", "exp", "--batch", "4", "--json"])) as? [String: Any])
            var results: [[String: Any]] = []
            for t in try #require(doc["trials"] as? [[String: Any]]) {
                let p = try #require(t["params"] as? [String: Any])
                results.append(["id": t["id"]!, "value": (p["x"] as! Double) * Double(p["k"] as! Int)])
            }
            try cli.write("r.json", String(decoding: try JSONSerialization.data(withJSONObject: ["results": results]), as: UTF8.self))
            try cli.ok(["observe", "exp", "--results", "r.json"])
        }
        try cli.ok(["train", "--study", "exp", "--out", "m", "--epochs", "20", "--hidden", "8"])
        try cli.ok(["registry", "add", "--create", "m", "--name", "exp-model", "--registry", "reg"])
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "exp-model", "--registry", "reg"])) as? [String: Any])
        let study = try #require((shown["lineage"] as? [String: Any])?["study"] as? [String: Any])
        #expect(study["name"] as? String == "exp")
        #expect(study["completed_trials"] as? Int == 20)
        #expect((study["journal_sha256"] as? String)?.count == 64)
        let both = try cli.run(["train", "x.h5", "--study", "exp"])
        #expect(both.status == 64 && both.stderr.contains("not both"))
    }

    /// A candidate without an output the baseline has fails that check, by name, instead of passing with fewer checks.
    @Test func aCandidateMissingAnOutputFailsThatCheck() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let r = ["--registry", "reg"]
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "field", "--epochs", "5", "--fields", "/fields/uy", "--seed", "1"])
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "plain", "--epochs", "5", "--seed", "1"])
        try cli.ok(["registry", "add", "--create", "field", "--name", "plate"] + r)
        try cli.ok(["registry", "add", "--create", "plain", "--name", "plate"] + r)
        let gate = try cli.run(["gate", "plate@2", "--baseline", "plate@1", "--max-regression", "rmse=1000%",
                                "--report-dir", "g"] + r)
        #expect(gate.status == 1, "\(gate.stdout)")
        #expect(gate.stdout.contains("field") && gate.stdout.contains("FAIL (candidate lacks it)"), "\(gate.stdout)")
        let junit = try #require(cli.read("g/junit.xml"))
        #expect(junit.contains("the candidate has no rmse for field"))
    }

    /// `registry add` loads the model first and keeps every file of the folder.
    @Test func addRefusesABrokenFolderAndKeepsEveryArtifact() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let r = ["--registry", "reg"]
        try FileManager.default.createDirectory(atPath: cli.directory + "/broken", withIntermediateDirectories: true)
        try cli.write("broken/model.json", #"{"format_version":1,"layers":"oops"}"#)
        let broken = try cli.run(["registry", "add", "--create", "broken", "--name", "plate"] + r)
        #expect(broken.status == 1 && broken.stderr.contains("does not load as a model"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/reg/journal.jsonl")
                || !(cli.read("reg/journal.jsonl") ?? "").contains("model_added"))
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "3"])
        try cli.write("m/NOTES.txt", "validated on rig 4\n")
        try cli.ok(["registry", "add", "--create", "m", "--name", "plate"] + r)
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        let files = Set(((shown["files"] as? [String: Any]) ?? [:]).keys)
        #expect(files.isSuperset(of: ["model.json", "weights.bin", "metrics.json", "history.csv", "test-predictions.csv", "NOTES.txt"]), "\(files)")
    }
}
