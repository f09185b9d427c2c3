import ArgumentParser
import DoeBase
import DoeDesign
import DoeModelFormat
import DoeNeural
import DoeProvenance
import DoeStudy
import DoeSurrogateSearch
import Foundation

extension DoeCommand {
    struct Optimize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search a trained surrogate for the best designs (one objective, or a Pareto set of several).",
            discussion: """
            Examples:
              doe optimize models/borehole --maximize flow
              doe optimize m --minimize mass --where "vm <= 250"
              doe optimize m --minimize mass --constraint "t + r <= 12"
              doe optimize m --minimize mass --minimize defl --count 8
              doe optimize m --minimize mass --into bracket

            A Sobol screen of the input box (batched prediction) is followed by SLSQP local searches from the best \
            designs, with the network's input gradients (backpropagated in BLAS). Several objectives are searched by \
            ε-constraints from the non-dominated screened designs. The box is the model's input bounds (or a space \
            file's), inside the training rows' range unless --no-trust. The trust limit keeps each involved output's \
            calibrated ensemble standard deviation at most --trust times its validation RMSE (metrics.json). \
            --into STUDY adds the candidates to a study as pending trials (generator surrogate, with the model's \
            hashes and predictions), searching in the study's space.
            """
        )

        @Argument(help: "Model directory.") var model: String
        @Option(help: "An output to minimize (repeatable; with --maximize, several give a Pareto set).") var minimize: [String] = []
        @Option(help: "An output to maximize (repeatable).") var maximize: [String] = []
        @Option(name: .customLong("where"), help: "A bound on a predicted output: \"OUT <= V\" or \"OUT >= V\" (repeatable).")
        var bounds: [String] = []
        @Option(help: "A constraint on the inputs, as in a space file's parameter_constraints (repeatable).")
        var constraint: [String] = []
        @Option(help: "Space file giving the inputs' bounds and parameter constraints (names matched to the model's inputs).")
        var space: String?
        @Option(help: "Hold an input at a value: NAME=VALUE (repeatable; a categorical input by its level).") var fix: [String] = []
        @Option(help: "Candidates to return.") var count: Int = 5
        @Option(help: "Local optimizations (starting designs).") var starts: Int = 64
        @Option(help: "Trust limit k: ensemble std ≤ k × validation RMSE for every involved output.") var trust: Double = 2
        @Flag(help: "No trust limit, and the box may leave the training range (extrapolation).") var noTrust = false
        @Option(help: "Seed of the screen's Sobol scramble.") var seed: UInt64 = 0
        @Option(help: "Output format: text, csv or json.") var format: TableFormat = .text
        @Option(help: "Add the candidates to this study as pending trials.") var into: String?
        @Option(name: .long, help: "Directory holding the studies (default: $DOE_STUDIES_DIR or ./studies).") var dir: String?

        func validate() throws {
            if minimize.isEmpty && maximize.isEmpty { throw ValidationError("give at least one --minimize OUT or --maximize OUT") }
            if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
            if starts < 1 { throw ValidationError("--starts must be at least 1, got \(starts)") }
            if !(trust.isFinite && trust > 0) { throw ValidationError("--trust must be a positive number, got \(trust)") }
            if into != nil && space != nil {
                throw ValidationError("--into searches in the study's space; give --space or --into, not both")
            }
        }

        func run() throws {
            let directory = ModelDirectory(model)
            let manifest = try directory.readManifest()
            let surrogate = try directory.loadSurrogate(manifest)
            let study = try into.map { try Study.open(name: $0, in: studiesDirectory(dir)) }
            let spaceFile = try space.map { try DesignSpace.load(contentsOf: $0) }
            let builder = SearchProblemBuilder(model: surrogate, label: model)
            var problem = try builder.problem(minimize: minimize, maximize: maximize, bounds: bounds, constraints: constraint,
                                              space: study?.space ?? spaceFile, spaceLabel: into.map { "study \($0)" } ?? space,
                                              fixed: fix)
            for note in try builder.clip(&problem, trust: !noTrust) { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            if !noTrust {
                if surrogate.members.count > 1 {
                    let metrics = try directory.readMetrics(of: manifest)
                    problem.trust = try builder.trustLimit(factor: trust, validation: metrics?.validation ?? [])
                } else {
                    FileHandle.standardError.write(Data(("note: \(model) is a single network (no standard deviation): the trust limit "
                        + "is the training range only; train with --ensemble K for the std limit\n").utf8))
                }
            }
            var search = SurrogateSearch()
            search.count = count
            search.starts = starts
            search.seed = seed
            let result = try search.run(problem, on: surrogate)
            guard !result.candidates.isEmpty else {
                throw SurrogateSearchError("\(model): no design in the box meets every constraint"
                    + (problem.trust != nil ? " and the trust limit (std ≤ \(NumberText.significant(trust)) × validation RMSE; "
                        + "try a larger --trust, or --no-trust to extrapolate)" : "")
                    + " — \(result.screened) designs screened, \(result.optimizations) local searches", kind: .refused)
            }
            var trialIds: [Int] = []
            if let study, let into {
                trialIds = try addTrials(result.candidates, problem: problem, to: study, surrogate: surrogate)
                FileHandle.standardError.write(Data("added trials \(idList(trialIds)) to \(into) (pending, generator surrogate)\n".utf8))
            }
            print(result, surrogate: surrogate, problem: problem, trialIds: trialIds)
        }

        /// Writes the candidates as pending trials of `study` (generator `surrogate`), with the model's path, file hashes
        /// and each candidate's prediction in `generator_info`.
        func addTrials(_ candidates: [SurrogateCandidate], problem: SurrogateSearchProblem, to study: Study,
                       surrogate: Surrogate) throws -> [Int] {
            let hashes: [(String, JSONValue)] = try [ModelDirectory.File.manifest, .weights].map { file in
                (file.rawValue, .string(try FileDigest.sha256(ofFile: ModelDirectory(model).path(of: file))))
            }
            let suggestions = try candidates.map { c -> Suggestion in
                let params = try study.space.parameters.map { p -> ParameterValue in
                    if case let .fixed(v) = p.domain { return v }
                    guard let k = surrogate.inputNames.firstIndex(of: p.name) else {
                        throw ValueError("study parameter '\(p.name)' is not an input of \(model)")
                    }
                    return try SearchProblemBuilder.parameterValue(c.inputs[k], for: p, model: surrogate, input: k)
                }
                let predicted: [(String, JSONValue)] = surrogate.outputNames.enumerated().map { j, name in
                    var members: [(String, JSONValue)] = [("mean", .double(c.outputs[j]))]
                    if let s = c.std { members.append(("std", .double(s[j]))) }
                    return (name, .object(members))
                }
                let info = JSONValue.object([("model", .string(model)), ("model_files", .object(hashes)),
                                             ("predicted_outputs", .object(predicted)), ("optimized", .bool(c.optimized))])
                return Suggestion(params: params, generator: "surrogate", info: info)
            }
            return try study.suggest(count: suggestions.count, strategy: FixedSuggestions(suggestions: suggestions)).map(\.id)
        }

        func print(_ result: SurrogateSearchResult, surrogate: Surrogate, problem: SurrogateSearchProblem, trialIds: [Int]) {
            let inputs = surrogate.inputNames, outputs = surrogate.outputNames
            let hasStd = result.candidates.first?.std != nil
            let summary = "screened \(result.screened) designs (\(result.feasibleScreened) feasible), \(result.optimizations) local "
                + "searches, \(String(format: "%.2f", result.seconds)) s"
            switch format {
            case .json:
                let items: [JSONValue] = result.candidates.enumerated().map { i, c in
                    var members: [(String, JSONValue)] = [("rank", .int(i + 1))]
                    if i < trialIds.count { members.append(("trial", .int(trialIds[i]))) }
                    members.append(("inputs", .object(zip(inputs, c.inputs).map { ($0, .double($1)) })))
                    members.append(("outputs", .object(zip(outputs, c.outputs).map { ($0, .double($1)) })))
                    if let s = c.std { members.append(("std", .object(zip(outputs, s).map { ($0, .double($1)) }))) }
                    members.append(("optimized", .bool(c.optimized)))
                    return .object(members)
                }
                emit(JSONValue.object([("candidates", .array(items)), ("screened", .int(result.screened)),
                                       ("feasible_screened", .int(result.feasibleScreened)), ("optimizations", .int(result.optimizations)),
                                       ("seconds", .double(result.seconds))]).serialized)
            case .csv:
                var header = ["rank"] + inputs + outputs + (hasStd ? outputs.map { $0 + "_std" } : []) + ["optimized"]
                if !trialIds.isEmpty { header.insert("trial", at: 1) }
                var lines = [header.map(CSV.escape).joined(separator: ",")]
                for (i, c) in result.candidates.enumerated() {
                    var cells = ["\(i + 1)"] + (trialIds.isEmpty ? [] : ["\(trialIds[i])"])
                    cells += c.inputs.map { "\($0)" } + c.outputs.map { "\($0)" } + (c.std ?? []).map { "\($0)" } + ["\(c.optimized)"]
                    lines.append(cells.joined(separator: ","))
                }
                emit(lines.joined(separator: "\n"))
            case .text:
                var table = TextTable(["rank"] + (trialIds.isEmpty ? [] : ["trial"]) + inputs + outputs)
                for (i, c) in result.candidates.enumerated() {
                    let predicted = outputs.indices.map { j in
                        NumberText.significant(c.outputs[j], digits: 5)
                            + (c.std.map { " ± " + NumberText.significant($0[j], digits: 2) } ?? "")
                    }
                    table.add(["\(i + 1)"] + (trialIds.isEmpty ? [] : ["\(trialIds[i])"])
                              + c.inputs.map { NumberText.significant($0, digits: 5) } + predicted)
                }
                emit(table.rendered + (table.rendered.hasSuffix("\n") ? "" : "\n") + summary)
            }
        }
    }
}

/// Hands a study the suggestions made elsewhere (by `doe optimize --into`), in order.
struct FixedSuggestions: SuggestionStrategy {
    let suggestions: [Suggestion]

    func suggest(count: Int, state: StudyState, space: DesignSpace) throws -> [Suggestion] { Array(suggestions.prefix(count)) }
}
