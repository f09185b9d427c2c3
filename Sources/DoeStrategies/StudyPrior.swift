import DoeBO
import DoeBase
import DoeGP
import DoeDesign
import DoeLinalg
import DoeModelFormat
import DoeNeural
import DoeProvenance
import DoeStudy
import Foundation

/// The domain of ``PriorError``.
public enum PriorErrorDomain: ErrorDomain {
    /// A value error unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `prior.invalid`.
    public static var code: String { "prior.invalid" }
    /// `prior: ` before the message.
    public static var prefix: String { "prior: " }
}

/// A simulation prior that cannot be used: names that do not match, units that differ, a model changed since the
/// study recorded it (refused).
public typealias PriorError = DomainError<PriorErrorDomain>

/// The simulation surrogate a study's `prior:` names, loaded and matched to the space by name.
///
/// Every model input must be a parameter of the space (numeric input ↔ real or integer parameter, categorical input
/// ↔ categorical parameter whose choices are levels of the model); units are compared where both sides have one.
/// The model's content hash (SHA-256 over model.json, weights.bin and pod.bin) is recorded in the journal
/// (`prior_recorded`) and checked before every use, so a model replaced under a study is detected, not used.
public struct StudyPrior: Sendable {
    /// Where a model input's value comes from.
    enum InputSource: Sendable {
        /// A real or integer parameter's feature, decoded without rounding: `low + u·(high − low)`, or
        /// `exp(log low + u·(log high − log low))` on a log scale.
        case feature(offset: Int, low: Double, high: Double, logScale: Bool)
        /// A categorical parameter: the model's level index of the choice the features encode.
        case categorical(offset: Int, width: Int, levelIndex: [Float])
        /// A parameter held fixed by the space.
        case constant(Float)
    }

    /// What the space file declared.
    public let declaration: SimulationPrior
    /// The model directory, resolved.
    public let directory: String
    /// The loaded surrogate (`nil` for a study prior, whose GPs are the model).
    public let model: Surrogate?
    /// The content hash recorded in the journal.
    public let sha256: String
    /// SHA-256 of each file the hash covers, by file name.
    public let files: [(name: String, sha256: String)]
    let sources: [InputSource]
    /// A study prior's GP per mapped output (the simulation study's metric), by output name.
    var studyGPs: [String: any FeaturePrior] = [:]

    /// The folder inside a study that holds the copy of a registry prior's model.
    public static let registryCopyFolder = "prior-model"

