import DoeDesign
import DoePlot
import DoeStudy
import DoeStrategies
import Foundation

/// Where a report's data came from, printed at its top (traceability: which journal bytes it shows).
public struct ReportProvenance: Sendable {
    /// When the report was made, as text (doe passes `Timestamp.now()`, UTC ISO 8601).
    public var generatedAt: String
    /// Version of the doe that made the report.
    public var doeVersion: String
    /// The journal or model directory the report reads.
    public var source: String
    /// SHA-256 of the journal bytes (or of the model's weights).
    public var sha256: String

    /// Provenance from its four texts.
    public init(generatedAt: String, doeVersion: String, source: String, sha256: String) {
        self.generatedAt = generatedAt
        self.doeVersion = doeVersion
        self.source = source
        self.sha256 = sha256
    }
}

/// The HTML report of a study: summary, convergence, the Pareto front (two or more objectives), parallel
/// coordinates, the GP's view of each objective (importance, Sobol indices, slices), pending and failed trials, notes.
public enum StudyReport {
    /// The page as one self-contained HTML document.
    public static func html(_ a: StudyAnalysis, provenance: ReportProvenance) -> String {
        var page = HTMLPage(title: "doe report — study \(a.name)")
        let space = a.space
        page.heading("Study \(a.name)", level: 1)
        page.paragraph("Generated \(provenance.generatedAt) by doe \(provenance.doeVersion) from \(provenance.source) "
            + "(SHA-256 \(provenance.sha256), \(a.state.recordCount) records).", cssClass: "meta")
        summarySection(a, space: space, page: &page)
        convergenceSection(a, space: space, page: &page)
        frontSection(a, space: space, page: &page)
        parallelSection(a, space: space, page: &page)
        modelSection(a, space: space, page: &page)
        pendingSection(a, space: space, page: &page)
        failedSection(a, space: space, page: &page)
        changesSection(a, space: space, page: &page)
        trialsSection(a, space: space, page: &page)
        notesSection(a, page: &page)
        return page.html
    }

    // MARK: - Sections

