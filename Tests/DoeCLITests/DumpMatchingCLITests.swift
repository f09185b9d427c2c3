import Foundation
import Testing

/// Every command that reads a dump matches its columns by name (h5py-written fixtures of Tests/DoeHDF5Tests).
@Suite struct DumpMatchingCLITests {
    static let fixtures = SurrogateCLITests.root + "/Tests/DoeHDF5Tests/Fixtures/"

    @Test func evaluatePredictGateAndRegistryMatchSwappedColumnsByName() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let original = Self.fixtures + "chunked_gzip_f32.h5", swapped = Self.fixtures + "swapped_columns.h5"
        try cli.ok(["train", original, "--out", "m", "--epochs", "20", "--hidden", "8", "--seed", "1"])
        let reference = try cli.run(["evaluate", "m", original, "--json"])
        let permuted = try cli.run(["evaluate", "m", swapped, "--json"])
        #expect(reference.status == 0 && permuted.status == 0, "\(permuted.stderr)")
        #expect(permuted.stdout == reference.stdout, "a permuted dump must give the same metrics")
        #expect(permuted.stderr.contains("inputs are in another order") && permuted.stderr.contains("matched by name"), "\(permuted.stderr)")
        let predictedOriginal = try cli.run(["predict", "m", "--input", original])
        let predictedSwapped = try cli.run(["predict", "m", "--input", swapped])
        #expect(predictedSwapped.status == 0 && predictedSwapped.stdout == predictedOriginal.stdout, "\(predictedSwapped.stderr)")
        // an extra input the model does not know is refused, naming both sides
        let extra = try cli.run(["evaluate", "m", Self.fixtures + "extra_input.h5"])
        #expect(extra.status == 64 && extra.stderr.contains("not in the model m: temperature"), "\(extra.stderr)")
        // registry add --external-dump and gate --dump go through the same matching
        try cli.ok(["registry", "add", "--create", "m", "--name", "beam", "--registry", "reg", "--external-dump", swapped])
        #expect(try cli.ok(["registry", "add", "m", "--name", "beam", "--registry", "reg"]).contains("beam@1 already holds this model"))
        let gate = try cli.run(["gate", "beam@1", "--baseline", "beam@1", "--max-regression", "rmse=0%",
                                "--dump", swapped, "--registry", "reg", "--report-dir", "g"])
        #expect(gate.status == 0, "\(gate.stdout)\(gate.stderr)")
        #expect(gate.stderr.contains("matched by name"), "\(gate.stderr)")
    }

    @Test func rootAttributesNameTheModelAndUnitsAreKept() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", Self.fixtures + "root_attributes.h5", "--out", "m", "--epochs", "5", "--hidden", "8"])
        let text = try #require(cli.read("m/model.json"))
        let card = try #require(try cli.json(text) as? [String: Any])
        #expect(card["input_names"] as? [String] == ["thickness", "load", "angle"])
        #expect(card["output_names"] as? [String] == ["stress", "mass"])
        #expect(card["output_units"] as? [String] == ["MPa", "kg"])
        #expect((card["input_bounds"] as? [String: Any])?["high"] as? [Double] == [24.5, 25.5, 26.5])
        // the user's CSV with the real names is accepted
        try cli.write("p.csv", "thickness,load,angle\n1,2,3\n")
        try cli.ok(["predict", "m", "--input", "p.csv"])
        // a dump without names trains with a warning
        let unnamed = try cli.run(["train", Self.fixtures + "unnamed.h5", "--out", "u", "--epochs", "5", "--hidden", "8"])
        #expect(unnamed.status == 0 && unnamed.stderr.contains("names no columns"), "\(unnamed.stderr)")
    }

    @Test func predictFlagsRowsOutsideTheDomainAndPassesOtherColumnsThrough() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok(["train", Self.fixtures + "root_attributes.h5", "--out", "m", "--epochs", "5", "--hidden", "8"])
        try cli.write("p.csv", "id,thickness,note,load,angle\n7,1,\"a, b\",2,3\n8,100,x,2,3\n")
        let csv = try cli.run(["predict", "m", "--input", "p.csv"])
        #expect(csv.status == 0)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "id,note,stress,mass,out_of_domain", "\(lines)")
        #expect(lines[1].hasPrefix("7,\"a, b\",") && lines[1].hasSuffix(","), "\(lines)")
        #expect(lines[2].hasPrefix("8,x,") && lines[2].hasSuffix(",thickness"), "\(lines)")
        #expect(csv.stderr.contains("1 of 2 rows lie outside the model's declared bounds")
                && csv.stderr.contains("line 3: thickness 100 not in [0, 24.5]"), "\(csv.stderr)")
        let json = try #require(try cli.json(try cli.ok(["predict", "m", "--input", "p.csv", "--format", "json"])) as? [String: Any])
        let rows = try #require(json["predictions"] as? [[String: Any]])
        #expect(rows[0]["id"] as? Int == 7 && rows[0]["note"] as? String == "a, b")
        #expect(rows[0]["out_of_domain"] as? [String] == [] && rows[1]["out_of_domain"] as? [String] == ["thickness"])
        let strict = try cli.run(["predict", "m", "--input", "p.csv", "--strict"])
        #expect(strict.status == 1 && strict.stdout.isEmpty && strict.stderr.contains("line 3: thickness 100"), "\(strict.stderr)")
        // without declared bounds the training range is the domain
        try cli.ok(["train", Self.fixtures + "unnamed.h5", "--out", "u", "--epochs", "5", "--hidden", "8"])
        try cli.write("q.csv", "x0,x1,x2\n1,2,3\n-5,2,3\n")
        let ranged = try cli.run(["predict", "u", "--input", "q.csv", "--strict"])
        #expect(ranged.status == 1 && ranged.stderr.contains("training range") && ranged.stderr.contains("line 3: x0 -5"), "\(ranged.stderr)")
    }
}
