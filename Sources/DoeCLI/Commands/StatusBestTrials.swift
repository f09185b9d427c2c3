import ArgumentParser
import DoeBase
import DoeDesign
import DoeStudy
import DoeStrategies
import Foundation

extension DoeCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show counts by state, the best trial so far, pending trials and their age, failed trials.",
            discussion: "Example:\n  doe status plate\n  doe status plate --json | jq .counts"
        )

        @OptionGroup var study: StudyOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let s = try study.open()
            let state = try s.load()
            let summary = StudySummary(state: state, space: s.space)
            if json { emit(summary.json(space: s.space, study: s).serialized); return }
            var out: [String] = []
            out.append("study \(s.name): \(s.space.parameters.count) parameters (\(s.space.dimension) varied), "
                + "objective\(s.space.objectives.count == 1 ? "" : "s") "
                + "\(s.space.objectives.map { "\($0.header) (\($0.direction.rawValue))" }.joined(separator: ", "))")
            out.append("trials: " + TrialState.allCases.map { "\(summary.counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
            let phase = summary.initialDesignTaken < summary.initialDesignSize
                ? "initial design (Sobol): \(summary.initialDesignTaken) of \(summary.initialDesignSize) taken"
                : "initial design complete (\(summary.initialDesignSize) trials); Bayesian optimization (GP)"
            out.append("phase: " + phase)
            if let feasible = summary.feasible {
                out.append("feasible: \(feasible) of \(summary.counts[.completed] ?? 0) completed trials satisfy "
                    + s.space.outcomeConstraints.map(\.description).joined(separator: ", "))
            }
            out.append(contentsOf: bestLines(summary.best, space: s.space))
            if let hv = summary.hypervolume { out.append("Pareto front: \(summary.best.count) trials, " + hv.text(space: s.space)) }
            for b in summary.atBounds {
                let unit = s.space.parameters.first { $0.name == b.parameter }?.unit
                out.append("note: best trial \(b.trial) has \(b.parameter) = \(NumberText.withUnit(b.value, unit)) "
                    + "at its \(b.bound) bound; "
                    + "the optimum may lie outside the space: widen it with `doe space \(s.name) --set FILE`")
            }
            for m in summary.models {
                out.append(String(format: "model for %@: GP %@ (%@ outputs) on %d trials; leave-one-out RMSE %.4g, R² %.3f; noise sd %.3g",
                                  m.objective, m.summary.kernel.rawValue, m.summary.outputTransform == .log ? "log-warped" : "plain",
                                  m.summary.observations, m.summary.looRMSE, m.summary.looR2, m.summary.noiseStd))
                var table = TextTable(["  parameter", "importance", "lengthscale"])
                let rows = zip(s.space.parameters,
                               zip(m.summary.importance, m.summary.lengthscales)).compactMap { p, il -> (String, Double, Double)? in
                    guard let i = il.0, let l = il.1 else { return nil }
                    return (p.name, i, l)
                }.sorted { $0.1 > $1.1 }
                for (name, importance, lengthscale) in rows {
                    table.add(["  " + name,
                               String(format: "%5.1f%% %@", 100 * importance,
                                      String(repeating: "#", count: Int((importance * 30).rounded()))),
                               String(format: "%.3g", lengthscale)])
                }
                out.append(table.rendered)
                if let e = m.priorEvidence {
                    out.append(String(format: "  prior %@: ρ = %.3g, explains %.0f%% of the variance; evidence %.3f per trial vs %.3f "
                                      + "without: %@", priorName(s.space, state), e.rho, 100 * e.varianceExplained, e.withPrior,
                                      e.withoutPrior, e.used ? "used" : "NOT used (it lowers the marginal likelihood)"))
                }
            }
            if let problem = summary.priorProblem { out.append("warning: \(problem)") }
            if let recorded = state.recordedPriorVersion, let now = RegistryPrior.moved(s.space, recorded: recorded) {
                out.append("note: the prior \(s.space.prior?.model ?? "?") now names \(now); this study uses its copy of "
                    + "\(recorded) (`doe space \(s.name) --record-prior` adopts \(now))")
            }
            if !summary.pending.isEmpty {
                out.append("pending:")
                var table = TextTable(["  trial", "age", "suggested by"] + s.space.parameters.map(displayHeader))
                for p in summary.pending {
                    table.add(["  \(p.trial.id)", humanAge(p.ageSeconds), p.trial.suggestedBy] + p.trial.params.map(displayValue))
                }
                out.append(table.rendered)
            }
            if !summary.failed.isEmpty {
                out.append("failed, abandoned or retracted (excluded from models):")
                for t in summary.failed { out.append("  trial \(t.id): \(t.state.rawValue)\(t.reason.map { " — \($0)" } ?? "")") }
            }
            if !summary.changed.isEmpty {
                out.append("corrected or retracted results:")
                for t in summary.changed {
                    for c in t.changes {
                        out.append("  trial \(t.id): \(c.kind.rawValue) \(c.at) by \(c.by): " + changeText(c, space: s.space))
                    }
                }
            }
            emit(out.joined(separator: "\n"))
        }
    }

    struct Best: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the best completed trial (or the Pareto front with several objectives); feasible trials only.",
            discussion: "Example:\n  doe best plate --json"
        )

        @OptionGroup var study: StudyOptions
        @Flag(help: "Print JSON ({\"best\":[{\"id\":..,\"params\":{..},\"values\":{..}}]}).") var json = false

        func run() throws {
            let s = try study.open()
            let completed = try s.load().trials(in: .completed).filter { s.space.isFeasible($0.values) }
            let best = StudySummary.best(completed, objectives: s.space.objectives)
            let hypervolume = StudyHypervolume(trials: completed, space: s.space)
            if json {
                var members: [(String, JSONValue)] = [("best", .array(best.map { TrialTable.json($0, space: s.space) }))]
                if let hypervolume { members.append(("hypervolume", hypervolume.json(space: s.space))) }
                emit(JSONValue.object(members).serialized)
            } else {
                emit((bestLines(best, space: s.space) + (hypervolume.map { ["Pareto front: " + $0.text(space: s.space)] } ?? []))
                    .joined(separator: "\n"))
            }
        }
    }

    struct Trials: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the whole trial table (for Excel, pandas or scripts).",
            discussion: """
            Example:
              doe trials plate --format csv > plate.csv
              doe trials plate --format text
              python3 -c "import pandas as pd; \\
                print(pd.read_csv('plate.csv').describe())"
              doe trials sims --format h5 --output sims.h5
              doe train sims.h5 --fields /fields/uy

            CSV columns: id, state, <parameters>, <objectives>, generator, suggested_at, finished_at, reason, <metadata>. \
            --format h5 writes the completed trials as a simulation dump doe train reads: /inputs (the varied \
            parameters, with names, units and the space's bounds), /outputs (objectives and constrained metrics), /id, \
            and /fields/NAME for every field all of them were observed with (doe observe --results runs.h5).
            """
        )

        @OptionGroup var study: StudyOptions
        @Option(help: "csv (every digit), json, text (an aligned table to read) or h5 (a dump for doe train; needs --output).")
        var format: TrialsFormat = .csv
        @Option(name: [.short, .long], help: "File to write (--format h5).") var output: String?

        enum TrialsFormat: String, ExpressibleByArgument, CaseIterable { case text, csv, json, h5 }

        func validate() throws {
            if format == .h5 && output == nil { throw ValidationError("--format h5 needs --output FILE (an HDF5 file is binary)") }
            if format != .h5 && output != nil { throw ValidationError("--output is for --format h5; redirect the other formats") }
        }

        func run() throws {
            let s = try study.open()
            if format == .h5, let output {
                let written = try StudyDump.write(study: s, to: output)
                for left in written.leftOut {
                    let plural = left.trials.count == 1 ? "" : "s"
                    FileHandle.standardError.write(Data(("warning: field '\(left.field)' left out: trial\(plural) "
                        + "\(idList(left.trials)) \(plural.isEmpty ? "has" : "have") none\n").utf8))
                }
                let fields = written.fields.isEmpty ? ""
                    : " with field\(written.fields.count == 1 ? "" : "s") \(written.fields.joined(separator: ", "))"
                emit("wrote \(written.rows) completed trial\(written.rows == 1 ? "" : "s") to \(output)" + fields)
                return
            }
            let state = try s.load()
            switch format {
            case .json: emit(TrialTable.json(state, space: s.space).serialized)
            case .csv: FileHandle.standardOutput.write(Data(TrialTable.csv(state, space: s.space).utf8))
            case .text, .h5: emit(trialTextTable(state, space: s.space))
            }
        }
    }
}

func bestLines(_ best: [Trial], space: DesignSpace) -> [String] {
    guard !best.isEmpty else {
        return [space.outcomeConstraints.isEmpty ? "best: no completed trials yet" : "best: no feasible completed trial yet"]
    }
    let objectiveText = { (t: Trial) in
        space.objectives.map { o in
            "\(o.name) = \(t.values[o.name].map { NumberText.significant($0) } ?? "?")\(o.unit.map { " " + $0 } ?? "")"
        }.joined(separator: ", ")
    }
    let paramText = { (t: Trial) in displayAssignment(t.params, space: space) }
    if best.count == 1 && space.objectives.count == 1 {
        return ["best: trial \(best[0].id): \(objectiveText(best[0]))", "  " + paramText(best[0])]
    }
    return ["Pareto front (\(best.count) trials):"] + best.map { "  trial \($0.id): \(objectiveText($0))  [\(paramText($0))]" }
}

/// The prior as `doe status` names it: the model directory, or `reference (= name@version)` for a registry prior.
private func priorName(_ space: DesignSpace, _ state: StudyState) -> String {
    guard let model = space.prior?.model else { return "?" }
    return state.recordedPriorVersion.map { "\(model) (= \($0))" } ?? model
}
