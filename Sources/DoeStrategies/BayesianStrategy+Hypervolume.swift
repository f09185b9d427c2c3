import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeStudy
import Foundation

extension BayesianStrategy {
    /// Objective counts qLogNEHVI handles (exact box decompositions stay small); more are scalarized ParEGO-style.
    public static let hypervolumeObjectives = 2...4

    /// Whether this call runs qLogNEHVI: asked for, named in the space file, or by default for 2–4 objectives when
    /// no other acquisition was asked for.
    /// - Throws: when qLogNEHVI is asked for with a number of objectives it does not handle.
    func usesHypervolume(space: DesignSpace) throws -> (uses: Bool, reason: String) {
        let count = space.objectives.count
        if acquisition == .qlognehvi || (acquisition == nil && space.acquisition == .qlognehvi) {
            guard BayesianStrategy.hypervolumeObjectives.contains(count) else {
                throw StudyError.invalidInput("--acquisition qlognehvi needs two to four objectives; the study has \(count) "
                    + "(use qlognei, logei or ucb\(count > 4 ? ", which scalarize several objectives ParEGO-style" : ""))")
            }
            return (true, acquisition == nil ? "space file" : "asked")
        }
        guard acquisition == nil && space.acquisition == nil else { return (false, "") }
        return (BayesianStrategy.hypervolumeObjectives.contains(count), "several objectives")
    }

    /// `remaining` trials by qLogNEHVI: one GP per objective (with the standard errors given as known noise), one
    /// per constraint side, the reference point from the space file or inferred like `status`'s.
    func hypervolumeSuggestions(count remaining: Int, state: StudyState, space: DesignSpace, settings: BOSettings,
                                earlier: [Suggestion], reason: String) throws -> [Suggestion] {
        let objectives = space.objectives
        let modelled = state.trials(in: .completed).filter { t in objectives.allSatisfy { t.values[$0.name]?.isFinite == true } }
        guard modelled.count >= 2 else { return [] }
        let encoding = SpaceEncoding(space: space)
        let prior = try StudyPrior.loadChecked(space: space, state: state)
        var evidence: [(metric: String, evidence: PriorEvidence)] = []
        let models = try objectives.enumerated().map { k, o -> ObjectiveGP in
            let values = modelled.map { o.direction.sign * $0.values[o.name]! }
            let noise = modelled.contains { $0.sems[o.name] != nil } ? modelled.map { $0.sems[o.name] ?? 0 } : nil
            let fitted = try StudyPrior.fitMetric(o.name, prior: prior, encoding: encoding, assignments: modelled.map(\.params),
                                                  values: values, noise: noise, kernel: settings.kernel,
                                                  seed: settings.seed ^ (0x0B_1EC7 &+ UInt64(k)), warping: false,
                                                  orientation: o.direction.sign)
            if let e = fitted.evidence { evidence.append((o.name, e)) }
            return ObjectiveGP(gp: fitted.gp, transform: fitted.transform)
        }
        let feasible = modelled.map { space.isFeasible($0.values) }
        let front = modelled.filter { space.isFeasible($0.values) }
        guard let hypervolume = StudyHypervolume(trials: front.isEmpty ? modelled : front, space: space) else { return [] }
        let reference = zip(objectives, hypervolume.reference).map { $0.direction.sign * $1 }
        let constraints = try BayesianStrategy.constraintModels(modelled, space: space, kernel: settings.kernel, seed: settings.seed,
                                                                prior: prior)
        evidence += constraints.compactMap { c in c.priorEvidence.map { (c.label, $0) } }
        let pending = state.trials(in: .pending).map(\.params) + earlier.map(\.params)
        let proposals = BayesianOptimizer.proposeHypervolume(
            objectives: models, reference: reference, space: space, pending: pending,
            taken: Set(state.trials.map(\.params) + earlier.map(\.params)), count: remaining, settings: settings,
            constraints: constraints, feasible: constraints.isEmpty ? nil : feasible)
        return proposals.map { p in
            var info: [(String, JSONValue)] = [
                ("model", "gp"), ("kernels", .object(zip(objectives, models).map { ($0.name, .string($1.gp.kernel.rawValue)) })),
                ("acquisition", "qlognehvi"), ("acquisition_reason", .string(reason)), ("batch", "joint-samples"),
                ("observations", .int(modelled.count)), ("pending", .int(state.trials(in: .pending).count)),
                ("acquisition_value", finiteJSON(p.acquisitionValue)),
                ("reference_point", .object(zip(objectives, hypervolume.reference).map { ($0.name, .double($1)) })),
                ("reference_inferred", .bool(hypervolume.inferred)),
                ("hypervolume", finiteJSON(hypervolume.value)),
            ]
            info += BayesianStrategy.constraintInfo(constraints, feasible: feasible, at: encoding.encode(p.assignment))
            if let prior { info.append(("prior", StudyPrior.info(prior, evidence: evidence))) }
            info.append(("predicted", .object(zip(objectives, p.predicted).map { o, prediction in
                (o.name, .object([("mean", finiteJSON(o.direction.sign * prediction.mean)), ("std", finiteJSON(prediction.std))]))
            })))
            return pinned(Suggestion(params: p.assignment, generator: "gp-qlognehvi", info: .object(info)), space: space)
        }
    }
}
