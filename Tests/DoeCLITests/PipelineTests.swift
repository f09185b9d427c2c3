import Foundation
import Testing

/// The docs/ci pipeline, end to end on the example dump: the first run promotes, a better run passes the gate,
/// a deliberately worse run fails it and leaves production alone.
@Suite struct PipelineTests {
    func pipeline(_ cli: CLI, epochs: String, hidden: String) throws -> (Int32, String) {
        try runProcess("/bin/bash", [SurrogateCLITests.root + "/scripts/model-pipeline.sh", CLI.binary, cli.directory + "/pipeline"],
                       environment: ["EPOCHS": epochs, "HIDDEN": hidden])
    }

    @Test func firstRunPromotesWorseRunFailsTheGate() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let first = try pipeline(cli, epochs: "150", hidden: "32,32")
        #expect(first.0 == 0, "\(first.1)")
        #expect(first.1.contains("first model: promote plate@1"))
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/pipeline/plate-production.onnx"))
        let worse = try pipeline(cli, epochs: "2", hidden: "4")
        #expect(worse.0 != 0, "a worse model must fail the gate:\n\(worse.1)")
        #expect(worse.1.contains("gate failed"))
        #expect(cli.read("pipeline/gate-report/junit.xml")?.contains("<failure") == true)
        let shown = try cli.ok(["registry", "show", "plate@production", "--registry", cli.directory + "/pipeline/registry"])
        #expect(shown.contains("\"version\": 1"), "production stays on version 1")
    }
}
