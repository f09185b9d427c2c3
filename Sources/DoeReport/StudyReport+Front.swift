import DoeBase
import DoeDesign
import DoePlot
import DoeStrategies
import DoeStudy
import Foundation

/// The "front" section of a study report with two or more objectives: the feasible Pareto front (two objectives:
/// a scatter with the region it dominates shaded up to the reference point; three or four: a scatter matrix of
/// every pair), infeasible trials apart, and the hypervolume after each batch.
extension StudyReport {
    /// Writes the section (nothing with one objective).
    static func frontSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        let objectives = space.objectives
        guard objectives.count >= 2 else { return }
        page.openSection("front")
        page.heading("Pareto front")
        let done = a.state.trials(in: .completed)
        let feasible = done.filter { space.isFeasible($0.values) }
        let infeasible = done.filter { !space.isFeasible($0.values) }
        guard let hypervolume = StudyHypervolume(trials: feasible, space: space) else {
            page.paragraph(done.isEmpty ? "No completed trials yet." : "No feasible completed trial yet: no front to draw.",
                           cssClass: "note")
            page.closeSection()
            return
        }
        let front = Set(StudySummary.best(feasible, objectives: objectives).map(\.id))
        page.paragraph("\(front.count) Pareto-optimal of \(feasible.count) feasible trials"
            + (infeasible.isEmpty ? "" : " (\(infeasible.count) infeasible, drawn as crosses)") + "; "
            + hypervolume.text(space: space) + ".")
        if objectives.count == 2 {
            page.figure(frontChart(feasible, infeasible, front: front, objectives[0], objectives[1],
                                   reference: hypervolume.reference, shade: true, id: "front-2d").svg(),
                        caption: "Feasible trials, the Pareto front (diamonds) and the region it dominates up to the reference "
                            + "point (shaded: its area is the hypervolume).")
        } else {
            let shown = Array(objectives.prefix(4))
            if objectives.count > 4 {
                page.paragraph("\(objectives.count) objectives: the pairs of the first four are drawn.", cssClass: "note")
            }
            for i in 0..<shown.count {
                for j in (i + 1)..<shown.count {
                    var chart = frontChart(feasible, infeasible, front: front, shown[i], shown[j],
                                           reference: [hypervolume.reference[i], hypervolume.reference[j]], shade: false,
                                           id: "front-\(shown[i].name)-\(shown[j].name)")
                    chart.width = 320
                    chart.height = 260
                    chart.legendPlacement = .insideTopRight
                    page.figure(chart.svg())
                }
            }
            page.paragraph("Scatter matrix: every pair of objectives; diamonds are Pareto-optimal in all \(objectives.count) "
                + "objectives (so some sit inside a pair's own front).", cssClass: "meta")
        }
        if let chart = hypervolumeChart(a, feasible: feasible, reference: hypervolume.reference, space: space) {
            page.figure(chart, caption: "Hypervolume of the feasible trials completed up to each batch, with the final "
                + "reference point throughout (so the batches compare).")
        }
        page.closeSection()
    }

    /// One pair of objectives: feasible trials, infeasible ones as crosses, the front, and for two objectives the
    /// dominated region shaded up to the reference point.
    static func frontChart(_ feasible: [Trial], _ infeasible: [Trial], front: Set<Int>, _ o1: Objective, _ o2: Objective,
                           reference: [Double], shade: Bool, id: String) -> Chart {
        var chart = Chart(title: "\(o1.name) vs \(o2.name)", xLabel: "\(o1.header) (\(o1.direction.rawValue))",
                          yLabel: "\(o2.header) (\(o2.direction.rawValue))")
        chart.id = id
        chart.cssClass = "front"
        func x(_ t: Trial) -> Double { t.values[o1.name] ?? .nan }
        func y(_ t: Trial) -> Double { t.values[o2.name] ?? .nan }
        let frontTrials = feasible.filter { front.contains($0.id) }
        if shade, let region = dominatedRegion(frontTrials.map { [x($0), y($0)] }, o1, o2, reference: reference) {
            chart.band(x: region.x, lower: region.lower, upper: region.upper, fill: "#56b4e9", opacity: 0.25, label: "dominated region")
        }
        chart.scatter(x: feasible.map(x), y: feasible.map(y), style: SeriesStyle(stroke: "#555555", fill: "#bbbbbb", marker: .circle),
                      tooltips: feasible.map { "trial \($0.id)" }, label: "feasible trials")
        if !infeasible.isEmpty {
            chart.scatter(x: infeasible.map(x), y: infeasible.map(y), style: SeriesStyle(stroke: "#999999", marker: .cross),
                          tooltips: infeasible.map { "trial \($0.id) (infeasible)" }, label: "infeasible")
        }
        chart.scatter(x: frontTrials.map(x), y: frontTrials.map(y),
                      style: SeriesStyle(stroke: "#1b2a49", fill: "#d55e00", marker: .diamond, markerSize: 5),
                      tooltips: frontTrials.map { "trial \($0.id) (Pareto-optimal)" }, label: "Pareto front")
        return chart
    }

    /// The staircase region between a two-objective front and the reference point, as a band over the first
    /// objective (any directions): `x`, `lower`, `upper` in the objectives' units; `nil` when no point beats the
    /// reference in both objectives.
    static func dominatedRegion(_ points: [[Double]], _ o1: Objective, _ o2: Objective,
                                reference: [Double]) -> (x: [Double], lower: [Double], upper: [Double])? {
        let s1 = o1.direction.sign * -1, s2 = o2.direction.sign * -1      // +1 when minimized
        let m = points.map { [s1 * $0[0], s2 * $0[1]] }.filter { $0[0] < s1 * reference[0] && $0[1] < s2 * reference[1] }
            .sorted { $0[0] < $1[0] }
        guard !m.isEmpty else { return nil }
        var xs: [Double] = [], level: [Double] = []
        var best = Double.infinity
        for (k, p) in m.enumerated() {
            best = min(best, p[1])
            let next = k + 1 < m.count ? m[k + 1][0] : s1 * reference[0]
            xs += [p[0], next]
            level += [best, best]
        }
        let ref2 = s2 * reference[1]
        let lower = level.map { min(s2 * $0, s2 * ref2) }, upper = level.map { max(s2 * $0, s2 * ref2) }
        return (xs.map { s1 * $0 }, lower, upper)
    }

    /// The hypervolume after each batch (trials completed and feasible among that batch and the earlier ones).
    static func hypervolumeChart(_ a: StudyAnalysis, feasible: [Trial], reference: [Double], space: DesignSpace) -> String? {
        guard !a.batches.isEmpty else { return nil }
        let signs = space.objectives.map { $0.direction == .minimize ? 1.0 : -1.0 }
        let byId = Dictionary(uniqueKeysWithValues: feasible.map { ($0.id, $0) })
        var seen: [[Double]] = []
        var x: [Double] = [], y: [Double] = []
        for batch in a.batches {
            for id in batch.trials {
                guard let t = byId[id] else { continue }
                seen.append(zip(space.objectives, signs).map { o, s in s * (t.values[o.name] ?? .nan) })
            }
            x.append(Double(batch.number))
            y.append(Hypervolume.minimizing(seen, reference: zip(reference, signs).map { $0 * $1 }))
        }
        var chart = Chart(title: "Hypervolume by batch", xLabel: "batch (suggest call)", yLabel: "hypervolume")
        chart.id = "hypervolume"
        chart.line(x: x, y: y, style: .series(0, width: 2, marker: .circle), label: "feasible trials so far")
        return chart.svg()
    }
}