    /// The prior of `space`, loaded and matched, or `nil` when the space has none.
    /// - Parameters:
    ///   - studyDirectory: the study's folder, where a registry prior's copy is (``registryCopyFolder``).
    ///   - modelDirectory: load the model from this directory instead (a registry version staged for recording).
    /// - Throws: ``PriorError`` naming the missing model, output or input (with both sides listed), or the units.
    public static func load(space: DesignSpace, studyDirectory: String? = nil, modelDirectory: String? = nil) throws -> StudyPrior? {
        guard let declaration = space.prior else { return nil }
        if case let .study(name) = declaration.source {
            return try loadStudy(name, declaration: declaration, space: space, studyDirectory: studyDirectory)
        }
        let path: String
        switch declaration.source {
        case .study: preconditionFailure("handled above")
        case let .directory(declared):
            path = modelDirectory ?? declared
        case let .registry(reference, _):
            guard let resolved = modelDirectory ?? studyDirectory.map({ $0 + "/" + registryCopyFolder }) else {
                throw PriorError("the registry model '\(reference)' is resolved by the command that records it "
                    + "(doe init, doe space --set, doe space --record-prior)")
            }
            path = resolved
        }
        let directory = ModelDirectory(path)
        guard directory.has(.manifest) else {
            if case let .registry(reference, _) = declaration.source {
                throw PriorError("the study has no copy of the registry model '\(reference)' (\(path)/model.json is missing); "
                    + "`doe space NAME --record-prior` copies the version the reference names now", kind: .refused,
                                 code: "prior.unrecorded")
            }
            throw PriorError("the model directory '\(declaration.model)' has no model.json (train it with `doe train`, "
                + "or fix 'prior: {model: …}' in the space file; relative paths are relative to the directory doe runs in)")
        }
        let model: Surrogate
        do { model = try directory.loadSurrogate() } catch {
            if case .registry = declaration.source, modelDirectory == nil {
                throw PriorError("the study's copy of the registry model '\(declaration.model)' in \(path) is damaged (\(error)); "
                    + "`doe space NAME --record-prior` copies the version the reference names now", kind: .refused,
                                 code: "prior.changed", cause: error)
            }
            throw PriorError("cannot load the model '\(declaration.model)': \(error)", cause: error)
        }
        for (metric, output) in declaration.outputs {
            guard let j = model.outputNames.firstIndex(of: output) else {
                throw PriorError("the model '\(declaration.model)' has no scalar output '\(output)' (mapped to '\(metric)'); "
                    + "its outputs: \(model.outputNames.joined(separator: ", "))")
            }
            let metricUnit = space.objectives.first { $0.name == metric }?.unit
                ?? space.outcomeConstraints.first { $0.name == metric }?.unit
            if let metricUnit, let outputUnit = model.outputUnits?[j], !outputUnit.isEmpty, outputUnit != metricUnit {
                throw PriorError("units differ: the study's '\(metric)' is in \(metricUnit), the model's '\(output)' in \(outputUnit)")
            }
        }
        let encoding = SpaceEncoding(space: space)
        var sources: [InputSource] = []
        for (k, name) in model.inputNames.enumerated() {
            guard let i = space.parameters.firstIndex(where: { $0.name == name }) else {
                throw PriorError("the model input '\(name)' is not a parameter of the study. Model inputs: "
                    + "\(model.inputNames.joined(separator: ", ")); study parameters: "
                    + "\(space.parameters.map(\.name).joined(separator: ", "))")
            }
            let p = space.parameters[i]
            if let unit = model.inputUnits?[k], !unit.isEmpty, let own = p.unit, own != unit {
                throw PriorError("units differ: the study's parameter '\(name)' is in \(own), the model's input in \(unit)")
            }
            let offset = encoding.featureParameter.firstIndex(of: i)
            let levels = model.inputLevels[name]
            switch p.domain {
            case let .real(low, high, logScale):
                guard levels == nil else { throw PriorError("the model input '\(name)' is categorical, the parameter is real") }
                sources.append(offset.map { .feature(offset: $0, low: low, high: high, logScale: logScale) } ?? .constant(Float(low)))
            case let .integer(low, high):
                guard levels == nil else { throw PriorError("the model input '\(name)' is categorical, the parameter is an integer") }
                sources.append(offset.map { .feature(offset: $0, low: Double(low), high: Double(high), logScale: false) }
                               ?? .constant(Float(low)))
            case let .categorical(choices):
                guard let levels else {
                    throw PriorError("the parameter '\(name)' is categorical, the model's input is numeric")
                }
                let index = try choices.map { c -> Float in
                    guard let level = levels.firstIndex(of: c.description) else {
                        throw PriorError("the choice \(c.json.serialized) of '\(name)' is not a level of the model "
                            + "(levels: \(levels.joined(separator: ", ")))")
                    }
                    return Float(level)
                }
                guard let offset else { sources.append(.constant(index.first ?? 0)); continue }
                sources.append(.categorical(offset: offset, width: choices.count == 2 ? 1 : choices.count, levelIndex: index))
            case let .fixed(value):
                if let levels {
                    guard let level = levels.firstIndex(of: value.description) else {
                        throw PriorError("the fixed value \(value.json.serialized) of '\(name)' is not a level of the model")
                    }
                    sources.append(.constant(Float(level)))
                } else {
                    guard let number = value.number else {
                        throw PriorError("the fixed value \(value.json.serialized) of '\(name)' is not a number")
                    }
                    sources.append(.constant(Float(number)))
                }
            }
        }
        let hashed: [ModelDirectory.File] = [.manifest, .weights, .pod].filter { directory.has($0) }
        let files = try hashed.map { file in
            (file.rawValue, try FileDigest.sha256(ofFile: directory.path(of: file)))
        }
        let sha = FileDigest.sha256(of: Data(files.map { "\($0.0) \($0.1)\n" }.joined().utf8))
        return StudyPrior(declaration: declaration, directory: path, model: model, sha256: sha,
                          files: files, sources: sources)
    }

    /// The journal record naming this model (`prior_recorded`); `version`: the registry version (`name@version`) a
    /// registry reference resolved to.
    public func record(reason: String? = nil, version: String? = nil) -> JournalRecord {
        var fields: [(String, JSONValue)] = [("model", .string(declaration.model)), ("sha256", .string(sha256)),
                                             ("files", .object(files.map { ($0.name, .string($0.sha256)) }))]
        if case let .registry(_, directory) = declaration.source {
            if let version { fields.append(("version", .string(version))) }
            if let directory { fields.append(("registry_dir", .string(directory))) }
        }
        if let reason { fields.append(("reason", .string(reason))) }
        return JournalRecord(.priorRecorded, fields)
    }

