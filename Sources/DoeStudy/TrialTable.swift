import DoeBase
import DoeDesign
import Foundation

/// The whole trial table, for Excel, pandas and scripts (`doe trials`).
public enum TrialTable {
    /// Parameters of a trial as an ordered JSON object.
    public static func paramsJSON(_ trial: Trial, space: DesignSpace) -> JSONValue {
        .object(zip(space.parameters, trial.params).map { ($0.0.name, $0.1.json) })
    }

    /// One trial as JSON: id, state, params, values, meta, generator and times.
    public static func json(_ t: Trial, space: DesignSpace) -> JSONValue {
        var members: [(String, JSONValue)] = [("id", .int(t.id)), ("state", .string(t.state.rawValue)),
                                              ("params", paramsJSON(t, space: space))]
        if t.state == .completed {
            members.append(("values", .object(space.outcomeNames.compactMap { o in t.values[o].map { (o, .double($0)) } })))
        }
        if t.state == .completed && !space.outcomeConstraints.isEmpty {
            members.append(("feasible", .bool(space.isFeasible(t.values))))
        }
        if !t.sems.isEmpty {
            members.append(("sems", .object(space.outcomeNames.compactMap { o in t.sems[o].map { (o, .double($0)) } })))
        }
        if !t.meta.isEmpty { members.append(("meta", .object(t.meta))) }
        members.append(("generator", .string(t.generator)))
        if let batch = t.batch { members.append(("batch", .int(batch))) }
        members.append(("suggested_at", .string(t.suggestedAt)))
        if let f = t.finishedAt { members.append(("finished_at", .string(f))) }
        if let r = t.reason { members.append(("reason", .string(r))) }
        if !t.changes.isEmpty {
            members.append(("changes", .array(t.changes.map { c in
                .object([("kind", .string(c.kind.rawValue)), ("at", .string(c.at)), ("by", .string(c.by)),
                         ("previous_state", .string(c.previousState.rawValue)),
                         ("previous", .object(space.outcomeNames.compactMap { o in c.previous[o].map { (o, .double($0)) } })),
                         ("values", .object(space.outcomeNames.compactMap { o in c.values[o].map { (o, .double($0)) } })),
                         ("reason", c.reason.map(JSONValue.string) ?? .null)])
            })))
        }
        return .object(members)
    }

    /// `{"trials": [...]}` for every trial.
    public static func json(_ state: StudyState, space: DesignSpace) -> JSONValue {
        .object([("trials", .array(state.trials.map { json($0, space: space) }))])
    }

    /// CSV with columns `id,state,<parameters>,<objectives>,<constrained metrics>[,feasible],generator,suggested_at,
    /// finished_at,reason,corrections,<meta keys>`
    /// (`corrections`: how many times the result was replaced).
    public static func csv(_ state: StudyState, space: DesignSpace) -> String {
        var metaKeys: [String] = []
        for t in state.trials { for (k, _) in t.meta where !metaKeys.contains(k) { metaKeys.append(k) } }
        let fixedColumns = Set(["id", "state", "generator", "suggested_at", "finished_at", "reason", "corrections"]
                               + space.parameters.map(\.name)
                               + space.outcomeNames + (space.outcomeConstraints.isEmpty ? [] : ["feasible"]))
        let metaColumns = metaKeys.filter { !fixedColumns.contains($0) }
        let feasibility = space.outcomeConstraints.isEmpty ? [] : ["feasible"]
        let header = ["id", "state"] + space.parameters.map(\.name) + space.outcomeNames + feasibility
            + ["generator", "suggested_at", "finished_at", "reason", "corrections"] + metaColumns
        var lines = [header.map(CSV.escape).joined(separator: ",")]
        for t in state.trials {
            var row = ["\(t.id)", t.state.rawValue] + t.params.map(\.description)
            row += space.outcomeNames.map { o in t.values[o].map { "\($0)" } ?? "" }
            if !feasibility.isEmpty { row.append(t.state == .completed ? "\(space.isFeasible(t.values))" : "") }
            row += [t.generator, t.suggestedAt, t.finishedAt ?? "", t.reason ?? "", "\(t.corrections)"]
            row += metaColumns.map { key in
                guard let v = t.meta.first(where: { $0.0 == key })?.1 else { return "" }
                return v.string ?? v.serialized
            }
            lines.append(row.map(CSV.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
