import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// Which acquisition `doe suggest` runs when none is asked for, and why (recorded in each trial's generator info).
public struct AcquisitionChoice: Sendable, Equatable {
    /// The acquisition.
    public let kind: AcquisitionKind
    /// Why: `"asked"`, `"space file"`, `"known noise"` (standard errors were given), `"inferred noise"`,
    /// `"noise negligible"` or `"scalarized objectives"`.
    public let reason: String
    /// The fitted noise variance over the signal variance, when the choice looked at it.
    public let noiseRatio: Double?

    /// A choice with its reason.
    public init(kind: AcquisitionKind, reason: String, noiseRatio: Double? = nil) {
        self.kind = kind
        self.reason = reason
        self.noiseRatio = noiseRatio
    }

    /// Noise variance over signal variance above which the inferred noise counts as real: a noise standard deviation
    /// of 45 % of the signal's. Measured with `make bench-bo`: on noiseless but rough functions (Ackley, Levy,
    /// Styblinski–Tang) the fitted ratio reaches 0.03–0.15 from misfit alone, and on hartmann6_noisy (sd 0.1) it
    /// stays at 0.01–0.04, where LogEI on the noise-aware incumbent did as well as qLogNEI (median regret 0.12 vs
    /// 0.15 over 10 seeds); so only clearly noisy data, or given standard errors, switch to qLogNEI.
    public static let noiseRatioThreshold = 0.2

    /// `qlognei` when standard errors were given or the fitted noise is not negligible, `logei` otherwise.
    public static func automatic(for gp: GaussianProcess, knownNoise: Bool) -> AcquisitionChoice {
        if knownNoise { return AcquisitionChoice(kind: .qlognei, reason: "known noise") }
        let ratio = gp.hyperparameters.noiseVariance / gp.hyperparameters.signalVariance
        return ratio > noiseRatioThreshold ? AcquisitionChoice(kind: .qlognei, reason: "inferred noise", noiseRatio: ratio)
                                           : AcquisitionChoice(kind: .logei, reason: "noise negligible", noiseRatio: ratio)
    }
}

extension BayesianOptimizer {
    /// Number of Monte Carlo samples of qLogNEI.
    static let monteCarloSamples = 256
    /// Most observed points qLogNEI samples jointly as its baseline (the most promising by `μ + 2σ`).
    static let maxBaseline = 128

    /// A batch by sequential greedy qLogNEI: point `k` maximizes the noisy improvement over the best sampled value
    /// among the observed points, the pending trials and the batch's first `k` points, all sampled jointly with it
    /// (so the batch needs no fantasized values, and the incumbent's uncertainty is integrated over).
    static func proposeNoisy(gp: GaussianProcess, transform: OutputTransform, encoding: SpaceEncoding,
                             pending: [[ParameterValue]], excluded: Set<[ParameterValue]>, count: Int,
                             settings: BOSettings, optimizer: AcquisitionOptimizer, constraints: [ConstraintModel] = [],
                             feasible: [Bool] = []) -> [BOProposal] {
        let baseline = baselineRows(of: gp)
        let feasibilityOnly = !constraints.isEmpty && !feasible.contains(true)
        var fixed: [[Double]] = baseline.map { gp.inputs.row($0) } + pending.map(encoding.encode)
        let bases = BaseSamples.independent(models: 1 + constraints.count, count: monteCarloSamples,
                                            dimension: fixed.count + count + 1, seed: settings.seed ^ 0xA11CE)
        let base = bases[0], constraintBases = Array(bases.dropFirst())
        var excluded = excluded
        var proposals: [BOProposal] = []
        let d = encoding.dimension
        for k in 0..<count {
            var points = Matrix<Double>(rows: fixed.count, columns: d)
            for (i, row) in fixed.enumerated() { for j in 0..<d { points[i, j] = row[j] } }
            let sampler = JointPosteriorSampler(gp: gp, points: points, base: base)
            let sampled = zip(constraints, constraintBases).map { c, b in
                SampledConstraint(sampler: JointPosteriorSampler(gp: c.gp, points: points, base: b), limit: c.limit)
            }
            let acquisition: any AcquisitionFunction = feasibilityOnly
                ? MonteCarloAcquisition(objectives: [], constraints: sampled, utility: Feasibility())
                : MonteCarloAcquisition(objectives: [sampler], constraints: sampled,
                                        utility: LogNoisyImprovement(objective: sampler, constraints: sampled))
            guard let best = batchPoint(k, of: count, acquisition: acquisition, gp: gp, regionModel: gp,
                                        admitted: constraints.isEmpty ? nil : feasible, local: !feasibilityOnly,
                                        transform: transform, encoding: encoding, excluded: excluded, settings: settings,
                                        optimizer: optimizer) else { break }
            proposals.append(best.proposal)
            excluded.insert(best.proposal.assignment)
            fixed.append(best.features)
        }
        return proposals
    }

    /// The observed points qLogNEI samples as its baseline: all of them up to ``maxBaseline``, else the most
    /// promising by `μ + 2σ` (a point far below the best by that measure is almost never the best in a sample).
    static func baselineRows(of gp: GaussianProcess) -> [Int] {
        let n = gp.observedCount
        guard n > maxBaseline else { return Array(0..<n) }
        var observed = Matrix<Double>(rows: n, columns: gp.dimension)
        for j in 0..<gp.dimension { for i in 0..<n { observed[i, j] = gp.inputs[i, j] } }
        let p = gp.posterior(at: observed)
        let score = (0..<n).map { p.mean[$0] + 2 * p.variance[$0].squareRoot() }
        return Array((0..<n).sorted { score[$0] > score[$1] }.prefix(maxBaseline)).sorted()
    }
}
