import ArgumentParser
import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeStudy
import DoeStrategies

extension AcquisitionKind: ExpressibleByArgument {}
extension KernelKind: ExpressibleByArgument {}
extension StudyGoal: ExpressibleByArgument {}

extension DoeCommand {
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the next batch of trials and record them as pending.",
            discussion: """
            Example:
              doe suggest plate --batch 4
              doe suggest plate --batch 4 --json
              doe suggest plate --batch 4 --fix material=steel
              doe suggest sims --batch 20 --goal learn

            Pending trials count as taken: a second suggest while a batch runs proposes new points. \
            Until the initial design is complete the scrambled Sobol sequence of the study continues; then a \
            Gaussian process (ARD squared-exponential or Matern-5/2, MAP hyperparameters, log output warping when \
            the likelihood clearly prefers it) picks each point. A noisy objective (standard errors given, or a fitted \
            noise standard deviation above 45 % of the signal's) gets qLogNEI: improvement over the best sampled \
            value at the observed points, the batch and the pending trials sampled jointly (256 quasi-random \
            samples). Otherwise log expected improvement, the batch chosen greedily with Kriging-believer \
            fantasies. Each trial records the acquisition and why it ran. \
            JSON output: {"trials":[{"id":7,"params":{…},"generator":"sobol"}]}; \
            GP trials carry the model's prediction and acquisition value. --fix NAME=VALUE holds a parameter for this \
            batch (the GP still models it; the others are optimized) and is recorded with each trial. \
            --goal learn (or goal: learn in the space file) is for studies that learn their outputs over the space \
            (simulation campaigns feeding doe train): one GP per metric, and each point of the batch the one that \
            most reduces the posterior variance integrated over the space, summed over the metrics, at least a \
            quarter of the typical spacing from every trial and from the other points (generator gp-learn).
            """
        )

        @OptionGroup var study: StudyOptions

        @Option(name: [.short, .long], help: "Number of trials to propose.")
        var batch: Int = 1

        @Flag(help: "Print JSON ({\"trials\":[{\"id\":..,\"params\":{..}}]}); same as --format json.")
        var json = false

        @Option(help: "Output format: text, csv or json.")
        var format: TableFormat = .text

        @Option(help: """
            Acquisition after the initial design: qlognei, logei, ucb or qlognehvi; default: the space file's, else \
            qlognehvi for 2-4 objectives, qlognei for a noisy one, logei otherwise (logei, qlognei and ucb scalarize \
            several objectives ParEGO-style).
            """)
        var acquisition: AcquisitionKind?

        @Option(help: "GP kernel: rbf (squared exponential) or matern52; default: the space file's, else chosen by marginal likelihood.")
        var kernel: KernelKind?

        @Option(help: "optimize (find the best design) or learn (reduce the models' uncertainty everywhere); default: the space file's.")
        var goal: StudyGoal?

        @Option(help: "Hold a parameter at a value for this batch: NAME=VALUE (repeatable); recorded with each trial.")
        var fix: [String] = []

        func validate() throws {
            guard batch >= 1 && batch <= 100_000 else { throw ValidationError("--batch must be between 1 and 100000, got \(batch)") }
        }

        func run() throws {
            let s = try study.open()
            var fixed: [String: ParameterValue] = [:]
            for text in fix {
                guard let equals = text.firstIndex(of: "=") else {
                    throw ValidationError("--fix \(text): expected NAME=VALUE, e.g. thickness=3")
                }
                let name = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
                let raw = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
                guard let p = s.space.parameters.first(where: { $0.name == name }) else {
                    throw ValueError("--fix \(text): no parameter '\(name)' (parameters: "
                        + s.space.parameters.map(\.name).joined(separator: ", ") + ")")
                }
                guard p.isVaried else { throw ValueError("--fix \(text): '\(name)' is already fixed by the space file") }
                guard fixed[name] == nil else { throw ValueError("--fix \(text): '\(name)' is fixed twice") }
                fixed[name] = try s.space.value(typedCell(raw), for: p, context: "--fix \(text)")
            }
            guard fixed.isEmpty || fixed.count < s.space.dimension else {
                throw ValueError("--fix: every varied parameter is fixed, so there is nothing to choose "
                    + "(record such a trial with `doe observe NAME --results FILE`, params and values)")
            }
            let trials = try s.suggest(count: batch, strategy: BayesianStrategy(acquisition: acquisition, kernel: kernel, fixed: fixed,
                                                                            goal: goal))
            switch json ? .json : format {
            case .json:
                emit(JSONValue.object([("trials", .array(trials.map { t in
                    var members: [(String, JSONValue)] = [("id", .int(t.id)), ("params", TrialTable.paramsJSON(t, space: s.space)),
                                                          ("generator", .string(t.generator))]
                    if let predicted = t.generatorInfo?["predicted"] { members.append(("prediction", predicted)) }
                    if let scalarized = t.generatorInfo?["predicted_scalarized"] { members.append(("prediction_scalarized", scalarized)) }
                    if let name = t.generatorInfo?["acquisition"], let value = t.generatorInfo?["acquisition_value"] {
                        members.append(("acquisition", .object([("name", name), ("value", value)])))
                    }
                    if let info = t.generatorInfo { members.append(("generator_info", info)) }
                    return .object(members)
                }))]).serialized)
            case .csv:
                var lines = [(["id"] + s.space.parameters.map(\.name)).joined(separator: ",")]
                for t in trials { lines.append((["\(t.id)"] + t.params.map { CSV.escape($0.description) }).joined(separator: ",")) }
                emit(lines.joined(separator: "\n"))
            case .text:
                var table = TextTable(["trial"] + s.space.parameters.map(displayHeader) + ["generator", "predicted"])
                for t in trials {
                    var predicted = ""
                    if let p = t.generatorInfo?["predicted"], let m = p["mean"]?.number, let sd = p["std"]?.number {
                        predicted = "\(NumberText.significant(m, digits: 4)) ± \(NumberText.significant(sd, digits: 2))"
                    }
                    table.add(["\(t.id)"] + t.params.map(displayValue) + [t.generator, predicted])
                }
                emit(table.rendered)
            }
        }
    }
}
