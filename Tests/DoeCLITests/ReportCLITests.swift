import Foundation
import Testing

/// Runs a study loop through the CLI: `rounds` suggest calls of `batch` trials, observed with `f` (parameters by name).
func runLoop(_ cli: CLI, study: String, rounds: Int, batch: Int, _ f: ([String: Double]) -> Double) throws {
    for _ in 0..<rounds {
        let doc = try #require(try cli.json(try cli.ok(["suggest", study, "--batch", "\(batch)", "--json"])) as? [String: Any])
        var results: [[String: Any]] = []
        for t in try #require(doc["trials"] as? [[String: Any]]) {
            let p = try #require(t["params"] as? [String: Any]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            results.append(["id": t["id"]!, "value": f(p)])
        }
        try cli.write("r.json", String(decoding: try JSONSerialization.data(withJSONObject: ["results": results]), as: UTF8.self))
        try cli.ok(["observe", study, "--results", "r.json"])
    }
}

/// Reports opened in headless Chromium (Debian's chromium-headless-shell, $DOE_TEST_CHROMIUM) and notebooks validated
/// and executed with nbformat/nbconvert (the venv of $DOE_TEST_PYTHON); `make test` sets both.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] != nil && ProcessInfo.processInfo.environment["DOE_TEST_CHROMIUM"] != nil,
                "needs DOE_TEST_PYTHON and DOE_TEST_CHROMIUM (make test sets them)"))
struct ReportBrowserTests {
    static let python = ProcessInfo.processInfo.environment["DOE_TEST_PYTHON"] ?? "python3"
    static let chromium = ProcessInfo.processInfo.environment["DOE_TEST_CHROMIUM"] ?? "chromium-headless-shell"
    static let scripts = SurrogateCLITests.root + "/Tests/report/"

