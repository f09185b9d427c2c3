import Testing

@Suite struct HelpTests {
    @Test(arguments: ["init", "suggest", "observe", "fail", "abandon", "note", "status", "best", "trials", "design",
                      "train", "predict", "evaluate", "export", "report", "gate", "registry add", "registry list", "registry show",
                      "registry promote", "registry compare", "registry verify", "registry export", "registry push-mlflow",
                      "study push-mlflow", "space"])
    func everySubcommandHelpShowsAnExample(subcommand: String) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let r = try cli.run(subcommand.split(separator: " ").map(String.init) + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Example"), "\(subcommand) --help has no example")
        #expect(r.stdout.contains("doe \(subcommand)"))
    }

    @Test func versionAndCompletionScripts() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.ok(["--version"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        for shell in ["bash", "zsh", "fish"] {
            let script = try cli.ok(["--generate-completion-script", shell])
            #expect(script.contains("suggest") && script.contains("observe"), "\(shell)")
        }
    }
}

import Foundation
