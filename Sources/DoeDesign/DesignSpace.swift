import DoeBase
import Foundation

/// A malformed design-space file: names the file, the parameter or objective, and the field.
public struct SpaceError: CodedError {
    /// A bad space file.
    public var kind: ErrorKind { .invalidValue }
    /// `space.invalid`.
    public var code: String { "space.invalid" }
    /// The file (or "<input>").
    public let source: String
    /// Where in the file, e.g. `parameter 'x2' (#3)`.
    public let location: String?
    /// The field, e.g. `high`.
    public let field: String?
    /// What is wrong and how to fix it.
    public let message: String

    /// `source: location: field 'field': message`, leaving out the parts that are `nil`.
    public var description: String {
        var parts = [source]
        if let location { parts.append(location) }
        if let field { parts.append("field '\(field)'") }
        return parts.joined(separator: ": ") + ": " + message
    }
}

/// The parameters and objectives of a study, read from a YAML or JSON file.
///
/// Two file shapes are accepted (JSON is valid YAML):
/// ```yaml
/// # a bare list of parameters: one objective named `value`, minimized
/// [{"name": "x0", "type": "real", "low": 0, "high": 1}]
/// ```
/// ```yaml
/// parameters:
///   - {name: radius, type: real, low: 0.05, high: 0.15, unit: m}
///   - {name: permeability, type: real, low: 1e-3, high: 1, log: true}
///   - {name: layers, type: int, low: 1, high: 8}
///   - {name: material, type: categorical, choices: [steel, aluminium]}
///   - {name: temperature, type: fixed, value: 293}
/// objectives:
///   - {name: mass, direction: minimize}
///   - {name: stiffness, direction: maximize}
/// initial_trials: 12          # optional; default 2·d + 2
/// parameter_constraints:      # optional; expressions every point satisfies (``ParameterConstraint``)
///   - "layers * radius <= 1"
/// constraints:                # optional; metrics reported with each result, feasible within the limits
///   - {name: stress, max: 250, unit: MPa}
///   - {name: margin, min: 0}
/// prior: {model: models/bracket, outputs: {mass: mass, stress: vm_max}}   # optional (``SimulationPrior``)
/// acquisition: logei           # optional; qlognei, logei, ucb or qlognehvi (default: qlognehvi for 2–4 objectives,
///                              # else qlognei when noisy, else logei)
/// kernel: rbf                  # optional; rbf or matern52 (default: chosen by marginal likelihood)
/// ```
public struct DesignSpace: Sendable, Equatable {
    /// All parameters, in file order.
    public let parameters: [Parameter]
    /// The objectives, in file order (at least one).
    public let objectives: [Objective]
    /// Size of the initial space-filling design, if the file sets it.
    public let initialTrials: Int?
    /// Default acquisition function, if the file sets it.
    public var acquisition: AcquisitionKind?
    /// Kernel, if the file sets it.
    public var kernel: KernelKind?
    /// Constraints on the parameters (`parameter_constraints:` in the space file): every point doe makes or accepts
    /// satisfies all of them.
    public var parameterConstraints: [ParameterConstraint] = []
    /// Constraints on metrics measured with each result (`constraints:` in the space file), in file order.
    public var outcomeConstraints: [OutcomeConstraint] = []
    /// The hypervolume's reference point, objective name → value in the objective's units (`reference_point:` in the
    /// space file); `nil` infers one from the observations.
    public var referencePoint: [String: Double]?
    /// A simulation surrogate as the prior of some metrics (`prior:` in the space file), or `nil`.
    public var prior: SimulationPrior?
    /// What the study is for (`goal:` in the space file); `nil` is ``StudyGoal/optimize``.
    public var goal: StudyGoal?

    /// Creates a space directly (validated like a parsed one).
    public init(parameters: [Parameter], objectives: [Objective] = [Objective(name: "value", direction: .minimize)],
                initialTrials: Int? = nil) throws {
        self.parameters = parameters
        self.objectives = objectives
        self.initialTrials = initialTrials
        try DesignSpace.checkNames(parameters: parameters, objectives: objectives, source: "<space>")
    }

    /// Every metric a result reports: the objectives, then the constrained metrics.
    public var outcomeNames: [String] { objectives.map(\.name) + outcomeConstraints.map(\.name) }

    /// Whether a trial's values satisfy every outcome constraint (a missing constrained value does not).
    public func isFeasible(_ values: [String: Double]) -> Bool {
        outcomeConstraints.allSatisfy { c in values[c.name].map(c.isSatisfied) ?? false }
    }