    /// Opens `html` in Chromium: returns the checker's JSON report (exit status, parsed output).
    static func checkHTML(_ html: String, expect: [String], screenshot: String) throws -> (Int32, [String: Any]) {
        let (status, output) = try runProcess(python, [scripts + "check_html.py", html, "--chromium", chromium, "--screenshot", screenshot]
                                                   + expect.flatMap { ["--expect", $0] })
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        return (status, (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["raw": output])
    }

    static func checkNotebook(_ notebook: String, minImages: Int) throws -> (Int32, [String: Any]) {
        let (status, output) = try runProcess(python, [scripts + "check_notebook.py", notebook, "--min-images", "\(minImages)"])
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        return (status, (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["raw": output])
    }

    enum Scenario: String, CaseIterable, Sendable {
        case loop, empty, failedOnly, oneParameter, mixed, constrainedTwoObjectives, threeObjectives
    }

    /// Study reports of a real loop (with a pending and a failed trial), an empty study, a study with failed trials
    /// only and a one-parameter study: the page renders with its SVG charts and no console errors, the screenshot is
    /// not blank, printing works; the notebook validates, executes end to end and draws its figures.
    @Test(arguments: Scenario.allCases)
    func studyReportRendersAndNotebookExecutes(scenario: Scenario) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        var expect: [String] = []
        var minImages = 0
        switch scenario {
        case .loop:
            try cli.write("space.yaml", "parameters:\n  - {name: x1, type: real, low: -5, high: 10}\n  - {name: x2, type: real, low: 0, high: 15}\nobjectives:\n  - {name: cost, direction: minimize}\n")
            try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "4"])
            try runLoop(cli, study: "s", rounds: 4, batch: 3) { p in   // Branin
                let x1 = p["x1"]!, x2 = p["x2"]!
                let a = x2 - 5.1 / (4 * .pi * .pi) * x1 * x1 + 5 / .pi * x1 - 6
                return a * a + 10 * (1 - 1 / (8 * .pi)) * cos(x1) + 10
            }
            let pending = try #require(try cli.json(try cli.ok(["suggest", "s", "--batch", "2", "--json"])) as? [String: Any])
            let ids = try #require(pending["trials"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
            try cli.ok(["fail", "s", "\(ids[0])", "--reason", "solver diverged"])
            expect = ["svg.convergence=1", "#parallel-coordinates=1", "svg.slice=2", "svg.bars=1", "#pending-table=1", "#failed-table=1", "#best=1"]
            minImages = 4
        case .empty:
            try cli.write("space.yaml", "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n")
            try cli.ok(["init", "s", "--space", "space.yaml"])
            expect = ["#summary=1", "#convergence=1"]
        case .failedOnly:
            try cli.write("space.yaml", "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n  - {name: k, type: int, low: 1, high: 3}\n")
            try cli.ok(["init", "s", "--space", "space.yaml"])
            try cli.ok(["suggest", "s", "--batch", "3"])
            for id in 1...3 { try cli.ok(["fail", "s", "\(id)", "--reason", "rig \(id) offline"]) }
            expect = ["#failed-table=1"]
        case .oneParameter:
            try cli.write("space.yaml", "parameters:\n  - {name: x, type: real, low: 0.01, high: 10, log: true}\nobjectives:\n  - {name: y, direction: maximize}\n")
            try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "2"])
            try runLoop(cli, study: "s", rounds: 3, batch: 2) { p in -pow(log(p["x"]!) - 0.5, 2) }
            expect = ["svg.convergence=1", "svg.slice=1", "#parallel-coordinates=1"]
            minImages = 4
        case .mixed:
            // numeric categorical choices (floats pandas must read exactly), a one-value integer, a fixed parameter,
            // two objectives (one minimized), imported results, a replaced observation and a note
            try cli.write("space.yaml", """
            parameters:
              - {name: gap, type: categorical, choices: [0.1, 0.3, 0.7]}
              - {name: layers, type: int, low: 3, high: 3}
              - {name: t, type: real, low: 0.5, high: 8, log: true, unit: mm}
              - {name: rig, type: fixed, value: B}
            objectives:
              - {name: mass, direction: minimize}
              - {name: stiffness, direction: maximize}
            """)
            try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "5"])
            var rows: [[String: Any]] = []
            for k in 0..<9 {
                let gap = [0.1, 0.3, 0.7][k % 3], t = 0.5 * pow(16, Double(k) / 8)
                rows.append(["params": ["gap": gap, "layers": 3, "t": t], "values": ["mass": t * (1 + gap), "stiffness": log(t) - gap]])
            }
            try cli.write("import.json", String(decoding: try JSONSerialization.data(withJSONObject: ["results": rows]), as: UTF8.self))
            try cli.ok(["observe", "s", "--results", "import.json"])
            try cli.ok(["suggest", "s", "--batch", "2"])
            try cli.ok(["observe", "s", "10", "--value", "mass=1.5", "--value", "stiffness=0.2"])
            try cli.ok(["observe", "s", "10", "--value", "mass=1.4", "--value", "stiffness=0.25", "--replace"])
            try cli.ok(["note", "s", "gap 0.3 shims from batch <7>"])
            expect = ["svg.convergence=2", "#front-2d=1", "#hypervolume=1", "#parallel-coordinates=1", "svg.slice=4", "#pending-table=1"]
            minImages = 6
        case .constrainedTwoObjectives:
            // two objectives and an outcome constraint: the front of the feasible trials, infeasible ones apart
            try cli.write("space.yaml", """
            parameters: [{name: a, type: real, low: 0, high: 1}, {name: b, type: real, low: 0, high: 1}]
            objectives: [{name: mass, direction: minimize, unit: kg}, {name: stiffness, direction: maximize}]
            constraints: [{name: stress, max: 1.2}]
            reference_point: {mass: 2, stiffness: 0}
            """)
            try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "3"])
            for _ in 0..<4 {
                let batch = try #require(try cli.json(try cli.ok(["suggest", "s", "--batch", "3", "--json"])) as? [String: Any])
                var lines = ["id,mass,stiffness,stress"]
                for t in try #require(batch["trials"] as? [[String: Any]]) {
                    let p = try #require(t["params"] as? [String: Double])
                    let a = p["a"]!, b = p["b"]!
                    lines.append("\(t["id"] as! Int),\(a + 0.5 * b),\(a * a + b),\(1.5 * b + a * 0.4)")
                }
                try cli.write("r.csv", lines.joined(separator: "\n") + "\n")
                try cli.ok(["observe", "s", "--results", "r.csv"])
            }
            expect = ["#front=1", "#front-2d=1", "#hypervolume=1", "svg.convergence=2"]
            minImages = 2
        case .threeObjectives:
            try cli.write("space.yaml", """
            parameters: [{name: a, type: real, low: 0, high: 1}, {name: b, type: real, low: 0, high: 1}]
            objectives: [{name: f1, direction: minimize}, {name: f2, direction: minimize}, {name: f3, direction: maximize}]
            """)
            try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "6"])
            for _ in 0..<3 {
                let batch = try #require(try cli.json(try cli.ok(["suggest", "s", "--batch", "4", "--json"])) as? [String: Any])
                var lines = ["id,f1,f2,f3"]
                for t in try #require(batch["trials"] as? [[String: Any]]) {
                    let p = try #require(t["params"] as? [String: Double])
                    let a = p["a"]!, b = p["b"]!
                    lines.append("\(t["id"] as! Int),\(a),\(1 - a + b * b),\(b - a * b)")
                }
                try cli.write("r.csv", lines.joined(separator: "\n") + "\n")
                try cli.ok(["observe", "s", "--results", "r.csv"])
            }
            expect = ["#front=1", "svg.front=3", "#hypervolume=1", "svg.convergence=3"]
            minImages = 2
        }
        let journalBefore = cli.read("studies/s/journal.jsonl")
        let written = try cli.ok(["report", "s", "--out", "reports"])
        #expect(written.contains("wrote reports/s.html") && written.contains("wrote reports/s.ipynb"))
        #expect(cli.read("studies/s/journal.jsonl") == journalBefore, "the report changed the journal")

        let (status, page) = try Self.checkHTML(cli.directory + "/reports/s.html", expect: expect, screenshot: cli.directory + "/shot.png")
        #expect(status == 0, "\(scenario): \(page)")
        #expect((page["console"] as? [Any])?.isEmpty == true)
        let shot = try #require(page["screenshot"] as? [String: Any])
        #expect((shot["nonwhite_fraction"] as? Double ?? 0) > 0.005)
        #expect(((page["pdf"] as? [String: Any])?["pages"] as? Int ?? 0) >= 1)

        let (nbStatus, notebook) = try Self.checkNotebook(cli.directory + "/reports/s.ipynb", minImages: minImages)
        #expect(nbStatus == 0, "\(scenario): \(notebook)")
        #expect(notebook["nbformat"] as? String == "4.5")
        #expect((notebook["errors"] as? [Any])?.isEmpty == true)
        if scenario == .loop {
            // the notebook's pandas replay found the same best value as doe (it asserts so) and prints it
            let best = try #require(try cli.json(try cli.ok(["best", "s", "--json"])) as? [String: Any])
            let trial = try #require((best["best"] as? [[String: Any]])?.first ?? best)
            #expect((notebook["stream"] as? String ?? "").contains("at trial \(trial["id"] as? Int ?? -1)"), "\(notebook)")
            // the notebook keeps its embedded data in one collapsed cell, and re-runs on a journal that grew since:
            // a new observation, a correction and a retraction are reported instead of failing an assertion
            let ipynbText = try #require(cli.read("reports/s.ipynb"))
            let ipynb = try #require(try cli.json(ipynbText) as? [String: Any])
            let cells = try #require(ipynb["cells"] as? [[String: Any]])
            let data = cells.filter { (($0["metadata"] as? [String: Any])?["tags"] as? [String]) == ["doe-data"] }
            #expect(data.count == 1 && (data.first?["source"] as? [String])?.count ?? 99 <= 4, "one short, collapsed data cell")
            #expect(cells.allSatisfy { ($0["source"] as? [String])?.count ?? 0 < 200 }, "no cell is a wall of embedded JSON")
            let pending = try #require(try cli.json(try cli.ok(["status", "s", "--json"])) as? [String: Any])
            let open = try #require((pending["pending"] as? [[String: Any]])?.first?["id"] as? Int)
            try cli.ok(["observe", "s", "\(open)", "--value", "42"])
            try cli.ok(["observe", "s", "\(open)", "--value", "41", "--replace"])
            try cli.ok(["retract", "s", "1", "--reason", "sensor drift"])
            let (rerun, grown) = try Self.checkNotebook(cli.directory + "/reports/s.ipynb", minImages: minImages)
            #expect(rerun == 0, "the notebook fails on a grown journal: \(grown)")
            let stream = grown["stream"] as? String ?? ""
            #expect(stream.contains("the journal changed since this notebook was written") && stream.contains("retracted: 0 then, 1 now"),
                    "\(stream)")
        }
    }

    /// Model reports: an ensemble with a field (parity, error histograms, calibration, Sobol indices) and a single
    /// network (no calibration); the notebook recomputes the test RMSE from test-predictions.csv and checks it
    /// against metrics.json.
    @Test(arguments: [true, false])
    func modelReportRendersAndNotebookExecutes(ensemble: Bool) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--fields", "/fields/uy", "--out", "models/plate", "--hidden", "16,16", "--epochs", "40",
                    "--batch-size", "32"] + (ensemble ? ["--ensemble", "3"] : []))
        let written = try cli.ok(["report", "models/plate", "--out", "reports"])
        #expect(written.contains("wrote reports/plate.html"))
        var expect = ["#training-curves=1", "svg.parity=2", "svg.histogram=3", "#metrics-table=1", "svg.bars=2"]
        if ensemble { expect.append("#calibration=1") }
        let (status, page) = try Self.checkHTML(cli.directory + "/reports/plate.html", expect: expect, screenshot: cli.directory + "/shot.png")
        #expect(status == 0, "\(page)")
        let html = try #require(cli.read("reports/plate.html"))
        #expect(html.contains("id=\"calibration\"") == ensemble)
        #expect(html.contains("(ensemble spread)") == ensemble, "the calibration plot shows the ensemble's own intervals beside the calibrated")
        let (nbStatus, notebook) = try Self.checkNotebook(cli.directory + "/reports/plate.ipynb", minImages: ensemble ? 3 : 2)
        #expect(nbStatus == 0, "\(notebook)")
    }

    /// The committed example notebook runs against the committed study it was made from (the notebook asserts that
    /// its pandas replay matches doe's counts and best value, so a journal and notebook out of step fail here).
    @Test func committedExampleNotebookRuns() throws {
        let (status, report) = try Self.checkNotebook(SurrogateCLITests.root + "/notebooks-exports/borehole.ipynb", minImages: 4)
        #expect(status == 0, "\(report)")
        #expect((report["stream"] as? String ?? "").contains("best flow (maximize): 309.576 at trial 25"))
    }

    /// The checkers themselves fail on a blank page, a page with a script error, and a notebook whose cell raises.
    @Test func checkersRejectBrokenReports() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let blank = try cli.write("blank.html", "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>")
        #expect(try Self.checkHTML(blank, expect: [], screenshot: cli.directory + "/a.png").0 != 0)
        let broken = try cli.write("broken.html", "<!DOCTYPE html><html><body><h1>Report</h1><p>\(String(repeating: "text ", count: 4000))</p><svg class=\"doe-chart\" width=\"600\" height=\"300\"><rect width=\"600\" height=\"300\" fill=\"#123456\"/></svg><script>undefinedFunction()</script></body></html>")
        let (status, report) = try Self.checkHTML(broken, expect: ["svg=1"], screenshot: cli.directory + "/b.png")
        #expect(status != 0)
        #expect((report["console"] as? [String])?.contains { $0.contains("exception") } == true, "\(report)")
        let missing = try Self.checkHTML(broken, expect: ["svg.convergence=1"], screenshot: cli.directory + "/c.png")
        #expect(missing.0 != 0)
        let notebook = try cli.write("bad.ipynb", #"{"cells":[{"cell_type":"code","execution_count":null,"id":"a","metadata":{},"outputs":[],"source":["raise ValueError('boom')"]}],"metadata":{"kernelspec":{"display_name":"Python 3","language":"python","name":"python3"}},"nbformat":4,"nbformat_minor":5}"#)
        let (nbStatus, nbReport) = try Self.checkNotebook(notebook, minImages: 0)
        #expect(nbStatus != 0, "\(nbReport)")
        let invalid = try cli.write("invalid.ipynb", #"{"cells":[{"cell_type":"code","source":"1"}],"metadata":{},"nbformat":4,"nbformat_minor":5}"#)
        #expect(try Self.checkNotebook(invalid, minImages: 0).0 != 0)
    }
}

