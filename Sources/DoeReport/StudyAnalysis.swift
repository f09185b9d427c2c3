import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import DoeNeural
import DoeStudy
import DoeStrategies
import Foundation

/// Everything a study report shows, computed from the journal's replay: convergence per objective, the batches,
/// and for each objective the GP that `doe suggest` would fit (importance, slices through the best trial, Sobol
/// indices of its mean).
public struct StudyAnalysis: Sendable {
    /// One completed observation of an objective.
    public struct Observation: Sendable {
        /// Trial id.
        public let trial: Int
        /// The observed value, in the objective's units.
        public let value: Double
        /// Generator that suggested the trial (`sobol`, `gp-logei`, …; journal field `generator`).
        public let generator: String
        /// The suggest call the trial came from; `nil` for imported results.
        public let batch: Int?
    }

    /// One suggest call.
    public struct Batch: Sendable {
        /// Batch number (journal field `batch`: 1, 2, … per suggest call).
        public let number: Int
        /// Ids of the batch's trials, in id order.
        public let trials: [Int]
        /// Generator of the batch's first trial.
        public let generator: String
    }

    /// The GP mean ± 2σ along one parameter, the others held at the best trial's values.
    public struct Slice: Sendable {
        /// The parameter varied along the slice.
        public let parameter: Parameter
        /// Positions along the parameter (numbers; category index for categorical parameters).
        public let x: [Double]
        /// Category names for categorical parameters.
        public let categories: [String]?
        /// GP mean (the median of the original values under an output warping), lower and upper 2σ bounds.
        public let mean: [Double]
        /// Lower 2σ bound per position (original units).
        public let lower: [Double]
        /// Upper 2σ bound per position (original units).
        public let upper: [Double]
        /// The best trial's value of this parameter (position) and its observed objective value.
        public let bestX: Double
        /// The best trial's observed value of the objective (NaN when it has none).
        public let bestValue: Double
        /// `true` for a real parameter on a log scale (its positions are spaced logarithmically).
        public var logarithmic: Bool {
            if case let .real(_, _, log) = parameter.domain { return log }
            return false
        }
    }

    /// What the GP says about one objective.
    public struct ModelView: Sendable {
        /// Kernel, hyperparameter importance, noise and leave-one-out errors of the fitted GP.
        public let summary: ModelSummary
        /// One slice per varied parameter, in space order, through ``throughTrial``.
        public let slices: [Slice]
        /// Sobol indices of the GP mean over the space, per varied parameter (`nil` when the mean is flat).
        public let sensitivity: SobolSensitivity.Indices?
        /// The trial the slices pass through.
        public let throughTrial: Int
    }

    /// Per-objective results.
    public struct ObjectiveView: Sendable {
        /// The objective.
        public let objective: Objective
        /// Completed trials in id order.
        public let observations: [Observation]
        /// Best feasible value after each observation (same order; NaN before the first feasible trial).
        public let bestSoFar: [Double]
        /// `nil` with fewer than 3 completed trials or when no model could be fitted.
        public let model: ModelView?
        /// Why there is no model, for the report.
        public let modelNote: String?
        /// Sobol indices of a neural surrogate of this objective (``StudyAnalysis/init(space:state:now:surrogate:)``).
        public var surrogateSensitivity: SobolSensitivity.Indices?
    }

    /// The study's name.
    public let name: String
    /// The study's design space.
    public let space: DesignSpace
    /// The replayed study state the analysis was computed from.
    public let state: StudyState
    /// The `doe status` summary, without models (those are in ``objectives``).
    public let summary: StudySummary
    /// One view per objective, in the space's order.
    public let objectives: [ObjectiveView]
    /// The suggest calls, in trial order.
    public let batches: [Batch]
    /// Path of the surrogate whose indices were added, if any.
    public let surrogatePath: String?

