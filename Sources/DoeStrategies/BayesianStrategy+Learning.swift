import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeStudy
import Foundation

extension BayesianStrategy {
    /// `remaining` trials for a study that learns its outputs (`goal: learn`): one GP per metric (objectives and
    /// constrained metrics, each fitted to the completed trials that report it, no output warping), then
    /// ``ActiveLearning`` picks the batch that most reduces their integrated posterior variance, apart from each other
    /// and from every trial. Metrics with fewer than two values are left out; with none left, the Sobol sequence
    /// continues.
    func learningSuggestions(count remaining: Int, state: StudyState, space: DesignSpace, settings: BOSettings,
                             earlier: [Suggestion]) throws -> [Suggestion] {
        let encoding = SpaceEncoding(space: space)
        let completed = state.trials(in: .completed)
        var metrics: [String] = []
        var models: [GaussianProcess] = []
        for (k, metric) in space.outcomeNames.enumerated() where !metrics.contains(metric) {
            let trials = completed.filter { $0.values[metric]?.isFinite == true }
            guard trials.count >= 2 else { continue }
            let values = trials.map { $0.values[metric]! }
            let noise = trials.contains { $0.sems[metric] != nil } ? trials.map { $0.sems[metric] ?? 0 } : nil
            let fitted = try BayesianOptimizer.fitWithScore(encoding: encoding, assignments: trials.map(\.params), values: values,
                                                            noise: noise, kernel: settings.kernel, seed: settings.seed ^ UInt64(k + 1),
                                                            warping: false)
            metrics.append(metric)
            models.append(fitted.gp)
        }
        guard !models.isEmpty else { return [] }
        var learning = LearningSettings()
        learning.seed = settings.seed
        learning.fixed = settings.fixed
        let pending = state.trials(in: .pending).map(\.params) + earlier.map(\.params)
        let batch = try ActiveLearning.propose(space: space, models: models, trials: state.trials.map(\.params) + earlier.map(\.params),
                                               pending: pending, count: remaining, settings: learning)
        return zip(batch.assignments, batch.picks).map { assignment, pick in
            let variance = metrics.indices.map { m in
                (metrics[m], JSONValue.object([("before", finiteJSON(pick.integratedVarianceBefore[m])),
                                               ("after", finiteJSON(pick.integratedVarianceAfter[m])),
                                               ("at_point", finiteJSON(pick.pointVariance[m]))]))
            }
            let info: JSONValue = .object([
                ("model", "gp"), ("goal", "learn"), ("acquisition", "integrated-variance-reduction"),
                ("metrics", .array(metrics.map { .string($0) })),
                ("kernels", .array(models.map { .string($0.kernel.rawValue) })),
                ("integrated_variance", .object(variance)),
                ("min_distance", finiteJSON(batch.minDistance)), ("enforced_distance", finiteJSON(pick.enforcedDistance)),
                ("candidates", .int(batch.candidateCount)), ("reference_points", .int(batch.referenceCount)),
                ("observations", .int(completed.count)), ("pending", .int(pending.count)),
            ])
            return pinned(Suggestion(params: assignment, generator: "gp-learn", info: info), space: space)
        }
    }
}
