import Foundation
import Testing

/// `doe gate` as CI uses it: exit 0 passed, 1 regressed, 2 could not be evaluated, 64 usage; per-output and absolute
/// limits; every run recorded; the stored hashes of both versions checked first.
@Suite struct GateTests {
    let r = ["--registry", "reg"]

    /// A registry with plate@1 (good) and plate@2 (much worse).
    func registry(_ cli: CLI) throws {
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "good", "--hidden", "32,32", "--epochs", "150", "--batch-size", "32",
                    "--seed", "1"])
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "bad", "--hidden", "4", "--epochs", "3", "--seed", "1"])
        try cli.ok(["registry", "init"] + r)
        try cli.ok(["registry", "add", "good", "--name", "plate"] + r)
        try cli.ok(["registry", "add", "bad", "--name", "plate"] + r)
    }

    func gate(_ cli: CLI, _ arguments: [String], dir: String = "g") throws -> CLI.Result {
        try cli.run(["gate"] + arguments + ["--report-dir", dir] + r)
    }

    @Test func exitStatusesTellARegressionFromABrokenConfiguration() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try registry(cli)
        // 0: passed, JUnit says so
        let passed = try gate(cli, ["plate@1", "--baseline", "plate@2", "--max-regression", "rmse=0%", "--min", "r2=0.99"], dir: "pass")
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(cli.read("pass/junit.xml")?.contains("failures=\"0\" errors=\"0\"") == true)
        // 1: regressed
        let failed = try gate(cli, ["plate@2", "--baseline", "plate@1", "--max-regression", "rmse=5%"], dir: "fail")
        #expect(failed.status == 1 && failed.stderr.contains("gate failed"), "\(failed.stderr)")
        #expect(cli.read("fail/junit.xml")?.contains("<failure") == true)
        // 1: an absolute limit, no baseline needed (a first model)
        let absolute = try gate(cli, ["plate@2", "--min", "r2=0.99"], dir: "abs")
        #expect(absolute.status == 1 && absolute.stderr.contains("below the minimum 0.99"), "\(absolute.stderr)")
        // 2: the gate cannot be evaluated — plain messages, a JUnit <error>, never exit 1
        let inconclusive: [([String], String)] = [
            (["plate@1", "--baseline", "plate@2", "--max-regression", "accuracy=5%"], "unknown metric 'accuracy'"),
            (["plate@1", "--baseline", "plate@2", "--max-regression", "tipp.rmse=5%"], "no output 'tipp'"),
            (["plate@7", "--baseline", "plate@2", "--max-regression", "rmse=5%"], "has no version 7"),
            (["plate@1", "--baseline", "plate@stable", "--max-regression", "rmse=5%"], "has no alias 'stable'"),
            (["plate@1", "--min", "r2=0.9", "--dump", "missing.h5"], "missing.h5"),
        ]
        for (arguments, message) in inconclusive {
            let result = try gate(cli, arguments, dir: "inc")
            #expect(result.status == 2 && result.stderr.contains("could not be evaluated") && result.stderr.contains(message),
                    "\(arguments): \(result.status) \(result.stderr)")
            let junit = cli.read("inc/junit.xml") ?? ""
            #expect(junit.contains("errors=\"1\"") && junit.contains("<error") && junit.contains("value=\"2\""), "\(arguments): \(junit)")
            try? FileManager.default.removeItem(atPath: cli.directory + "/inc")
        }
        // 2: an unwritable report folder (a file in the way): a plain message, no Cocoa error text
        try cli.write("blocked", "not a folder\n")
        let unwritable = try gate(cli, ["plate@1", "--min", "r2=0.9"], dir: "blocked/report")
        #expect(unwritable.status == 2 && unwritable.stderr.contains("cannot write the gate report to blocked/report"),
                "\(unwritable.stderr)")
        #expect(!unwritable.stderr.contains("NSCocoaErrorDomain") && !unwritable.stderr.contains("Error Domain"))
        // 64: usage — a bare number without --absolute, a percentage as an absolute value, no limit, no baseline
        let usage: [([String], String)] = [
            (["plate@1", "--baseline", "plate@2", "--max-regression", "rmse=5"], "--absolute"),
            (["plate@1", "--min", "r2=99%"], "not a percentage"),
            (["plate@1", "--baseline", "plate@2"], "at least one limit"),
            (["plate@1", "--max-regression", "rmse=5%"], "--baseline"),
            (["plate@1", "--baseline", "plate@2", "--max-regression", "rmse"], "METRIC=LIMIT"),
        ]
        for (arguments, message) in usage {
            let result = try gate(cli, arguments, dir: "usage")
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
        }
    }

    @Test func perOutputAndNegativeLimitsAndEveryRunIsRecorded() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try registry(cli)
        // plate@2 vs plate@1 regresses everywhere; a per-output limit overrides the all-outputs one for that output only
        let loose = try gate(cli, ["plate@2", "--baseline", "plate@1", "--max-regression", "rmse=1000000%",
                                   "--max-regression", "tip_deflection.rmse=5%"])
        #expect(loose.status == 1, "\(loose.stdout)")
        let reportText = try #require(cli.read("g/metrics.json"))
        let report = try #require(try cli.json(reportText) as? [String: Any])
        let checks = try #require(report["checks"] as? [[String: Any]])
        let failedOutputs = Set(checks.filter { $0["passed"] as? Bool == false }.compactMap { $0["output"] as? String })
        #expect(failedOutputs == ["tip_deflection"], "\(checks)")
        #expect(checks.filter { $0["output"] as? String == "tip_deflection" }.count == 1, "the specific limit replaces the general one")
        // a negative limit demands an improvement: plate@1 improves on plate@2 by far more than 50 %
        #expect(try gate(cli, ["plate@1", "--baseline", "plate@2", "--max-regression", "rmse=-50%"]).status == 0)
        #expect(try gate(cli, ["plate@1", "--baseline", "plate@1", "--max-regression", "rmse=-1%"]).status == 1,
                "no improvement over itself")
        // r2: positive regression is baseline − candidate; an absolute drop needs --absolute
        let r2 = try gate(cli, ["plate@2", "--baseline", "plate@1", "--absolute", "--max-regression", "r2=0.001"])
        #expect(r2.status == 1 && r2.stderr.contains("r2 of"), "\(r2.stderr)")

        // every run is in the registry, with its verdict, limits, report hash and who ran it
        let shown = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        let gates = try #require(shown["gates"] as? [[String: Any]])
        #expect(gates.count == 2, "\(gates)")
        #expect(gates.map { $0["verdict"] as? String } == ["passed", "failed"])
        #expect((gates[0]["report_sha256"] as? String)?.count == 64)
        #expect((gates[0]["rules"] as? [String]) == ["max-regression rmse=-50%"])
        #expect((gates[0]["by"] as? String)?.isEmpty == false)
        let list = try cli.ok(["registry", "list"] + r)
        #expect(list.contains("failed vs plate@1"), "\(list)")
        // a gate on a dump records the dump's SHA-256
        _ = try gate(cli, ["plate@1", "--min", "r2=0.5", "--dump", SurrogateCLITests.plate])
        let again = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        let dumps = try #require((again["gates"] as? [[String: Any]])?.last?["dumps"] as? [[String: Any]])
        #expect((dumps.first?["sha256"] as? String)?.count == 64)
    }

    /// Tampered objects: the gate (either side) and promote refuse; a truncated weights file is refused at add and a
    /// failed add leaves nothing behind; an identical folder is reported as the version that holds it.
    @Test func integrityAtAddGateAndPromote() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try registry(cli)
        // identical content → the existing version, nothing appended
        let journal = cli.read("reg/journal.jsonl")
        let again = try cli.ok(["registry", "add", "good", "--name", "plate"] + r)
        #expect(again.contains("plate@1 already holds this model"), "\(again)")
        #expect(cli.read("reg/journal.jsonl") == journal)
        let json = try #require(try cli.json(try cli.ok(["registry", "add", "good", "--name", "plate", "--json"] + r)) as? [String: Any])
        #expect(json["version"] as? Int == 1 && json["existed"] as? Bool == true)

        // truncated weights: refused at add, naming the file; no object or registry left behind
        try FileManager.default.copyItem(atPath: cli.directory + "/good", toPath: cli.directory + "/truncated")
        let weights = cli.directory + "/truncated/weights.bin"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weights))
        let objectsBefore = try FileManager.default.contentsOfDirectory(atPath: cli.directory + "/reg/objects").count
        let truncated = try cli.run(["registry", "add", "truncated", "--name", "plate"] + r)
        #expect(truncated.status == 1 && truncated.stderr.contains("weights.bin"), "\(truncated.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory + "/reg/objects").count == objectsBefore)
        let fresh = try cli.run(["registry", "add", "truncated", "--name", "plate", "--create", "--registry", "other"])
        #expect(fresh.status == 1 && !FileManager.default.fileExists(atPath: cli.directory + "/other"), "a failed add creates nothing")

        // tamper with an object only plate@2 has: gating it (as candidate or baseline) is inconclusive, promoting refused
        let shown1 = try #require(try cli.json(try cli.ok(["registry", "show", "plate@1"] + r)) as? [String: Any])
        let shown2 = try #require(try cli.json(try cli.ok(["registry", "show", "plate@2"] + r)) as? [String: Any])
        let hashes1 = Set(((shown1["files"] as? [String: [String: Any]]) ?? [:]).values.compactMap { $0["sha256"] as? String })
        let weights2 = try #require(((shown2["files"] as? [String: [String: Any]])?["weights.bin"])?["sha256"] as? String)
        #expect(!hashes1.contains(weights2))
        let victim = cli.directory + "/reg/objects/" + weights2
        chmod(victim, 0o644)
        var tampered = try Data(contentsOf: URL(fileURLWithPath: victim))
        tampered[0] ^= 0xFF   // same size, different bytes
        try tampered.write(to: URL(fileURLWithPath: victim))
        for arguments in [["plate@2", "--baseline", "plate@1", "--max-regression", "rmse=1000000%"],
                          ["plate@1", "--baseline", "plate@2", "--max-regression", "rmse=1000000%"]] {
            let result = try gate(cli, arguments)
            #expect(result.status == 2 && result.stderr.contains("plate@2 failed verification")
                    && result.stderr.contains("does not match its hash"), "\(arguments): \(result.stderr)")
        }
        let promote = try cli.run(["registry", "promote", "plate@2", "--alias", "production", "--force", "--reason", "x"] + r)
        #expect(promote.status == 1 && promote.stderr.contains("refusing to promote plate@2"), "\(promote.stderr)")
        // plate@1 is intact: its gate runs and it is promoted
        #expect(try gate(cli, ["plate@1", "--min", "r2=0.99"]).status == 0)
        try cli.ok(["registry", "promote", "plate@1", "--alias", "production"] + r)
    }

    /// A mistyped or missing registry is an error for every command but `registry init` and `add --create`.
    @Test func aMissingRegistryIsAnErrorNotANewRegistry() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "3"])
        let typo = ["--registry", "regsitry"]
        let commands: [([String], Int32)] = [
            (["registry", "list"], 1), (["registry", "show", "plate"], 1), (["registry", "verify"], 1),
            (["registry", "add", "m", "--name", "plate"], 1), (["registry", "promote", "plate@1", "--alias", "production"], 1),
            (["registry", "export", "plate", "--onnx", "x.onnx"], 1), (["gate", "plate@1", "--min", "r2=0.9"], 2),
        ]
        for (arguments, status) in commands {
            let result = try cli.run(arguments + typo)
            #expect(result.status == status && result.stderr.contains("no registry at regsitry")
                    && result.stderr.contains("doe registry init"), "\(arguments): \(result.status) \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cli.directory + "/regsitry"), "\(arguments) created the registry")
        }
        #expect(try cli.ok(["registry", "init"] + typo).contains("created registry regsitry"))
        #expect(try cli.ok(["registry", "init"] + typo).contains("exists (0 versions)"))
        #expect(try cli.ok(["registry", "verify"] + typo).contains("0 versions verified"))
        try cli.ok(["registry", "add", "m", "--name", "plate", "--create", "--registry", "second"])
    }

    /// Under umask 002 the registry's files are group-writable (objects read-only), so a second user of the group
    /// can add and promote; as root the test runs both users for real with setpriv.
    @Test func aGroupSharesARegistryUnderUmask002() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "3"])
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m2", "--epochs", "3", "--seed", "2"])
        chmod(cli.directory, 0o777)
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let asRoot = getuid() == 0 && setpriv != nil
        func doe(_ arguments: [String], uid: Int? = nil, groups: String = "") throws -> (Int32, String) {
            let quoted = ([CLI.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
            let shell = "umask 002; cd '\(cli.directory)' && exec \(quoted)"
            if asRoot, let uid, let setpriv {
                return try runProcess(setpriv, ["--reuid=\(uid)", "--regid=\(uid)", groups.isEmpty ? "--clear-groups" : "--groups=\(groups)",
                                                "/bin/sh", "-c", shell], environment: ["HOME": cli.directory])
            }
            return try runProcess("/bin/sh", ["-c", shell])
        }
        let owner = 54321, colleague = 54322
        let created = try doe(["registry", "add", "m", "--name", "plate", "--create", "--registry", "shared"], uid: owner)
        #expect(created.0 == 0, "\(created.1)")
        func mode(_ relative: String) -> mode_t {
            var info = stat()
            stat(cli.directory + "/" + relative, &info)
            return info.st_mode & 0o777
        }
        #expect(mode("shared") == 0o775 && mode("shared/objects") == 0o775, "folders \(String(mode("shared"), radix: 8))")
        #expect(mode("shared/journal.jsonl") == 0o664, "journal \(String(mode("shared/journal.jsonl"), radix: 8))")
        let objects = try FileManager.default.contentsOfDirectory(atPath: cli.directory + "/shared/objects")
        #expect(!objects.isEmpty && objects.allSatisfy { mode("shared/objects/" + $0) == 0o444 })
        guard asRoot else { return }
        // a colleague in the owner's group adds and promotes; a stranger gets a clear permission message
        let added = try doe(["registry", "add", "m2", "--name", "plate", "--registry", "shared"], uid: colleague, groups: "\(owner)")
        #expect(added.0 == 0 && added.1.contains("registered plate@2"), "\(added.1)")
        let promoted = try doe(["registry", "promote", "plate@2", "--alias", "production", "--registry", "shared"], uid: colleague,
                               groups: "\(owner)")
        #expect(promoted.0 == 0, "\(promoted.1)")
        let stranger = try doe(["registry", "promote", "plate@1", "--alias", "staging", "--registry", "shared"], uid: 54323)
        #expect(stranger.0 == 1 && stranger.1.contains("permission denied") && stranger.1.contains("chmod -R g+w"), "\(stranger.1)")
    }
}