    /// Writes the "summary" section: facts about the space, trials and phase, and the best (Pareto-optimal) trials.
    private static func summarySection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("summary")
        page.heading("Summary")
        page.facts(summaryFacts(a, space: space))
        if a.summary.best.isEmpty {
            page.paragraph("No completed trials yet: nothing to plot about the objective. "
                + "Run `doe suggest` and record results with `doe observe`.", cssClass: "note")
        } else {
            page.heading(space.objectives.count == 1 ? "Best trial" : "Pareto-optimal trials", level: 3)
            page.table(["trial"] + space.objectives.map(\.header) + space.parameters.map(\.name),
                       a.summary.best.map { t in
                           ["\(t.id)"] + space.objectives.map { Format.g(t.values[$0.name] ?? .nan, 6) } + t.params.map(Format.value)
                       },
                       id: "best", numeric: Set(0...space.objectives.count))
        }
        page.closeSection()
    }

    /// The fact list of the "summary" section: parameters, objectives, trial counts, batches, phase, surrogate.
    private static func summaryFacts(_ a: StudyAnalysis, space: DesignSpace) -> [(String, String)] {
        var facts: [(String, String)] = [
            ("Parameters", "\(space.parameters.count) (\(space.dimension) varied): "
                + space.parameters.map { describe($0) }.joined(separator: "; ")),
            ("Objectives", space.objectives.map { "\($0.header) (\($0.direction.rawValue))" }.joined(separator: ", ")),
            ("Trials", TrialState.allCases.map { "\(a.summary.counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")),
            ("Batches", "\(a.batches.count) suggest call\(a.batches.count == 1 ? "" : "s")"),
            ("Phase", a.summary.initialDesignTaken < a.summary.initialDesignSize
                ? "initial design (Sobol): \(a.summary.initialDesignTaken) of \(a.summary.initialDesignSize) taken"
                : "initial design complete (\(a.summary.initialDesignSize) trials); Bayesian optimization (GP)"),
        ]
        if let path = a.surrogatePath { facts.append(("Surrogate", path)) }
        return facts
    }

    /// Writes the "convergence" section: one convergence chart per objective (the front has its own section).
    private static func convergenceSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("convergence")
        page.heading("Convergence")
        for (k, view) in a.objectives.enumerated() {
            guard !view.observations.isEmpty else {
                page.paragraph("\(view.objective.name): no observations yet.", cssClass: "note")
                continue
            }
            page.figure(convergenceChart(view, batches: a.batches, id: "convergence-\(k)", constrained: !space.outcomeConstraints.isEmpty),
                        caption: "Each completed trial by id (marker = how it was proposed), the best value so far, "
                            + "and the suggest calls as alternating shaded bands.")
        }
        page.closeSection()
    }

    /// Writes the "parallel" section: the parallel-coordinates plot of all trials.
    private static func parallelSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("parallel")
        page.heading("All trials")
        if let svg = parallelCoordinates(a) {
            page.figure(svg, caption: "One line per trial through its parameter values and \(space.objectives[0].name), "
                + "coloured by \(space.objectives[0].name) (light = high); pending trials grey and dashed; the best trial thick.")
        } else {
            page.paragraph("No trials yet.", cssClass: "note")
        }
        page.closeSection()
    }

    /// Writes the "model" section: what the GP has learned, one subsection per objective.
    private static func modelSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("model")
        page.heading("What the Gaussian process has learned")
        for view in a.objectives {
            objectiveModel(view, space: space, page: &page)
        }
        page.closeSection()
    }

    /// Writes one objective's subsection of the "model" section: the GP's facts, parameter importance and slices.
    private static func objectiveModel(_ view: StudyAnalysis.ObjectiveView, space: DesignSpace, page: inout HTMLPage) {
        page.heading(view.objective.name, level: 3)
        guard let model = view.model else {
            page.paragraph("\(view.objective.name): \(view.modelNote ?? "no model")." , cssClass: "note")
            return
        }
        let s = model.summary
        page.facts([
            ("Model", "GP, \(s.kernel.rawValue) kernel, \(s.outputTransform == .log ? "log-warped" : "plain") outputs, "
                + "\(s.observations) completed trials"),
            ("Leave-one-out", "RMSE \(Format.g(s.looRMSE)), R² \(Format.g(s.looR2, 3))"),
            ("Noise sd", Format.g(s.noiseStd)),
            ("Slices through", "trial \(model.throughTrial) (the best)"),
        ])
        let varied = space.parameters.enumerated().filter { $0.element.isVaried }
        var series = [BarSeries("lengthscale importance (1/ℓ, normalized)", varied.map { s.importance[$0.offset] ?? .nan })]
        if let sobol = model.sensitivity {
            series.append(BarSeries("Sobol first-order (GP mean)", sobol.firstOrder.map { max($0, 0) }))
            series.append(BarSeries("Sobol total (GP mean)", sobol.total.map { max($0, 0) }))
        }
        if let sobol = view.surrogateSensitivity {
            series.append(BarSeries("Sobol total (neural surrogate)", sobol.total.map { max($0, 0) }))
        }
        var bars = HorizontalBars(title: "Parameter importance for \(view.objective.name)", valueLabel: "share",
                                  labels: varied.map(\.element.name), series: series)
        bars.id = "importance-\(view.objective.name)"
        page.figure(bars.svg(), caption: "Importance from the fitted lengthscales and, where the GP mean varies, "
            + "Sobol indices of the GP mean (\(model.sensitivity?.samples ?? 0) base samples); "
            + "first-order = the parameter alone, total = with its interactions.")
        page.openGrid()
        for (k, slice) in model.slices.enumerated() {
            page.figure(sliceChart(slice, objective: view.objective, id: "slice-\(view.objective.name)-\(k)"), cssClass: "figure slice")
        }
        page.closeGrid()
        page.paragraph("Each slice varies one parameter with the others held at trial \(model.throughTrial); "
            + "the band is ±2σ of the GP (noise excluded)"
            + "\(s.outputTransform == .log ? ", mapped back through the log warping (so the line is the median)" : ""). "
            + "The diamond is the best trial's observed value.", cssClass: "meta")
    }

    /// Writes the "pending" section: the table of pending trials.
    private static func pendingSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("pending")
        page.heading("Pending trials")
        if a.summary.pending.isEmpty {
            page.paragraph("None.", cssClass: "meta")
        } else {
            page.table(["trial", "batch", "age", "suggested by", "generator"] + space.parameters.map(\.name),
                       a.summary.pending.map { p in ["\(p.trial.id)", p.trial.batch.map(String.init) ?? "", age(p.ageSeconds),
                                                     p.trial.suggestedBy, p.trial.generator] + p.trial.params.map(Format.value) },
                       id: "pending-table", numeric: [0, 1])
        }
        page.closeSection()
    }

    /// Writes the "changes" section: every corrected (`observe --replace`) and retracted result, old and new values.
    private static func changesSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("changes")
        page.heading("Corrections and retractions")
        let rows = a.state.trials.flatMap { t in
            t.changes.map { c in
                ["\(t.id)", c.kind.rawValue, c.at, c.by, c.previous.isEmpty ? c.previousState.rawValue : values(c.previous, space: space),
                 c.kind == .retracted ? "—" : values(c.values, space: space), c.reason ?? ""]
            }
        }
        if rows.isEmpty {
            page.paragraph("None: every result is as first recorded.", cssClass: "meta")
        } else {
            page.paragraph("The journal keeps every version; models use the latest result and leave retracted ones out.", cssClass: "note")
            page.table(["trial", "change", "at", "by", "before", "after", "reason"], rows, id: "changes-table", numeric: [0])
        }
        page.closeSection()
    }

    /// Writes the "trials" section: every trial with its state, values (with units), parameters, corrections and
    /// metadata columns.
    private static func trialsSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("trials")
        page.heading("All trials")
        var metaKeys: [String] = []
        for t in a.state.trials { for (k, _) in t.meta where !metaKeys.contains(k) { metaKeys.append(k) } }
        let rows = a.state.trials.map { t in
            ["\(t.id)", t.state.rawValue] + space.objectives.map { o in t.values[o.name].map { Format.g($0, 6) } ?? "" }
                + t.params.map(Format.value)
                + ["\(t.corrections)", t.reason ?? ""]
                + metaKeys.map { key in t.meta.first { $0.0 == key }.map { $0.1.string ?? $0.1.serialized } ?? "" }
        }
        page.table(["trial", "state"] + space.objectives.map(\.header) + space.parameters.map(\.name) + ["corrections", "reason"]
                   + metaKeys.map { "meta: " + $0 }, rows, id: "trials-table",
                   numeric: Set(0...(1 + space.objectives.count)).subtracting([1]))
        page.closeSection()
    }

    static func values(_ v: [String: Double], space: DesignSpace) -> String {
        space.objectives.compactMap { o in v[o.name].map { "\(o.name) \(Format.g($0, 6))\(o.unit.map { " " + $0 } ?? "")" } }
            .joined(separator: ", ")
    }

    /// Writes the "failed" section: the table of failed, abandoned and retracted trials.
    private static func failedSection(_ a: StudyAnalysis, space: DesignSpace, page: inout HTMLPage) {
        page.openSection("failed")
        page.heading("Failed, abandoned and retracted trials")
        if a.summary.failed.isEmpty {
            page.paragraph("None.", cssClass: "meta")
        } else {
            page.table(["trial", "state", "reason", "finished", "by"] + space.parameters.map(\.name),
                       a.summary.failed.map { t in ["\(t.id)", t.state.rawValue, t.reason ?? "", t.finishedAt ?? "", t.finishedBy ?? ""]
                                                   + t.params.map(Format.value) },
                       id: "failed-table", numeric: [0])
        }
        page.closeSection()
    }

    /// Writes the "notes" section (only when the journal has notes): the table of notes.
    private static func notesSection(_ a: StudyAnalysis, page: inout HTMLPage) {
        if !a.state.notes.isEmpty {
            page.openSection("notes")
            page.heading("Notes")
            page.table(["time", "note"], a.state.notes.map { [$0.timestamp, $0.text] })
            page.closeSection()
        }
    }

    // MARK: - Charts

    static func convergenceChart(_ view: StudyAnalysis.ObjectiveView, batches: [StudyAnalysis.Batch], id: String,
                                 constrained: Bool = false) -> String {
        let o = view.objective
        var chart = Chart(title: "Convergence of \(o.name) (\(o.direction.rawValue))", xLabel: "trial", yLabel: o.name)
        chart.id = id
        chart.cssClass = "convergence"
        chart.width = 760
        let ids = view.observations.map { Double($0.trial) }
        let maxId = (ids.max() ?? 1), minId = ids.min() ?? 1
        chart.xDomain = (minId - 0.5)...(maxId + 0.5)
        let shaded = batches.filter { $0.number % 2 == 0 }.map { (Double($0.trials.min()!) - 0.5, Double($0.trials.max()!) + 0.5) }
        if !shaded.isEmpty { chart.spans(shaded, fill: "#ececec", label: "every other batch") }
        // a step line for best-so-far
        var sx: [Double] = [], sy: [Double] = []
        for (k, o) in view.observations.enumerated() where view.bestSoFar[k].isFinite {
            if k > 0, view.bestSoFar[k - 1].isFinite { sx.append(Double(o.trial)); sy.append(view.bestSoFar[k - 1]) }
            sx.append(Double(o.trial)); sy.append(view.bestSoFar[k])
        }
        if let last = view.bestSoFar.last, last.isFinite { sx.append(maxId + 0.5); sy.append(last) }
        if !sx.isEmpty {
            let label = constrained ? "best feasible so far" : "best so far"
            chart.line(x: sx, y: sy, style: SeriesStyle(stroke: "#d55e00", width: 2.2), label: label)
        }
        let groups: [(String, (String) -> Bool, SeriesStyle)] = [
            ("Sobol design", { $0 == "sobol" }, SeriesStyle(stroke: "#1b2a49", fill: "#ffffff", marker: .circle, markerSize: 3.8)),
            ("GP suggestion", { $0.hasPrefix("gp") }, SeriesStyle(stroke: "#1b2a49", fill: "#1b2a49", marker: .square, markerSize: 3.2)),
            ("imported", { $0 == "import" }, SeriesStyle(stroke: "#1b2a49", fill: "#56b4e9", marker: .diamond, markerSize: 4)),
            ("other", { $0 != "sobol" && !$0.hasPrefix("gp") && $0 != "import" },
             SeriesStyle(stroke: "#1b2a49", fill: "#cccccc", marker: .triangle, markerSize: 4)),
        ]
        for (label, test, style) in groups {
            let points = view.observations.filter { test($0.generator) }
            guard !points.isEmpty else { continue }
            chart.scatter(x: points.map { Double($0.trial) }, y: points.map(\.value), style: style,
                          tooltips: points.map { "trial \($0.trial)\($0.batch.map { ", batch \($0)" } ?? ""): "
                              + "\(Format.g($0.value, 6)) (\($0.generator))" }, label: label)
        }
        return chart.svg()
    }

    static func sliceChart(_ slice: StudyAnalysis.Slice, objective: Objective, id: String) -> String {
        let p = slice.parameter
        var chart = Chart(title: p.name, xLabel: p.name + (p.unit.map { " [\($0)]" } ?? ""), yLabel: objective.name)
        chart.width = 360
        chart.height = 250
        chart.id = id
        chart.cssClass = "slice"
        chart.xLogarithmic = slice.logarithmic
        if let categories = slice.categories {
            chart.xCategories = categories
            chart.xDomain = -0.5...(Double(categories.count) - 0.5)
            chart.errorBars(x: slice.x, lower: slice.lower, upper: slice.upper, style: SeriesStyle(stroke: "#56b4e9", width: 6))
            chart.scatter(x: slice.x, y: slice.mean, style: SeriesStyle(stroke: "#1b2a49", fill: "#1b2a49", marker: .square))
        } else {
            if case let .real(low, high, _) = p.domain { chart.xDomain = low...high }
            if case let .integer(low, high) = p.domain { chart.xDomain = Double(low)...Double(high) }
            chart.band(x: slice.x, lower: slice.lower, upper: slice.upper, fill: "#9ecae1", opacity: 0.6)
            chart.line(x: slice.x, y: slice.mean, style: SeriesStyle(stroke: "#1b2a49", width: 1.8))
        }
        chart.scatter(x: [slice.bestX], y: [slice.bestValue],
                      style: SeriesStyle(stroke: "#222222", fill: "#d55e00", marker: .diamond, markerSize: 5),
                      tooltips: ["best trial: \(Format.g(slice.bestValue, 6))"])
        return chart.svg()
    }

    static func parallelCoordinates(_ a: StudyAnalysis) -> String? {
        let shown = a.state.trials.filter { $0.state == .completed || $0.state == .pending }
        guard !shown.isEmpty else { return nil }
        let objective = a.space.objectives[0]
        var axes: [ParallelCoordinates.Axis] = []
        for (index, p) in a.space.parameters.enumerated() where p.isVaried {
            switch p.domain {
            case let .real(low, high, log):
                axes.append(.init(name: p.name, values: shown.map { $0.params[index].number ?? .nan }, low: low, high: high,
                                  logarithmic: log))
            case let .integer(low, high):
                axes.append(.init(name: p.name, values: shown.map { $0.params[index].number ?? .nan }, low: Double(low),
                                  high: Double(high)))
            case let .categorical(choices):
                axes.append(.init(name: p.name, values: shown.map { p.numericValue(of: $0.params[index]) ?? 0 },
                                  low: 0, high: Double(choices.count - 1), categories: choices.map(\.description)))
            case .fixed: break
            }
        }
        for o in a.space.objectives {
            let values = shown.map { $0.values[o.name] ?? .nan }
            let finite = values.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            axes.append(.init(name: o.name, values: values, low: lo, high: hi > lo ? hi : lo + 1))
        }
        var plot = ParallelCoordinates(title: "Parameters and objectives of every trial", axes: axes,
                                       colorValues: shown.map { $0.values[objective.name] ?? .nan }, colorLabel: objective.name)
        plot.id = "parallel-coordinates"
        plot.higherIsBetter = objective.direction == .maximize
        let bestIds = Set(a.summary.best.map(\.id))
        plot.highlighted = Set(shown.indices.filter { bestIds.contains(shown[$0].id) })
        plot.tooltips = shown.map { t in
            "trial \(t.id) (\(t.state.rawValue))" + (t.values[objective.name].map { ": \(objective.name) = \(Format.g($0, 6))" } ?? "")
        }
        return plot.svg()
    }

    static func describe(_ p: Parameter) -> String {
        let unit = p.unit.map { " \($0)" } ?? ""
        switch p.domain {
        case let .real(low, high, log): return "\(p.name) ∈ [\(Format.g(low)), \(Format.g(high))]\(unit)\(log ? " (log)" : "")"
        case let .integer(low, high): return "\(p.name) ∈ {\(low)…\(high)}\(unit)"
        case let .categorical(choices): return "\(p.name) ∈ {\(choices.map(\.description).joined(separator: ", "))}"
        case let .fixed(v): return "\(p.name) = \(v.description)\(unit) (fixed)"
        }
    }

    static func age(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds)) s" }
        if seconds < 7200 { return "\(Int(seconds / 60)) min" }
        if seconds < 172_800 { return String(format: "%.1f h", seconds / 3600) }
        return String(format: "%.1f days", seconds / 86400)
    }
}
