import DoeBase
import DoeDesign

/// One proposed trial before it gets an id.
public struct Suggestion: Sendable {
    /// One value per parameter of the space.
    public let params: [ParameterValue]
    /// Name of the generator (journal field `generator`).
    public let generator: String
    /// Details recorded with the trial (journal field `generator_info`).
    public let info: JSONValue

    /// A suggestion of `params` made by `generator`, with `info` for the journal.
    public init(params: [ParameterValue], generator: String, info: JSONValue) {
        self.params = params
        self.generator = generator
        self.info = info
    }
}

/// Something that proposes the next trials from a study's state. Called under the study's exclusive lock,
/// so pending trials in `state` include every batch handed out so far.
public protocol SuggestionStrategy: Sendable {
    /// Proposes `count` new trials.
    func suggest(count: Int, state: StudyState, space: DesignSpace) throws -> [Suggestion]
}

/// Continues the study's scrambled Sobol sequence (seeded by the study's seed).
///
/// The next index is one past the largest Sobol index handed out so far (pending trials count as taken),
/// so concurrent and repeated `doe suggest` calls walk one shared sequence. In spaces with only integer and
/// categorical parameters, points whose assignment equals an existing trial's are skipped while unused
/// combinations remain.
public struct SobolContinuation: SuggestionStrategy {
    /// Parameters held at a value (parameter index → value), applied to each point before it is checked.
    public var fixed: [Int: ParameterValue] = [:]

    /// The strategy; it holds no state (the sequence position comes from the study's trials).
    public init(fixed: [Int: ParameterValue] = [:]) { self.fixed = fixed }

    /// The next `count` Sobol points after those the study's trials already used.
    public func suggest(count: Int, state: StudyState, space: DesignSpace) throws -> [Suggestion] {
        try suggest(count: count, state: state, space: space, after: [])
    }

    /// Like ``suggest(count:state:space:)``, continuing after suggestions already made in the same call.
    public func suggest(count: Int, state: StudyState, space: DesignSpace, after earlier: [Suggestion]) throws -> [Suggestion] {
        guard space.dimension <= SobolSequence.maxDimension else {
            throw StudyError.invalidInput("Sobol designs support at most \(SobolSequence.maxDimension) varied parameters; "
                + "the space has \(space.dimension)")
        }
        let sequence = SobolSequence(dimension: space.dimension, scrambleSeed: state.seed)
        let used = state.trials.compactMap { $0.generator == "sobol" ? $0.generatorInfo?["index"]?.integer : nil }
            + earlier.compactMap { $0.generator == "sobol" ? $0.info["index"]?.integer : nil }
        var index = used.max().map { $0 + 1 } ?? 0
        var taken = Set(state.trials.map { $0.params } + earlier.map(\.params))
        let skipLimit = index + 100 * count + 1000
        // Rejection of points violating a parameter constraint: at least 0.1 % of the box is feasible (checked when
        // the space is created), so 10⁴ draws per point almost never run out.
        let rejectionLimit = index + 10_000 * count + 100_000
        var result: [Suggestion] = []
        while result.count < count {
            var params = space.assignment(fromUnit: sequence.point(at: index))
            for (i, v) in fixed where i < params.count { params[i] = v }
            guard space.satisfiesParameterConstraints(params) else {
                index += 1
                guard index < rejectionLimit else {
                    throw StudyError.invalidInput("no Sobol point in \(rejectionLimit) satisfies the parameter constraints"
                        + (fixed.isEmpty ? "" : " with the fixed values"))
                }
                continue
            }
            if !taken.contains(params) || index >= skipLimit {
                taken.insert(params)
                result.append(Suggestion(params: params, generator: "sobol", info: .object([("index", .int(index))])))
            }
            index += 1
        }
        return result
    }
}
