import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import DoeStudy
import Foundation

/// What `doe suggest` does: the scrambled Sobol initial design, then Gaussian-process Bayesian optimization.
///
/// - While completed + pending trials are fewer than the initial design size (`initial_trials`, default 2·d + 2),
///   or fewer than two trials are completed, the study's Sobol sequence continues (pending trials count as taken).
/// - Then a GP is fitted to the completed trials (failed and abandoned ones are left out). A noisy objective
///   (standard errors given, or fitted noise above ``AcquisitionChoice/noiseRatioThreshold``) gets qLogNEI, its batch
///   and the pending trials sampled jointly; otherwise LogEI, pending trials conditioned on and the batch chosen
///   greedily with Kriging-believer fantasies (see ``BayesianOptimizer``).
/// - Two to four objectives get qLogNEHVI (one GP per objective, the batch and the pending trials sampled jointly,
///   the improvement of the hypervolume over each sample's Pareto front; see
///   ``BayesianOptimizer/proposeHypervolume(objectives:reference:space:pending:taken:count:settings:constraints:feasible:)``).
///   Five or more, or an explicit `logei`/`qlognei`/`ucb`, are scalarized ParEGO-style (augmented Chebyshev of the
///   normalized objectives, with random weights drawn per batch from the seed), so the batches spread along the front.
/// A study whose goal is to learn its outputs (`goal: learn`, `--goal learn`) gets integrated-variance-reduction batches
/// after the initial design instead (see ``learningSuggestions(count:state:space:settings:earlier:)``).
/// The seed of each round is derived from the study seed and the journal, so the same journal gives the same suggestion.
public struct BayesianStrategy: SuggestionStrategy {
    /// Acquisition override (`--acquisition`); `nil` uses the space file's, else `logei`.
    public var acquisition: AcquisitionKind?
    /// Kernel override (`--kernel`); `nil` uses the space file's, else chooses between RBF and Matérn-5/2 by
    /// marginal likelihood at every suggestion (neither kernel won on every problem of `make bench-bo`).
    public var kernel: KernelKind?
    /// Parameters held at a value for this call (`doe suggest --fix thickness=3`), by name; recorded with each trial.
    public var fixed: [String: ParameterValue] = [:]
    /// Goal override (`doe suggest --goal`); `nil` uses the space file's, else ``StudyGoal/optimize``.
    public var goal: StudyGoal?

    /// A strategy with optional acquisition, kernel and goal overrides (`nil` defers to the space file) and fixed values.
    public init(acquisition: AcquisitionKind? = nil, kernel: KernelKind? = nil, fixed: [String: ParameterValue] = [:],
                goal: StudyGoal? = nil) {
        self.acquisition = acquisition
        self.kernel = kernel
        self.fixed = fixed
        self.goal = goal
    }

    /// `suggestion` with the fixed values in place and `fixed` in its generator info.
    func pinned(_ suggestion: Suggestion, space: DesignSpace) -> Suggestion {
        guard !fixed.isEmpty else { return suggestion }
        var params = suggestion.params
        for (i, p) in space.parameters.enumerated() { if let v = fixed[p.name] { params[i] = v } }
        var info = suggestion.info.members ?? []
        info.append(("fixed", .object(space.parameters.compactMap { p in fixed[p.name].map { (p.name, $0.json) } })))
        return Suggestion(params: params, generator: suggestion.generator, info: .object(info))
    }