    /// Refuses to use the model unless the journal recorded exactly this one (same directory, same content hash).
    public func check(against state: StudyState, study: String) throws {
        let advice = "`doe space \(study) --record-prior` records the model now in '\(declaration.model)' "
            + "(earlier trials keep the hash they were suggested with)"
        guard let recorded = state.recordedPrior else {
            throw PriorError("study '\(study)' has not recorded its prior model; \(advice)", kind: .refused, code: "prior.unrecorded")
        }
        guard recorded.model == declaration.model, recorded.sha256 == sha256 else {
            throw PriorError("the model '\(declaration.model)' is not the one study '\(study)' recorded on \(recorded.timestamp) "
                + "('\(recorded.model)', sha256 \(recorded.sha256.prefix(12))…; found \(sha256.prefix(12))…). \(advice)",
                             kind: .refused, code: "prior.changed")
        }
    }

    /// The prior of `metric` as a function of the space's features, or `nil` when the prior does not map it.
    public func featurePrior(for metric: String) -> (any FeaturePrior)? {
        guard let output = declaration.output(for: metric) else { return nil }
        guard let model else { return studyGPs[output] }
        guard let j = model.outputNames.firstIndex(of: output) else { return nil }
        return SurrogateFeaturePrior(model: model, output: j, sources: sources)
    }

    /// What `generator_info` records of the prior: the model, its hash, and per mapped metric the evidence
    /// (`scalarized` for the ParEGO scalarization of several objectives' priors).
    /// `note`: why the prior was not used somewhere it could have been (kept as `note`).
    public static func info(_ prior: StudyPrior, evidence: [(metric: String, evidence: PriorEvidence)],
                            note: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("model", .string(prior.declaration.model)), ("sha256", .string(prior.sha256)),
                                             ("metrics", .object(evidence.map { ($0.metric, evidenceJSON($0.evidence)) }))]
        if let note { fields.append(("note", .string(note))) }
        return .object(fields)
    }

    /// One metric's prior evidence as JSON: rho, used, the two evidences and the variance explained.
    public static func evidenceJSON(_ e: PriorEvidence) -> JSONValue {
        .object([("rho", finiteJSON(e.rho)), ("used", .bool(e.used)),
                 ("log_likelihood_per_trial", finiteJSON(e.withPrior)),
                 ("log_likelihood_per_trial_without", finiteJSON(e.withoutPrior)),
                 ("variance_explained", finiteJSON(e.varianceExplained))])
    }
}

/// One scalar output of a surrogate as a ``FeaturePrior``: features → model inputs (continuous, not rounded) →
/// the ensemble mean, with its gradient through the members' input gradients.
struct SurrogateFeaturePrior: FeaturePrior {
    let model: Surrogate
    let output: Int
    let sources: [StudyPrior.InputSource]

    /// Model inputs at features `f`, and `∂input/∂feature` for the continuous ones (`nil` otherwise).
    func inputs(_ f: [Double]) -> (values: [Double], derivative: [(feature: Int, slope: Double)?]) {
        StudyPrior.InputSource.values(sources, at: f)
    }

    func values(atFeatures points: Matrix<Double>) -> [Double] {
        let rows = (0..<points.rows).map { i in inputs((0..<points.columns).map { points[i, $0] }).values.map(Float.init) }
        guard !rows.isEmpty else { return [] }
        let prediction = model.predict(Matrix<Float>(rows), calibrated: false)
        return (0..<points.rows).map { Double(prediction.mean[$0, output]) }
    }

    func valueAndGradient(atFeatures x: [Double]) -> (value: Double, gradient: [Double]) {
        let (values, derivative) = inputs(x)
        let members = model.memberGradients(at: values)
        let count = Double(members.outputs.count)
        let value = members.outputs.reduce(0) { $0 + $1[output] } / count
        var gradient = [Double](repeating: 0, count: x.count)
        for (k, link) in derivative.enumerated() {
            guard let link else { continue }
            let dInput = members.gradients.reduce(0) { $0 + $1[output][k] } / count
            gradient[link.feature] += dInput * link.slope
        }
        return (value, gradient)
    }
}

extension StudyPrior.InputSource {
    /// The inputs `sources` take at features `f` (numbers decoded continuously, categorical choices as level indices),
    /// and `∂input/∂feature` for the continuous ones (`nil` otherwise).
    static func values(_ sources: [Self], at f: [Double]) -> (values: [Double], derivative: [(feature: Int, slope: Double)?]) {
        var values: [Double] = [], derivative: [(feature: Int, slope: Double)?] = []
        for source in sources {
            switch source {
            case let .feature(offset, low, high, logScale):
                let u = f[offset]
                if logScale {
                    let v = exp(log(low) + u * (log(high) - log(low)))
                    values.append(v); derivative.append((offset, v * (log(high) - log(low))))
                } else {
                    values.append(low + u * (high - low)); derivative.append((offset, high - low))
                }
            case let .categorical(offset, width, levelIndex):
                var chosen = 0
                if width == 1 { chosen = f[offset] < 0.5 ? 0 : 1 } else {
                    for k in 1..<width where f[offset + k] > f[offset + chosen] { chosen = k }
                }
                values.append(Double(levelIndex[chosen])); derivative.append(nil)
            case let .constant(v):
                values.append(Double(v)); derivative.append(nil)
            }
        }
        return (values, derivative)
    }
}

