import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// Settings of an active-learning batch (``ActiveLearning/propose(space:models:trials:pending:count:settings:)``).
public struct LearningSettings: Sendable {
    /// Seed of the candidate and reference sequences (scrambled Sobol).
    public var seed: UInt64 = 0
    /// Candidate points: `max(minimumCandidates, candidatesPerDimension · d)`, at most `maximumCandidates`.
    public var minimumCandidates = 1024
    /// See ``minimumCandidates``.
    public var candidatesPerDimension = 256
    /// See ``minimumCandidates``.
    public var maximumCandidates = 4096
    /// Points the posterior variance is averaged over.
    public var referencePoints = 512
    /// The smallest distance between picks (and from every trial), as a fraction of the typical spacing
    /// `N^(−1/D)` of `N` = trials + batch points in the `D`-dimensional unit cube of the features.
    public var spacingFraction = 0.25
    /// Parameters held at a value (parameter index → value) for this batch.
    public var fixed: [Int: ParameterValue] = [:]

    /// The defaults: 1024–4096 candidates, 512 reference points, a quarter of the typical spacing.
    public init() {}
}

/// An active-learning batch: where to run the next simulations so the models of the outputs learn the most.
public struct LearningBatch: Sendable {
    /// The picks' assignments, in order.
    public let assignments: [[ParameterValue]]
    /// The picks (integrated variance before and after each, per model in the order given).
    public let picks: [LearningPick]
    /// The requested smallest distance between points (unit-cube features).
    public let minDistance: Double
    /// Candidate points searched and reference points averaged over.
    public let candidateCount: Int
    /// See ``candidateCount``.
    public let referenceCount: Int
}

/// Active learning on a design space: candidates and reference points from scrambled Sobol sequences of the space
/// (parameter constraints and fixed values applied, integers and choices rounded), picked by
/// ``VarianceReductionBatch``.
public enum ActiveLearning {
    /// Proposes `count` points that most reduce the integrated posterior variance of `models`.
    /// - Parameters:
    ///   - models: one GP per learned metric on ``SpaceEncoding`` features.
    ///   - trials: assignments of every trial already in the study (completed, pending, failed): never proposed again
    ///     and kept at a distance.
    ///   - pending: assignments suggested but not observed (their variance counts as removed).
    /// - Throws: a `ValueError` when no point of the space satisfies the parameter constraints (and fixed values).
    public static func propose(space: DesignSpace, models: [GaussianProcess], trials: [[ParameterValue]],
                               pending: [[ParameterValue]], count: Int, settings: LearningSettings) throws -> LearningBatch {
        let encoding = SpaceEncoding(space: space)
        let d = max(space.dimension, 1)
        let candidateTarget = min(settings.maximumCandidates, max(settings.minimumCandidates, settings.candidatesPerDimension * d))
        let taken = Set(trials)
        let candidates = try points(space: space, count: candidateTarget, seed: settings.seed ^ 0xC0FF_EE00, fixed: settings.fixed,
                                    excluded: taken)
        let reference = try points(space: space, count: settings.referencePoints, seed: settings.seed ^ 0x5EED_0F0E, fixed: [:],
                                   excluded: [])
        let features = BayesianOptimizer.features(encoding: encoding, assignments: candidates)
        let referenceFeatures = BayesianOptimizer.features(encoding: encoding, assignments: reference)
        let total = Double(trials.count + count)
        let minDistance = settings.spacingFraction * pow(total, -1 / Double(max(encoding.dimension, 1)))
        let picks = VarianceReductionBatch.select(models: models, candidates: features, reference: referenceFeatures,
                                                  pending: pending.map(encoding.encode), occupied: trials.map(encoding.encode),
                                                  count: count, minDistance: minDistance)
        return LearningBatch(assignments: picks.map { candidates[$0.candidate] }, picks: picks, minDistance: minDistance,
                             candidateCount: candidates.count, referenceCount: reference.count)
    }

    /// Up to `count` distinct assignments from a scrambled Sobol sequence of the space that satisfy its parameter
    /// constraints, with `fixed` applied, none in `excluded`.
    static func points(space: DesignSpace, count: Int, seed: UInt64, fixed: [Int: ParameterValue],
                       excluded: Set<[ParameterValue]>) throws -> [[ParameterValue]] {
        let sequence = SobolSequence(dimension: space.dimension, scrambleSeed: seed)
        var seen = excluded
        var result: [[ParameterValue]] = []
        var index = 0
        // at least 0.1 % of the box is feasible (checked when the space is made); discrete spaces may run out sooner
        let limit = 1000 * count + 10_000
        while result.count < count && index < limit {
            var a = space.assignment(fromUnit: space.dimension == 0 ? [] : sequence.point(at: index))
            index += 1
            for (i, v) in fixed where i < a.count { a[i] = v }
            guard space.satisfiesParameterConstraints(a), !seen.contains(a) else { continue }
            seen.insert(a)
            result.append(a)
        }
        guard !result.isEmpty else {
            throw ValueError("no point of the space satisfies the parameter constraints" + (fixed.isEmpty ? "" : " with the fixed values")
                + " among \(index) Sobol points")
        }
        return result
    }
}
