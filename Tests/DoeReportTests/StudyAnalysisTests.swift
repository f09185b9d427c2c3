import DoeDesign
@testable import DoeReport
import DoeStudy
import DoeStrategies
import Foundation
import Testing

/// A scratch directory with one study made from a space file.
struct StudyFixture {
    let directory: String
    let study: Study

    init(space: String, seed: UInt64 = 1) throws {
        directory = NSTemporaryDirectory() + "doe-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try space.write(toFile: directory + "/space.yaml", atomically: true, encoding: .utf8)
        study = try Study.create(name: "s", spaceFile: directory + "/space.yaml", in: directory + "/studies", seed: seed)
        study.onWarning = { _ in }
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Imports results at the given points (`params` by name) with `value` = f(params).
    func importPoints(_ points: [[String: Double]], _ f: ([String: Double]) -> Double) throws {
        let rows = points.enumerated().map { k, p in
            ResultRow(location: "point \(k)", id: nil, params: p.mapValues { .double($0) }, values: [("value", .double(f(p)))], meta: [])
        }
        try study.observe(rows)
    }

    func analysis() throws -> StudyAnalysis { try StudyAnalysis(space: study.space, state: try study.load()) }

    static let provenance = ReportProvenance(generatedAt: "2026-11-29T00:00:00.000Z", doeVersion: "test", source: "journal.jsonl", sha256: "0")
}

/// Every `<svg …>…</svg>` element of an HTML page.
func svgElements(_ html: String) -> [String] {
    var result: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        result.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return result
}

@Suite struct StudyAnalysisTests {
    @Test func batchesFollowSuggestCallsAndImportsHaveNone() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n  - {name: y, type: real, low: 0, high: 1}\n")
        defer { f.cleanUp() }
        _ = try f.study.suggest(count: 3)
        _ = try f.study.suggest(count: 2)
        try f.importPoints([["x": 0.5, "y": 0.5]]) { _ in 1 }
        _ = try f.study.suggest(count: 1)
        let state = try f.study.load()
        #expect(state.trials.map(\.batch) == [1, 1, 1, 2, 2, nil, 3])
        #expect(state.batchCount == 3)
        let a = try f.analysis()
        #expect(a.batches.map(\.trials) == [[1, 2, 3], [4, 5], [7]])
    }

