import DoeBase
/// A simulation surrogate named by a space file as the prior of its metrics (`prior:` in the space file):
///
/// ```yaml
/// prior: {model: models/bracket, outputs: {mass: mass, stress: vm_max}}   # metric: model output
/// prior: {registry: bracket@production, outputs: {mass: mass}}           # a registered version
/// ```
///
/// Each mapped metric (an objective or a constrained metric) is modelled as `ρ·s(x) + δ(x)`, `s` the model's
/// prediction. The model's parameters are matched to the study's by name when the study uses it. A registry prior
/// (`registry: NAME`, `NAME@VERSION` or `NAME@ALIAS`, optional `registry_dir:`; default `$DOE_REGISTRY` or
/// `studies/registry`) is resolved when the study records it and copied into the study, so the study keeps using
/// that version when the alias moves, until `doe space NAME --record-prior` adopts the version it points to then.
public struct SimulationPrior: Sendable, Equatable {
    /// Where the model comes from.
    public enum Source: Sendable, Equatable {
        /// A model directory (as written; relative paths are relative to the directory doe runs in).
        case directory(String)
        /// A model of the registry: the reference as written (`bracket@production`) and the registry folder, if given.
        case registry(reference: String, directory: String?)
        /// A study of simulations in the same studies folder: the GP of its completed trials is the prior.
        case study(String)
    }

    /// Where the model comes from.
    public let source: Source
    /// Metric of the study → scalar output of the model, in the file's order.
    public let outputs: [(metric: String, output: String)]

    /// The model as the study names it: the directory, or the registry reference (`bracket@production`).
    public var model: String {
        switch source {
        case let .directory(path): return path
        case let .registry(reference, _): return reference
        case let .study(name): return "study:" + name
        }
    }

    /// A prior on the model directory `model` mapping each metric to a model output.
    public init(model: String, outputs: [(metric: String, output: String)]) {
        self.init(source: .directory(model), outputs: outputs)
    }

    /// A prior on the model `source` names, mapping each metric to a model output.
    public init(source: Source, outputs: [(metric: String, output: String)]) {
        self.source = source
        self.outputs = outputs
    }

    /// The model output mapped to `metric`, if any.
    public func output(for metric: String) -> String? { outputs.first { $0.metric == metric }?.output }

    /// Equal when the model and the mapping (in order) are equal.
    public static func == (a: SimulationPrior, b: SimulationPrior) -> Bool {
        a.source == b.source && a.outputs.map(\.metric) == b.outputs.map(\.metric) && a.outputs.map(\.output) == b.outputs.map(\.output)
    }

    /// Parses `prior: {model: DIR | registry: NAME@ALIAS [registry_dir: DIR], outputs: {metric: output}}`; `metrics` are
    /// the space's objectives and constrained metrics (the only names a prior may map).
    static func parse(_ node: Any, metrics: [String], source: String) throws -> SimulationPrior {
        func fail(_ field: String, _ message: String) -> SpaceError {
            SpaceError(source: source, location: "prior", field: field, message: message)
        }
        guard let map = node as? [String: Any] else {
            throw fail("prior", "expected {model: models/NAME, outputs: {metric: model_output}} or {registry: NAME@ALIAS, outputs: …}")
        }
        if let unknown = map.keys.sorted().first(where: { !["model", "registry", "registry_dir", "study", "outputs"].contains($0) }) {
            throw fail(unknown, "unknown field (expected model, registry or study, registry_dir, outputs)")
        }
        let given = ["model", "registry", "study"].filter { map[$0] != nil }
        if given.count > 1 { throw fail(given[1], "give one of model:, registry: or study:, not both \(given[0]) and \(given[1])") }
        if let study = map["study"] {
            guard let name = study as? String, SafeName.isValid(name) else {
                throw fail("study", "expected the name of a study of simulations in the same studies folder, got \(study)")
            }
            if map["registry_dir"] != nil { throw fail("registry_dir", "goes with registry:, not study:") }
            return try SimulationPrior(source: .study(name), outputs: parseOutputs(map["outputs"], metrics: metrics, fail: fail))
        }
        let source: Source
        switch (map["model"], map["registry"]) {
        case (nil, nil):
            throw fail("model", "missing: name the model directory `doe train` wrote (model: models/bracket), "
                + "a registered model (registry: bracket@production) or a study of simulations (study: sim)")
        case (.some, .some):
            throw fail("registry", "give model: or registry:, not both")
        case let (model?, nil):
            guard let model = model as? String, !model.isEmpty else {
                throw fail("model", "not a string (the model directory `doe train` wrote, e.g. models/bracket)")
            }
            if map["registry_dir"] != nil { throw fail("registry_dir", "goes with registry:, not model:") }
            source = .directory(model)
        case let (nil, reference?):
            guard let reference = reference as? String, !reference.isEmpty, !reference.hasPrefix("@"),
                  !reference.hasSuffix("@"), reference.filter({ $0 == "@" }).count <= 1,
                  SafeName.isValid(String(reference.split(separator: "@")[0])) else {
                throw fail("registry", "expected NAME, NAME@VERSION or NAME@ALIAS (e.g. bracket@production), got \(reference)")
            }
            var directory: String?
            if let dir = map["registry_dir"] {
                guard let dir = dir as? String, !dir.isEmpty else { throw fail("registry_dir", "not a path") }
                directory = dir
            }
            source = .registry(reference: reference, directory: directory)
        }
        return SimulationPrior(source: source, outputs: try parseOutputs(map["outputs"], metrics: metrics, fail: fail))
    }

    /// Parses `outputs: {metric: output}`: each key an objective or constrained metric of the space (in `metrics`).
    private static func parseOutputs(_ node: Any?, metrics: [String],
                                     fail: (String, String) -> SpaceError) throws -> [(metric: String, output: String)] {
        guard let outputs = node as? [String: Any], !outputs.isEmpty else {
            throw fail("outputs", "missing or empty: map each metric to a model output, e.g. {mass: mass, stress: vm_max}")
        }
        var pairs: [(metric: String, output: String)] = []
        for metric in outputs.keys.sorted() {
            guard metrics.contains(metric) else {
                throw fail("outputs", "'\(metric)' is not an objective or constrained metric of the space "
                    + "(metrics: \(metrics.joined(separator: ", ")))")
            }
            guard let output = outputs[metric] as? String, !output.isEmpty else {
                throw fail("outputs", "the model output for '\(metric)' must be a name, got \(outputs[metric] ?? "null")")
            }
            pairs.append((metric, output))
        }
        let order = metrics.enumerated().reduce(into: [String: Int]()) { $0[$1.element] = $1.offset }
        return pairs.sorted { order[$0.metric]! < order[$1.metric]! }
    }
}