/// `doe report` on bad input: a clear error, exit 1, nothing written, the journal untouched.
@Suite struct ReportCLITests {
    @Test func refusesUnknownHostileAndMismatchedTargets() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", "parameters:\n  - {name: x, type: real, low: 0, high: 1}\n  - {name: k, type: int, low: 1, high: 4}\n")
        try cli.ok(["init", "s", "--space", "space.yaml", "--seed", "3"])
        try runLoop(cli, study: "s", rounds: 3, batch: 4) { $0["x"]! * $0["k"]! }
        let journal = cli.read("studies/s/journal.jsonl")
        // a study that does not exist is not found (1); hostile or wrong names are bad values (64)
        let cases: [([String], String, Int32)] = [
            (["report", "nope"], "nope", 1),
            (["report", "../x"], "../x", 64),
            (["report", "s", "--name", "../evil"], "../evil", 64),
            (["report", "space.yaml"], "neither a model directory", 64),
        ]
        for (arguments, needle, status) in cases {
            let r = try cli.run(arguments + ["--out", "reports"])
            #expect(r.status == status, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("error:") && r.stderr.contains(needle), "\(arguments): \(r.stderr)")
        }
        #expect(try cli.run(["report", "s", "--format", "pdf"]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/reports"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/evil.html"))

