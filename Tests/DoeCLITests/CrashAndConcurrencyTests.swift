import Foundation
import Testing

@Suite(.serialized) struct CrashAndConcurrencyTests {
    /// Kills `doe observe` writers with SIGKILL at random moments, half of them while they sit between the two
    /// halves of a journal line (DOE_JOURNAL_WRITE_DELAY_MS), and checks that every observation whose command
    /// reported success is in the journal and that the study still loads and accepts writes.
    @Test func sigkilledWritersNeverLoseAcknowledgedResults() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let iterations = Int(ProcessInfo.processInfo.environment["DOE_CRASH_ITERATIONS"] ?? "") ?? 120
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "crash", "--space", "space.json", "--seed", "3"])
        try cli.ok(["suggest", "crash", "--batch", "\(iterations + 3)"])
        var rng = SystemRandomNumberGenerator()
        func writer(_ id: Int, value: Double, delayMS: Int?) throws -> (Process, Pipe) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["observe", "crash", "\(id)", "--value", "\(value)", "--dir", cli.studies]
            var env = ProcessInfo.processInfo.environment
            if let delayMS { env["DOE_JOURNAL_WRITE_DELAY_MS"] = "\(delayMS)" }
            process.environment = env
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            return (process, out)
        }
        // How long an unkilled writer takes on this machine, now: the kill moments are spread over that span, so the
        // test kills writers before, during and after their write whatever the machine's speed or load.
        var span = 0.0
        for id in (iterations + 1)...(iterations + 3) {
            let started = Date()
            let (process, out) = try writer(id, value: Double(id), delayMS: 40)
            _ = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "an unkilled writer must succeed")
            span = max(span, Date().timeIntervalSince(started))
        }
        var acknowledged: [Int: Double] = [:]
        var killed = 0
        for i in 1...iterations {
            let value = Double(i) + 0.25
            let (process, out) = try writer(i, value: value, delayMS: i % 2 == 0 ? Int.random(in: 5...40, using: &rng) : nil)
            usleep(UInt32(Double.random(in: 0...(1.5 * span), using: &rng) * 1e6))
            kill(process.processIdentifier, SIGKILL)
            let output = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0 {
                #expect(String(decoding: output, as: UTF8.self).contains("recorded 1 result"))
                acknowledged[i] = value
            } else {
                killed += 1
            }
        }
        // The study loads (a torn tail is reported, repaired and kept aside) and takes new writes.
        let status = try cli.run(["status", "crash", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let table = try #require(try cli.json(try cli.ok(["trials", "crash", "--format", "json"])) as? [String: Any])
        let rows = try #require(table["trials"] as? [[String: Any]])
        var recorded: [Int: Double] = [:]
        for row in rows {
            if let values = row["values"] as? [String: Double], let id = row["id"] as? Int { recorded[id] = values["value"] }
        }
        for (id, value) in acknowledged { #expect(recorded[id] == value, "acknowledged trial \(id) lost") }
        // every complete journal line parses, and nothing was merged
        let journal = try #require(cli.read("studies/crash/journal.jsonl"))
        #expect(journal.hasSuffix("\n"))
        for line in journal.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "bad line \(line)")
        }
        let pending = rows.filter { $0["state"] as? String == "pending" }.compactMap { $0["id"] as? Int }
        if let next = pending.first { try cli.ok(["observe", "crash", "\(next)", "--value", "1"]) }
        print("crash test: kills spread over \(Int(1500 * span)) ms; \(iterations) writers, \(acknowledged.count) acknowledged, \(killed) killed; torn tails moved aside: \((cli.read("studies/crash/journal.jsonl.torn") ?? "").components(separatedBy: "\n# ").count - (cli.read("studies/crash/journal.jsonl.torn") == nil ? 1 : 0))")
        #expect(killed > 0, "the test must actually kill writers")
        #expect(acknowledged.count > 0, "some writers must finish")
    }

    /// Eight processes suggest and observe at once: ids and points stay unique, no line is lost or merged.
    @Test func eightConcurrentProcesses() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "busy", "--space", "space.json", "--seed", "8"])
        let rounds = 8
        let script = """
        for r in $(seq 1 \(rounds)); do
          "$DOE" suggest busy --dir "$DIR" --batch 2 --format csv | tail -n +2 | cut -d, -f1 | while read id; do
            "$DOE" observe busy "$id" --value "$id" --dir "$DIR" >/dev/null || exit 1
          done || exit 1
        done
        """
        var workers: [Process] = []
        for _ in 0..<8 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", script]
            var env = ProcessInfo.processInfo.environment
            env["DOE"] = CLI.binary
            env["DIR"] = cli.studies
            p.environment = env
            try p.run()
            workers.append(p)
        }
        for p in workers {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let expected = 8 * rounds * 2
        let table = try #require(try cli.json(try cli.ok(["trials", "busy", "--format", "json"])) as? [String: Any])
        let rows = try #require(table["trials"] as? [[String: Any]])
        #expect(rows.count == expected)
        #expect(Set(rows.compactMap { $0["id"] as? Int }) == Set(1...expected))
        #expect(Set(rows.map { "\($0["params"]!)" }).count == expected, "two trials got the same point")
        for row in rows {
            #expect(row["state"] as? String == "completed")
            #expect((row["values"] as? [String: Double])?["value"] == Double(row["id"] as! Int), "a value landed on the wrong trial")
        }
        let journal = try #require(cli.read("studies/busy/journal.jsonl"))
        let lines = journal.split(separator: "\n")
        #expect(lines.count == 1 + 2 * expected)
        let writers = Set(lines.compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["writer"] as? String
        })
        #expect(writers.count > 8, "each process writes with its own writer id")
    }
}
