import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import DoeStudy
import Foundation

/// The study's experiment model queried like a surrogate (`doe predict STUDY --input points.csv`): for each
/// objective and constrained metric, the GP posterior (with the simulation prior where the space maps one) in the
/// metric's own units.
///
/// Objectives use the very model `doe suggest` optimizes and `doe status` shows (``ObjectiveModel``); a
/// constrained metric gets a GP of its values (identity warping, with the prior when mapped). Means are the
/// posterior medians in original units and standard deviations the latent function's (noise excluded; delta
/// method through a log warping).
public struct StudyPredictor {
    /// One metric's model.
    public struct MetricModel {
        /// The metric's name.
        public let name: String
        /// Its GP.
        public let gp: GaussianProcess
        /// The output warping between the oriented values and the GP.
        public let transform: OutputTransform
        /// `+1`, or `−1` for a minimized objective (the GP models `sign · value`).
        public let sign: Double
        /// The prior's evidence, when the prior maps the metric.
        public let priorEvidence: PriorEvidence?
    }

    /// The space's encoding.
    public let encoding: SpaceEncoding
    /// The models, objectives first then constrained metrics, in the space's order.
    public let metrics: [MetricModel]

    /// Fits every metric's model to the completed trials of `state`.
    /// - Throws: when fewer than two trials are completed, a fit fails, or the prior cannot be used.
    public init(state: StudyState, space: DesignSpace) throws {
        let completed = state.trials(in: .completed)
        guard completed.count >= 2 else {
            throw StudyError.invalidState("study '\(state.name)' has \(completed.count) completed trial"
                + "\(completed.count == 1 ? "" : "s"); a model needs at least two")
        }
        encoding = SpaceEncoding(space: space)
        var metrics: [MetricModel] = []
        let prior = try StudyPrior.loadChecked(space: space, state: state)   // once, for every metric
        for objective in space.objectives {
            let model = try ObjectiveModel.fit(objective, state: state, space: space, prior: prior)
            metrics.append(MetricModel(name: objective.name, gp: model.gp, transform: model.transform, sign: model.sign,
                                       priorEvidence: model.priorEvidence))
        }
        for (k, constraint) in space.outcomeConstraints.enumerated() {
            let trials = completed.filter { $0.values[constraint.name]?.isFinite == true }
            guard trials.count >= 2 else {
                throw StudyError.invalidState("the constrained metric '\(constraint.name)' has \(trials.count) recorded value"
                    + "\(trials.count == 1 ? "" : "s"); a model needs at least two")
            }
            let fitted = try StudyPrior.fitMetric(constraint.name, prior: prior, encoding: encoding,
                                                  assignments: trials.map(\.params),
                                                  values: trials.map { $0.values[constraint.name]! }, noise: nil,
                                                  kernel: space.kernel, seed: ObjectiveModel.seed(for: state) ^ UInt64(k + 1),
                                                  warping: false, orientation: 1)
            metrics.append(MetricModel(name: constraint.name, gp: fitted.gp, transform: fitted.transform, sign: 1,
                                       priorEvidence: fitted.evidence))
        }
        self.metrics = metrics
    }

    /// Posterior mean and standard deviation of every metric at each assignment, original units:
    /// `result[metric][point]`.
    public func predict(_ assignments: [[ParameterValue]]) -> [(mean: [Double], std: [Double])] {
        let x = BayesianOptimizer.features(encoding: encoding, assignments: assignments)
        return metrics.map { m in
            let p = m.gp.posterior(at: x)
            let sd = p.variance.map { max($0, 0).squareRoot() }
            return (zip(p.mean, sd).map { m.sign * m.transform.inverse($0.0) },
                    zip(p.mean, sd).map { m.transform.inverseStd(mean: $0.0, std: $0.1) })
        }
    }

    /// Assignments from CSV text whose header names parameters (every varied one; other columns are passed through),
    /// each validated against the space (bounds, choices, integers, parameter constraints).
    /// - Throws: ``ValueError`` naming the file, the line and the parameter.
    public static func readPoints(_ text: String, source: String, space: DesignSpace) throws
        -> (assignments: [[ParameterValue]], passthroughNames: [String], passthrough: [[String]]) {
        let records = try CSV.parse(text, source: source)
        guard let header = records.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw ValueError("\(source): empty file (expected a header naming the parameters)")
        }
        let names = Set(space.parameters.map(\.name))
        if let missing = space.variedParameters.first(where: { !header.contains($0.name) }) {
            throw ValueError("\(source): no column for the parameter '\(missing.name)' (header: \(header.joined(separator: ", ")))")
        }
        let passthroughColumns = header.indices.filter { !names.contains(header[$0]) }
        var assignments: [[ParameterValue]] = [], passthrough: [[String]] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw ValueError("\(source) line \(record.line): \(record.fields.count) fields, the header has \(header.count)")
            }
            var raw: [String: JSONValue] = [:]
            for (j, name) in header.enumerated() where names.contains(name) {
                let cell = record.fields[j].trimmingCharacters(in: .whitespaces)
                raw[name] = Double(cell).map(JSONValue.double) ?? .string(cell)
            }
            let assignment = try space.assignment(from: raw, context: "\(source) line \(record.line)")
            if let violated = space.violatedConstraint(assignment) {
                throw ValueError("\(source) line \(record.line): violates the parameter constraint \"\(violated.text)\"")
            }
            assignments.append(assignment)
            passthrough.append(passthroughColumns.map { record.fields[$0] })
        }
        return (assignments, passthroughColumns.map { header[$0] }, passthrough)
    }
}
