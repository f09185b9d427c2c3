import ArgumentParser
import CDoeSupport
import DoeBase
import DoeLinalg
import DoeStudy
import Foundation

/// The `doe` command: experiment design and surrogate-model optimization.
public struct DoeCommand: ParsableCommand {
    /// The command's name, help text, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "doe",
        abstract: "Experiment design and Bayesian optimization for R&D loops.",
        discussion: """
        A study lives in studies/<name>/ as its space file and an append-only journal. The loop: suggest a batch, \
        run those experiments, record what they gave, repeat.
          doe init plate --space space.yaml
          doe suggest plate --batch 4
          doe observe plate 1 --value 0.83
          doe status plate

        Exit status: 0 on success, 64 for usage errors and bad values (in an option or an input file), 1 when doe \
        refuses the request (it conflicts with what is recorded, stored data is damaged, a server failed), 2 when \
        `doe gate` cannot be evaluated.
        """,
        version: Study.doeVersion,
        subcommands: [Init.self, Suggest.self, Observe.self, Fail.self, Abandon.self, Retract.self, Note.self,
                      Status.self, Best.self, Trials.self, Design.self, Train.self, Predict.self, Optimize.self, Evaluate.self,
                      Export.self, Report.self,
                      RegistryCommand.self, GateCommand.self, StudyCommand.self, SpaceCommand.self]
    )

    /// The root command with no arguments parsed (ArgumentParser's requirement).
    public init() {}

    /// Entry point: configures BLAS threads, then parses and runs the command.
    public static func start() {
        BLASThreads.configureFromEnvironment()
        // GP fits allocate several n × n matrices per likelihood evaluation; above glibc's default 128 KiB
        // threshold each one is a fresh mmap that page-faults on first touch (measured: suggest after 200
        // observations 0.42 s → 0.27 s with the heap reused).
        _ = doe_configure_allocator()
        if let suggestion = unknownCommandSuggestion(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data((suggestion + "\n").utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(Array(CommandLine.arguments.dropFirst()))
            try command.run()
        } catch {
            report(error)
        }
    }

    /// The one place errors are reported: doe's own errors as `error: MESSAGE` (and their causes) on stderr with
    /// their kind's exit status (64 usage and value errors, 1 refusals); ArgumentParser's (help, usage, explicit exit
    /// codes) its way; anything else as `error: MESSAGE`, exit 1.
    static func report(_ error: any Error) -> Never {
        if let coded = error as? any CodedError {
            FileHandle.standardError.write(Data("error: \(coded.report)\n".utf8))
            Foundation.exit(coded.kind.exitStatus)
        }
        if error is ExitCode || error is ValidationError || error is CleanExit
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            exit(withError: error)
        }
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        Foundation.exit(1)
    }

    /// For a first argument that is no subcommand (`doe sugest`): a message naming the nearest commands, or `nil`
    /// when the arguments start with a known command or an option.
    static func unknownCommandSuggestion(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help" else { return nil }
        let names: [String] = configuration.subcommands.map { $0.configuration.commandName ?? $0._commandName }
        guard !names.contains(first) else { return nil }
        let query = first.lowercased()
        let distances: [(name: String, distance: Int)] = names.map { (name: $0, distance: editDistance(query, $0)) }
        let ranked = distances.sorted { a, b in a.distance != b.distance ? a.distance < b.distance : a.name < b.name }
        let limit = max(2, first.count / 3)
        let close: [String] = ranked.filter { $0.distance <= limit }.map { $0.name }
        let hint = close.isEmpty ? "" : " Did you mean \(close.prefix(3).map { "'\($0)'" }.joined(separator: " or "))?"
        return "error: unknown command '\(first)'.\(hint) See 'doe --help' for the commands."
    }

    /// Levenshtein distance (insertions, deletions, substitutions; an adjacent swap counts as one).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