    /// Analyses `state` of a study with `space`.
    /// - Parameter surrogate: a model directory trained on this study (`doe train --study`), whose Sobol indices
    ///   are added per objective it predicts.
    /// - Throws: ``ReportError`` when the surrogate does not match the study.
    public init(space: DesignSpace, state: StudyState, now: Date = Date(), surrogate: LoadedSurrogate? = nil) throws {
        self.name = state.name
        self.space = space
        self.state = state
        self.summary = StudySummary(state: state, space: space, now: now, fitModels: false)   // the models are fitted below
        surrogatePath = surrogate?.path

        var batches: [Batch] = []
        for t in state.trials {
            guard let b = t.batch else { continue }
            if let last = batches.last, last.number == b {
                batches[batches.count - 1] = Batch(number: b, trials: last.trials + [t.id], generator: last.generator)
            } else {
                batches.append(Batch(number: b, trials: [t.id], generator: t.generator))
            }
        }
        self.batches = batches

        let completed = state.trials(in: .completed)
        let surrogateIndices = try surrogate.map {
            try StudyAnalysis.surrogateSensitivity($0.model, path: $0.path, objectives: space.objectives.map(\.name), space: space,
                                                   seed: state.seed)
        } ?? [:]
        var views: [ObjectiveView] = []
        let prior = Result { try StudyPrior.loadChecked(space: space, state: state) }   // once, for every objective
        for objective in space.objectives {
            let observed = completed.filter { $0.values[objective.name] != nil }
            let observations = observed.map {
                Observation(trial: $0.id, value: $0.values[objective.name]!, generator: $0.generator, batch: $0.batch)
            }
            // best so far over feasible trials only (an infeasible trial's value is no achievement)
            var best: [Double] = []
            var current: Double?
            for (o, t) in zip(observations, observed) {
                if space.isFeasible(t.values) {
                    current = current.map { objective.direction.isBetter(o.value, than: $0) ? o.value : $0 } ?? o.value
                }
                best.append(current ?? .nan)
            }
            var model: ModelView?
            var note: String?
            if observed.count < 3 {
                note = "the GP needs at least 3 completed trials (this study has \(observed.count))"
            } else {
                do {
                    model = try StudyAnalysis.model(of: objective, state: state, space: space, prior: prior.get())
                } catch {
                    note = "no GP could be fitted: \(error)"
                }
            }
            var view = ObjectiveView(objective: objective, observations: observations, bestSoFar: best, model: model, modelNote: note)
            view.surrogateSensitivity = surrogateIndices[objective.name] ?? nil
            views.append(view)
        }
        objectives = views
    }