    /// Proposes `count` trials: Sobol points while the initial design is incomplete (or fewer than two trials are
    /// completed), then Bayesian optimization for the rest of the batch.
    public func suggest(count: Int, state: StudyState, space: DesignSpace) throws -> [Suggestion] {
        let completed = state.trials(in: .completed)
        let pending = state.trials(in: .pending)
        var sobolCount = min(count, max(0, space.initialDesignSize - completed.count - pending.count))
        if completed.count < 2 { sobolCount = count }
        var fixedByIndex: [Int: ParameterValue] = [:]
        for (i, p) in space.parameters.enumerated() { if let v = fixed[p.name] { fixedByIndex[i] = v } }
        var suggestions = sobolCount > 0
            ? try SobolContinuation(fixed: fixedByIndex).suggest(count: sobolCount, state: state, space: space)
                .map { pinned($0, space: space) } : []
        let remaining = count - suggestions.count
        guard remaining > 0 else { return suggestions }

        var settings = BOSettings()
        settings.kernel = kernel ?? space.kernel
        settings.seed = ObjectiveModel.seed(for: state)
        settings.fixed = fixedByIndex
        if (goal ?? space.goal ?? .optimize) == .learn {
            suggestions += try learningSuggestions(count: remaining, state: state, space: space, settings: settings,
                                                   earlier: suggestions)
            return try withSobolFill(suggestions, count: count, state: state, space: space, fixed: fixedByIndex)
        }
        let hypervolume = try usesHypervolume(space: space)
        if hypervolume.uses {
            settings.acquisition = .qlognehvi
            suggestions += try hypervolumeSuggestions(count: remaining, state: state, space: space, settings: settings,
                                                      earlier: suggestions, reason: hypervolume.reason)
            return try withSobolFill(suggestions, count: count, state: state, space: space, fixed: fixedByIndex)
        }
        let (targets, scalarization) = BayesianStrategy.targets(completed, space: space, seed: settings.seed)
        // One objective: the very model `status` and `report` show (same function, same seed, known standard
        // errors as noise). Several: propose fits the ParEGO scalarization, without known noise.
        let model = try space.objectives.count == 1
            ? ObjectiveModel.fit(space.objectives[0], state: state, space: space, kernel: settings.kernel) : nil
        let choice = acquisitionChoice(space: space, model: model)
        settings.acquisition = choice.kind
        let modelled = model?.trials ?? completed
        // the objective model loaded and checked the prior already (one read and hash of the model per suggestion)
        let prior = try model.map(\.prior) ?? StudyPrior.loadChecked(space: space, state: state)
        let constraints = try BayesianStrategy.constraintModels(modelled, space: space, kernel: settings.kernel, seed: settings.seed,
                                                                prior: prior)
        let feasible = modelled.map { space.isFeasible($0.values) }
        var priorEvidence = constraints.compactMap { c in c.priorEvidence.map { (metric: c.label, evidence: $0) } }
        if let model, let e = model.priorEvidence { priorEvidence.insert((model.objective.name, e), at: 0) }
        var fitted = model.map { ($0.gp, $0.transform) }
        var scalarizedPriorNote: String?
        if scalarization != nil, let prior {
            // several objectives, scalarized: the prior of the scalarized objective is the scalarization of the priors
            let unmapped = space.objectives.filter { prior.featurePrior(for: $0.name) == nil }.map(\.name)
            if unmapped.isEmpty {
                let scalarized = ScalarizedPrior(priors: space.objectives.compactMap { prior.featurePrior(for: $0.name) },
                                                 scalarization: ParEGOScalarization(completed, space: space, seed: settings.seed))
                let withPrior = try BayesianOptimizer.fitWithPrior(encoding: SpaceEncoding(space: space),
                                                                   assignments: completed.map(\.params), values: targets,
                                                                   kernel: settings.kernel, seed: settings.seed, prior: scalarized)
                fitted = (withPrior.gp, withPrior.transform)
                priorEvidence.insert(("scalarized", withPrior.evidence), at: 0)
            } else {
                scalarizedPriorNote = "not used for the scalarized objectives: the prior maps no output to "
                    + unmapped.joined(separator: ", ")
            }
        }
        let proposals = try BayesianOptimizer.propose(
            space: space, completed: zip(completed.map(\.params), targets).map { ($0, $1) },
            pending: pending.map(\.params) + suggestions.map(\.params),
            taken: Set(state.trials.map(\.params) + suggestions.map(\.params)), count: remaining, settings: settings,
            model: fitted, constraints: constraints,
            feasible: constraints.isEmpty ? nil : feasible)
        let encoding = SpaceEncoding(space: space)
        for p in proposals {
            var info: [(String, JSONValue)] = [
                ("model", "gp"), ("kernel", .string(p.kernel.rawValue)), ("acquisition", .string(settings.acquisition.rawValue)),
                ("acquisition_reason", .string(choice.reason)),
                ("noise_ratio", choice.noiseRatio.map(finite) ?? .null),
                ("batch", settings.acquisition == .qlognei ? "joint-samples" : "kriging-believer"),
                ("output_transform", .string(p.outputTransform.rawValue)),
                ("observations", .int(completed.count)), ("pending", .int(pending.count)),
                ("acquisition_value", finite(p.acquisitionValue)),
            ]
            info += BayesianStrategy.constraintInfo(constraints, feasible: feasible, at: encoding.encode(p.assignment))
            if let prior { info.append(("prior", StudyPrior.info(prior, evidence: priorEvidence, note: scalarizedPriorNote))) }
            if let scalarization {
                info.append(("scalarization", scalarization))
                info.append(("predicted_scalarized", .object([("mean", finite(p.predictedMean)), ("std", finite(p.predictedStd))])))
            } else {
                let sign = space.objectives[0].direction.sign
                info.append(("predicted", .object([("mean", finite(sign * p.predictedMean)), ("std", finite(p.predictedStd))])))
            }
            let suggestion = Suggestion(params: p.assignment, generator: "gp-\(settings.acquisition.rawValue)", info: .object(info))
            suggestions.append(pinned(suggestion, space: space))
        }
        return try withSobolFill(suggestions, count: count, state: state, space: space, fixed: fixedByIndex)
    }

