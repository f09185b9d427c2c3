import Foundation
import Testing

/// `doe train --tune N`: a tuning killed with SIGKILL mid-trial resumes where it stopped (the cut-off trial abandoned,
/// the finished ones kept, not retrained), and the model it writes names its tuning study.
@Suite struct TuneCLITests {
    @Test func aKilledTuningResumesAndTheModelNamesItsStudy() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", """
            parameters:
              - {name: a, type: real, low: 0, high: 1}
              - {name: b, type: real, low: 0, high: 1}
            objectives: [y]
            """)
        var rows = "a,b,y\n"
        var state: UInt64 = 3
        for _ in 0..<160 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = Double(state >> 11) / Double(1 << 53)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let b = Double(state >> 11) / Double(1 << 53)
            rows += "\(a),\(b),\(sin(4 * a) + b * b)\n"
        }
        try cli.write("rows.csv", rows)
        try cli.ok(["init", "sims", "--space", "space.yaml", "--seed", "1"])
        try cli.ok(["observe", "sims", "--results", "rows.csv"])
        let arguments = ["train", "--study", "sims", "--tune", "6", "--epochs", "150", "--out", "model", "--tune-study", "tuning"]

        // run, and kill it (SIGKILL) once two trials are observed and the next one is being trained
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var killedWhilePending = false
        while process.isRunning {
            let lines = (cli.read("studies/tuning/journal.jsonl") ?? "").split(separator: "\n")
            let observed = lines.filter { $0.contains("\"trial_observed\"") }.count
            if observed >= 2, let last = lines.last, last.contains("\"trial_suggested\"") {
                kill(process.processIdentifier, SIGKILL)
                killedWhilePending = true
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        try #require(killedWhilePending, "the tuning finished before it could be killed mid-trial")
        let before = try #require(cli.read("studies/tuning/journal.jsonl"))
        let observedBefore = before.split(separator: "\n").filter { $0.contains("\"trial_observed\"") }
        let cutOff = try #require(try cli.json(String(before.split(separator: "\n").last!)) as? [String: Any])["trial"] as? Int
        #expect(cli.read("model/model.json") == nil, "no model was written by the killed run")

        // the same command resumes: the cut-off trial is abandoned, the finished ones kept as they were
        let resumed = try cli.run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(observedBefore.count) trials resumed") && resumed.stderr.contains("interrupted trial \(cutOff!)"),
                "\(resumed.stderr)")
        let after = try #require(cli.read("studies/tuning/journal.jsonl"))
        #expect(after.hasPrefix(before), "the journal was rewritten")
        let status = try #require(try cli.json(try cli.ok(["status", "tuning", "--json"])) as? [String: Any])
        let counts = try #require(status["counts"] as? [String: Int], "\(status.keys)")
        #expect(counts["completed"] == 6 && counts["abandoned"] == 1, "\(counts)")
        let abandoned = after.split(separator: "\n").filter { $0.contains("\"trial_abandoned\"") }
        #expect(abandoned.count == 1 && abandoned[0].contains("interrupted") && abandoned[0].contains("\"trial\":\(cutOff!)"))

        // the model: trained with the best trial's settings, its manifest names the tuning study and journal
        let manifestText = try #require(cli.read("model/model.json"))
        let manifest = try #require(try cli.json(manifestText) as? [String: Any])
        let tuning = try #require(manifest["tuning"] as? [String: Any], "\(manifest.keys)")
        #expect(tuning["name"] as? String == "tuning" && tuning["completed_trials"] as? Int == 6)
        #expect((tuning["journal_sha256"] as? String)?.count == 64)
        // a second resume has nothing to do and gives the same settings
        let again = try cli.run(arguments + ["--overwrite"])
        #expect(again.status == 0 && again.stderr.contains("6 trials resumed, 0 run now"), "\(again.stderr)")
    }
}
