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

    /// Starts `executable arguments` and waits until `probe` answers over HTTP or the process ends (a 15-minute
    /// safety limit only stops one that hangs without answering); no window tuned to a machine's speed.
    static func startServer(_ executable: String, _ arguments: [String], probe: String) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: executable)
        server.arguments = arguments
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(900)
        while server.isRunning && Date() < deadline {
            // a plain socket-level probe through curl: Foundation's Data(contentsOf:) does not do HTTP on Linux
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sf", "--max-time", "2", probe]
            curl.standardOutput = FileHandle.nullDevice
            curl.standardError = FileHandle.nullDevice
            try curl.run()
            curl.waitUntilExit()
            if curl.terminationStatus == 0 { return server }
            usleep(500_000)
        }
        stop(server)
        struct ServerDidNotStart: Error, CustomStringConvertible { let description: String }
        throw ServerDidNotStart(description: "\(executable) did not answer on \(probe)")
    }

    /// Kills a server and every process it started (MLflow 3 starts uvicorn, a job runner and task consumers).
    static func stop(_ server: Process) {
        for pid in descendants(of: server.processIdentifier) + [server.processIdentifier] { kill(pid, SIGKILL) }
        server.waitUntilExit()
    }

    /// Against a real `mlflow server` (SQLite backend, artifact proxy) on 127.0.0.1; MLflow's Python client reads back,
    /// loads the model with `mlflow.pyfunc` and compares its predictions with `doe predict`. A recording proxy in
    /// front of the server shows the credentials doe sends and injects an HTTP 500 in the middle of a push.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DOE_TEST_MLFLOW"] != nil, "needs DOE_TEST_MLFLOW (make test sets it)"))
    func pushToARealServerReadsBackWithMLflowsClient() throws {
        let bin = ProcessInfo.processInfo.environment["DOE_TEST_MLFLOW"]!
        let python = bin + "/python", check = SurrogateCLITests.root + "/Tests/onnx/check_mlflow.py"
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = Int.random(in: 20_000...40_000)
        let uri = "http://127.0.0.1:\(port)"
        let server = try Self.startServer(bin + "/mlflow", ["server", "--backend-store-uri", "sqlite:///\(cli.directory)/mlflow.db",
                                                           "--artifacts-destination", cli.directory + "/artifacts",
                                                           "--host", "127.0.0.1", "--port", "\(port)"], probe: uri + "/health")
        defer { Self.stop(server) }
        let r = ["--registry", "reg"]
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "30", "--fields", "/fields/uy", "--ensemble", "2"])
        try cli.ok(["registry", "add", "--create", "m", "--name", "plate"] + r)
        try cli.ok(["registry", "promote", "plate@1", "--alias", "production"] + r)
        // the URI from MLFLOW_TRACKING_URI; a second push of the same content finds its run instead of duplicating it
        let env = ["MLFLOW_TRACKING_URI": uri]
        let pushed = try cli.run(["registry", "push-mlflow", "plate@production"] + r, environment: env)
        #expect(pushed.status == 0 && pushed.stdout.contains("registered model plate version 1 (aliases: production)"), "\(pushed.stderr)")
        let again = try cli.run(["registry", "push-mlflow", "plate@production"] + r, environment: env)
        #expect(again.status == 0 && again.stdout.contains("already in") && again.stdout.contains("version 1"), "\(again.stdout)\(again.stderr)")
        // pyfunc predicts what doe predict prints
        try cli.write("points.csv", "L,H,E,nu,q\n9,1.2,170,0.27,60\n10.5,1.5,200,0.3,100\n11.8,1.9,245,0.34,145\n")
        try cli.write("expected.csv", try cli.ok(["predict", "m", "--input", "points.csv"]))
        let model = try runProcess(python, [check, "model", uri, "plate", cli.directory + "/points.csv", cli.directory + "/expected.csv"])
        #expect(model.0 == 0, "\(model.1)")

        // a study: a correction, a failure with its reason, meta; pushed twice, the second push creates nothing
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "s", "--space", "space.json", "--seed", "2"])
        try cli.ok(["suggest", "s", "--batch", "5"])
        for id in 1...3 { try cli.ok(["observe", "s", "\(id)", "--value", "\(id)", "--meta", "operator=ana"]) }
        try cli.ok(["observe", "s", "2", "--value", "2.5", "--replace"])
        try cli.ok(["fail", "s", "4", "--reason", "sample contaminated"])
        try cli.ok(["study", "push-mlflow", "s", "--tracking-uri", uri])
        let second = try cli.ok(["study", "push-mlflow", "s", "--tracking-uri", uri])
        #expect(second.contains("0 created, 0 updated, 5 unchanged"), "\(second)")
        try cli.ok(["observe", "s", "5", "--value", "5"])
        #expect(try cli.ok(["study", "push-mlflow", "s", "--tracking-uri", uri]).contains("0 created, 1 updated, 4 unchanged"))
        let study = try runProcess(python, [check, "study", uri, "doe-study-s", "5"])
        #expect(study.0 == 0, "\(study.1)")

        // credentials: a bearer token or basic auth reach the server and are never printed
        let proxyPort = port + 1, log = cli.directory + "/proxy.jsonl"
        let proxyScript = SurrogateCLITests.root + "/Tests/onnx/mlflow_proxy.py"
        let proxy = try Self.startServer(python, [proxyScript, "\(proxyPort)", uri, log], probe: "http://127.0.0.1:\(proxyPort)/health")
        let proxied = "http://127.0.0.1:\(proxyPort)"
        let bearer = try cli.run(["registry", "push-mlflow", "plate@1", "--tracking-uri", proxied] + r,
                                 environment: ["MLFLOW_TRACKING_TOKEN": "s3cret-token"])
        let basic = try cli.run(["study", "push-mlflow", "s", "--tracking-uri", proxied],
                                environment: ["MLFLOW_TRACKING_USERNAME": "ana", "MLFLOW_TRACKING_PASSWORD": "pa55"])
        Self.stop(proxy)
        #expect(bearer.status == 0 && basic.status == 0, "\(bearer.stderr)\(basic.stderr)")
        let seen = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(seen.contains("\"Bearer s3cret-token\"") && seen.contains("\"Basic \(Data("ana:pa55".utf8).base64EncodedString())\""), "\(seen.prefix(400))")
        for output in [bearer.stdout, bearer.stderr, basic.stdout, basic.stderr] {
            #expect(!output.contains("s3cret") && !output.contains("pa55"))
        }

        // an HTTP 500 in the middle of a push (artifact upload): exit 1, and the run it made is FAILED, not RUNNING
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m2", "--epochs", "5", "--seed", "7"])
        try cli.ok(["registry", "add", "m2", "--name", "plate"] + r)
        let failing = try Self.startServer(python, [proxyScript, "\(proxyPort)", uri, log, "mlflow-artifacts/artifacts"],
                                           probe: "http://127.0.0.1:\(proxyPort)/health")
        let broken = try cli.run(["registry", "push-mlflow", "plate@2", "--tracking-uri", proxied] + r)
        Self.stop(failing)
        #expect(broken.status == 1 && broken.stderr.contains("HTTP 500"), "\(broken.stderr)")
        let noRunning = try runProcess(python, [check, "no-running", uri, "doe-models"])
        #expect(noRunning.0 == 0, "\(noRunning.1)")

        // a study-trained model with a categorical factor: pyfunc takes the level names, as doe predict does
        try LabTrailTests.catalystStudy(cli)
        try cli.ok(["train", "--study", "cat", "--out", "cm", "--epochs", "30", "--hidden", "8"])
        try cli.ok(["registry", "add", "cm", "--name", "catalyst"] + r)
        try cli.ok(["registry", "promote", "catalyst@1", "--alias", "production"] + r)
        try cli.ok(["registry", "push-mlflow", "catalyst@production", "--tracking-uri", uri] + r)
        try cli.write("cat-points.csv", "x,catalyst\n0.2,Pt\n0.7,Rh\n0.5,Pd\n")
        try cli.write("cat-expected.csv", try cli.ok(["predict", "cm", "--input", "cat-points.csv"]))
        let categorical = try runProcess(python, [check, "pyfunc", uri, "catalyst", cli.directory + "/cat-points.csv",
                                                  cli.directory + "/cat-expected.csv"])
        #expect(categorical.0 == 0, "\(categorical.1)")
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
