import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeStudy
import DoeJournal
import Foundation

/// What `doe status` and `doe best` report: counts by state, the best trials, pending and failed trials.
public struct StudySummary: Sendable {
    /// A pending trial and how long ago it was suggested.
    public struct PendingTrial: Sendable {
        /// The trial.
        public let trial: Trial
        /// Seconds since it was suggested.
        public let ageSeconds: Double
    }

    /// A best trial sitting on a bound of a parameter.
    public struct BoundHit: Sendable {
        /// Trial id.
        public let trial: Int
        /// Parameter name.
        public let parameter: String
        /// `upper` or `lower`.
        public let bound: String
        /// The parameter's value, in its units.
        public let value: Double
    }

    /// The GP's view of one objective.
    public struct ObjectiveSummary: Sendable {
        /// Objective name.
        public let objective: String
        /// Importance and leave-one-out quality.
        public let summary: ModelSummary
        /// The simulation prior's evidence for this objective (ρ, used, variance explained); `nil` without one.
        public var priorEvidence: PriorEvidence? = nil
    }

    /// Study name.
    public let name: String
    /// Number of trials in each state.
    public let counts: [TrialState: Int]
    /// The best completed trial (one objective) or the Pareto-optimal ones (several objectives), among the feasible
    /// ones when the space has outcome constraints.
    public let best: [Trial]
    /// With outcome constraints, how many completed trials satisfy all of them; `nil` without constraints.
    public let feasible: Int?
    /// Pending trials with their age in seconds.
    public let pending: [PendingTrial]
    /// Failed, abandoned and retracted trials (excluded from models).
    public let failed: [Trial]
    /// Trials whose result was corrected or retracted, with the changes in ``Trial/changes``.
    public let changed: [Trial]
    /// With two or more objectives, the hypervolume of the feasible completed trials' front and its reference point.
    public let hypervolume: StudyHypervolume?
    /// Size of the initial space-filling design.
    public let initialDesignSize: Int
    /// Trials counting towards the initial design (completed + pending).
    public let initialDesignTaken: Int
    /// Best trials that sit on a bound of a real or integer parameter (within 1 % of its range): the optimum may
    /// lie outside the space, so the user should hear about it.
    public let atBounds: [BoundHit]
    /// The GP's view of each objective (with at least 3 completed trials): importance and leave-one-out quality.
    public let models: [ObjectiveSummary]
    /// Why the space's simulation prior cannot be used (a changed or unloadable model); `nil` when it can or there is none.
    public let priorProblem: String?
    /// The content hash and registry version (`name@version`, registry priors only) the journal last recorded of the prior.
    public let recordedPrior: (sha256: String?, version: String?)

    /// Summarizes `state` as of `now`; `fitModels: false` leaves ``models`` empty (no GP fit).
    public init(state: StudyState, space: DesignSpace, now: Date = Date(), fitModels: Bool = true) {
        name = state.name
        var counts: [TrialState: Int] = [:]
        for s in TrialState.allCases { counts[s] = 0 }
        for t in state.trials { counts[t.state, default: 0] += 1 }
        self.counts = counts
        let feasibleTrials = state.trials(in: .completed).filter { space.isFeasible($0.values) }
        feasible = space.outcomeConstraints.isEmpty ? nil : feasibleTrials.count
        best = StudySummary.best(feasibleTrials, objectives: space.objectives)
        pending = state.trials(in: .pending).map { t in
            PendingTrial(trial: t, ageSeconds: Timestamp.parse(t.suggestedAt).map { now.timeIntervalSince($0) } ?? 0)
        }
        failed = state.trials.filter { [.failed, .abandoned, .retracted].contains($0.state) }
        changed = state.trials.filter { !$0.changes.isEmpty }
        hypervolume = StudyHypervolume(trials: feasibleTrials, space: space)
        var atBounds: [BoundHit] = []
        for t in best {
            for (p, value) in zip(space.parameters, t.params) {
                guard let v = value.number else { continue }
                let range: (Double, Double)
                switch p.domain {
                case let .real(low, high, _): range = (low, high)
                case let .integer(low, high) where high - low >= 2: range = (Double(low), Double(high))
                default: continue
                }
                let slack = 0.01 * (range.1 - range.0)
                if v >= range.1 - slack {
                    atBounds.append(BoundHit(trial: t.id, parameter: p.name, bound: "upper", value: v))
                } else if v <= range.0 + slack {
                    atBounds.append(BoundHit(trial: t.id, parameter: p.name, bound: "lower", value: v))
                }
            }
        }
        self.atBounds = atBounds
        initialDesignSize = space.initialDesignSize
        initialDesignTaken = counts[.completed, default: 0] + counts[.pending, default: 0]
        let completed = state.trials(in: .completed)
        // the prior is loaded once: every objective's model uses it, and a prior that cannot be used is the problem shown
        let prior = Result { try StudyPrior.loadChecked(space: space, state: state) }
        var models: [ObjectiveSummary] = []
        if fitModels && completed.count >= 3, case let .success(prior) = prior {
            for o in space.objectives where completed.filter({ $0.values[o.name] != nil }).count >= 3 {
                if let model = try? ObjectiveModel.fit(o, state: state, space: space, prior: prior) {
                    models.append(ObjectiveSummary(objective: o.name, summary: model.summary, priorEvidence: model.priorEvidence))
                }
            }
        }
        self.models = models
        if case let .failure(error) = prior { priorProblem = "\(error)" } else { priorProblem = nil }
        recordedPrior = (state.recordedPrior?.sha256, state.recordedPriorVersion)
    }