    /// `suggestions`, completed to `count` from the Sobol sequence when the models proposed fewer (a small discrete
    /// space is exhausted).
    func withSobolFill(_ suggestions: [Suggestion], count: Int, state: StudyState, space: DesignSpace,
                       fixed: [Int: ParameterValue]) throws -> [Suggestion] {
        guard suggestions.count < count else { return suggestions }
        return try suggestions + SobolContinuation(fixed: fixed)
            .suggest(count: count - suggestions.count, state: state, space: space, after: suggestions)
            .map { pinned($0, space: space) }
    }

    /// The acquisition to run: `--acquisition`, else the space file's, else qLogNEI for a noisy single objective
    /// (standard errors given, or fitted noise not negligible) and LogEI otherwise.
    func acquisitionChoice(space: DesignSpace, model: ObjectiveModel?) -> AcquisitionChoice {
        if let acquisition { return AcquisitionChoice(kind: acquisition, reason: "asked") }
        if let chosen = space.acquisition { return AcquisitionChoice(kind: chosen, reason: "space file") }
        guard let model else { return AcquisitionChoice(kind: .logei, reason: "scalarized objectives") }
        let knownNoise = model.trials.contains { $0.sems[model.objective.name] != nil }
        return AcquisitionChoice.automatic(for: model.gp, knownNoise: knownNoise)
    }

    /// What a GP trial records about the outcome constraints (nothing without any): their labels, how many observed
    /// trials are feasible, whether the batch maximized feasibility only, and P(feasible) at `x` (unit-cube features).
    static func constraintInfo(_ constraints: [ConstraintModel], feasible: [Bool], at x: [Double]) -> [(String, JSONValue)] {
        guard !constraints.isEmpty else { return [] }
        let logProbability = constraints.reduce(0.0) { $0 + $1.logProbability(at: x) }
        return [("constraints", .array(constraints.map { .string($0.label) })),
                ("constraint_transforms", .array(constraints.map { .string($0.transform.rawValue) })),
                ("feasible_observed", .int(feasible.filter { $0 }.count)),
                ("feasibility_only", .bool(!feasible.contains(true))),
                ("probability_feasible", finite(exp(logProbability)))]
    }

    /// How much higher, in log marginal likelihood per observation, the identity model of a constraint's slack must
    /// score than the signed log to be kept (a Bayes factor of e^{0.1·n}). Without it, constraints where the two are
    /// close flip between models from batch to batch; 0.1 was chosen on `make bench-mo` (0 lost C2DTLZ2).
    static let identityMargin = 0.1

