import Foundation
import Testing

@Suite struct SurrogateCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let borehole = root + "/studies/surrogates/borehole.h5"
    static let plate = root + "/studies/surrogates/plate.h5"

    /// The borehole function with ≥ 5000 training rows reaches R² ≥ 0.999 on the held-out test split.
    @Test func trainPredictEvaluateOnTheBoreholeDump() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("train.yaml", "hidden: [64, 64]\nactivation: silu\nepochs: 150\nbatch_size: 128\nvalidation_fraction: 0.08\ntest_fraction: 0.08\nseed: 1\n")
        let out = try cli.ok(["train", Self.borehole, "--config", "train.yaml", "--out", "bh", "--json"])
        let doc = try #require(try cli.json(out) as? [String: Any])
        let metrics = try #require(doc["metrics"] as? [String: Any])
        let rows = try #require(metrics["rows"] as? [String: Int])
        #expect(rows["train"]! >= 5000)
        let flow = try #require((metrics["test"] as? [String: Any])?["flow"] as? [String: Double])
        #expect(flow["r2"]! >= 0.999, "R² \(flow["r2"]!)")
        let modelText = try #require(cli.read("bh/model.json"))
        let modelJSON = try #require(try cli.json(modelText) as? [String: Any])
        let sources = try #require(modelJSON["sources"] as? [[String: Any]])
        #expect(sources.count == 1 && (sources[0]["sha256"] as? String)?.count == 64, "lineage: \(sources)")
        if FileManager.default.fileExists(atPath: Self.root + "/.git") {   // the dump is in this checkout: its commit is recorded
            #expect((sources[0]["git_commit"] as? String)?.count == 40, "lineage: \(sources)")
        }
        for file in ["model.json", "weights.bin", "metrics.json", "history.csv"] {
            #expect(FileManager.default.fileExists(atPath: cli.directory + "/bh/" + file), "\(file)")
        }
        try cli.write("points.csv", "rw,r,Tu,Hu,Tl,Hl,L,Kw\n0.1,1000,90000,1050,90,760,1400,11000\n0.06,20000,70000,1000,70,800,1600,10000\n")
        let prediction = try cli.ok(["predict", "bh", "--input", "points.csv"]).split(separator: "\n")
        #expect(prediction[0] == "flow,out_of_domain")
        func flowTrue(_ v: [Double]) -> Double {
            let lnr = log(v[1] / v[0])
            return 2 * Double.pi * v[2] * (v[3] - v[5]) / (lnr * (1 + 2 * v[6] * v[2] / (lnr * v[0] * v[0] * v[7]) + v[2] / v[4]))
        }
        let truths = [flowTrue([0.1, 1000, 90000, 1050, 90, 760, 1400, 11000]), flowTrue([0.06, 20000, 70000, 1000, 70, 800, 1600, 10000])]
        for (line, truth) in zip(prediction.dropFirst(), truths) {
            // test RMSE is ~0.6 m³/yr on flows of 5–180 m³/yr
            #expect(abs(Double(line.split(separator: ",", omittingEmptySubsequences: false)[0])! - truth) < 2.5, "predicted \(line), true \(truth)")
        }
        let fromHDF5 = try cli.ok(["predict", "bh", "--input", Self.borehole]).split(separator: "\n")
        #expect(fromHDF5.count == 1 + 6000)
        let evaluation = try #require(try cli.json(try cli.ok(["evaluate", "bh", Self.borehole, "--json"])) as? [String: Any])
        #expect(evaluation["rows"] as? Int == 6000)
    }

    @Test func fieldEnsembleFromTheFEMDump() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let out = try cli.ok(["train", Self.plate, "--fields", "/fields/uy", "--out", "plate", "--hidden", "32,32", "--epochs", "150",
                              "--batch-size", "32", "--ensemble", "3", "--json"])
        let test = try #require(((try cli.json(out) as? [String: Any])?["metrics"] as? [String: Any])?["test"] as? [String: Any])
        for name in ["tip_deflection", "max_von_mises", "field"] {
            #expect(((test[name] as? [String: Double])?["r2"] ?? 0) > 0.98, "\(name): \(test[name] ?? "missing")")
        }
        // metrics.json says how well the intervals cover the test split, calibrated (wider) and not
        let coverage = try #require(((try cli.json(out) as? [String: Any])?["metrics"] as? [String: Any])?["calibration"] as? [String: Any])
        for name in ["tip_deflection", "max_von_mises", "field"] {
            let entry = try #require((coverage["test"] as? [String: Any])?[name] as? [String: Any], "\(name) in \(coverage)")
            let raw = try #require(entry["uncalibrated"] as? [String: Double])
            let c68 = entry["coverage_68"] as? Double ?? -1, c95 = entry["coverage_95"] as? Double ?? -1
            #expect(c68 >= 0 && c68 <= c95 && c95 <= 1 && (entry["mean_width_95"] as? Double ?? 0) > (raw["mean_width_95"] ?? .infinity),
                    "\(name): \(entry)")
        }
        let text = try cli.ok(["train", Self.plate, "--out", "plate2", "--hidden", "16", "--epochs", "20", "--ensemble", "2"])
        #expect(text.contains("uncertainty calibrated on the validation split (60 rows)") && text.contains("95 % interval covers"), "\(text)")
        try cli.write("p.csv", "L,H,E,nu,q\n10,1.5,200,0.3,100\n")
        let csv = try cli.ok(["predict", "plate", "--input", "p.csv", "--std", "--field"]).split(separator: "\n")
        let header = csv[0].split(separator: ",")
        #expect(header.prefix(4) == ["tip_deflection", "max_von_mises", "tip_deflection_std", "max_von_mises_std"])
        #expect(header.count == 4 + 40 + 1 && header.last == "out_of_domain")
        let values = csv[1].split(separator: ",").map { Double($0)! }
        #expect(abs(values[0] - 0.9015) < 0.05, "tip deflection \(values[0]) vs FEM 0.9015")   // FEM solution at this point
        #expect(values[2] > 0)
    }

    @Test(arguments: [
        (["predict", "nope", "--input", "x.csv"], "not a model directory"),   // not found: exit 1
        (["train", "missing.h5"], "no such file"),                             // not found: exit 1
        (["train", "FIXTURES/bad_rows.h5"], "has 10 rows but"),
        (["train", "BOREHOLE", "--outputs", "/nothing"], "'/nothing'"),
        (["train", "BOREHOLE", "--hidden", "64,x"], "--hidden 64,x"),
        (["train", "BOREHOLE", "--config", "bad.yaml"], "unknown setting 'epoch'"),
    ])
    func badInputsNameTheProblem(arguments: [String], message: String) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("bad.yaml", "epoch: 10\n")
        let fixtures = Self.root + "/Tests/DoeHDF5Tests/Fixtures"
        let args = arguments.map { $0.replacingOccurrences(of: "FIXTURES", with: fixtures).replacingOccurrences(of: "BOREHOLE", with: Self.borehole) }
        let r = try cli.run(args)
        // what does not exist is not found (1); what exists but is wrong is a bad value (64)
        #expect(r.status == (message == "not a model directory" || message == "no such file" ? 1 : 64), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func predictRefusesMissingColumnsAndCorruptedModels() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", Self.plate, "--out", "m", "--epochs", "5"])
        let again = try cli.run(["train", Self.plate, "--out", "m", "--epochs", "5"])
        #expect(again.status == 1 && again.stderr.contains("already holds a model"), "\(again.stderr)")
        try cli.ok(["train", Self.plate, "--out", "m", "--epochs", "5", "--overwrite"])
        try cli.write("p.csv", "L,H,E,nu\n10,1.5,200,0.3\n")
        let missing = try cli.run(["predict", "m", "--input", "p.csv"])
        #expect(missing.status == 64 && missing.stderr.contains("missing column 'q'"))
        try "{\"format\":\"doe-surrogate\",\"version\":1".write(toFile: cli.directory + "/m/model.json", atomically: true, encoding: .utf8)
        let corrupted = try cli.run(["predict", "m", "--input", "p.csv"])
        #expect(corrupted.status == 1 && corrupted.stderr.contains("model.json: not valid JSON"))
    }
}
