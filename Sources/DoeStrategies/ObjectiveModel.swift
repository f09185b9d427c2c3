import DoeBase
import DoeBO
import DoeDesign
import DoeGP
import DoeStudy
import Foundation

/// The Gaussian process doe fits for one objective of a study: the model `doe suggest` optimizes (single objective),
/// `doe status` summarizes and `doe report` draws. One function fits it, so the three always describe the same GP:
/// same trials, orientation (maximize), known noise, kernel choice, output warping and seed.
public struct ObjectiveModel {
    /// The objective modelled.
    public let objective: Objective
    /// The fitted GP, on the space's unit-cube encoding and the warped, oriented values.
    public let gp: GaussianProcess
    /// The output warping (standardization, log or none) between values and the GP's outputs.
    public let transform: OutputTransform
    /// The space's feature encoding.
    public let encoding: SpaceEncoding
    /// `+1` when the objective is maximized, `-1` when minimized: the GP models `sign · value`.
    public let sign: Double
    /// The completed trials with a value for the objective, in id order.
    public let trials: [Trial]
    /// `sign · value` per trial (what the GP was fitted to, before warping).
    public let values: [Double]
    /// The seed of the fit.
    public let seed: UInt64
    /// Importance and leave-one-out quality (in oriented units; R² and RMSE do not depend on the sign).
    public let summary: ModelSummary
    /// The study's simulation prior (loaded and checked against the journal), when the space names one; whether it
    /// maps this objective and was kept, ``priorEvidence`` says.
    public let prior: StudyPrior?
    /// What the evidence said of the prior (ρ, used or not, variance explained); `nil` without one.
    public let priorEvidence: PriorEvidence?

    /// The seed `doe suggest` uses at this state of the journal (the study seed mixed with the next trial id).
    public static func seed(for state: StudyState) -> UInt64 {
        state.seed ^ (UInt64(state.nextTrialId) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Fits the model of `objective` to the completed trials of `state`, with the space's simulation prior when it
    /// maps the objective (checked against the model the journal recorded).
    /// - Parameter kernel: override; `nil` uses the space file's, else the kernel choice by marginal likelihood.
    /// - Throws: when fewer than two trials have a value, the fit fails, or the prior cannot be used.
    public static func fit(_ objective: Objective, state: StudyState, space: DesignSpace,
                           kernel: KernelKind? = nil) throws -> ObjectiveModel {
        try fit(objective, state: state, space: space, kernel: kernel, prior: StudyPrior.loadChecked(space: space, state: state))
    }

    /// ``fit(_:state:space:kernel:)`` with the study's prior already loaded and checked (``StudyPrior/loadChecked(space:state:)``;
    /// `nil` when the space has none), so a caller fitting several objectives reads, hashes and — for a study prior —
    /// fits the prior once.
    public static func fit(_ objective: Objective, state: StudyState, space: DesignSpace, kernel: KernelKind? = nil,
                           prior: StudyPrior?) throws -> ObjectiveModel {
        let trials = state.trials(in: .completed).filter { $0.values[objective.name] != nil }
        let sign = objective.direction.sign
        let values = trials.map { sign * $0.values[objective.name]! }
        let noise = trials.contains { $0.sems[objective.name] != nil } ? trials.map { $0.sems[objective.name] ?? 0 } : nil
        let encoding = SpaceEncoding(space: space)
        let seed = seed(for: state)
        let fitted = try StudyPrior.fitMetric(objective.name, prior: prior, encoding: encoding, assignments: trials.map(\.params),
                                              values: values, noise: noise, kernel: kernel ?? space.kernel, seed: seed,
                                              warping: true, orientation: sign)
        let (gp, transform) = (fitted.gp, fitted.transform)
        return ObjectiveModel(objective: objective, gp: gp, transform: transform, encoding: encoding, sign: sign, trials: trials,
                              values: values, seed: seed,
                              summary: BayesianOptimizer.summary(of: gp, transform: transform, encoding: encoding, values: values),
                              prior: prior, priorEvidence: fitted.evidence)
    }
}
