import Foundation
import Testing

/// Lineage an auditor can follow: who acted (the CI identity when there is one), from which commit, in which units,
/// and the card and registry record in the report of a registered version.
@Suite struct LineageTests {
    let r = ["--registry", "reg"]

    @Test func theCIIdentityAndCommitAreRecordedWithEveryOperation() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "20", "--seed", "1"])
        let github = ["GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "ana", "GITHUB_SHA": "1a2b3c4d5e6f7a8b9c0d", "GITHUB_RUN_ID": "4242",
                      "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "lab/plate", "GITLAB_CI": ""]
        #expect(try cli.run(["registry", "add", "m", "--name", "plate", "--create"] + r, environment: github).status == 0)
        #expect(try cli.run(["gate", "plate@1", "--min", "r2=0.5", "--report-dir", "g"] + r, environment: github).status == 0)
        let gitlab = ["GITLAB_CI": "true", "GITLAB_USER_LOGIN": "ben", "CI_COMMIT_SHA": "ffee0011", "CI_PIPELINE_ID": "77",
                      "CI_PIPELINE_URL": "https://gitlab.example/lab/plate/-/pipelines/77", "GITHUB_ACTIONS": ""]
        #expect(try cli.run(["registry", "promote", "plate@1", "--alias", "production"] + r, environment: gitlab).status == 0)
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        #expect(shown["registered_by"] as? String == "ana (GitHub Actions), run 4242, commit 1a2b3c4d5e6f", "\(shown["registered_by"] ?? "")")
        #expect((shown["lineage"] as? [String: Any])?["git_commit"] as? String == "1a2b3c4d5e6f7a8b9c0d")
        #expect(((shown["gates"] as? [[String: Any]])?.first?["by"] as? String)?.hasPrefix("ana (GitHub Actions), run 4242") == true)
        let promotion = try #require((shown["alias_history"] as? [[String: Any]])?.first)
        #expect(promotion["by"] as? String == "ben (GitLab CI), run 77, commit ffee0011", "\(promotion)")
        let journal = try #require(cli.read("reg/journal.jsonl"))
        #expect(journal.contains("https://github.com/lab/plate/actions/runs/4242") && journal.contains("/pipelines/77"))
        // outside CI: user@host, without the process id (it means nothing to an auditor)
        let plain = ["GITHUB_ACTIONS": "", "GITLAB_CI": "", "USER": "carla"]
        #expect(try cli.run(["registry", "promote", "plate@1", "--alias", "staging"] + r, environment: plain).status == 0)
        let local = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        let by = try #require((local["alias_history"] as? [[String: Any]])?.last?["by"] as? String)
        #expect(by.hasPrefix("carla@") && !by.contains(":"), "\(by)")
    }

    /// A dump in a git work tree: the model records the commit, and whether the file was committed as read.
    @Test func theGitCommitOfTheTrainingDataIsRecorded() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let repo = cli.directory + "/data"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SurrogateCLITests.plate, toPath: repo + "/plate.h5")
        let git = { (arguments: [String]) throws -> (Int32, String) in
            try runProcess("/usr/bin/env", ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments)
        }
        guard try git(["init", "-q"]).0 == 0 else { return }   // no git on this machine: nothing to record
        #expect(try git(["add", "plate.h5"]).0 == 0 && git(["commit", "-qm", "data"]).0 == 0)
        let head = try git(["rev-parse", "HEAD"]).1.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.copyItem(atPath: repo + "/plate.h5", toPath: repo + "/untracked.h5")
        try cli.ok(["train", "data/plate.h5", "data/untracked.h5", "--out", "m", "--epochs", "3"])
        let manifestText = try #require(cli.read("m/model.json"))
        let sources = try #require((try cli.json(manifestText) as? [String: Any])?["sources"] as? [[String: Any]])
        #expect(sources.map { $0["git_commit"] as? String } == [head, head], "\(sources)")
        #expect(sources.map { $0["git_clean"] as? Bool } == [true, false], "the untracked copy is not clean")
        try cli.ok(["report", "m", "--format", "html", "--out", "rep"])
        #expect(cli.read("rep/m.html")?.contains("git \(head.prefix(12)) with uncommitted changes") == true)
    }

    @Test func unitsFromTheDumpReachMetricsONNXRegistryGateAndReport() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "20", "--seed", "1"])
        let metricsText = try #require(cli.read("m/metrics.json"))
        let metrics = try #require(try cli.json(metricsText) as? [String: Any])
        #expect((metrics["units"] as? [String: String]) == ["tip_deflection": "mm", "max_von_mises": "MPa"], "\(metrics["units"] ?? "")")
        try cli.ok(["export", "m", "--onnx", "m.onnx"])
        let onnx = try String(decoding: Data(contentsOf: URL(fileURLWithPath: cli.directory + "/m.onnx")), as: UTF8.self)
        #expect(onnx.contains("output_units") && onnx.contains("mm,MPa") && onnx.contains("tip_deflection [mm]"))
        try cli.write("card.yaml", "purpose: plate stiffness screening\nowner: ana\nlimitations: [plane stress only, E in 150-250 GPa]\n")
        try cli.ok(["registry", "add", "m", "--name", "plate", "--create", "--card", "card.yaml"] + r)
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "plate"] + r)) as? [String: Any])
        #expect(((shown["lineage"] as? [String: Any])?["output_units"] as? [String: String])?["max_von_mises"] == "MPa")
        let gate = try cli.run(["gate", "plate@1", "--max", "tip_deflection.rmse=100", "--min", "r2=-10", "--report-dir", "g"] + r)
        #expect(gate.status == 0 && gate.stdout.contains("rmse [mm]") && !gate.stdout.contains("r2 ["), "\(gate.stdout)")
        // the report of a registered version: its card, registry record and units
        try cli.ok(["registry", "promote", "plate@1", "--alias", "production"] + r)
        let report = try cli.run(["report", "plate@production", "--format", "html", "--out", "rep"] + r)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try #require(cli.read("rep/plate-v1.html"))
        for text in ["Model card — plate@1", "plate stiffness screening", "plane stress only; E in 150-250 GPa", "production",
                     "tip_deflection [mm]", "Last gate", "passed (absolute limits)"] {
            #expect(html.contains(text), "the report lacks \(text)")
        }
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/rep/plate-v1-model/model.json"))
        let missing = try cli.run(["report", "plate@staging", "--out", "rep"] + r)
        #expect(missing.status == 1 && missing.stderr.contains("no alias 'staging'"), "\(missing.stderr)")
    }
}
