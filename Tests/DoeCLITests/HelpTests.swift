import Foundation
import Testing

@Suite struct HelpTests {
    @Test(arguments: ["init", "suggest", "observe", "fail", "abandon", "note", "status", "best", "trials", "design",
                      "train", "predict", "optimize", "evaluate", "export", "report", "gate", "registry add", "registry list", "registry show",
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
    static let subcommands = ["", "init", "suggest", "observe", "fail", "abandon", "note", "status", "best", "trials", "design",
                              "train", "predict", "optimize", "evaluate", "export", "report", "gate", "registry", "registry add", "registry list",
                              "registry show", "registry promote", "registry compare", "registry verify", "registry export",
                              "registry push-mlflow", "study push-mlflow", "space"]

    static func help(_ subcommand: String, width: Int) throws -> String {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let r = try cli.run(subcommand.split(separator: " ").map(String.init) + ["--help"], environment: ["COLUMNS": "\(width)"])
        #expect(r.status == 0)
        return r.stdout
    }

    /// Example and code lines (indented in the discussion) survive a 60-column terminal unbroken.
    @Test(arguments: subcommands)
    func examplesSurviveNarrowTerminals(subcommand: String) throws {
        let wide = try Self.help(subcommand, width: 200), narrow = try Self.help(subcommand, width: 60)
        let discussion = wide.components(separatedBy: "\nUSAGE:")[0].split(separator: "\n", omittingEmptySubsequences: false)
        let code = discussion.filter { $0.hasPrefix("  ") }
        #expect(!code.isEmpty, "\(subcommand): no example lines")
        let narrowLines = Set(narrow.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        for line in code {
            #expect(line.count <= 60, "\(subcommand): example line longer than 60 columns: \(line)")
            #expect(narrowLines.contains(String(line)), "\(subcommand): '\(line)' is broken at 60 columns")
        }
    }

    /// Whole help texts at 60 and 200 columns, compared with committed golden files
    /// (DOE_UPDATE_GOLDEN=1 rewrites them after a deliberate change).
    @Test(arguments: ["", "observe", "gate", "train", "space"], [60, 200])
    func helpMatchesTheGoldenText(subcommand: String, width: Int) throws {
        let text = try Self.help(subcommand, width: width)
        let name = (subcommand.isEmpty ? "doe" : subcommand.replacingOccurrences(of: " ", with: "-")) + "-\(width).txt"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/help/" + name).path
        if ProcessInfo.processInfo.environment["DOE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try #require(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }, "missing \(path)")
        #expect(text == golden, "doe \(subcommand) --help at \(width) columns differs from \(name)")
        for line in text.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= width, "line wider than \(width): \(line)")
        }
    }

    @Test func aMistypedCommandGetsDidYouMean() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let r = try cli.run(["sugest", "plate"])
        #expect(r.status == 64 && r.stderr.contains("unknown command 'sugest'") && r.stderr.contains("Did you mean 'suggest'?"), "\(r.stderr)")
        let far = try cli.run(["xyzzyq"])
        #expect(far.status == 64 && !far.stderr.contains("Did you mean"))
    }

    @Test func defaultsAreShownOnceAndTrainShowsThem() throws {
        for subcommand in Self.subcommands {
            for line in try Self.help(subcommand, width: 400).split(separator: "\n") {
                #expect(line.components(separatedBy: "(default:").count <= 2, "\(subcommand): default given twice: \(line)")
            }
        }
        let train = try Self.help("train", width: 400)
        for option in ["--hidden", "--epochs", "--batch-size", "--learning-rate", "--ensemble", "--seed", "--activation"] {
            let lines = train.split(separator: "\n").map(String.init)
            let start = try #require(lines.firstIndex { $0.contains(option + " <") })
            let entry = ([lines[start]] + lines[(start + 1)...].prefix { !$0.hasPrefix("  -") }).joined(separator: " ")
            #expect(entry.contains("default"), "train \(option) hides its default: \(entry)")
        }
    }
}