    /// The first parameter constraint `assignment` violates, or `nil` when it satisfies all of them.
    public func violatedConstraint(_ assignment: [ParameterValue]) -> ParameterConstraint? {
        parameterConstraints.first { !$0.isSatisfied(by: assignment) }
    }

    /// Whether `assignment` satisfies every parameter constraint.
    public func satisfiesParameterConstraints(_ assignment: [ParameterValue]) -> Bool { violatedConstraint(assignment) == nil }

    /// The smallest share of the box the parameter constraints may leave feasible: below it a space is refused,
    /// since rejection sampling of the initial design would need thousands of draws per point.
    public static let minimumFeasibleShare = 0.001

    /// The share of the box (in the unit-cube measure the samplers use) that satisfies every parameter constraint,
    /// estimated from `samples` scrambled Sobol points (1 without constraints).
    public func feasibleShare(samples: Int = 16384) -> Double {
        guard !parameterConstraints.isEmpty else { return 1 }
        let sequence = SobolSequence(dimension: max(dimension, 1), scrambleSeed: 0x5EA5)
        var feasible = 0
        for k in 0..<samples where satisfiesParameterConstraints(assignment(fromUnit: Array(sequence.point(at: k).prefix(dimension)))) {
            feasible += 1
        }
        return Double(feasible) / Double(samples)
    }

    /// Refuses parameter constraints that leave less than ``minimumFeasibleShare`` of the box feasible.
    /// - Throws: ``SpaceError`` naming the constraints and the share found.
    public func checkFeasibleShare(source: String) throws {
        let share = feasibleShare()
        guard share < DesignSpace.minimumFeasibleShare else { return }
        let list = parameterConstraints.map { "\"\($0.text)\"" }.joined(separator: ", ")
        let found = share == 0 ? "no point of 16384 spread over the box satisfies them"
                               : "only \(NumberText.significant(100 * share, digits: 3)) % of the box satisfies them"
        throw SpaceError(source: source, location: nil, field: "parameter_constraints",
                         message: "\(list): \(found) (at least 0.1 % is needed); check the directions (<= or >=) and the bounds")
    }

    /// The parameters that vary (everything but `fixed`).
    public var variedParameters: [Parameter] { parameters.filter(\.isVaried) }

    /// Number of varied parameters: the dimension of the unit cube designs live in.
    public var dimension: Int { variedParameters.count }

    /// The initial design size: the file's `initial_trials`, else `2·d + 2`.
    public var initialDesignSize: Int { initialTrials ?? (2 * dimension + 2) }

    /// Names reserved for table columns.
    public static let reservedNames: Set<String> = ["id", "state", "generator", "params", "value", "values", "meta",
                                                    "suggested_at", "finished_at", "reason", "trial"]

    /// Turns a point of the unit cube (one coordinate per varied parameter) into a full assignment
    /// (one value per parameter, fixed ones included, in ``parameters`` order).
    public func assignment(fromUnit u: [Double]) -> [ParameterValue] {
        precondition(u.count == dimension, "unit point has \(u.count) coordinates, space has \(dimension) varied parameters")
        var next = 0
        return parameters.map { p in
            guard p.isVaried else { return p.value(atUnit: 0) }
            defer { next += 1 }
            return p.value(atUnit: u[next])
        }
    }

    /// Maps a full assignment back to the unit cube (varied parameters only).
    public func unitPoint(of assignment: [ParameterValue]) -> [Double] {
        zip(parameters, assignment).filter { $0.0.isVaried }.map { $0.0.unit(of: $0.1) }
    }

