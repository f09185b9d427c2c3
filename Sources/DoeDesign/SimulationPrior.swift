/// A simulation surrogate named by a space file as the prior of its metrics (`prior:` in the space file):
///
/// ```yaml
/// prior: {model: models/bracket, outputs: {mass: mass, stress: vm_max}}   # metric: model output
/// ```
///
/// Each mapped metric (an objective or a constrained metric) is modelled as `ρ·s(x) + δ(x)`, `s` the model's
/// prediction. The model's parameters are matched to the study's by name when the study uses it.
public struct SimulationPrior: Sendable, Equatable {
    /// The model directory (as written; relative paths are relative to the directory doe runs in).
    public let model: String
    /// Metric of the study → scalar output of the model, in the file's order.
    public let outputs: [(metric: String, output: String)]

    /// A prior on `model` mapping each metric to a model output.
    public init(model: String, outputs: [(metric: String, output: String)]) {
        self.model = model
        self.outputs = outputs
    }

    /// The model output mapped to `metric`, if any.
    public func output(for metric: String) -> String? { outputs.first { $0.metric == metric }?.output }

    /// Equal when the model and the mapping (in order) are equal.
    public static func == (a: SimulationPrior, b: SimulationPrior) -> Bool {
        a.model == b.model && a.outputs.map(\.metric) == b.outputs.map(\.metric) && a.outputs.map(\.output) == b.outputs.map(\.output)
    }

    /// Parses `prior: {model: DIR, outputs: {metric: output}}`; `metrics` are the space's objectives and constrained
    /// metrics (the only names a prior may map).
    static func parse(_ node: Any, metrics: [String], source: String) throws -> SimulationPrior {
        func fail(_ field: String, _ message: String) -> SpaceError {
            SpaceError(source: source, location: "prior", field: field, message: message)
        }
        guard let map = node as? [String: Any] else {
            throw fail("prior", "expected {model: models/NAME, outputs: {metric: model_output}}")
        }
        if let unknown = map.keys.sorted().first(where: { !["model", "outputs"].contains($0) }) {
            throw fail(unknown, "unknown field (expected model, outputs)")
        }
        guard let model = map["model"] as? String, !model.isEmpty else {
            throw fail("model", "missing or not a string (the model directory `doe train` wrote, e.g. models/bracket)")
        }
        guard let outputs = map["outputs"] as? [String: Any], !outputs.isEmpty else {
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
        return SimulationPrior(model: model, outputs: pairs.sorted { order[$0.metric]! < order[$1.metric]! })
    }
}
