import ArgumentParser
import DoeDesign
import DoeStudy

extension DoeCommand {
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the next batch of trials and record them as pending.",
            discussion: """
            Example:
              doe suggest plate --batch 4 --json
              {"trials":[{"id":7,"params":{"x0":0.12,"x1":3},"generator":"sobol"}]}
            Pending trials count as taken: a second suggest while a batch runs proposes new points.
            Until the initial design is complete the scrambled Sobol sequence of the study continues.
            """
        )

        @OptionGroup var study: StudyOptions

        @Option(name: [.short, .long], help: "Number of trials to propose.")
        var batch: Int = 1

        @Flag(help: "Print JSON ({\"trials\":[{\"id\":..,\"params\":{..}}]}); same as --format json.")
        var json = false

        @Option(help: "Output format: text, csv or json.")
        var format: TableFormat = .text

        func validate() throws {
            guard batch >= 1 && batch <= 100_000 else { throw ValidationError("--batch must be between 1 and 100000, got \(batch)") }
        }

        func run() throws {
            try reportingErrors {
                let s = try study.open()
                let trials = try s.suggest(count: batch)
                switch json ? .json : format {
                case .json:
                    emit(JSONValue.object([("trials", .array(trials.map { t in
                        .object([("id", .int(t.id)), ("params", TrialTable.paramsJSON(t, space: s.space)), ("generator", .string(t.generator))])
                    }))]).serialized)
                case .csv:
                    var lines = [(["id"] + s.space.parameters.map(\.name)).joined(separator: ",")]
                    for t in trials { lines.append((["\(t.id)"] + t.params.map { CSV.escape($0.description) }).joined(separator: ",")) }
                    emit(lines.joined(separator: "\n"))
                case .text:
                    var table = TextTable(["trial"] + s.space.parameters.map(\.name) + ["generator"])
                    for t in trials { table.add(["\(t.id)"] + t.params.map(\.description) + [t.generator]) }
                    emit(table.rendered)
                }
            }
        }
    }
}