    /// Validates raw values (from JSON or CSV) against the space and returns a full assignment.
    ///
    /// Every varied parameter must be present; a fixed one may be omitted or must equal its value;
    /// unknown names are refused. Reals must be finite and in bounds, integers integral and in bounds,
    /// categorical values one of the choices.
    /// - Parameters:
    ///   - raw: values by parameter name.
    ///   - context: prefix for messages, e.g. `results.csv line 4`.
    /// - Throws: ``ValueError`` naming the parameter and the problem.
    public func assignment(from raw: [String: JSONValue], context: String) throws -> [ParameterValue] {
        let known = Set(parameters.map(\.name))
        if let unknown = raw.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValueError("\(context): unknown parameter '\(unknown)' (the space has \(parameters.map(\.name).joined(separator: ", ")))")
        }
        return try parameters.map { p in
            guard let value = raw[p.name] else {
                if case let .fixed(v) = p.domain { return v }
                throw ValueError("\(context): parameter '\(p.name)' is missing")
            }
            return try validate(value, for: p, context: context)
        }
    }

    /// Reads raw values by type only, without bounds or choices: for trials recorded under an earlier, wider space
    /// that a space change left outside. Missing fixed parameters take their value.
    /// - Throws: ``ValueError`` when a varied parameter is missing or a value has the wrong type.
    public func assignmentIgnoringBounds(from raw: [String: JSONValue], context: String) throws -> [ParameterValue] {
        try parameters.map { p in
            guard let value = raw[p.name] else {
                if case let .fixed(v) = p.domain { return v }
                throw ValueError("\(context): parameter '\(p.name)' is missing")
            }
            if let text = value.string { return .text(text) }
            if case .integer = p.domain, let i = value.integer { return .integer(i) }
            if let i = value.integer, case .int = value { return .integer(i) }
            guard let d = value.number, d.isFinite else { throw ValueError("\(context): parameter '\(p.name)' is not a number or text") }
            return .real(d)
        }
    }

    /// Validates one raw value for parameter `p` (bounds, integrality, choices), as ``assignment(from:context:)`` does.
    /// - Throws: ``ValueError`` naming the parameter and the problem.
    public func value(_ raw: JSONValue, for p: Parameter, context: String) throws -> ParameterValue {
        try validate(raw, for: p, context: context)
    }

    private func validate(_ raw: JSONValue, for p: Parameter, context: String) throws -> ParameterValue {
        let where_ = "\(context): parameter '\(p.name)'"
        func number() throws -> Double {
            var parsed = raw.number
            if parsed == nil, let s = raw.string { parsed = Double(s.trimmingCharacters(in: .whitespaces)) }
            guard let v = parsed else { throw ValueError("\(where_): expected a number, got \(raw.serialized)") }
            guard v.isFinite else { throw ValueError("\(where_): value \(v) is not finite") }
            return v
        }
        switch p.domain {
        case let .real(low, high, _):
            let v = try number()
            guard v >= low && v <= high else { throw ValueError("\(where_): \(v) is outside [\(low), \(high)]") }
            return .real(v)
        case let .integer(low, high):
            let v = try number()
            guard v.rounded() == v, abs(v) < 9e15 else { throw ValueError("\(where_): \(v) is not an integer") }
            guard Int(v) >= low && Int(v) <= high else { throw ValueError("\(where_): \(Int(v)) is outside [\(low), \(high)]") }
            return .integer(Int(v))
        case let .categorical(choices):
            let candidate: ParameterValue
            switch raw {
            case let .int(i): candidate = .integer(i)
            case let .double(d): candidate = .real(d)
            case let .string(s): candidate = .text(s)
            default: throw ValueError("\(where_): expected one of \(choices.map(\.description)), got \(raw.serialized)")
            }
            if let match = choices.first(where: { $0.matches(candidate) || $0.description == candidate.description }) {
                return match
            }
            throw ValueError("\(where_): '\(candidate)' is not one of \(choices.map(\.description).joined(separator: ", "))")
        case let .fixed(value):
            let candidate: ParameterValue
            switch raw {
            case let .int(i): candidate = .integer(i)
            case let .double(d): candidate = .real(d)
            case let .string(s): candidate = Double(s).map { .real($0) } ?? .text(s)
            default: candidate = .text(raw.serialized)
            }
            guard value.matches(candidate) || value.description == candidate.description else {
                throw ValueError("\(where_): is fixed at \(value), got \(candidate)")
            }
            return value
        }
    }

    static func checkNames(parameters: [Parameter], objectives: [Objective], source: String) throws {
        guard !objectives.isEmpty else {
            throw SpaceError(source: source, location: nil, field: "objectives", message: "at least one objective is needed")
        }
        var seen = Set<String>()
        for (i, name) in (parameters.map(\.name) + objectives.map(\.name)).enumerated() {
            let kind = i < parameters.count ? "parameter" : "objective"
            let index = i < parameters.count ? i + 1 : i - parameters.count + 1
            let location = "\(kind) '\(name)' (#\(index))"
            guard isValidName(name) else {
                throw SpaceError(source: source, location: "\(kind) #\(index)", field: "name",
                                 message: "'\(name)' is not a valid name (letters, digits, '_', '-', '.'; "
                                     + "starting with a letter or '_'; at most 64 characters)")
            }
            if kind == "parameter" && reservedNames.contains(name) {
                throw SpaceError(source: source, location: location, field: "name",
                                 message: "'\(name)' is reserved for table columns; choose another name")
            }
            guard seen.insert(name).inserted else {
                throw SpaceError(source: source, location: location, field: "name", message: "the name '\(name)' is used twice")
            }
        }
    }

    /// Names usable as parameter, objective and CSV column names.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        let isLetter = { (c: Unicode.Scalar) in ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
    }
}