    /// One GP per side of each outcome constraint, fitted to `trials` (the objective model's, same order).
    ///
    /// Each side is `sign·metric ≤ limit` with slack `s = sign·metric − limit`. Two models of the slack are fitted: a
    /// GP of its signed log `h = sign(s)·log(1 + |s|/m)` with `m` the median `|s|`, and a GP of `s` itself (the
    /// identity: a constraint linear or smooth in the parameters), kept when its marginal likelihood of `s` beats the
    /// signed log's (with its log-Jacobian `Σ −log(m + |sᵢ|)`, so the two are comparable) by ``identityMargin``.
    /// The signed log is monotone and zero exactly at the limit, so `P(h ≤ 0) = P(metric within its limit)`, while
    /// slacks spanning orders of magnitude (a stress 10⁶ over the limit next to one just under it) no longer swamp
    /// the boundary.
    /// - Throws: when a trial has no value for a constrained metric (results must report every one).
    /// A constrained metric the simulation prior maps is modelled by the identity alone, with the prior (the signed
    /// log would bend the simulation's prediction), when the evidence keeps the prior.
    static func constraintModels(_ trials: [Trial], space: DesignSpace, kernel: KernelKind?,
                                 seed: UInt64, prior: StudyPrior? = nil) throws -> [ConstraintModel] {
        guard !space.outcomeConstraints.isEmpty else { return [] }
        let encoding = SpaceEncoding(space: space)
        let assignments = trials.map(\.params)
        var models: [ConstraintModel] = []
        for (k, constraint) in space.outcomeConstraints.enumerated() {
            let metric = try trials.map { t in
                guard let v = t.values[constraint.name] else {
                    throw StudyError.invalidState("trial \(t.id) has no value for the constrained metric '\(constraint.name)'; "
                        + "record it with `doe observe --replace`")
                }
                return v
            }
            for (side, bound) in constraint.upperBounds.enumerated() {
                let slack = metric.map { bound.sign * $0 - bound.limit }
                let magnitudes = slack.map(abs).sorted()
                let median = magnitudes.isEmpty ? 1 : magnitudes[magnitudes.count / 2]
                let scale = median > 0 && median.isFinite ? median : 1
                let signedLog = slack.map { ($0 < 0 ? -1.0 : 1.0) * log1p(abs($0) / scale) }
                let fitSeed = seed ^ UInt64(2 * k + side + 1)
                let label = bound.sign > 0 ? "\(constraint.name) ≤ \(NumberText.significant(bound.limit))"
                                           : "\(constraint.name) ≥ \(NumberText.significant(-bound.limit))"
                var rejected: PriorEvidence?
                if let feature = prior?.featurePrior(for: constraint.name) {
                    let fitted = try BayesianOptimizer.fitWithPrior(encoding: encoding, assignments: assignments, values: slack,
                                                                    kernel: kernel, seed: fitSeed, warping: false, prior: feature,
                                                                    orientation: bound.sign, shift: -bound.limit)
                    if fitted.evidence.used {
                        models.append(ConstraintModel(gp: fitted.gp, limit: fitted.transform.forward(0), label: label,
                                                      transform: .identity, priorEvidence: fitted.evidence))
                        continue
                    }
                    rejected = fitted.evidence
                }
                let logModel = try BayesianOptimizer.fitWithScore(encoding: encoding, assignments: assignments, values: signedLog,
                                                                  kernel: kernel, seed: fitSeed, warping: false)
                let logJacobian = slack.reduce(0.0) { $0 - log(scale + abs($1)) } / Double(max(slack.count, 1))
                var chosen = (gp: logModel.gp, transform: logModel.transform, kind: ConstraintTransform.signedLog)
                if let identity = try? BayesianOptimizer.fitWithScore(encoding: encoding, assignments: assignments, values: slack,
                                                                      kernel: kernel, seed: fitSeed, warping: false),
                   identity.score > logModel.score + logJacobian + identityMargin {
                    chosen = (identity.gp, identity.transform, .identity)
                }
                models.append(ConstraintModel(gp: chosen.gp, limit: chosen.transform.forward(0), label: label,
                                              transform: chosen.kind, priorEvidence: rejected))
            }
        }
        return models
    }

    /// Values to maximize: the objective (negated when minimized), or a ParEGO scalarization of several.
    static func targets(_ completed: [Trial], space: DesignSpace, seed: UInt64) -> ([Double], JSONValue?) {
        let objectives = space.objectives
        if objectives.count == 1 {
            let sign = objectives[0].direction.sign
            return (completed.map { sign * ($0.values[objectives[0].name] ?? .nan) }, nil)
        }
        let scalarization = ParEGOScalarization(completed, space: space, seed: seed)
        let scalarized = completed.map { t in scalarization.value(objectives.map { t.values[$0.name] ?? .nan }) }
        return (scalarized, scalarization.json(objectives))
    }
}

