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
    var table = TextTable(["trial", "state"] + space.parameters.map(displayHeader) + space.objectives.map(\.name)
                          + ["generator", "finished", "reason"])
    for t in state.trials {
        table.add(["\(t.id)", t.state.rawValue] + t.params.map(displayValue)
                  + space.objectives.map { o in t.values[o.name].map { NumberText.significant($0) } ?? "" }
                  + [t.generator, t.finishedAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "",
                     t.reason ?? ""])
    }
    return table.rendered
}
