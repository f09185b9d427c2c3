import DoeBase
import DoeDesign
import DoeStudy
import Foundation

/// The Jupyter notebook of a study: its cells load the journal with pandas, replay it into a trial table, check
/// the replay against doe's (counts and best values), and redraw the report's plots with matplotlib. The GP
/// quantities (slices, importance, Sobol indices) are computed by doe and embedded as data.
public enum StudyNotebook {
    /// The notebook as `.ipynb` JSON text.
    ///
    /// - Parameters:
    ///   - studyPathFromNotebook: the study directory relative to where the notebook is written (tried first).
    ///   - absoluteStudyPath: the study directory as an absolute path (tried second).
    public static func ipynb(_ a: StudyAnalysis, provenance: ReportProvenance, studyPathFromNotebook: String,
                             absoluteStudyPath: String) throws -> String {
        let values: [String: String] = [
            "name": a.name, "generated_at": provenance.generatedAt, "doe_version": provenance.doeVersion,
            "source": provenance.source, "sha256": provenance.sha256, "record_count": String(a.state.recordCount),
            "study_path": Notebook.pythonString(studyPathFromNotebook), "absolute_study_path": Notebook.pythonString(absoluteStudyPath),
            "space_json": Notebook.pythonString(spaceJSON(a.space).serialized),
            "doe_json": Notebook.pythonString(doeJSON(a).serialized),
        ]
        return try NotebookTemplate.named("study").notebook(values).json
    }

    // MARK: - Embedded data

    /// The space as the notebook needs it.
    static func spaceJSON(_ space: DesignSpace) -> JSONValue {
        .object([
            ("parameters", .array(space.parameters.map { p in
                var m: [(String, JSONValue)] = [("name", .string(p.name))]
                switch p.domain {
                case let .real(low, high, log): m += [("type", "real"), ("low", .double(low)), ("high", .double(high)), ("log", .bool(log))]
                case let .integer(low, high): m += [("type", "integer"), ("low", .int(low)), ("high", .int(high))]
                case let .categorical(choices): m += [("type", "categorical"), ("choices", .array(choices.map(\.json)))]
                case let .fixed(v): m += [("type", "fixed"), ("value", v.json)]
                }
                if let unit = p.unit { m.append(("unit", .string(unit))) }
                return .object(m)
            })),
            ("objectives", .array(space.objectives.map {
                .object([("name", .string($0.name)), ("direction", .string($0.direction.rawValue))]
                        + ($0.unit.map { [("unit", JSONValue.string($0))] } ?? []))
            })),
            ("constraints", .array(space.outcomeConstraints.map { c in
                .object([("name", .string(c.name)), ("min", c.min.map(JSONValue.double) ?? .null),
                         ("max", c.max.map(JSONValue.double) ?? .null)])
            })),
        ])
    }

    /// What doe computed, for the notebook's checks and GP plots.
    static func doeJSON(_ a: StudyAnalysis) -> JSONValue {
        func number(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
        func numbers(_ xs: [Double]) -> JSONValue { .array(xs.map(number)) }
        var best: [(String, JSONValue)] = []
        for view in a.objectives {
            best.append((view.objective.name, view.bestSoFar.last.map(number) ?? .null))
        }
        var models: [(String, JSONValue)] = []
        for view in a.objectives {
            guard let m = view.model else { continue }
            let varied = a.space.parameters.enumerated().filter { $0.element.isVaried }
            var importance: [(String, JSONValue)] = [("lengthscale importance",
                                                      numbers(varied.map { m.summary.importance[$0.offset] ?? .nan }))]
            if let s = m.sensitivity {
                importance.append(("Sobol first-order (GP mean)", numbers(s.firstOrder)))
                importance.append(("Sobol total (GP mean)", numbers(s.total)))
            }
            if let s = view.surrogateSensitivity { importance.append(("Sobol total (neural surrogate)", numbers(s.total))) }
            models.append((view.objective.name, .object([
                ("summary", .object([("kernel", .string(m.summary.kernel.rawValue)),
                                     ("output_transform", .string(m.summary.outputTransform.rawValue)),
                                     ("observations", .int(m.summary.observations)), ("loo_rmse", number(m.summary.looRMSE)),
                                     ("loo_r2", number(m.summary.looR2)), ("noise_std", number(m.summary.noiseStd))])),
                ("through_trial", .int(m.throughTrial)),
                ("parameters", .array(varied.map { .string($0.element.name) })),
                ("importance", .object(importance)),
                ("slices", .array(m.slices.map { s in
                    .object([("parameter", .string(s.parameter.name)), ("x", numbers(s.x)),
                             ("categories", s.categories.map { .array($0.map { .string($0) }) } ?? .null),
                             ("log", .bool(s.logarithmic)), ("mean", numbers(s.mean)), ("lower", numbers(s.lower)),
                             ("upper", numbers(s.upper)),
                             ("best_x", number(s.bestX)), ("best_value", number(s.bestValue))])
                })),
            ])))
        }
        let counts = TrialState.allCases.map { ($0.rawValue, JSONValue.int(a.summary.counts[$0] ?? 0)) }
        return .object([("study", .string(a.name)), ("counts", .object(counts)), ("best", .object(best)),
                        ("batches", .int(a.batches.count)), ("models", .object(models))])
    }
}
