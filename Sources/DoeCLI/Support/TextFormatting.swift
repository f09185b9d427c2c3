import DoeBase
import DoeDesign
import DoeStudy
import Foundation

/// A parameter value for text output: reals to 6 significant digits (JSON and CSV keep every digit).
func displayValue(_ value: ParameterValue) -> String {
    if case let .real(d) = value { return NumberText.significant(d) }
    return value.description
}

/// A column header with the parameter's unit: `width [mm]`.
func displayHeader(_ parameter: Parameter) -> String {
    parameter.unit.map { "\(parameter.name) [\($0)]" } ?? parameter.name
}

/// `width = 22.7476 mm, height = 40 mm, material = steel`.
func displayAssignment(_ params: [ParameterValue], space: DesignSpace, separator: String = ", ") -> String {
    zip(space.parameters, params).map { p, v in
        if case .text = v { return "\(p.name) = \(v)" }
        return "\(p.name) = \(displayValue(v))\(p.unit.map { " " + $0 } ?? "")"
    }.joined(separator: separator)
}

/// The trial table as aligned text columns (`doe trials --format text`).
func trialTextTable(_ state: StudyState, space: DesignSpace) -> String {
    var table = TextTable(["trial", "state"] + space.parameters.map(displayHeader) + space.objectives.map(\.header)
                          + ["generator", "finished", "corrections", "reason"])
    for t in state.trials {
        table.add(["\(t.id)", t.state.rawValue] + t.params.map(displayValue)
                  + space.objectives.map { o in t.values[o.name].map { NumberText.significant($0) } ?? "" }
                  + [t.generator, t.finishedAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "",
                     t.corrections == 0 ? "" : "\(t.corrections)",
                     t.reason ?? ""])
    }
    return table.rendered
}

/// `mass 0.83 → 0.91 kg`, or `withdrew mass 0.83 kg — sample contaminated`.
func changeText(_ c: ResultChange, space: DesignSpace) -> String {
    func values(_ v: [String: Double]) -> [String] {
        space.objectives.compactMap { o in v[o.name].map { "\(o.name) \(NumberText.significant($0))\(o.unit.map { " " + $0 } ?? "")" } }
    }
    let reason = c.reason.map { " — \($0)" } ?? ""
    if c.kind == .retracted { return "withdrew " + values(c.previous).joined(separator: ", ") + reason }
    let before = c.previous.isEmpty ? "(\(c.previousState.rawValue), no value)" : values(c.previous).joined(separator: ", ")
    return before + " → " + values(c.values).joined(separator: ", ") + reason
}