/// ParEGO's augmented Chebyshev scalarization of several objectives (Knowles 2006): each objective's goodness in
/// [0, 1] (1 = its best observed value, 0 = its worst), weighted by random weights on the simplex (drawn from the
/// study's seed and round), `min_j w_j·g_j + 0.05·Σ_j w_j·g_j` (to maximize).
struct ParEGOScalarization {
    /// Weight per objective (sum 1).
    let weights: [Double]
    /// Per objective: the worst and best observed values' span (`lower`, `span`) and whether it is maximized.
    let ranges: [(lower: Double, span: Double, maximize: Bool)]

    /// Objective `j`'s goodness at value `v` and its derivative `∂g/∂v`.
    func goodness(_ j: Int, _ v: Double) -> (value: Double, slope: Double) {
        let r = ranges[j]
        return r.maximize ? ((v - r.lower) / r.span, 1 / r.span) : ((r.lower + r.span - v) / r.span, -1 / r.span)
    }

    /// The scalarized value of one trial's objective values (in the space's objective order).
    func value(_ objectives: [Double]) -> Double {
        let terms = objectives.indices.map { weights[$0] * goodness($0, objectives[$0]).value }
        return terms.min()! + 0.05 * terms.reduce(0, +)
    }

    /// `{method: parego, weights: {objective: weight}}`.
    func json(_ objectives: [Objective]) -> JSONValue {
        .object([("method", "parego"), ("weights", .object(zip(objectives, weights).map { ($0.0.name, .double($0.1)) }))])
    }
}

extension ParEGOScalarization {
    /// The scalarization of the study's objectives over `completed`, its weights drawn from `seed`.
    init(_ completed: [Trial], space: DesignSpace, seed: UInt64) {
        var rng = SplitMix64.stream(seed: seed, label: "parego")
        let draws = space.objectives.map { _ in -log(max(rng.nextUnit(), 1e-300)) }
        let total = draws.reduce(0, +)
        let ranges = space.objectives.map { o -> (lower: Double, span: Double, maximize: Bool) in
            let v = completed.map { $0.values[o.name] ?? .nan }
            let lo = v.min() ?? 0, hi = v.max() ?? 1
            return (lo, hi > lo ? hi - lo : 1, o.direction == .maximize)
        }
        self.init(weights: draws.map { $0 / total }, ranges: ranges)
    }
}

/// The ParEGO scalarization of the simulation priors of every objective: the prior of the scalarized objective a
/// study with five or more objectives (or an explicit scalarizing acquisition) optimizes. Its gradient is the
/// active (smallest) term's plus the augmentation's — the Chebyshev minimum's gradient wherever one term is smallest.
struct ScalarizedPrior: FeaturePrior {
    let priors: [any FeaturePrior]
    let scalarization: ParEGOScalarization

    func values(atFeatures points: Matrix<Double>) -> [Double] {
        let columns = priors.map { $0.values(atFeatures: points) }
        return (0..<points.rows).map { i in scalarization.value(columns.map { $0[i] }) }
    }

    func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double]) {
        let parts = priors.map { $0.valueAndGradient(atFeatures: x) }
        var terms: [Double] = [], slopes: [Double] = []
        for (j, part) in parts.enumerated() {
            let g = scalarization.goodness(j, part.value)
            terms.append(scalarization.weights[j] * g.value)
            slopes.append(scalarization.weights[j] * g.slope)
        }
        let active = terms.indices.min { terms[$0] < terms[$1] }!
        var gradient = [Double](repeating: 0, count: x.count)
        for (j, part) in parts.enumerated() {
            let factor = (j == active ? 1 : 0) * slopes[j] + 0.05 * slopes[j]
            for k in gradient.indices { gradient[k] += factor * part.gradient[k] }
        }
        return (terms[active] + 0.05 * terms.reduce(0, +), gradient)
    }
}

private func finite(_ x: Double) -> JSONValue { finiteJSON(x) }

extension Study {
    /// Proposes and records `count` new trials with ``BayesianStrategy`` (what `doe suggest` does).
    @discardableResult
    public func suggest(count: Int) throws -> [Trial] { try suggest(count: count, strategy: BayesianStrategy()) }
}
