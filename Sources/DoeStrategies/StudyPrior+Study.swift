import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import DoeProvenance
import DoeStudy
import Foundation

/// A study of simulations as the prior (`prior: {study: sim, outputs: {metric: sim_metric}}`): the GP of each mapped
/// metric of that study, fitted to its completed trials, is `s(x)`. Where the simulations are few (tens), a GP of
/// them is a far better low-fidelity model than a network trained on them — the AR1 co-kriging case (Kennedy and
/// O'Hagan 2000); where they are thousands, its hyperparameters come from a seeded subset
/// (``GPConfiguration/maxFitPoints``) and the model is built on every trial.
extension StudyPrior {
    /// The study prior `name` (a study in the same studies folder as `studyDirectory`), matched to `space`.
    /// Every varied parameter of the simulation study must be a parameter of `space` (real or integer ↔ real or
    /// integer, categorical ↔ categorical whose choices the simulation study has); units are compared where both
    /// have one. The content hash covers the completed trials used (id, parameters, mapped values), so a simulation
    /// study that gained or changed results is detected (refused until `--record-prior`).
    static func loadStudy(_ name: String, declaration: SimulationPrior, space: DesignSpace,
                          studyDirectory: String?) throws -> StudyPrior {
        guard let studyDirectory else {
            throw PriorError("the simulation study '\(name)' is found next to the study that names it")
        }
        let parent = (studyDirectory as NSString).deletingLastPathComponent
        guard (studyDirectory as NSString).lastPathComponent != name else {
            throw PriorError("a study cannot be its own prior ('\(name)')")
        }
        let simulation: Study
        let state: StudyState
        do {
            simulation = try Study.open(name: name, in: parent)
            state = try simulation.load()
        } catch {
            throw PriorError("cannot open the simulation study '\(name)' in \(parent): \(error)", cause: error)
        }
        let sim = simulation.space
        let metrics = sim.outcomeNames
        let completed = state.trials(in: .completed)
        for (metric, output) in declaration.outputs {
            guard metrics.contains(output) else {
                throw PriorError("the simulation study '\(name)' has no metric '\(output)' (mapped to '\(metric)'); "
                    + "its metrics: \(metrics.joined(separator: ", "))")
            }
            let unit = space.objectives.first { $0.name == metric }?.unit ?? space.outcomeConstraints.first { $0.name == metric }?.unit
            let simUnit = sim.objectives.first { $0.name == output }?.unit ?? sim.outcomeConstraints.first { $0.name == output }?.unit
            if let unit, let simUnit, unit != simUnit {
                throw PriorError("units differ: the study's '\(metric)' is in \(unit), the simulation study's '\(output)' in \(simUnit)")
            }
            let finite = completed.filter { $0.values[output]?.isFinite == true }.count
            guard finite >= 3 else {
                throw PriorError("the simulation study '\(name)' has \(finite) completed trial\(finite == 1 ? "" : "s") with "
                    + "'\(output)'; a prior needs at least 3")
            }
        }
        let links = try featureLinks(simulation: sim, name: name, space: space)
        let simEncoding = SpaceEncoding(space: sim)
        var gps: [String: any FeaturePrior] = [:]
        var digestText = ""
        for t in completed.sorted(by: { $0.id < $1.id }) {
            digestText += "\(t.id) " + t.params.map { $0.json.serialized }.joined(separator: ",")
            for (_, output) in declaration.outputs { digestText += " \(output)=\(t.values[output].map { "\($0)" } ?? "-")" }
            digestText += "\n"
        }
        for (_, output) in declaration.outputs where gps[output] == nil {
            let rows = completed.filter { $0.values[output]?.isFinite == true }
            let fitted = try BayesianOptimizer.fitWithScore(encoding: simEncoding, assignments: rows.map(\.params),
                                                            values: rows.map { $0.values[output]! }, kernel: nil,
                                                            seed: state.seed, warping: false, alsoNoiseFree: true)
            gps[output] = StudyGPFeaturePrior(gp: fitted.gp, transform: fitted.transform, links: links,
                                              dimension: simEncoding.dimension)
        }
        let sha = FileDigest.sha256(of: Data(digestText.utf8))
        var prior = StudyPrior(declaration: declaration, directory: simulation.path, model: nil, sha256: sha,
                               files: [("trials", sha)], sources: [])
        prior.studyGPs = gps
        return prior
    }

