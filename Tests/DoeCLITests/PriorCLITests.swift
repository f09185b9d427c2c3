import Foundation
import Testing

/// Simulation-informed studies: a surrogate trained on many cheap simulations is the prior of a study's experiments
/// (`prior:` in the space file); its hash goes into the journal, a changed model is refused, `doe predict STUDY`
/// queries the experiment model, and a prior that does not match the study is refused naming both sides.
@Suite struct PriorCLITests {
    /// Branin (the experiment) and a biased, scaled version of it (the simulation).
    static func experiment(_ a: Double, _ b: Double) -> Double {
        let t = b - 5.1 / (4 * Double.pi * Double.pi) * a * a + 5 / Double.pi * a - 6
        return t * t + 10 * (1 - 1 / (8 * Double.pi)) * cos(a) + 10
    }
    static func simulation(_ a: Double, _ b: Double) -> Double { 0.8 * experiment(a, b) + 3 * a - 5 }

    static func rows(_ n: Int, seed: UInt64, _ f: (Double, Double) -> Double) -> String {
        var state = seed
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var text = "a,b,y\n"
        for _ in 0..<n {
            let a = -5 + 15 * unit(), b = 15 * unit()
            text += "\(a),\(b),\(f(a, b))\n"
        }
        return text
    }

    static let parameters = """
        parameters:
          - {name: a, type: real, low: -5, high: 10}
          - {name: b, type: real, low: 0, high: 15}
        objectives: [{name: y, direction: minimize}]
        """

    @Test func aSimulationPriorInformsTheStudyAndItsHashIsChecked() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("sim.yaml", Self.parameters)
        try cli.write("exp.yaml", Self.parameters + "\nprior: {model: models/sim, outputs: {y: y}}\n")
        try cli.write("plain.yaml", Self.parameters)
        try cli.write("lf.csv", Self.rows(300, seed: 1, Self.simulation))
        try cli.write("hf.csv", Self.rows(8, seed: 2, Self.experiment))
        try cli.write("test.csv", Self.rows(100, seed: 3, Self.experiment))
        try cli.ok(["init", "sim", "--space", "sim.yaml", "--seed", "1"])
        try cli.ok(["observe", "sim", "--results", "lf.csv"])
        try cli.ok(["train", "--study", "sim", "--out", "models/sim", "--ensemble", "2", "--epochs", "300", "--seed", "1"])
        let created = try cli.ok(["init", "exp", "--space", "exp.yaml", "--seed", "2"])
        #expect(created.contains("prior: models/sim"), "\(created)")
        let journal = try #require(cli.read("studies/exp/journal.jsonl"))
        let recorded = try #require(journal.split(separator: "\n").first { $0.contains("\"prior_recorded\"") })
        let record = try #require(try cli.json(String(recorded)) as? [String: Any])
        let sha = try #require(record["sha256"] as? String)
        #expect(sha.count == 64 && (record["files"] as? [String: String])?["weights.bin"]?.count == 64)
        try cli.ok(["observe", "exp", "--results", "hf.csv"])
        try cli.ok(["init", "plain", "--space", "plain.yaml", "--seed", "2"])
        try cli.ok(["observe", "plain", "--results", "hf.csv"])

        // the prior: ρ near 1/0.8, most of the variance explained, used; recorded with every GP suggestion
        let status = try cli.ok(["status", "exp", "--json"])
        let model = try #require(((try cli.json(status) as? [String: Any])?["models"] as? [[String: Any]])?.first)
        let prior = try #require(model["prior"] as? [String: Any])
        let rho = try #require(prior["rho"] as? Double)
        #expect(prior["used"] as? Bool == true && rho > 1.0 && rho < 1.5, "\(prior)")
        #expect((prior["variance_explained"] as? Double ?? 0) > 0.8, "\(prior)")
        try cli.ok(["suggest", "exp", "--batch", "2"])
        let suggestions = try #require(cli.read("studies/exp/journal.jsonl")).split(separator: "\n")
            .filter { $0.contains("\"trial_suggested\"") }
        #expect(suggestions.count == 2)
        for line in suggestions {
            let info = try #require((try cli.json(String(line)) as? [String: Any])?["generator_info"] as? [String: Any])
            #expect((info["prior"] as? [String: Any])?["sha256"] as? String == sha, "\(info)")
        }

