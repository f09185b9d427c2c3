import DoeBase
import DoeDesign
import DoeModelFormat
import DoeNeural
import Foundation

/// The domain of ``SurrogateSearchError``.
public enum SurrogateSearchErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `optimize.invalid`.
    public static var code: String { "optimize.invalid" }
}

/// A surrogate search that cannot be set up: an unknown output or input, a malformed bound, an empty box.
public typealias SurrogateSearchError = DomainError<SurrogateSearchErrorDomain>

/// Builds a ``SurrogateSearchProblem`` from what a user writes — output names, `OUT <= V` bounds, input constraint
/// expressions, a space file, `NAME=VALUE` fixes — checking every name against the model's.
public struct SearchProblemBuilder: Sendable {
    /// The model searched.
    public let model: Surrogate
    /// How messages name it (its directory).
    public let label: String

    /// A builder for `model`.
    public init(model: Surrogate, label: String) {
        self.model = model
        self.label = label
    }

    /// The index of output `name`.
    func output(_ name: String, in context: String) throws -> Int {
        guard let j = model.outputNames.firstIndex(of: name) else {
            throw SurrogateSearchError("\(context): '\(name)' is not an output of \(label) (outputs: "
                + model.outputNames.joined(separator: ", ") + ")")
        }
        return j
    }

    /// Parses `OUT <= V` / `OUT >= V` (also `<`, `>`, `≤`, `≥`).
    public func outputBound(_ text: String) throws -> SurrogateSearchProblem.OutputBound {
        for (symbol, upper) in [("<=", true), (">=", false), ("≤", true), ("≥", false), ("<", true), (">", false)] {
            guard let range = text.range(of: symbol) else { continue }
            let name = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let number = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
            let j = try output(name, in: "--where \(text)")
            guard let value = Double(number), value.isFinite else {
                throw SurrogateSearchError("--where \(text): '\(number)' is not a finite number")
            }
            return .init(output: j, isUpper: upper, value: value, text: text)
        }
        throw SurrogateSearchError("--where \(text): expected OUTPUT <= VALUE or OUTPUT >= VALUE")
    }