    /// Journals written before the `batch` field: consecutive suggestions by one writer form one batch.
    @Test func batchesOfOlderJournalsAreInferred() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n")
        defer { f.cleanUp() }
        let created = try String(contentsOfFile: f.study.journalPath, encoding: .utf8)
        func suggested(_ id: Int, _ writer: String) -> String {
            #"{"v":1,"op":"trial_suggested","ts":"2026-01-01T00:00:00.000Z","writer":"\#(writer)","trial":\#(id),"params":{"x":0.\#(id)},"generator":"sobol"}"#
        }
        let observed = #"{"v":1,"op":"trial_observed","ts":"2026-01-01T00:00:01.000Z","writer":"a","trial":1,"values":{"value":1.0}}"#
        let lines = [suggested(1, "a"), suggested(2, "a"), suggested(3, "b"), observed, suggested(4, "a"), suggested(5, "a")]
        try (created + lines.joined(separator: "\n") + "\n").write(toFile: f.study.journalPath, atomically: true, encoding: .utf8)
        let state = try f.study.load()
        #expect(state.trials.map(\.batch) == [1, 1, 2, 3, 3])
        // new suggestions continue the numbering
        _ = try f.study.suggest(count: 2)
        #expect(try f.study.load().trials.suffix(2).map(\.batch) == [4, 4])
    }

    /// One parameter, a smooth function sampled at 13 points: the GP slice follows the function and its ±2σ band covers it.
    @Test func gpSliceFollowsAOneParameterFunction() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\nobjectives:\n  - {name: value, direction: minimize}\n")
        defer { f.cleanUp() }
        let truth = { (x: Double) in (x - 0.3) * (x - 0.3) + 0.1 * sin(6 * x) }
        try f.importPoints((0..<13).map { ["x": Double($0) / 12] }) { truth($0["x"]!) }
        let a = try f.analysis()
        let model = try #require(a.objectives[0].model)
        let slice = try #require(model.slices.first)
        #expect(slice.x.count == 81 && slice.x.first == 0 && slice.x.last == 1)
        var covered = 0
        for (k, x) in slice.x.enumerated() {
            #expect(abs(slice.mean[k] - truth(x)) < 0.02, "x = \(x): GP \(slice.mean[k]), truth \(truth(x))")
            #expect(slice.lower[k] <= slice.mean[k] && slice.mean[k] <= slice.upper[k])
            if slice.lower[k] <= truth(x) && truth(x) <= slice.upper[k] { covered += 1 }
        }
        #expect(covered >= 73, "the ±2σ band covers the function at \(covered) of 81 points")
        // the slice passes through the best trial, where the GP interpolates the observation
        let best = a.summary.best[0]
        #expect(slice.bestX == best.params[0].number)
        #expect(abs(slice.bestValue - best.values["value"]!) < 1e-12)
        #expect(model.throughTrial == best.id)
        let s = try #require(model.sensitivity)
        #expect(abs(s.firstOrder[0] - 1) < 0.02 && abs(s.total[0] - 1) < 0.02)
    }

    /// An additive function f = 4·x + y (x, y uniform): Sobol indices of the GP mean ≈ 16/17 and 1/17.
    @Test func gpSobolIndicesMatchAnAdditiveFunction() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n  - {name: y, type: real, low: 0, high: 1}\nobjectives:\n  - {name: value, direction: maximize}\n")
        defer { f.cleanUp() }
        let points = SobolSequence(dimension: 2, scrambleSeed: 3).points(count: 24).map { ["x": $0[0], "y": $0[1]] }
        try f.importPoints(points) { 4 * $0["x"]! + $0["y"]! }
        let model = try #require(try f.analysis().objectives[0].model)
        let s = try #require(model.sensitivity)
        #expect(abs(s.firstOrder[0] - 16.0 / 17) < 0.03 && abs(s.firstOrder[1] - 1.0 / 17) < 0.03, "\(s.firstOrder)")
        #expect(abs(s.total[0] - 16.0 / 17) < 0.03 && abs(s.total[1] - 1.0 / 17) < 0.03, "\(s.total)")
        #expect(model.summary.importance[0]! > model.summary.importance[1]!)
    }

    @Test func emptyStudyReportSaysSoAndIsWellFormed() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n")
        defer { f.cleanUp() }
        let a = try f.analysis()
        #expect(a.objectives[0].model == nil && a.objectives[0].observations.isEmpty && a.batches.isEmpty)
        let html = StudyReport.html(a, provenance: StudyFixture.provenance)
        #expect(html.contains("No completed trials yet"))
        #expect(html.contains("No trials yet."))
        for svg in svgElements(html) { #expect(SVGProbe.parse(svg).error == nil) }
        let notebook = try StudyNotebook.ipynb(a, provenance: StudyFixture.provenance, studyPathFromNotebook: "../s", absoluteStudyPath: "/s")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(notebook.utf8)) as? [String: Any])
        #expect(json["nbformat"] as? Int == 4 && json["nbformat_minor"] as? Int == 5)
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(cells.count > 8)
        #expect(Set(cells.compactMap { $0["id"] as? String }).count == cells.count)
    }

    @Test func failedOnlyStudyListsTheFailures() throws {
        let f = try StudyFixture(space: "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n")
        defer { f.cleanUp() }
        let trials = try f.study.suggest(count: 2)
        try f.study.fail(id: trials[0].id, reason: "mesh did not converge <b>")
        try f.study.abandon(id: trials[1].id, reason: nil)
        let a = try f.analysis()
        #expect(a.objectives[0].model == nil)
        #expect(a.objectives[0].modelNote?.contains("at least 3 completed trials") == true)
        let html = StudyReport.html(a, provenance: StudyFixture.provenance)
        #expect(html.contains("id=\"failed-table\""))
        #expect(html.contains("mesh did not converge &lt;b&gt;"))
        #expect(!html.contains("<b>"))
    }

    /// Integer, categorical, log-scaled and fixed parameters, two objectives, a pending trial and a hostile note.
    @Test func mixedSpaceWithTwoObjectives() throws {
        let f = try StudyFixture(space: """
        parameters:
          - {name: t, type: real, low: 1, high: 100, log: true, unit: mm}
          - {name: n, type: int, low: 2, high: 9}
          - {name: alloy, type: categorical, choices: [A356, "6061", Ti]}
          - {name: rig, type: fixed, value: 3}
        objectives:
          - {name: mass, direction: minimize}
          - {name: stiffness, direction: maximize}
        """)
        defer { f.cleanUp() }
        let alloys = ["A356", "6061", "Ti"]
        var rows: [ResultRow] = []
        for k in 0..<14 {
            let t = pow(10, 2 * Double(k) / 13), n = 2 + k % 8, alloy = alloys[k % 3]
            rows.append(ResultRow(location: "r\(k)", id: nil, params: ["t": .double(t), "n": .int(n), "alloy": .string(alloy)],
                                  values: [("mass", .double(t * Double(n) * (alloy == "Ti" ? 0.6 : 1))), ("stiffness", .double(log(t) + Double(n)))], meta: []))
        }
        try f.study.observe(rows)
        _ = try f.study.suggest(count: 1)
        try f.study.note("<script>alert(1)</script>")
        let a = try f.analysis()
        for view in a.objectives {
            let model = try #require(view.model, "\(view.objective.name): \(view.modelNote ?? "")")
            #expect(model.slices.count == 3)   // the fixed parameter has no slice
            #expect(model.slices[0].logarithmic)
            #expect(model.slices[1].x.allSatisfy { $0 == $0.rounded() } && model.slices[1].x == (2...9).map(Double.init))
            #expect(model.slices[2].categories == alloys)
        }
        let html = StudyReport.html(a, provenance: StudyFixture.provenance)
        #expect(html.contains("id=\"front-2d\"") && html.contains("id=\"hypervolume\""))
        #expect(html.contains("id=\"pending-table\""))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let svgs = svgElements(html)
        // 2 convergence, the front and the hypervolume by batch, parallel coordinates, per objective importance + 3 slices
        #expect(svgs.count == 2 + 2 + 1 + 2 * (1 + 3))
        for svg in svgs { #expect(SVGProbe.parse(svg).error == nil) }
    }
}

