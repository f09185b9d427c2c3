import DoeBase
import Foundation
import Yams

extension DesignSpace {
    /// Reads a design space from a YAML or JSON file.
    /// - Throws: ``SpaceError`` naming the file, the parameter and the field.
    public static func load(contentsOf path: String) throws -> DesignSpace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpaceError(source: path, location: nil, field: nil, message: "cannot read the file (does it exist?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpaceError(source: path, location: nil, field: nil, message: "the file is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Parses a design space from YAML or JSON text.
    /// - Parameter source: the file name used in error messages.
    public static func parse(_ text: String, source: String = "<input>") throws -> DesignSpace {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw SpaceError(source: source, location: nil, field: nil, message: "not valid YAML/JSON: \(error)")
        }
        var parametersNode: Any?
        var objectivesNode: Any?
        var initialTrials: Int?
        var acquisition: AcquisitionKind?
        var kernel: KernelKind?
        var referenceNode: Any?
        var constraintsNode: Any?
        var parameterConstraintsNode: Any?
        var priorNode: Any?
        var goal: StudyGoal?
        if let list = document as? [Any] {
            parametersNode = list
        } else if let map = document as? [String: Any] {
            let allowed: Set<String> = ["parameters", "objectives", "initial_trials", "name", "description", "acquisition", "kernel",
                                        "reference_point", "constraints", "parameter_constraints", "prior",
                                        "goal"]
            if let unknown = map.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw SpaceError(source: source, location: nil, field: unknown,
                                 message: "unknown top-level field (expected \(allowed.sorted().joined(separator: ", ")))")
            }
            guard let p = map["parameters"] else {
                throw SpaceError(source: source, location: nil, field: "parameters", message: "missing")
            }
            parametersNode = p
            objectivesNode = map["objectives"]
            if let n = map["initial_trials"] {
                guard let v = n as? Int, v >= 1 else {
                    throw SpaceError(source: source, location: nil, field: "initial_trials",
                                     message: "must be a positive integer, got \(n)")
                }
                initialTrials = v
            }
            acquisition = try choice(map["acquisition"], field: "acquisition", source: source)
            kernel = try choice(map["kernel"], field: "kernel", source: source)
            goal = try choice(map["goal"], field: "goal", source: source)
            referenceNode = map["reference_point"]
            constraintsNode = map["constraints"]
            parameterConstraintsNode = map["parameter_constraints"]
            priorNode = map["prior"]
        } else {
            throw SpaceError(source: source, location: nil, field: nil,
                             message: "expected a list of parameters or an object with 'parameters:' and 'objectives:'")
        }
        guard let rawParameters = parametersNode as? [Any], !rawParameters.isEmpty else {
            throw SpaceError(source: source, location: nil, field: "parameters", message: "must be a non-empty list")
        }
        let parameters = try rawParameters.enumerated().map { try parseParameter($0.element, index: $0.offset + 1, source: source) }
        let objectives = try parseObjectives(objectivesNode, source: source)
        try checkNames(parameters: parameters, objectives: objectives, source: source)
        guard parameters.contains(where: \.isVaried) else {
            throw SpaceError(source: source, location: nil, field: "parameters",
                             message: "at least one parameter must vary (all are fixed)")
        }
        if acquisition == .qlognehvi && !(2...4).contains(objectives.count) {
            throw SpaceError(source: source, location: nil, field: "acquisition",
                             message: "qlognehvi needs two to four objectives, the file has \(objectives.count)")
        }
        var space = try DesignSpace(parameters: parameters, objectives: objectives, initialTrials: initialTrials)
        space.acquisition = acquisition
        space.kernel = kernel
        space.goal = goal
        if let parameterConstraintsNode {
            guard let list = parameterConstraintsNode as? [Any] else {
                throw SpaceError(source: source, location: nil, field: "parameter_constraints",
                                 message: "expected a list of expressions such as [\"thickness + 2*rib <= 12\"]")
            }
            space.parameterConstraints = try list.enumerated().map { index, item in
                guard let text = item as? String else {
                    throw SpaceError(source: source, location: "parameter_constraints #\(index + 1)", field: nil,
                                     message: "must be a string such as \"x1 * x2 <= 32\", got \(item)")
                }
                do { return try ParameterConstraint(parsing: text, parameters: parameters) } catch let error as ValueError {
                    throw SpaceError(source: source, location: "parameter_constraints #\(index + 1)", field: nil, message: error.message)
                }
            }
        }
        if let constraintsNode {
            space.outcomeConstraints = try parseOutcomeConstraints(constraintsNode, names: parameters.map(\.name) + objectives.map(\.name),
                                                                   source: source)
        }
        if let referenceNode { space.referencePoint = try parseReferencePoint(referenceNode, objectives: objectives, source: source) }
        if let priorNode { space.prior = try SimulationPrior.parse(priorNode, metrics: space.outcomeNames, source: source) }
        return space
    }

    /// `reference_point: {mass: 10, deflection: 2}`: a finite value for every objective, and only for objectives.
    private static func parseReferencePoint(_ node: Any, objectives: [Objective], source: String) throws -> [String: Double] {
        func fail(_ message: String) -> SpaceError { SpaceError(source: source, location: nil, field: "reference_point", message: message) }
        guard objectives.count >= 2 else { throw fail("a reference point is for two or more objectives (the hypervolume)") }
        guard let map = node as? [String: Any] else { throw fail("expected a mapping objective: value, e.g. {mass: 10, deflection: 2}") }
        var point: [String: Double] = [:]
        for key in map.keys.sorted() {
            guard objectives.contains(where: { $0.name == key }) else {
                throw fail("'\(key)' is not an objective (objectives: \(objectives.map(\.name).joined(separator: ", ")))")
            }
            let value = (map[key] as? Double) ?? (map[key] as? Int).map(Double.init)
            guard let value, value.isFinite else { throw fail("the value of '\(key)' must be a finite number, got \(map[key] ?? "null")") }
            point[key] = value
        }
        if let missing = objectives.first(where: { point[$0.name] == nil }) { throw fail("no value for objective '\(missing.name)'") }
        return point
    }

    /// `constraints: [{name: stress, max: 250}, {name: margin, min: 0, unit: mm}]`: names new to the space, at least one
    /// finite limit each, `min ≤ max`.
    private static func parseOutcomeConstraints(_ node: Any, names: [String], source: String) throws -> [OutcomeConstraint] {
        guard let list = node as? [Any] else {
            throw SpaceError(source: source, location: nil, field: "constraints",
                             message: "expected a list such as [{name: stress, max: 250}, {name: margin, min: 0}]")
        }
        var taken = Set(names)
        return try list.enumerated().map { index, item in
            var location = "constraint #\(index + 1)"
            func fail(_ field: String?, _ message: String) -> SpaceError {
                SpaceError(source: source, location: location, field: field, message: message)
            }
            guard let map = item as? [String: Any] else { throw fail(nil, "must be an object such as {name: stress, max: 250}") }
            if let unknown = map.keys.sorted().first(where: { !["name", "max", "min", "unit"].contains($0) }) {
                throw fail(unknown, "unknown field (expected name, max, min, unit)")
            }
            guard let name = map["name"] as? String, !name.isEmpty else { throw fail("name", "missing or not a string") }
            location = "constraint '\(name)' (#\(index + 1))"
            guard !reservedNames.contains(name) else { throw fail("name", "'\(name)' is reserved for a table column") }
            guard taken.insert(name).inserted else {
                throw fail("name", "'\(name)' is already a parameter, objective or constraint; a constrained metric needs its own name")
            }
            func limit(_ key: String) throws -> Double? {
                guard let raw = map[key] else { return nil }
                guard let value = number(raw), value.isFinite else { throw fail(key, "must be a finite number, got \(raw)") }
                return value
            }
            let max = try limit("max"), min = try limit("min")
            guard max != nil || min != nil else { throw fail(nil, "needs max, min or both") }
            if let max, let min, min > max { throw fail("min", "min \(min) is above max \(max): nothing is feasible") }
            if let unit = map["unit"], !(unit is String) { throw fail("unit", "must be a string") }
            return OutcomeConstraint(name: name, max: max, min: min, unit: map["unit"] as? String)
        }
    }

    /// A named choice (`acquisition`, `kernel`) of the file: one of the enum's names, or absent.
    private static func choice<T: RawRepresentable & CaseIterable>(_ raw: Any?, field: String, source: String) throws -> T?
        where T.RawValue == String {
        guard let raw else { return nil }
        guard let name = raw as? String, let value = T(rawValue: name) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw SpaceError(source: source, location: nil, field: field, message: "must be one of \(names), got \(raw)")
        }
        return value
    }

    private static func number(_ any: Any?) -> Double? {
        switch any {
        case let i as Int: return Double(i)
        case let d as Double: return d
        default: return nil
        }
    }

    private static func parseParameter(_ node: Any, index: Int, source: String) throws -> Parameter {
        guard let map = node as? [String: Any] else {
            throw SpaceError(source: source, location: "parameter #\(index)", field: nil,
                             message: "must be an object with 'name' and 'type'")
        }
        guard let name = map["name"] as? String else {
            throw SpaceError(source: source, location: "parameter #\(index)", field: "name", message: "missing or not a string")
        }
        let location = "parameter '\(name)' (#\(index))"
        func fail(_ field: String?, _ message: String) -> SpaceError {
            SpaceError(source: source, location: location, field: field, message: message)
        }
        guard let type = map["type"] as? String else { throw fail("type", "missing; use real, int, categorical or fixed") }
        let common: Set<String> = ["name", "type", "unit", "description"]
        let allowedByType: [String: Set<String>] = [
            "real": ["low", "high", "log"], "float": ["low", "high", "log"], "continuous": ["low", "high", "log"],
            "int": ["low", "high"], "integer": ["low", "high"],
            "categorical": ["choices"], "choice": ["choices"],
            "fixed": ["value"],
        ]
        guard let allowed = allowedByType[type] else {
            throw fail("type", "unknown type '\(type)'; use real, int, categorical or fixed")
        }
        if let unknown = map.keys.sorted().first(where: { !common.contains($0) && !allowed.contains($0) }) {
            throw fail(unknown, "not a field of a '\(type)' parameter "
                + "(allowed: \((common.union(allowed)).sorted().joined(separator: ", ")))")
        }
        let unit = map["unit"].map { "\($0)" }
        switch type {
        case "real", "float", "continuous":
            guard let low = number(map["low"]), low.isFinite else { throw fail("low", "missing or not a finite number") }
            guard let high = number(map["high"]), high.isFinite else { throw fail("high", "missing or not a finite number") }
            guard high > low else { throw fail("high", "must be greater than low (low \(low), high \(high))") }
            var logScale = false
            if let l = map["log"] {
                guard let b = l as? Bool else { throw fail("log", "must be true or false") }
                logScale = b
            }
            if logScale && low <= 0 { throw fail("low", "must be > 0 with log: true (got \(low))") }
            return Parameter(name: name, domain: .real(low: low, high: high, logScale: logScale), unit: unit)
        case "int", "integer":
            guard let low = map["low"] as? Int else { throw fail("low", "missing or not an integer") }
            guard let high = map["high"] as? Int else { throw fail("high", "missing or not an integer") }
            guard high >= low else { throw fail("high", "must be at least low (low \(low), high \(high))") }
            guard high - low < 1 << 52 else { throw fail("high", "range too large") }
            return Parameter(name: name, domain: .integer(low: low, high: high), unit: unit)
        case "categorical", "choice":
            guard let list = map["choices"] as? [Any], !list.isEmpty else { throw fail("choices", "must be a non-empty list") }
            var choices: [ParameterValue] = []
            for (i, item) in list.enumerated() {
                guard let value = scalarValue(item) else { throw fail("choices", "choice #\(i + 1) must be a number or a string") }
                if choices.contains(where: { $0.matches(value) || $0.description == value.description }) {
                    throw fail("choices", "choice '\(value)' is listed twice")
                }
                choices.append(value)
            }
            return Parameter(name: name, domain: .categorical(choices: choices), unit: unit)
        default: // fixed
            guard let raw = map["value"], let value = scalarValue(raw) else { throw fail("value", "missing, or not a number or string") }
            if let n = value.number, !n.isFinite { throw fail("value", "must be finite") }
            return Parameter(name: name, domain: .fixed(value), unit: unit)
        }
    }

    private static func scalarValue(_ any: Any) -> ParameterValue? {
        switch any {
        case let i as Int: return .integer(i)
        case let d as Double: return d.isFinite ? .real(d) : nil
        case let s as String: return .text(s)
        case let b as Bool: return .text(b ? "true" : "false")
        default: return nil
        }
    }

    private static func parseObjectives(_ node: Any?, source: String) throws -> [Objective] {
        guard let node else { return [Objective(name: "value", direction: .minimize)] }
        func direction(_ raw: Any?, location: String) throws -> Direction {
            guard let raw else { return .minimize }
            guard let s = raw as? String, let d = Direction(rawValue: s.lowercased()) else {
                throw SpaceError(source: source, location: location, field: "direction",
                                 message: "must be minimize or maximize, got \(raw)")
            }
            return d
        }
        if let map = node as? [String: Any] {  // shorthand: {mass: minimize, stiffness: maximize}
            return try map.keys.sorted().map { Objective(name: $0, direction: try direction(map[$0], location: "objective '\($0)'")) }
        }
        guard let list = node as? [Any], !list.isEmpty else {
            throw SpaceError(source: source, location: nil, field: "objectives", message: "must be a non-empty list")
        }
        return try list.enumerated().map { i, item in
            if let name = item as? String { return Objective(name: name, direction: .minimize) }
            guard let m = item as? [String: Any], let name = m["name"] as? String else {
                throw SpaceError(source: source, location: "objective #\(i + 1)", field: "name", message: "missing or not a string")
            }
            let location = "objective '\(name)' (#\(i + 1))"
            if let unknown = m.keys.sorted().first(where: { !["name", "direction", "goal", "unit", "description"].contains($0) }) {
                throw SpaceError(source: source, location: location, field: unknown, message: "unknown field (use name, direction, unit)")
            }
            if let unit = m["unit"], !(unit is String) {
                throw SpaceError(source: source, location: location, field: "unit", message: "must be a string such as kg or MPa")
            }
            let unit = (m["unit"] as? String).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            return Objective(name: name, direction: try direction(m["direction"] ?? m["goal"], location: location), unit: unit)
        }
    }
}
