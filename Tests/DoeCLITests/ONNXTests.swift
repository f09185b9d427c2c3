import Foundation
import Testing

/// ONNX export checked by onnx's checker and run in onnxruntime (the venv `make test` sets up; $DOE_TEST_PYTHON).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] != nil, "needs DOE_TEST_PYTHON (make test sets it)"))
struct ONNXTests {
    static let python = ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] ?? "python3"
    static let checker = SurrogateCLITests.root + "/Tests/onnx/check_onnx.py"
    static let low = [8.0, 1.0, 150.0, 0.25, 50.0], high = [12.0, 2.0, 250.0, 0.35, 150.0]

    func runPython(_ arguments: [String]) throws -> (Int32, String) { try runProcess(Self.python, arguments) }

    /// 1000 random points within the plate dump's bounds.
    func writePoints(_ cli: CLI) throws {
        var rng = SystemRandomNumberGenerator()
        var text = "L,H,E,nu,q\n"
        for _ in 0..<1000 {
            text += (0..<5).map { String(Self.low[$0] + Double.random(in: 0...1, using: &rng) * (Self.high[$0] - Self.low[$0])) }.joined(separator: ",") + "\n"
        }
        try cli.write("points.csv", text)
    }

    @Test(arguments: [
        (["--activation", "relu"], [String]()),
        (["--activation", "tanh"], ["--opset", "13"]),
        (["--activation", "silu"], ["--split-inputs"]),
        (["--activation", "gelu"], []),
        (["--activation", "gelu"], ["--opset", "20"]),
        (["--activation", "silu", "--ensemble", "3"], []),
        (["--activation", "relu", "--ensemble", "2", "--fields", "/fields/uy"], []),
        (["--activation", "tanh", "--ensemble", "2", "--log-inputs", "E,q"], ["--split-inputs"]),
    ])
    func exportMatchesOnnxRuntime(trainArguments: [String], exportArguments: [String]) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--hidden", "16,16", "--epochs", "30", "--batch-size", "32"] + trainArguments)
        let exported = try cli.ok(["export", "m", "--onnx", "m.onnx", "--verify"] + exportArguments)
        #expect(exported.contains("verified on 256 random inputs"))
        try writePoints(cli)
        let isEnsemble = trainArguments.contains("--ensemble")
        if isEnsemble {
            // the std compared below is the calibrated one: the graph must carry the calibration
            let manifest = try #require(cli.read("m/model.json"))
            #expect(manifest.contains("\"calibration\"") && manifest.contains("variance-scale-and-floor"), "ensembles are calibrated")
        }
        let predictions = try cli.ok(["predict", "m", "--input", "points.csv", "--format", "json", "--field"] + (isEnsemble ? ["--std"] : []))
        try cli.write("predictions.json", predictions)
        let (status, output) = try runPython([Self.checker, cli.directory + "/m.onnx", cli.directory + "/points.csv", cli.directory + "/predictions.json"]
                                             + (exportArguments.contains("--split-inputs") ? ["--split-inputs"] : []))
        #expect(status == 0, "\(trainArguments) \(exportArguments):\n\(output)")
        #expect(output.contains("batch of 1 and batch of 10 000: ok"))
    }

    @Test func exportRefusesMissingOrCorruptedModels() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let missing = try cli.run(["export", "nope", "--onnx", "x.onnx"])
        #expect(missing.status == 1 && missing.stderr.contains("not a model directory"))
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--epochs", "3"])
        try Data(repeating: 7, count: 10).write(to: URL(fileURLWithPath: cli.directory + "/m/weights.bin"))
        let corrupted = try cli.run(["export", "m", "--onnx", "x.onnx"])
        #expect(corrupted.status == 1 && corrupted.stderr.contains("weights.bin"), "\(corrupted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/x.onnx"))
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m2", "--epochs", "3"])
        let oldOpset = try cli.run(["export", "m2", "--onnx", "x.onnx", "--opset", "11"])
        #expect(oldOpset.status == 64 && oldOpset.stderr.contains("opset 13 or newer"))
    }
}