/// The notebook templates: percent-format cells, one-pass placeholders, errors for what is missing.
@Suite struct NotebookTemplateTests {
    @Test func cellsAndPlaceholdersAreReadAsWritten() throws {
        let template = NotebookTemplate(text: "# %% [markdown]\n# # Title {{name}}\n#\n# text\n\n# %%\nx = {{value}}\nprint(x)\n\n# %%\ny = 1\n")
        #expect(template.cells.map(\.kind) == ["markdown", "code", "code"])
        #expect(template.cells[0].text == "# Title {{name}}\n\ntext" && template.cells[1].text == "x = {{value}}\nprint(x)")
        // inserted text is not searched again
        #expect(try NotebookTemplate.substitute("a {{k}} b", ["k": "{{k}}"]) == "a {{k}} b")
        #expect { try NotebookTemplate.substitute("{{missing}}", [:]) } throws: { "\($0)".contains("no value for {{missing}}") }
        #expect { try NotebookTemplate.substitute("{{open", [:]) } throws: { "\($0)".contains("without '}}'") }
    }

    @Test func theShippedTemplatesHaveTheirCellsAndNoUnknownKeys() throws {
        let study = try NotebookTemplate.named("study"), model = try NotebookTemplate.named("model")
        #expect(study.cells.count == 18 && model.cells.count == 9)
        #expect(study.cells.filter { $0.kind == "data" }.count == 1, "one collapsed data cell holds the embedded JSON")
        let keys = Set((study.cells + model.cells).flatMap { $0.text.matches(of: #/\{\{(\w+)\}\}/#).map { String($0.1) } })
        #expect(keys == ["name", "generated_at", "doe_version", "source", "sha256", "record_count", "study_path", "absolute_study_path",
                         "space_json", "doe_json", "model_path", "absolute_model_path"])
    }
}