    /// The search problem: objectives, output bounds, the box (the space file's ranges, else the model's input bounds,
    /// else its training range), fixed inputs and input constraints.
    /// - Parameters:
    ///   - space: a design space whose parameters name model inputs (a study's, or `--space`).
    ///   - fixed: `NAME=VALUE` texts (a categorical input by its level).
    public func problem(minimize: [String], maximize: [String], bounds: [String], constraints: [String], space: DesignSpace?,
                        spaceLabel: String?, fixed: [String]) throws -> SurrogateSearchProblem {
        let objectives = try minimize.map { SurrogateSearchProblem.Objective(output: try output($0, in: "--minimize"), maximize: false) }
            + maximize.map { SurrogateSearchProblem.Objective(output: try output($0, in: "--maximize"), maximize: true) }
        let repeated = objectives.map(\.output).filter { j in objectives.filter { $0.output == j }.count > 1 }
        if let j = repeated.first { throw SurrogateSearchError("'\(model.outputNames[j])' is given as an objective more than once") }
        let d = model.inputNames.count
        var lower = [Double](repeating: .nan, count: d), upper = lower
        if let box = model.inputBounds ?? model.trainingRange, box.low.count == d {
            lower = box.low
            upper = box.high
        }
        var expressions = constraints
        var fixes: [(text: String, name: String, value: String)] = []
        for text in fixed {
            let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, model.inputNames.contains(parts[0]) else {
                throw SurrogateSearchError("--fix \(text): expected INPUT=VALUE with one of the inputs "
                    + model.inputNames.joined(separator: ", "))
            }
            fixes.append((text, parts[0], parts[1]))
        }
        let fixedNames = Set(fixes.map(\.name))
        /// The space's domain of each input it names (to check `--fix` values against).
        var spaceDomains: [Int: ParameterDomain] = [:]
        if let space {
            let where_ = spaceLabel ?? "the space"
            for p in space.parameters {
                guard let k = model.inputNames.firstIndex(of: p.name) else {
                    if case .fixed = p.domain { continue }
                    throw SurrogateSearchError("\(where_): parameter '\(p.name)' is not an input of \(label) (inputs: "
                        + model.inputNames.joined(separator: ", ") + ")")
                }
                spaceDomains[k] = p.domain
                switch p.domain {
                case let .real(low, high, _): (lower[k], upper[k]) = (low, high)
                case let .integer(low, high): (lower[k], upper[k]) = (Double(low), Double(high))
                case let .fixed(value):
                    let v = try number(of: value.description, input: k, context: "\(where_): fixed parameter '\(p.name)'")
                    (lower[k], upper[k]) = (v, v)
                case .categorical:
                    if !fixedNames.contains(p.name) {
                        throw SurrogateSearchError("\(where_): categorical parameter '\(p.name)' must be held at a level for the search "
                            + "(--fix \(p.name)=LEVEL)")
                    }
                }
            }
            let missing = model.inputNames.filter { name in !space.parameters.contains { $0.name == name } }
                .filter { !fixedNames.contains($0) }
            if !missing.isEmpty {
                throw SurrogateSearchError("\(where_) has no parameter for the model's input(s) \(missing.joined(separator: ", ")) "
                    + "(its parameters: \(space.parameters.map(\.name).joined(separator: ", "))); add them or --fix NAME=VALUE")
            }
            expressions += space.parameterConstraints.map(\.text)
        }
        for fix in fixes {
            let k = model.inputNames.firstIndex(of: fix.name)!
            let v = try number(of: fix.value, input: k, context: "--fix \(fix.text)")
            switch spaceDomains[k] {
            case let .real(low, high, _) where v < low || v > high:
                throw SurrogateSearchError("--fix \(fix.text): outside the range [\(NumberText.significant(low)), "
                    + "\(NumberText.significant(high))] of '\(fix.name)' in \(spaceLabel ?? "the space")")
            case let .integer(low, high) where v != v.rounded() || v < Double(low) || v > Double(high):
                throw SurrogateSearchError("--fix \(fix.text): '\(fix.name)' is an integer in [\(low), \(high)] in "
                    + (spaceLabel ?? "the space"))
            default: break
            }
            (lower[k], upper[k]) = (v, v)
        }
        for (name, levels) in model.inputLevels.sorted(by: { $0.key < $1.key }) {
            guard let k = model.inputNames.firstIndex(of: name), lower[k] == upper[k] else {
                throw SurrogateSearchError("categorical input '\(name)' of \(label) must be held at a level for the search: "
                    + "--fix \(name)=LEVEL (levels: \(levels.joined(separator: ", ")))")
            }
        }
        if let k = (0..<d).first(where: { !(lower[$0].isFinite && upper[$0].isFinite) }) {
            throw SurrogateSearchError("\(label) records no bounds or training range for '\(model.inputNames[k])': give --space FILE "
                + "with its range, or --fix \(model.inputNames[k])=VALUE")
        }
        if let k = (0..<d).first(where: { lower[$0] > upper[$0] }) {
            throw SurrogateSearchError("input '\(model.inputNames[k])': the range [\(lower[k]), \(upper[k])] is empty")
        }
        var problem = SurrogateSearchProblem(objectives: objectives, lower: lower, upper: upper)
        problem.integerInputs = spaceDomains.compactMap { k, domain in
            if case .integer = domain, lower[k] < upper[k] { return k }
            return nil
        }.sorted()
        problem.outputBounds = try bounds.map(outputBound)
        let parameters = (0..<d).map { Parameter(name: model.inputNames[$0], domain: .real(low: lower[$0], high: max(upper[$0], lower[$0]),
                                                                                              logScale: false)) }
        problem.parameterConstraints = try expressions.map { try ParameterConstraint(parsing: $0, parameters: parameters) }
        return problem
    }