extension StudyPrior {
    /// The prior of `space`, checked against the model `state`'s journal recorded; `nil` when the space has none.
    /// - Throws: ``PriorError`` when it cannot be loaded or matched, or is not the recorded model (refused).
    public static func loadChecked(space: DesignSpace, state: StudyState) throws -> StudyPrior? {
        guard let prior = try load(space: space, studyDirectory: state.directory) else { return nil }
        try prior.check(against: state, study: state.name)
        return prior
    }

    /// Fits the GP of one metric's `values` (oriented: `orientation·metric + shift`): with the prior and without when
    /// `prior` maps `metric` (keeping the better by evidence, see
    /// ``BayesianOptimizer/fitWithPrior(encoding:assignments:values:noise:kernel:seed:warping:prior:orientation:shift:)``),
    /// else as a study without a prior does.
    static func fitMetric(_ metric: String, prior: StudyPrior?, encoding: SpaceEncoding, assignments: [[ParameterValue]],
                          values: [Double], noise: [Double]?, kernel: KernelKind?, seed: UInt64, warping: Bool,
                          orientation: Double, shift: Double = 0)
        throws -> (gp: GaussianProcess, transform: OutputTransform, score: Double, evidence: PriorEvidence?) {
        if let feature = prior?.featurePrior(for: metric) {
            let fitted = try BayesianOptimizer.fitWithPrior(encoding: encoding, assignments: assignments, values: values,
                                                            noise: noise, kernel: kernel, seed: seed, warping: warping,
                                                            prior: feature, orientation: orientation, shift: shift)
            return (fitted.gp, fitted.transform, fitted.score, fitted.evidence)
        }
        let fitted = try BayesianOptimizer.fitWithScore(encoding: encoding, assignments: assignments, values: values,
                                                        noise: noise, kernel: kernel, seed: seed, warping: warping)
        return (fitted.gp, fitted.transform, fitted.score, nil)
    }
}

extension Study {
    /// Records the model the space's `prior:` names (`prior_recorded`) unless the journal's last record of it is
    /// already this model; what `doe init`, `doe space --set` and `doe space --record-prior` do.
    /// - Returns: the prior and whether a record was appended; `nil` when the space has no prior.
    /// - Throws: ``PriorError`` when the model cannot be loaded or matched to the space (nothing recorded).
    ///
    /// A registry prior is recorded from `staged`: a verified copy of the version its reference names now (written by
    /// the caller into a folder of its own under the study's parent folder). Under the journal's lock the copy
    /// replaces the study's ``StudyPrior/registryCopyFolder`` when its hash or version differs from the last record,
    /// and is removed otherwise; `version` (`name@version`) goes into the record.
    @discardableResult
    public func recordPrior(reason: String? = nil, staged: (directory: String, version: String)? = nil) throws
        -> (prior: StudyPrior, recorded: Bool)? {
        let copy = path + "/" + StudyPrior.registryCopyFolder
        guard let prior = try StudyPrior.load(space: space, studyDirectory: path, modelDirectory: staged?.directory) else {
            return nil
        }
        return try transaction { state in
            if let last = state.recordedPrior, last.model == prior.declaration.model, last.sha256 == prior.sha256,
               staged == nil || state.recordedPriorVersion == staged?.version {
                if let staged { try? FileManager.default.removeItem(atPath: staged.directory) }
                return ([], (prior, false))
            }
            guard let staged else { return ([prior.record(reason: reason)], (prior, true)) }
            try? FileManager.default.removeItem(atPath: copy)
            do { try FileManager.default.moveItem(atPath: staged.directory, toPath: copy) } catch {
                throw PriorError("cannot move the registry model's copy into \(copy): \(error)", kind: .io, code: "prior.copy")
            }
            guard let moved = try StudyPrior.load(space: space, studyDirectory: path), moved.sha256 == prior.sha256 else {
                throw PriorError("the copy of the registry model in \(copy) does not read back as written", kind: .io,
                                 code: "prior.copy")
            }
            return ([moved.record(reason: reason, version: staged.version)], (moved, true))
        }
    }
}