        // the experiment model queried like a surrogate: far better than the GP of the eight experiments alone
        let points = "a,b\n" + Self.rows(100, seed: 3, Self.experiment).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").prefix(2).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try cli.write("points.csv", points)
        let truth = Self.rows(100, seed: 3, Self.experiment).split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        func rmse(_ study: String) throws -> Double {
            let out = try cli.ok(["predict", study, "--input", "points.csv", "--std"])
            let lines = out.split(separator: "\n")
            #expect(lines.first == "a,b,y,y_std")
            let predicted = lines.dropFirst().map { Double($0.split(separator: ",")[2])! }
            return (zip(predicted, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(truth.count)).squareRoot()
        }
        try cli.ok(["abandon", "exp", "9"]); try cli.ok(["abandon", "exp", "10"])
        let withPrior = try rmse("exp"), without = try rmse("plain")
        #expect(withPrior < 0.5 * without, "test RMSE with the prior \(withPrior), without \(without)")

        // a model replaced under the study is detected and refused until recorded
        try cli.ok(["train", "--study", "sim", "--out", "models/sim", "--ensemble", "2", "--epochs", "30", "--seed", "5",
                    "--overwrite"])
        let refused = try cli.run(["suggest", "exp", "--batch", "1"])
        #expect(refused.status == 1 && refused.stderr.contains("not the one study 'exp' recorded")
                && refused.stderr.contains("--record-prior"), "\(refused.stderr)")
        #expect(try cli.ok(["status", "exp"]).contains("warning: prior:"))
        #expect(try cli.ok(["space", "exp", "--record-prior", "--reason", "retrained"]).contains("recorded the prior model"))
        try cli.ok(["suggest", "exp", "--batch", "1"])
    }

    @Test func aPriorThatDoesNotMatchTheStudyIsRefusedNamingBothSides() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("sim.yaml", Self.parameters.replacingOccurrences(of: "high: 10}", with: "high: 10, unit: mm}"))
        try cli.write("lf.csv", Self.rows(40, seed: 1, Self.simulation))
        try cli.ok(["init", "sim", "--space", "sim.yaml"])
        try cli.ok(["observe", "sim", "--results", "lf.csv"])
        try cli.ok(["train", "--study", "sim", "--out", "models/sim", "--epochs", "5"])
        let renamed = Self.parameters.replacingOccurrences(of: "name: b,", with: "name: width,")
        let cases: [(String, String, [String])] = [
            ("inputs.yaml", renamed + "\nprior: {model: models/sim, outputs: {y: y}}\n",
             ["model input 'b'", "Model inputs: a, b", "study parameters: a, width"]),
            ("output.yaml", Self.parameters + "\nprior: {model: models/sim, outputs: {y: stress}}\n",
             ["no scalar output 'stress'", "its outputs: y"]),
            ("metric.yaml", Self.parameters + "\nprior: {model: models/sim, outputs: {mass: y}}\n", ["'mass' is not an objective"]),
            ("missing.yaml", Self.parameters + "\nprior: {model: models/none, outputs: {y: y}}\n", ["models/none", "no model.json"]),
            ("units.yaml", Self.parameters.replacingOccurrences(of: "high: 10}", with: "high: 10, unit: m}")
                + "\nprior: {model: models/sim, outputs: {y: y}}\n", ["units differ", "'a' is in m", "input in mm"]),
        ]
        for (file, text, needles) in cases {
            try cli.write(file, text)
            let result = try cli.run(["init", "bad", "--space", file])
            #expect(result.status == 64, "\(file): \(result.stderr)")
            for needle in needles { #expect(result.stderr.contains(needle), "\(file): \(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: cli.studies + "/bad"), "nothing is created")
        }
        // a point outside the space is refused by doe predict STUDY, naming the line and the parameter
        try cli.write("out.csv", "a,b\n1,2\n20,3\n")
        let outside = try cli.run(["predict", "sim", "--input", "out.csv"])
        #expect(outside.status == 64 && outside.stderr.contains("out.csv line 3") && outside.stderr.contains("'a'"), "\(outside.stderr)")
    }

    /// `prior: {registry: NAME@ALIAS}`: the version the alias names is copied into the study when recorded; the study
    /// keeps using that copy when the alias moves (status says so) until `--record-prior` adopts the new version.
    @Test func aRegistryPriorIsCopiedIntoTheStudyAndMovesOnlyWhenRecorded() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("sim.yaml", Self.parameters)
        try cli.write("lf.csv", Self.rows(200, seed: 1, Self.simulation))
        try cli.write("hf.csv", Self.rows(8, seed: 2, Self.experiment))
        try cli.ok(["init", "sim", "--space", "sim.yaml", "--seed", "1"])
        try cli.ok(["observe", "sim", "--results", "lf.csv"])
        try cli.ok(["train", "--study", "sim", "--out", "models/a", "--epochs", "150", "--seed", "1"])
        try cli.ok(["train", "--study", "sim", "--out", "models/b", "--epochs", "20", "--seed", "2"])
        let r = ["--registry", "reg"]
        try cli.ok(["registry", "init"] + r)
        try cli.ok(["registry", "add", "models/a", "--name", "sim"] + r)
        try cli.ok(["registry", "promote", "sim@1", "--alias", "production"] + r)
        try cli.write("exp.yaml", Self.parameters + "\nprior: {registry: sim@production, registry_dir: reg, outputs: {y: y}}\n")
        let created = try cli.ok(["init", "exp", "--space", "exp.yaml", "--seed", "2"])
        #expect(created.contains("prior: sim@production (= sim@1)"), "\(created)")
        #expect(FileManager.default.fileExists(atPath: cli.studies + "/exp/prior-model/model.json"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.studies).filter { $0.hasPrefix(".prior-staging") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        func recorded() throws -> [[String: Any]] {
            try #require(cli.read("studies/exp/journal.jsonl")).split(separator: "\n").filter { $0.contains("\"prior_recorded\"") }
                .map { try #require(try cli.json(String($0)) as? [String: Any]) }
        }
        let first = try #require(try recorded().last)
        #expect(first["model"] as? String == "sim@production" && first["version"] as? String == "sim@1"
                && first["registry_dir"] as? String == "reg", "\(first)")
        let sha1 = try #require(first["sha256"] as? String)
        try cli.ok(["observe", "exp", "--results", "hf.csv"])
        let status = try #require(try cli.json(try cli.ok(["status", "exp", "--json"])) as? [String: Any])
        let prior = try #require(status["prior"] as? [String: Any])
        #expect(prior["source"] as? String == "registry" && prior["version"] as? String == "sim@1" && prior["sha256"] as? String == sha1,
                "\(prior)")
        func lastSuggestionPriorSHA() throws -> String? {
            let line = try #require(cli.read("studies/exp/journal.jsonl")?.split(separator: "\n").last { $0.contains("\"trial_suggested\"") })
            let info = (try cli.json(String(line)) as? [String: Any])?["generator_info"] as? [String: Any]
            return (info?["prior"] as? [String: Any])?["sha256"] as? String
        }
        try cli.ok(["suggest", "exp", "--batch", "1"])
        #expect(try lastSuggestionPriorSHA() == sha1)

        // the alias moves: the study keeps its copy of sim@1, and status says what the alias names now
        try cli.ok(["registry", "add", "models/b", "--name", "sim"] + r)
        try cli.ok(["registry", "promote", "sim@2", "--alias", "production"] + r)
        let text = try cli.ok(["status", "exp"])
        #expect(text.contains("now names sim@2") && text.contains("copy of sim@1") && !text.contains("warning: prior"), "\(text)")
        try cli.ok(["suggest", "exp", "--batch", "1"])
        #expect(try lastSuggestionPriorSHA() == sha1)
        let adopted = try cli.ok(["space", "exp", "--record-prior", "--reason", "new production model"])
        #expect(adopted.contains("recorded the prior model sim@production (= sim@2)"), "\(adopted)")
        let second = try #require(try recorded().last)
        let sha2 = try #require(second["sha256"] as? String)
        #expect(second["version"] as? String == "sim@2" && sha2 != sha1, "\(second)")
        try cli.ok(["suggest", "exp", "--batch", "1"])
        #expect(try lastSuggestionPriorSHA() == sha2)
        #expect(try cli.ok(["space", "exp", "--record-prior"]).contains("already records"))
        #expect(try recorded().count == 2)
        #expect(!(try cli.ok(["status", "exp"]).contains("now names")))

        // a damaged copy in the study is detected like a changed model directory
        try cli.write("studies/exp/prior-model/weights.bin", "damaged")
        let damaged = try cli.run(["suggest", "exp", "--batch", "1"])
        #expect(damaged.status == 1 && damaged.stderr.contains("--record-prior"), "\(damaged.stderr)")

        // bad references: nothing is created, nothing is left behind
        let cases: [(String, Int32, [String])] = [
            ("{registry: nosuch@production, registry_dir: reg, outputs: {y: y}}", 1, ["no model 'nosuch'"]),
            ("{registry: sim@staging, registry_dir: reg, outputs: {y: y}}", 1, ["staging"]),
            ("{registry: sim@9, registry_dir: reg, outputs: {y: y}}", 1, ["no version 9"]),
            ("{registry: sim@production, registry_dir: noreg, outputs: {y: y}}", 1, ["no registry at noreg"]),
            ("{registry: ../x, registry_dir: reg, outputs: {y: y}}", 64, ["registry", "../x"]),
            ("{registry: sim, model: models/a, outputs: {y: y}}", 64, ["not both"]),
            ("{model: models/a, registry_dir: reg, outputs: {y: y}}", 64, ["registry_dir"]),
        ]
        for (k, (prior, status, needles)) in cases.enumerated() {
            try cli.write("bad\(k).yaml", Self.parameters + "\nprior: \(prior)\n")
            let result = try cli.run(["init", "bad", "--space", "bad\(k).yaml"])
            #expect(result.status == status, "\(prior): \(result.stderr)")
            for needle in needles { #expect(result.stderr.contains(needle), "\(prior): \(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: cli.studies + "/bad"), "nothing is created")
            let left = try FileManager.default.contentsOfDirectory(atPath: cli.studies).filter { $0.hasPrefix(".prior-staging") }
            #expect(left.isEmpty, "\(prior): \(left)")
        }
    }

    /// Several objectives scalarized (ParEGO): the scalarization of the objectives' priors is the prior of the
    /// scalarized objective, with its evidence in generator_info; a prior that misses an objective is not used, and
    /// generator_info says why.
    @Test func scalarizedObjectivesUseTheScalarizationOfTheirPriors() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        func twoOutputs(_ n: Int, seed: UInt64, scale: Double) -> String {
            "a,b,y,z\n" + Self.rows(n, seed: seed, Self.experiment).split(separator: "\n").dropFirst().map { line in
                let v = line.split(separator: ",").map { Double($0)! }
                return "\(v[0]),\(v[1]),\(scale * v[2]),\(scale * ((v[0] - 2) * (v[0] - 2) + (v[1] - 7) * (v[1] - 7)))"
            }.joined(separator: "\n") + "\n"
        }
        let space = """
            parameters:
              - {name: a, type: real, low: -5, high: 10}
              - {name: b, type: real, low: 0, high: 15}
            objectives: [{name: y, direction: minimize}, {name: z, direction: minimize}]
            """
        try cli.write("sim.yaml", space)
        try cli.write("lf.csv", twoOutputs(200, seed: 1, scale: 0.9))
        try cli.write("hf.csv", twoOutputs(10, seed: 2, scale: 1))
        try cli.ok(["init", "sim", "--space", "sim.yaml", "--seed", "1"])
        try cli.ok(["observe", "sim", "--results", "lf.csv"])
        try cli.ok(["train", "--study", "sim", "--out", "models/sim", "--epochs", "200", "--seed", "1"])
        for (name, outputs) in [("both", "{y: y, z: z}"), ("one", "{y: y}")] {
            try cli.write("\(name).yaml", space + "\nprior: {model: models/sim, outputs: \(outputs)}\n")
            try cli.ok(["init", name, "--space", "\(name).yaml", "--seed", "3"])
            try cli.ok(["observe", name, "--results", "hf.csv"])
            try cli.ok(["suggest", name, "--batch", "2", "--acquisition", "logei"])
            let lines = try #require(cli.read("studies/\(name)/journal.jsonl")).split(separator: "\n")
                .filter { $0.contains("\"trial_suggested\"") }
            #expect(lines.count == 2)
            for line in lines {
                let info = try #require((try cli.json(String(line)) as? [String: Any])?["generator_info"] as? [String: Any])
                #expect(info["scalarization"] != nil, "\(info)")
                let prior = try #require(info["prior"] as? [String: Any])
                let scalarized = (prior["metrics"] as? [String: Any])?["scalarized"] as? [String: Any]
                if name == "both" {
                    let rho = try #require(scalarized?["rho"] as? Double, "\(prior)")
                    #expect(rho > 0.5 && scalarized?["used"] as? Bool == true, "\(prior)")
                } else {
                    #expect(scalarized == nil && (prior["note"] as? String ?? "").contains("maps no output to z"), "\(prior)")
                }
            }
        }
    }

    /// `prior: {study: sim}`: the GP of a study of simulations (here 40 runs, too few for a network) is the prior; its
    /// completed trials are hashed, so a simulation study that gained results is detected until recorded.
    @Test func aStudyOfSimulationsIsThePriorThroughItsGP() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("sim.yaml", Self.parameters)
        try cli.write("exp.yaml", Self.parameters + "\nprior: {study: sim, outputs: {y: y}}\n")
        try cli.write("lf.csv", Self.rows(40, seed: 1, Self.simulation))
        try cli.write("hf.csv", Self.rows(8, seed: 2, Self.experiment))
        try cli.ok(["init", "sim", "--space", "sim.yaml", "--seed", "1"])
        try cli.ok(["observe", "sim", "--results", "lf.csv"])
        try cli.ok(["init", "plain", "--space", "sim.yaml", "--seed", "2"])
        try cli.ok(["observe", "plain", "--results", "hf.csv"])
        let created = try cli.ok(["init", "exp", "--space", "exp.yaml", "--seed", "2"])
        #expect(created.contains("prior: study:sim"), "\(created)")
        try cli.ok(["observe", "exp", "--results", "hf.csv"])
        let status = try #require(try cli.json(try cli.ok(["status", "exp", "--json"])) as? [String: Any])
        let prior = try #require((status["models"] as? [[String: Any]])?.first?["prior"] as? [String: Any])
        let rho = try #require(prior["rho"] as? Double)
        #expect(prior["used"] as? Bool == true && rho > 1.1 && rho < 1.4, "\(prior)")   // truth 1/0.8

        let truth = Self.rows(100, seed: 3, Self.experiment).split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        let points = "a,b\n" + Self.rows(100, seed: 3, Self.experiment).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").prefix(2).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try cli.write("points.csv", points)
        func rmse(_ study: String) throws -> Double {
            let lines = try cli.ok(["predict", study, "--input", "points.csv"]).split(separator: "\n").dropFirst()
            let predicted = lines.map { Double($0.split(separator: ",")[2])! }
            return (zip(predicted, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(truth.count)).squareRoot()
        }
        let withPrior = try rmse("exp"), without = try rmse("plain")
        #expect(withPrior < 0.2 * without, "test RMSE with the study prior \(withPrior), without \(without)")

        // one more simulation: the prior changed, refused until recorded
        try cli.ok(["suggest", "exp", "--batch", "1"])
        try cli.write("more.csv", "a,b,y\n1,2,\(Self.simulation(1, 2))\n")
        try cli.ok(["observe", "sim", "--results", "more.csv"])
        let refused = try cli.run(["suggest", "exp", "--batch", "1"])
        #expect(refused.status == 1 && refused.stderr.contains("prior") && refused.stderr.contains("--record-prior"), "\(refused.stderr)")
        try cli.ok(["space", "exp", "--record-prior"])
        try cli.ok(["suggest", "exp", "--batch", "1"])

        // what cannot be a study prior: nothing is created
        let cases: [(String, Int32, [String])] = [
            ("{study: nosuch, outputs: {y: y}}", 64, ["nosuch"]),
            ("{study: sim, outputs: {y: stress}}", 64, ["no metric 'stress'", "its metrics: y"]),
            ("{study: bad, outputs: {y: y}}", 64, ["its own prior"]),
            ("{study: ../sim, outputs: {y: y}}", 64, ["study"]),
            ("{study: sim, model: models/x, outputs: {y: y}}", 64, ["not both"]),
        ]
        for (k, (prior, code, needles)) in cases.enumerated() {
            try cli.write("bad\(k).yaml", Self.parameters + "\nprior: \(prior)\n")
            let result = try cli.run(["init", "bad", "--space", "bad\(k).yaml"])
            #expect(result.status == code, "\(prior): \(result.stderr)")
            for needle in needles { #expect(result.stderr.contains(needle), "\(prior): \(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: cli.studies + "/bad"), "nothing is created")
        }
        try cli.write("renamed.yaml", Self.parameters.replacingOccurrences(of: "name: b,", with: "name: width,")
            + "\nprior: {study: sim, outputs: {y: y}}\n")
        let renamed = try cli.run(["init", "bad", "--space", "renamed.yaml"])
        #expect(renamed.status == 64 && renamed.stderr.contains("parameter 'b' is not a parameter")
                && renamed.stderr.contains("study parameters: a, width"), "\(renamed.stderr)")
    }
}