        // a surrogate that does not match the study's parameters is refused, naming the input
        try cli.write("other.yaml", "parameters:\n  - {name: z, type: real, low: 0, high: 1}\n  - {name: w, type: real, low: 0, high: 1}\n")
        try cli.ok(["init", "other", "--space", "other.yaml"])
        try runLoop(cli, study: "other", rounds: 4, batch: 4) { $0["z"]! + $0["w"]! }
        try cli.ok(["train", "--study", "other", "--out", "m-other", "--epochs", "10", "--hidden", "8"])
        let mismatch = try cli.run(["report", "s", "--surrogate", "m-other", "--out", "reports"])
        #expect(mismatch.status == 64 && mismatch.stderr.contains("'z'"), "\(mismatch.stderr)")

        // a matching surrogate adds its Sobol indices
        try cli.ok(["train", "--study", "s", "--out", "m-s", "--epochs", "30", "--hidden", "16"])
        try cli.ok(["report", "s", "--surrogate", "m-s", "--out", "reports", "--format", "html"])
        let html = try #require(cli.read("reports/s.html"))
        #expect(html.contains("Sobol total (neural surrogate)"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/reports/s.ipynb"))
        #expect(cli.read("studies/s/journal.jsonl") == journal)
    }

    @Test func refusesDamagedModelDirectories() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", SurrogateCLITests.plate, "--out", "m", "--hidden", "8", "--epochs", "5"])
        let csv = try #require(cli.read("m/test-predictions.csv"))
        var lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.count == 61)   // header + 15 % of 400 rows
        lines[3] = lines[3].replacingOccurrences(of: ",", with: ",x", options: [], range: lines[3].range(of: ","))
        try cli.write("m/test-predictions.csv", lines.joined(separator: "\n") + "\n")
        let bad = try cli.run(["report", "m", "--out", "reports"])
        #expect(bad.status == 1 && bad.stderr.contains("test-predictions.csv line 4"), "\(bad.stderr)")
        try FileManager.default.removeItem(atPath: cli.directory + "/m/test-predictions.csv")
        let old = try cli.ok(["report", "m", "--out", "reports", "--format", "html"])
        #expect(old.contains("wrote reports/m.html"))
        #expect(cli.read("reports/m.html")?.contains("no test-predictions.csv") == true)
        try FileManager.default.removeItem(atPath: cli.directory + "/m/weights.bin")
        let broken = try cli.run(["report", "m", "--out", "reports"])
        #expect(broken.status == 1 && broken.stderr.contains("weights.bin"), "\(broken.stderr)")
    }
}