    /// How each feature of the simulation study is computed from the study's features.
    static func featureLinks(simulation sim: DesignSpace, name: String, space: DesignSpace) throws -> [StudyGPFeaturePrior.Link] {
        let encoding = SpaceEncoding(space: space)
        let simEncoding = SpaceEncoding(space: sim)
        var links: [StudyGPFeaturePrior.Link] = []
        for (k, p) in sim.parameters.enumerated() {
            guard let simOffset = simEncoding.featureParameter.firstIndex(of: k) else { continue }   // fixed there: no feature
            guard let i = space.parameters.firstIndex(where: { $0.name == p.name }) else {
                throw PriorError("the simulation study's parameter '\(p.name)' is not a parameter of the study. Simulation "
                    + "parameters: \(sim.parameters.map(\.name).joined(separator: ", ")); study parameters: "
                    + "\(space.parameters.map(\.name).joined(separator: ", "))")
            }
            let q = space.parameters[i]
            if let a = p.unit, let b = q.unit, a != b {
                throw PriorError("units differ: the study's parameter '\(q.name)' is in \(b), the simulation study's in \(a)")
            }
            let offset = encoding.featureParameter.firstIndex(of: i)
            func number(_ d: ParameterDomain) -> (low: Double, high: Double, log: Bool)? {
                switch d {
                case let .real(low, high, log): return (low, high, log)
                case let .integer(low, high): return (Double(low), Double(high), false)
                default: return nil
                }
            }
            if let target = number(p.domain) {
                let source: StudyPrior.InputSource
                if let from = number(q.domain) {
                    source = offset.map { .feature(offset: $0, low: from.low, high: from.high, logScale: from.log) }
                        ?? .constant(Float(from.low))
                } else if case let .fixed(value) = q.domain, let v = value.number {
                    source = .constant(Float(v))
                } else {
                    throw PriorError("the parameter '\(q.name)' is categorical, the simulation study's is numeric")
                }
                links.append(.number(offset: simOffset, low: target.low, high: target.high, logScale: target.log, from: source))
                continue
            }
            guard case let .categorical(simChoices) = p.domain else { continue }
            let index: (ParameterValue) throws -> Float = { c in
                guard let level = simChoices.firstIndex(where: { $0.matches(c) }) else {
                    throw PriorError("the choice \(c.json.serialized) of '\(q.name)' is not a choice of the simulation study's "
                        + "'\(p.name)' (\(simChoices.map { $0.json.serialized }.joined(separator: ", ")))")
                }
                return Float(level)
            }
            let source: StudyPrior.InputSource
            switch q.domain {
            case let .categorical(choices):
                let levels = try choices.map(index)
                source = offset.map { .categorical(offset: $0, width: choices.count == 2 ? 1 : choices.count, levelIndex: levels) }
                    ?? .constant(levels.first ?? 0)
            case let .fixed(value):
                source = .constant(try index(value))
            default:
                throw PriorError("the parameter '\(q.name)' is numeric, the simulation study's is categorical")
            }
            links.append(.choice(offset: simOffset, width: simChoices.count == 2 ? 1 : simChoices.count, from: source))
        }
        return links
    }
}

/// The GP of one metric of a simulation study as a ``FeaturePrior`` of another study: the study's features → the
/// simulation study's parameters (numbers continuous, not rounded) → its features → the GP's posterior mean in the
/// metric's units, with the gradient by the chain rule.
struct StudyGPFeaturePrior: FeaturePrior {
    /// One feature (or one-hot block) of the simulation study.
    enum Link: Sendable {
        /// A real or integer parameter at feature `offset` of the simulation study, its value from `from`.
        case number(offset: Int, low: Double, high: Double, logScale: Bool, from: StudyPrior.InputSource)
        /// A categorical parameter (one 0/1 feature when `width` is 1, else a one-hot block), its choice index from `from`.
        case choice(offset: Int, width: Int, from: StudyPrior.InputSource)
    }

    let gp: GaussianProcess
    let transform: OutputTransform
    let links: [Link]
    let dimension: Int

    /// The simulation study's features at the study's features `f`, and `∂simFeature/∂feature` for the continuous links.
    func simulationFeatures(_ f: [Double]) -> (features: [Double], jacobian: [(simFeature: Int, feature: Int, slope: Double)]) {
        var out = [Double](repeating: 0, count: dimension)
        var jacobian: [(Int, Int, Double)] = []
        for link in links {
            switch link {
            case let .number(offset, low, high, logScale, from):
                let (values, derivative) = StudyPrior.InputSource.values([from], at: f)
                let v = values[0]
                let u: Double, du: Double
                if logScale {
                    let span = log(high) - log(low)
                    u = (log(max(v, .leastNormalMagnitude)) - log(low)) / span
                    du = 1 / (max(v, .leastNormalMagnitude) * span)
                } else {
                    let span = high - low
                    u = span == 0 ? 0.5 : (v - low) / span
                    du = span == 0 ? 0 : 1 / span
                }
                out[offset] = u
                if let d = derivative[0] { jacobian.append((offset, d.feature, du * d.slope)) }
            case let .choice(offset, width, from):
                let level = Int(StudyPrior.InputSource.values([from], at: f).values[0])
                if width == 1 { out[offset] = Double(level) } else { out[offset + level] = 1 }
            }
        }
        return (out, jacobian)
    }

    func values(atFeatures points: Matrix<Double>) -> [Double] {
        guard points.rows > 0 else { return [] }
        var x = Matrix<Double>(rows: points.rows, columns: dimension)
        for i in 0..<points.rows {
            let features = simulationFeatures((0..<points.columns).map { points[i, $0] }).features
            for j in 0..<dimension { x[i, j] = features[j] }
        }
        return gp.posterior(at: x).mean.map(transform.inverse)
    }

    func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double]) {
        let (features, jacobian) = simulationFeatures(x)
        let posterior = gp.posteriorWithGradient(at: features)
        var gradient = [Double](repeating: 0, count: x.count)
        for (simFeature, feature, slope) in jacobian {
            gradient[feature] += transform.scale * posterior.meanGradient[simFeature] * slope
        }
        return (transform.inverse(posterior.mean), gradient)
    }
}