    /// The best trial for one objective, or the Pareto front (sorted by id) for several.
    public static func best(_ completed: [Trial], objectives: [Objective]) -> [Trial] {
        guard !completed.isEmpty else { return [] }
        if objectives.count == 1 {
            let o = objectives[0]
            var bestTrial = completed[0]
            for t in completed.dropFirst() where o.direction.isBetter(t.values[o.name] ?? .nan, than: bestTrial.values[o.name] ?? .nan) {
                bestTrial = t
            }
            return [bestTrial]
        }
        func dominates(_ a: Trial, _ b: Trial) -> Bool {
            var strictly = false
            for o in objectives {
                let x = a.values[o.name] ?? .nan, y = b.values[o.name] ?? .nan
                if o.direction.isBetter(y, than: x) { return false }
                if o.direction.isBetter(x, than: y) { strictly = true }
            }
            return strictly
        }
        return completed.filter { t in !completed.contains { dominates($0, t) } }
    }

    /// The summary as JSON (`doe status --json`).
    public func json(space: DesignSpace, study: Study) -> JSONValue {
        .object([
            ("study", .string(name)),
            ("objectives", .array(space.objectives.map { o in
                .object([("name", .string(o.name)), ("direction", .string(o.direction.rawValue)),
                         ("unit", o.unit.map(JSONValue.string) ?? .null)])
            })),
            ("counts", .object(TrialState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })),
            ("initial_design", .object([("size", .int(initialDesignSize)), ("taken", .int(initialDesignTaken))])),
            ("constraints", .array(space.outcomeConstraints.map { c in
                .object([("name", .string(c.name)), ("min", c.min.map(JSONValue.double) ?? .null),
                         ("max", c.max.map(JSONValue.double) ?? .null), ("unit", c.unit.map(JSONValue.string) ?? .null)])
            })),
            ("feasible", feasible.map(JSONValue.int) ?? .null),
            ("best", .array(best.map { TrialTable.json($0, space: space) })),
            ("hypervolume", hypervolume?.json(space: space) ?? .null),
            ("at_bounds", .array(atBounds.map { b in
                .object([("trial", .int(b.trial)), ("parameter", .string(b.parameter)), ("bound", .string(b.bound)),
                         ("value", .double(b.value))])
            })),
            ("pending", .array(pending.map { p in
                .object([("id", .int(p.trial.id)), ("suggested_at", .string(p.trial.suggestedAt)),
                         ("age_seconds", .double((p.ageSeconds * 1000).rounded() / 1000)),
                         ("params", TrialTable.paramsJSON(p.trial, space: space))])
            })),
            ("models", .array(models.map { m in
                .object([
                    ("objective", .string(m.objective)), ("model", "gp"), ("kernel", .string(m.summary.kernel.rawValue)),
                    ("observations", .int(m.summary.observations)),
                    ("loo_rmse", finiteJSON(m.summary.looRMSE)), ("loo_r2", finiteJSON(m.summary.looR2)),
                    ("noise_std", finiteJSON(m.summary.noiseStd)),
                    ("output_transform", .string(m.summary.outputTransform.rawValue)),
                    ("prior", m.priorEvidence.map(StudyPrior.evidenceJSON) ?? .null),
                    ("parameters", .array(zip(space.parameters, zip(m.summary.lengthscales, m.summary.importance)).compactMap { p, li in
                        guard let l = li.0, let i = li.1 else { return nil }
                        return .object([("name", .string(p.name)), ("lengthscale", finiteJSON(l)), ("importance", finiteJSON(i))])
                    })),
                ])
            })),
            ("prior", space.prior.map { p in
                .object([("model", .string(p.model)),
                         ("source", .string({ if case .registry = p.source { return "registry" } else { return "directory" } }())),
                         ("version", recordedPrior.version.map(JSONValue.string) ?? .null),
                         ("sha256", recordedPrior.sha256.map(JSONValue.string) ?? .null),
                         ("outputs", .object(p.outputs.map { ($0.metric, .string($0.output)) })),
                         ("problem", priorProblem.map(JSONValue.string) ?? .null)])
            } ?? .null),
            ("failed", .array(failed.map { t in
                .object([("id", .int(t.id)), ("state", .string(t.state.rawValue)), ("reason", t.reason.map(JSONValue.string) ?? .null)])
            })),
            ("changes", .array(changed.flatMap { t in
                t.changes.map { c in
                    .object([("trial", .int(t.id)), ("kind", .string(c.kind.rawValue)), ("at", .string(c.at)), ("by", .string(c.by)),
                             ("reason", c.reason.map(JSONValue.string) ?? .null)])
                }
            })),
        ])
    }
}

/// `x` as JSON, `null` when not finite.
func finiteJSON(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
