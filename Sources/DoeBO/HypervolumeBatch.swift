import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// One objective of a multi-objective batch: its GP (fitted to values to maximize) and output transform.
public struct ObjectiveGP: Sendable {
    /// The GP, on the space's unit-cube encoding.
    public let gp: GaussianProcess
    /// Between the values to maximize and the GP's outputs.
    public let transform: OutputTransform

    /// An objective's model.
    public init(gp: GaussianProcess, transform: OutputTransform) {
        self.gp = gp
        self.transform = transform
    }
}

/// A point of a multi-objective batch with what the models expect of it.
public struct HypervolumeProposal: Sendable {
    /// The assignment.
    public let assignment: [ParameterValue]
    /// Predicted mean and standard deviation per objective (values to maximize, original units; noise excluded).
    public let predicted: [(mean: Double, std: Double)]
    /// The acquisition value: log of the expected hypervolume improvement (standardized units).
    public let acquisitionValue: Double
}

extension BayesianOptimizer {
    /// Number of Monte Carlo samples of qLogNEHVI (each carries its own front decomposition).
    static let hypervolumeSamples = 128

    /// A batch by sequential greedy qLogNEHVI for 2–4 objectives (independent GPs fitted to the same trials, in the
    /// same order): point `k` maximizes the expected log hypervolume improvement over the front of the observed
    /// points, the pending trials and the batch's first `k` points, all sampled jointly with it; with outcome
    /// constraints a sample's front holds the points feasible in that sample and the improvement is weighted by the
    /// smoothed feasibility of the free point; with no feasible trial yet, the batch maximizes the probability of
    /// feasibility.
    /// - Parameters:
    ///   - reference: the reference point per objective, as values to maximize in original units.
    ///   - feasible: per observed trial, whether it satisfies every constraint (`nil`: all do).
    public static func proposeHypervolume(objectives: [ObjectiveGP], reference: [Double], space: DesignSpace,
                                          pending: [[ParameterValue]], taken: Set<[ParameterValue]>, count: Int,
                                          settings: BOSettings, constraints: [ConstraintModel] = [],
                                          feasible: [Bool]? = nil) -> [HypervolumeProposal] {
        precondition(!objectives.isEmpty && objectives.count == reference.count, "one reference value per objective")
        let encoding = SpaceEncoding(space: space)
        let first = objectives[0].gp
        var optimizer = settings.optimizer
        if first.count > 1000 {
            optimizer.restarts = min(optimizer.restarts, 3)
            optimizer.maxEvaluations = min(optimizer.maxEvaluations, 80)
        }
        let feasibleObserved = feasible ?? Array(repeating: true, count: first.observedCount)
        // Local candidates around the observed front (measured with make bench-mo, seeds 0-4: VehicleSafety median HV
        // 242.8 → 244.9, C2DTLZ2 0.320 → 0.354; around the first objective's best points instead, they missed the rest
        // of the front)
        optimizer.anchors = frontAnchors(objectives.map(\.gp), admitted: feasibleObserved)
        let feasibilityOnly = !constraints.isEmpty && !feasibleObserved.contains(true)
        let standardizedReference = zip(objectives, reference).map { $0.transform.forward($1) }
        var fixed: [[Double]] = hypervolumeBaseline(objectives.map(\.gp)).map { first.inputs.row($0) } + pending.map(encoding.encode)
        let dimension = fixed.count + count + 1, s = hypervolumeSamples
        let bases = BaseSamples.independent(models: objectives.count + constraints.count, count: s, dimension: dimension,
                                            seed: settings.seed ^ 0x4E_4856)
        let objectiveBases = Array(bases.prefix(objectives.count)), constraintBases = Array(bases.dropFirst(objectives.count))
        var excluded = taken
        var proposals: [HypervolumeProposal] = []
        let d = encoding.dimension
        for k in 0..<count {
            var points = Matrix<Double>(rows: fixed.count, columns: d)
            for (i, row) in fixed.enumerated() { for j in 0..<d { points[i, j] = row[j] } }
            let samplers = zip(objectives, objectiveBases).map { JointPosteriorSampler(gp: $0.gp, points: points, base: $1) }
            let sampled = zip(constraints, constraintBases).map { c, b in
                SampledConstraint(sampler: JointPosteriorSampler(gp: c.gp, points: points, base: b), limit: c.limit)
            }
            let acquisition: any AcquisitionFunction = feasibilityOnly
                ? MonteCarloAcquisition(objectives: [], constraints: sampled, utility: Feasibility())
                : MonteCarloAcquisition(objectives: samplers, constraints: sampled,
                                        utility: LogHypervolumeImprovement(objectives: samplers, constraints: sampled,
                                                                           reference: standardizedReference))
            guard let best = batchPoint(k, of: count, acquisition: acquisition, gp: first, regionModel: first, admitted: nil,
                                        local: false, transform: objectives[0].transform, encoding: encoding,
                                        excluded: excluded, settings: settings, optimizer: optimizer) else { break }
            let x = Matrix(rows: 1, columns: d, columnMajor: best.features)
            let predicted = objectives.map { o -> (mean: Double, std: Double) in
                let p = o.gp.posterior(at: x)
                let sd = p.variance[0].squareRoot()
                return (o.transform.inverse(p.mean[0]), o.transform.inverseStd(mean: p.mean[0], std: sd))
            }
            proposals.append(HypervolumeProposal(assignment: best.proposal.assignment, predicted: predicted,
                                                 acquisitionValue: best.proposal.acquisitionValue))
            excluded.insert(best.proposal.assignment)
            fixed.append(best.features)
        }
        return proposals
    }

    /// Up to ten observed points on the front of the admitted ones by posterior mean (spread along it: every k-th
    /// by the first objective), as anchors of the acquisition optimizer's local candidates.
    static func frontAnchors(_ gps: [GaussianProcess], admitted: [Bool]) -> [[Double]] {
        let n = gps[0].observedCount
        let means = gps.map { gp in
            (0..<n).map { i in gp.outputs[i] - (gp.hyperparameters.noiseVariance + gp.pointNoise[i]) * gp.alpha[i] }
        }
        let candidates = (0..<n).filter { $0 < admitted.count && admitted[$0] }
        let front = candidates.filter { i in
            !candidates.contains { q in q != i && means.allSatisfy { $0[q] >= $0[i] } && means.contains { $0[q] > $0[i] } }
        }.sorted { means[0][$0] < means[0][$1] }
        let step = max(1, (front.count + 9) / 10)
        return stride(from: 0, to: front.count, by: step).map { gps[0].inputs.row(front[$0]) }
    }

    /// The observed points whose samples form the fronts: all of them up to ``maxBaseline``, else those whose
    /// posterior means the fewest others dominate (a point deep inside the dominated region is almost never on a
    /// sample's front).
    static func hypervolumeBaseline(_ gps: [GaussianProcess]) -> [Int] {
        let n = gps[0].observedCount
        guard n > maxBaseline else { return Array(0..<n) }
        var observed = Matrix<Double>(rows: n, columns: gps[0].dimension)
        for j in 0..<gps[0].dimension { for i in 0..<n { observed[i, j] = gps[0].inputs[i, j] } }
        let means = gps.map { $0.posterior(at: observed).mean }
        let dominatedBy = (0..<n).map { i in
            (0..<n).filter { q in q != i && means.allSatisfy { $0[q] >= $0[i] } && means.contains { $0[q] > $0[i] } }.count
        }
        return Array((0..<n).sorted { (dominatedBy[$0], $0) < (dominatedBy[$1], $1) }.prefix(maxBaseline)).sorted()
    }
}
