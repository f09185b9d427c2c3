import Foundation
import Testing

@Suite(.serialized) struct MLflowTests {
    /// Unreachable server: a clear error, exit 1, and the local registry untouched.
    @Test func unreachableServerIsAClearErrorAndChangesNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "3"])
        try cli.ok(["registry", "add", "--create", "m", "--name", "plate", "--registry", "reg"])
        let before = cli.read("reg/journal.jsonl")
        let r = try cli.run(["registry", "push-mlflow", "plate", "--tracking-uri", "http://127.0.0.1:1", "--registry", "reg"])
        #expect(r.status == 1 && r.stderr.contains("MLflow server unreachable"), "\(r.stderr)")
        #expect(cli.read("reg/journal.jsonl") == before)
        let bad = try cli.run(["registry", "push-mlflow", "plate", "--tracking-uri", "ftp://x", "--registry", "reg"])
        #expect(bad.status == 64 && bad.stderr.contains("expected http(s)://"))
    }

    /// Against a real `mlflow server` (SQLite backend, artifact proxy) on 127.0.0.1; MLflow's Python client reads back.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DOE_TEST_MLFLOW"] != nil, "needs DOE_TEST_MLFLOW (make test sets it)"))
    func pushToARealServerReadsBackWithMLflowsClient() throws {
        let bin = ProcessInfo.processInfo.environment["DOE_TEST_MLFLOW"]!
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: bin + "/mlflow")
        server.arguments = ["server", "--backend-store-uri", "sqlite:///\(cli.directory)/mlflow.db",
                            "--artifacts-destination", cli.directory + "/artifacts", "--host", "127.0.0.1", "--port", "\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // MLflow 3 starts uvicorn, a job runner and task consumers: kill the whole process tree
            for pid in Self.descendants(of: server.processIdentifier) + [server.processIdentifier] { kill(pid, SIGKILL) }
            server.waitUntilExit()
        }
        let uri = "http://127.0.0.1:\(port)"
        // Wait as long as the server is starting: until it answers or its process ends (a safety limit of 15
        // minutes only stops a server that hangs without ever answering); no window tuned to a machine's speed.
        var up = false
        let deadline = Date().addingTimeInterval(900)
        while server.isRunning && Date() < deadline {
            // a plain socket-level probe through curl: Foundation's Data(contentsOf:) does not do HTTP on Linux
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            probe.arguments = ["-sf", "--max-time", "2", uri + "/health"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { up = true; break }
            usleep(500_000)
        }
        try #require(up, "mlflow server did not start on \(uri)\(server.isRunning ? " within 15 minutes" : " (it exited)")")
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "30", "--fields", "/fields/uy"])
        try cli.ok(["registry", "add", "--create", "m", "--name", "plate", "--registry", "reg"])
        try cli.ok(["registry", "promote", "plate@1", "--alias", "production", "--registry", "reg"])
        let pushed = try cli.ok(["registry", "push-mlflow", "plate@production", "--tracking-uri", uri, "--registry", "reg"])
        #expect(pushed.contains("registered model plate version 1 (aliases: production)"))
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "s", "--space", "space.json", "--seed", "2"])
        try cli.ok(["suggest", "s", "--batch", "5"])
        for id in 1...4 { try cli.ok(["observe", "s", "\(id)", "--value", "\(id)"]) }
        try cli.ok(["study", "push-mlflow", "s", "--tracking-uri", uri])
        let (status, out) = try runProcess(bin + "/python", [SurrogateCLITests.root + "/Tests/onnx/check_mlflow.py", uri, "plate", "doe-study-s", "5"])
        #expect(status == 0, "\(out)")
    }

    /// Every descendant of `root` (from `ps`), deepest last.
    static func descendants(of root: Int32) -> [Int32] {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = ["-e", "-o", "pid=,ppid="]
        let pipe = Pipe()
        ps.standardOutput = pipe
        guard (try? ps.run()) != nil else { return [] }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ps.waitUntilExit()
        var children: [Int32: [Int32]] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ").compactMap { Int32($0) }
            if f.count == 2 { children[f[1], default: []].append(f[0]) }
        }
        var result: [Int32] = [], queue = [root]
        while let next = queue.popLast() {
            for c in children[next] ?? [] { result.append(c); queue.append(c) }
        }
        return result
    }
}