    /// A value for input `k` written as text: a categorical input's level index, else a finite number.
    func number(of text: String, input k: Int, context: String) throws -> Double {
        let name = model.inputNames[k]
        if let levels = model.inputLevels[name] {
            guard let index = levels.firstIndex(of: text) else {
                throw SurrogateSearchError("\(context): '\(text)' is not a level of '\(name)' (levels: \(levels.joined(separator: ", ")))")
            }
            return Double(index)
        }
        guard let v = Double(text), v.isFinite else { throw SurrogateSearchError("\(context): '\(text)' is not a finite number") }
        return v
    }

    /// Shrinks the box to the training rows' range when `trust` is on; returns what was clipped, for the user.
    public func clip(_ problem: inout SurrogateSearchProblem, trust: Bool) throws -> [String] {
        guard trust, let range = model.trainingRange, range.low.count == problem.lower.count else { return [] }
        var notes: [String] = []
        for k in problem.lower.indices {
            let name = model.inputNames[k]
            if problem.lower[k] == problem.upper[k] {
                if problem.lower[k] < range.low[k] || problem.lower[k] > range.high[k] {
                    notes.append("'\(name)' is held at \(NumberText.significant(problem.lower[k])), outside the training range "
                        + "[\(NumberText.significant(range.low[k])), \(NumberText.significant(range.high[k]))]: "
                        + "predictions are extrapolations")
                }
                continue
            }
            let low = max(problem.lower[k], range.low[k]), high = min(problem.upper[k], range.high[k])
            guard low <= high else {
                throw SurrogateSearchError("input '\(name)': the range [\(NumberText.significant(problem.lower[k])), "
                    + "\(NumberText.significant(problem.upper[k]))] does not overlap the training range ["
                    + "\(NumberText.significant(range.low[k])), "
                    + "\(NumberText.significant(range.high[k]))] (--no-trust to extrapolate)")
            }
            // say so when the training rows leave out more than 1 % of the range (a Sobol design's edges always miss a little)
            if (low - problem.lower[k]) + (problem.upper[k] - high) > 0.01 * (problem.upper[k] - problem.lower[k]) {
                notes.append("'\(name)' searched in [\(NumberText.significant(low)), \(NumberText.significant(high))], the part of "
                    + "[\(NumberText.significant(problem.lower[k])), \(NumberText.significant(problem.upper[k]))] the training rows cover")
            }
            (problem.lower[k], problem.upper[k]) = (low, high)
        }
        return notes
    }

    /// The trust limit `std ≤ factor × validation RMSE` from the model's validation metrics.
    public func trustLimit(factor: Double, validation: [OutputMetrics]) throws -> SurrogateSearchProblem.TrustLimit {
        let rmse = try model.outputNames.map { name -> Double in
            guard let m = validation.first(where: { $0.name == name }), m.rmse.isFinite, m.rmse > 0 else {
                throw SurrogateSearchError("\(label)/metrics.json has no validation RMSE for '\(name)' (needed by the trust limit); "
                    + "retrain with this doe, or pass --no-trust", kind: .refused)
            }
            return m.rmse
        }
        return .init(factor: factor, rmse: rmse)
    }

    /// A candidate's value of input `k` as parameter `p` of a study: reals as they are (clamped to the range),
    /// integers rounded, categorical inputs as the level they were held at.
    public static func parameterValue(_ v: Double, for p: Parameter, model: Surrogate, input k: Int) throws -> ParameterValue {
        switch p.domain {
        case let .real(low, high, _): return .real(min(max(v, low), high))
        case let .integer(low, high): return .integer(min(max(Int(v.rounded()), low), high))
        case let .fixed(value): return value
        case let .categorical(choices):
            let level = model.inputLevels[p.name].flatMap { levels in
                Int(exactly: v.rounded()).flatMap { $0 >= 0 && $0 < levels.count ? levels[$0] : nil }
            }
            guard let level, let choice = choices.first(where: { $0.description == level }) else {
                throw SurrogateSearchError("input '\(p.name)': \(v) is none of the study's choices")
            }
            return choice
        }
    }
}