    /// The GP `doe suggest` and `doe status` use for one objective (``ObjectiveModel``), with slices and Sobol indices.
    /// - Parameter prior: the study's prior, loaded and checked once for every objective.
    static func model(of objective: Objective, state: StudyState, space: DesignSpace, prior: StudyPrior?) throws -> ModelView {
        let fitted = try ObjectiveModel.fit(objective, state: state, space: space, prior: prior)
        let (gp, transform, encoding, sign, trials, summary) = (fitted.gp, fitted.transform, fitted.encoding, fitted.sign, fitted.trials,
                                                                fitted.summary)
        let seed = state.seed

        /// Posterior in original units and direction: (mean, lower, upper).
        func predict(_ assignments: [[ParameterValue]]) -> [(Double, Double, Double)] {
            // in chunks: the posterior builds n × m cross-covariances
            var result: [(Double, Double, Double)] = []
            result.reserveCapacity(assignments.count)
            var start = 0
            while start < assignments.count {
                let chunk = assignments[start..<min(start + 2048, assignments.count)]
                var x = Matrix<Double>(rows: chunk.count, columns: encoding.dimension)
                for (i, a) in chunk.enumerated() {
                    let f = encoding.encode(a)
                    for j in 0..<f.count { x[i, j] = f[j] }
                }
                let posterior = gp.posterior(at: x)
                for i in 0..<chunk.count {
                    let m = posterior.mean[i], s = max(posterior.variance[i], 0).squareRoot()
                    let a = sign * transform.inverse(m - 2 * s), b = sign * transform.inverse(m + 2 * s)
                    result.append((sign * transform.inverse(m), min(a, b), max(a, b)))
                }
                start += chunk.count
            }
            return result
        }

        let bestTrial = StudySummary.best(trials, objectives: [objective])[0]
        var slices: [Slice] = []
        for (index, parameter) in space.parameters.enumerated() where parameter.isVaried {
            var positions: [Double] = []
            var values: [ParameterValue] = []
            var categories: [String]?
            switch parameter.domain {
            case let .real(low, high, log):
                for k in 0..<81 {
                    let u = Double(k) / 80
                    let v = log ? exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low))) : low + u * (high - low)
                    positions.append(v); values.append(.real(min(max(v, low), high)))
                }
            case let .integer(low, high):
                let step = max(1, (high - low) / 80)
                var v = low
                while v <= high { positions.append(Double(v)); values.append(.integer(v)); v += step }
                if positions.last != Double(high) { positions.append(Double(high)); values.append(.integer(high)) }
            case let .categorical(choices):
                categories = choices.map(\.description)
                for (k, c) in choices.enumerated() { positions.append(Double(k)); values.append(c) }
            case .fixed:
                continue
            }
            let predictions = predict(values.map { v in
                var a = bestTrial.params
                a[index] = v
                return a
            })
            let bestPosition: Double
            if case let .categorical(choices) = parameter.domain {
                bestPosition = Double(parameter.choiceIndex(of: bestTrial.params[index]) ?? choices.startIndex)
            } else {
                bestPosition = bestTrial.params[index].number ?? .nan
            }
            slices.append(Slice(parameter: parameter, x: positions, categories: categories, mean: predictions.map(\.0),
                                lower: predictions.map(\.1), upper: predictions.map(\.2), bestX: bestPosition,
                                bestValue: bestTrial.values[objective.name] ?? .nan))
        }
        let sensitivity = SobolSensitivity.estimate(dimension: space.dimension, samples: 2048, seed: seed) { points in
            predict(points.map { space.assignment(fromUnit: $0) }).map(\.0)
        }
        return ModelView(summary: summary, slices: slices, sensitivity: sensitivity, throughTrial: bestTrial.id)
    }

    /// Sobol indices of a neural surrogate's predictions of the `objectives` it has as outputs, over the study's
    /// space (one batch of predictions for all of them).
    static func surrogateSensitivity(_ model: Surrogate, path: String, objectives: [String], space: DesignSpace,
                                     seed: UInt64) throws -> [String: SobolSensitivity.Indices?] {
        let outputs = objectives.compactMap { name in model.outputNames.firstIndex(of: name).map { (name, $0) } }
        guard !outputs.isEmpty else { return [:] }
        let varied = space.parameters.enumerated().filter { $0.element.isVaried }
        let columns = try model.inputNames.map { name -> Int in
            guard let k = varied.firstIndex(where: { $0.element.name == name }) else {
                throw ReportError("\(path): the surrogate's input '\(name)' is not a varied parameter of the study "
                    + "(its parameters: \(varied.map(\.element.name).joined(separator: ", ")))")
            }
            return k
        }
        guard Set(columns).count == varied.count else {
            throw ReportError("\(path): the surrogate's inputs (\(model.inputNames.joined(separator: ", "))) "
                + "do not cover the study's parameters (\(varied.map(\.element.name).joined(separator: ", ")))")
        }
        let indices = SobolSensitivity.estimate(dimension: varied.count, samples: 2048, seed: seed, outputs: outputs.count) { points in
            var x = Matrix<Float>(rows: points.count, columns: model.inputNames.count)
            for (i, u) in points.enumerated() {
                let assignment = space.assignment(fromUnit: u)
                for (c, k) in columns.enumerated() {
                    let p = varied[k]
                    x[i, c] = Float(p.element.numericValue(of: assignment[p.offset]) ?? 0)
                }
            }
            let prediction = model.predict(x).mean
            return outputs.map { _, output in (0..<points.count).map { Double(prediction[$0, output]) } }
        }
        return Dictionary(uniqueKeysWithValues: zip(outputs.map(\.0), indices))
    }
}

/// The domain of ``ReportError``.
public enum ReportErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `report.invalid`.
    public static var code: String { "report.invalid" }
}

/// A report cannot be made (the message names the file or field).
public typealias ReportError = DomainError<ReportErrorDomain>

/// A surrogate loaded from a model directory, with the path it came from (for messages and the report).
public struct LoadedSurrogate: Sendable {
    /// The model directory's path.
    public let path: String
    /// The model.
    public let model: Surrogate

    /// A surrogate from `path`.
    public init(path: String, model: Surrogate) {
        self.path = path
        self.model = model
    }
}
