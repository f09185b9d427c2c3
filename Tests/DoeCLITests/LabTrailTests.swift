import Foundation
import Testing

/// The lab side of the trail: corrections visible and their metadata merged, retracted results withdrawn but kept,
/// objective units shown, metadata in the HTML report.
@Suite struct LabTrailTests {
    @Test func correctionsAndRetractionsAreVisibleEverywhere() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.yaml", """
            parameters:
              - {name: x, type: real, low: 0, high: 1}
            objectives:
              - {name: mass, direction: minimize, unit: kg}
            """)
        try cli.ok(["init", "lab", "--space", "space.yaml", "--seed", "3"])
        try cli.ok(["suggest", "lab", "--batch", "4"])
        try cli.ok(["observe", "lab", "1", "--value", "2.5", "--meta", "operator=ana", "--meta", "rig=B"])
        try cli.ok(["observe", "lab", "2", "--value", "0.1"])
        try cli.ok(["observe", "lab", "3", "--value", "1.7"])
        // a correction: the new value and the new rig, the operator kept
        try cli.ok(["observe", "lab", "1", "--value", "2.25", "--meta", "rig=C", "--replace"])
        let trials = try #require(try cli.json(try cli.ok(["trials", "lab", "--format", "json"])) as? [String: Any])
        let first = try #require((trials["trials"] as? [[String: Any]])?.first)
        #expect((first["meta"] as? [String: String]) == ["operator": "ana", "rig": "C"], "\(first["meta"] ?? "")")
        let change = try #require((first["changes"] as? [[String: Any]])?.first)
        #expect(change["kind"] as? String == "corrected" && (change["previous"] as? [String: Double])?["mass"] == 2.5)
        let csv = try cli.ok(["trials", "lab", "--format", "csv"])
        let header = try #require(csv.split(separator: "\n").first).split(separator: ",").map(String.init)
        let row1 = try #require(csv.split(separator: "\n").dropFirst().first)
            .split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = try #require(header.firstIndex(of: "corrections"))
        #expect(row1[column] == "1", "\(csv)")

        // a retraction: the best trial (0.1 kg) is withdrawn, no longer best, and shown with its reason
        #expect(try cli.ok(["best", "lab"]).contains("mass = 0.1 kg"))
        try cli.ok(["retract", "lab", "2", "--reason", "sample contaminated"])
        let best = try cli.ok(["best", "lab"])
        #expect(best.contains("trial 3") && best.contains("mass = 1.7 kg"), "\(best)")
        let status = try cli.ok(["status", "lab"])
        for text in ["1 retracted", "trial 2: retracted — sample contaminated", "corrected or retracted results:",
                     "trial 1: corrected", "mass 2.5 kg → mass 2.25 kg", "trial 2: retracted", "withdrew mass 0.1 kg — sample contaminated",
                     "mass [kg]"] {
            #expect(status.contains(text), "status lacks '\(text)':\n\(status)")
        }
        let statusJSON = try #require(try cli.json(try cli.ok(["status", "lab", "--json"])) as? [String: Any])
        #expect((statusJSON["objectives"] as? [[String: Any]])?.first?["unit"] as? String == "kg")
        #expect((statusJSON["changes"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["corrected", "retracted"])
        let text = try cli.ok(["trials", "lab", "--format", "text"])
        #expect(text.contains("mass [kg]") && text.contains("corrections"))
        // refused: a pending trial has no result to retract; an unknown trial; no reason
        let pending = try cli.run(["retract", "lab", "4", "--reason", "x"])
        #expect(pending.status == 1 && pending.stderr.contains("only a completed result can be retracted"), "\(pending.stderr)")
        #expect(try cli.run(["retract", "lab", "9", "--reason", "x"]).status == 64)
        #expect(try cli.run(["retract", "lab", "3"]).status == 64)
        #expect(try cli.run(["retract", "lab", "3", "--reason", " "]).status == 64)
        // the report shows both changes, every trial with its metadata columns, and the unit
        try cli.ok(["report", "lab", "--format", "html", "--out", "rep"])
        let html = try #require(cli.read("rep/lab.html"))
        for needle in ["Corrections and retractions", "id=\"changes-table\"", "id=\"trials-table\"", "meta: operator", "meta: rig",
                       "mass [kg]", "sample contaminated", "retracted"] {
            #expect(html.contains(needle), "the report lacks \(needle)")
        }
        // a new result for the retracted trial is a correction
        try cli.ok(["observe", "lab", "2", "--value", "0.4", "--replace"])
        #expect(try cli.ok(["best", "lab"]).contains("mass = 0.4 kg"))
    }

    /// A study-trained model keeps its categorical factor's level names: train, predict, ONNX metadata (MLflow's pyfunc
    /// is checked in MLflowTests), and its objective units become the model's output units.
    @Test func categoricalFactorsKeepTheirNamesThroughTrainAndPredict() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try Self.catalystStudy(cli)
        try cli.ok(["train", "--study", "cat", "--out", "m", "--epochs", "30", "--hidden", "8"])
        let manifestText = try #require(cli.read("m/model.json"))
        let manifest = try #require(try cli.json(manifestText) as? [String: Any])
        #expect((manifest["categorical_inputs"] as? [String: [String]]) == ["catalyst": ["Pt", "Pd", "Rh"]], "\(manifest)")
        #expect((manifest["output_units"] as? [String]) == ["%"])
        try cli.write("points.csv", "id,x,catalyst\na,0.2,Pt\nb,0.7,Rh\n")
        let predicted = try cli.run(["predict", "m", "--input", "points.csv"])
        #expect(predicted.status == 0 && predicted.stdout.split(separator: "\n").count == 3, "\(predicted.stderr)")
        for (bad, message) in [("0.5", "'catalyst' is '0.5': expected one of Pt, Pd, Rh"), ("Au", "'catalyst' is 'Au'"),
                               ("1", "expected one of Pt, Pd, Rh")] {
            try cli.write("bad.csv", "x,catalyst\n0.2,\(bad)\n")
            let refused = try cli.run(["predict", "m", "--input", "bad.csv"])
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(bad): \(refused.stderr)")
        }
        try cli.ok(["export", "m", "--onnx", "m.onnx"])
        let onnx = String(decoding: try Data(contentsOf: URL(fileURLWithPath: cli.directory + "/m.onnx")), as: UTF8.self)
        #expect(onnx.contains("categorical_inputs") && onnx.contains("catalyst=Pt|Pd|Rh"))
    }

    /// A study with a real factor and a categorical one, 12 completed trials.
    static func catalystStudy(_ cli: CLI) throws {
        try cli.write("cat.yaml", """
            parameters:
              - {name: x, type: real, low: 0, high: 1}
              - {name: catalyst, type: categorical, choices: [Pt, Pd, Rh]}
            objectives:
              - {name: yield, direction: maximize, unit: "%"}
            """)
        try cli.ok(["init", "cat", "--space", "cat.yaml", "--seed", "1"])
        for _ in 0..<3 {
            let doc = try #require(try cli.json(try cli.ok(["suggest", "cat", "--batch", "4", "--json"])) as? [String: Any])
            for t in try #require(doc["trials"] as? [[String: Any]]) {
                let p = try #require(t["params"] as? [String: Any])
                let bonuses: [String: Double] = ["Pt": 10, "Pd": 5, "Rh": 0]
                let x = p["x"] as? Double ?? 0
                let bonus = bonuses[p["catalyst"] as? String ?? ""] ?? 0
                try cli.ok(["observe", "cat", "\(t["id"]!)", "--value", "\(50 + 20 * x + bonus)"])
            }
        }
    }
}
