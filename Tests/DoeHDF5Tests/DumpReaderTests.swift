@testable import DoeHDF5
import Foundation
import Testing

/// Reads the h5py-written fixtures made by scripts/make_h5_fixtures.py.
@Suite struct DumpReaderTests {
    static let fixtures: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    @Test func chunkedGzipFloat32WithAttributesAndFields() throws {
        var layout = DumpLayout()
        layout.fields = "/fields/uy"
        layout.chunkRows = 7   // several hyperslabs, not aligned with the file's 16-row chunks
        let data = try DumpReader.load([Self.fixture("chunked_gzip_f32.h5")], layout: layout)
        #expect(data.rows == 50 && data.droppedRows == 0)
        #expect(data.inputNames == ["thickness", "load", "angle"])
        #expect(data.outputNames == ["stress", "mass"])
        #expect(data.inputUnits == ["mm", "kN", "deg"])
        #expect(data.inputBounds?.low == [0, 1, 2] && data.inputBounds?.high == [24.5, 25.5, 26.5])
        for i in [0, 13, 49] {
            for j in 0..<3 { #expect(data.inputs[i * 3 + j] == Float(Double(i) * 0.5 + Double(j))) }
            #expect(data.outputs[i * 2] == Float(i + 1) && data.outputs[i * 2 + 1] == Float((i + 1) * 10))
            #expect(data.fields![i * 40 + 7] == Float(Double(i) + 0.07))
        }
        #expect(data.fieldWidth == 40)
    }

    @Test func nanAndInfRowsAreDroppedAndCountedOrRefused() throws {
        let data = try DumpReader.load([Self.fixture("plain_f64_nan.h5")])
        #expect(data.rows == 18 && data.droppedRows == 2)
        #expect(data.outputNames == ["stress"])   // fixed-length byte-string attribute, 1-D outputs
        #expect(data.inputNames == ["thickness", "load", "angle"])
        #expect(data.inputs[5 * 3] == 6 * 0.5)      // row 5 (NaN) was dropped: kept row 5 is original row 6
        var strict = DumpLayout()
        strict.dropNonFinite = false
        #expect { try DumpReader.load([Self.fixture("plain_f64_nan.h5")], layout: strict) } throws: { error in
            "\(error)".contains("plain_f64_nan.h5: row 5 has NaN")
        }
    }

    @Test func filesAreConcatenatedInOrder() throws {
        var layout = DumpLayout()
        layout.fields = "/fields/uy"
        let data = try DumpReader.load([Self.fixture("chunked_gzip_f32.h5"), Self.fixture("part2_f64.h5")], layout: layout)
        #expect(data.rows == 60)
        #expect(data.inputs[55 * 3 + 2] == Float(55 * 0.5 + 2))
        #expect(data.sources.count == 2)
    }

    @Test func aFolderIsReadInNameOrder() throws {
        let folder = NSTemporaryDirectory() + "doe-dumps-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Self.fixture("part2_f64.h5"), toPath: folder + "/b.h5")
        try FileManager.default.copyItem(atPath: Self.fixture("chunked_gzip_f32.h5"), toPath: folder + "/a.h5")
        try "not a dump".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        let data = try DumpReader.load([folder])
        #expect(data.rows == 60 && data.sources.map { ($0 as NSString).lastPathComponent } == ["a.h5", "b.h5"])
        #expect(data.inputs[0] == 0 && data.inputs[59 * 3] == Float(59 * 0.5))
    }

    @Test(arguments: [
        ("bad_rows.h5", "'/inputs' has 10 rows but '/outputs' has 9"),
        ("bad_rank.h5", "has rank 3 (4×3×2)"),
        ("bad_type.h5", "holds string values, not numbers"),
        ("lzf.h5", "compression filter may be unavailable"),
        ("missing.h5", "no such file"),
    ])
    func badDumpsNameTheProblem(file: String, message: String) {
        do {
            _ = try DumpReader.load([Self.fixture(file)])
            Issue.record("expected an error for \(file)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(file), "the message names the file: \(error)")
        }
    }

    @Test func missingDatasetListsWhatTheFileHas() {
        var layout = DumpLayout()
        layout.outputs = "/results/y"
        do {
            _ = try DumpReader.load([Self.fixture("bad_rows.h5")], layout: layout)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("'/results/y'") && "\(error)".contains("/inputs, /outputs"), "\(error)")
        }
    }

    @Test func mismatchedColumnsBetweenFilesAreRefused() {
        do {
            _ = try DumpReader.load([Self.fixture("chunked_gzip_f32.h5"), Self.fixture("plain_f64_nan.h5")])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("do not match") && "\(error)".contains("missing from the dump: mass"), "\(error)")
        }
    }

    // MARK: - Columns matched by name, names from where users put them

    @Test func aPermutedDumpIsReorderedByName() throws {
        var layout = DumpLayout()
        layout.fields = "/fields/uy"
        let original = try DumpReader.load([Self.fixture("chunked_gzip_f32.h5")], layout: layout)
        let swapped = try DumpReader.load([Self.fixture("swapped_columns.h5")], layout: layout)
        #expect(swapped.inputNames == ["angle", "thickness", "load"] && swapped.outputNames == ["mass", "stress"])
        let matched = try swapped.matching(inputs: original.inputNames, outputs: original.outputNames, of: "the model")
        #expect(matched.inputNames == original.inputNames && matched.outputNames == original.outputNames)
        #expect(matched.inputs == original.inputs)
        #expect(matched.outputs == original.outputs)
        #expect(matched.notes.contains { $0.contains("inputs are in another order") && $0.contains("angle, thickness, load → thickness, load, angle") })
        #expect(matched.notes.contains { $0.contains("outputs are in another order") })
        // several files: the second is matched to the first by name
        let both = try DumpReader.load([Self.fixture("chunked_gzip_f32.h5"), Self.fixture("swapped_columns.h5")], layout: layout)
        #expect(both.rows == 100 && Array(both.inputs[150..<300]) == original.inputs)
    }

    @Test func missingOrExtraColumnsListBothSides() throws {
        let extra = try DumpReader.load([Self.fixture("extra_input.h5")])
        #expect { try extra.matching(inputs: ["thickness", "load", "angle"], outputs: ["stress", "mass"], of: "the model m") } throws: { error in
            let text = "\(error)"
            return text.contains("extra_input.h5") && text.contains("not in the model m: temperature")
                && text.contains("(thickness, load, angle, temperature)") && text.contains("(thickness, load, angle)")
        }
        #expect { try extra.matching(inputs: ["thickness", "load", "width"], outputs: nil, of: "the model m") } throws: { error in
            "\(error)".contains("missing from the dump: width") && "\(error)".contains("not in the model m: angle, temperature")
        }
    }

    @Test func aDumpWithoutNamesIsNotedAndTakenByPosition() throws {
        let data = try DumpReader.load([Self.fixture("unnamed.h5")])
        #expect(data.inputNames == ["x0", "x1", "x2"] && !data.inputNamesGiven && !data.outputNamesGiven)
        #expect(data.notes.contains { $0.contains("unnamed.h5") && $0.contains("names no columns") && $0.contains("input_names") })
        let matched = try data.matching(inputs: ["thickness", "load", "angle"], outputs: ["stress", "mass"], of: "the model")
        #expect(matched.inputNames == ["thickness", "load", "angle"])
        #expect(matched.notes.contains { $0.contains("taken by position") })
        #expect(throws: DumpError.self) { try data.matching(inputs: ["a", "b"], outputs: nil, of: "the model") }
    }

    @Test func rootAttributesGiveNamesUnitsAndBounds() throws {
        let data = try DumpReader.load([Self.fixture("root_attributes.h5")])
        #expect(data.inputNames == ["thickness", "load", "angle"] && data.inputNamesGiven)
        #expect(data.outputNames == ["stress", "mass"])
        #expect(data.inputUnits == ["mm", "kN", "deg"] && data.outputUnits == ["MPa", "kg"])
        #expect(data.inputBounds?.low == [0, 1, 2] && data.inputBounds?.high == [24.5, 25.5, 26.5])
        #expect(data.notes.isEmpty, "\(data.notes)")
    }

    @Test func datasetAndFileNamesThatDisagreeAreRefused() {
        #expect { try DumpReader.load([Self.fixture("conflicting_names.h5")]) } throws: { error in
            let text = "\(error)"
            return text.contains("conflicting_names.h5") && text.contains("disagree")
                && text.contains("(thickness, load, angle)") && text.contains("(load, thickness, angle)")
        }
    }

    @Test func aGroupOfPerVariableDatasetsIsReadAsColumns() throws {
        let data = try DumpReader.load([Self.fixture("per_variable.h5")])
        // h5py tracks no creation order by default: name order
        #expect(data.inputNames == ["angle", "load", "thickness"] && data.outputNames == ["mass", "stress"])
        #expect(data.inputUnits == ["deg", "kN", "mm"])
        #expect(data.rows == 50)
        let i = 13
        #expect(data.inputs[i * 3] == Float(Double(i) * 0.5 + 2) && data.inputs[i * 3 + 2] == Float(Double(i) * 0.5))
        #expect(data.outputs[i * 2] == Float((i + 1) * 10) && data.outputs[i * 2 + 1] == Float(i + 1))
        // matched to a model's order by name
        let matched = try data.matching(inputs: ["thickness", "load", "angle"], outputs: ["stress", "mass"], of: "the model")
        let reference = try DumpReader.load([Self.fixture("root_attributes.h5")])
        #expect(matched.inputs == reference.inputs && matched.outputs == reference.outputs)
        // creation order when the file tracks it
        let ordered = try DumpReader.load([Self.fixture("per_variable_ordered.h5")])
        #expect(ordered.inputNames == ["thickness", "load", "angle"] && ordered.outputNames == ["stress", "mass"])
        #expect(ordered.inputs == reference.inputs)
    }

    @Test func aGroupWhereADatasetIsExpectedSaysWhatItHolds() {
        var layout = DumpLayout()
        layout.fields = "/fields"
        #expect { try DumpReader.load([Self.fixture("chunked_gzip_f32.h5")], layout: layout) } throws: { error in
            "\(error)".contains("chunked_gzip_f32.h5: cannot read dataset '/fields' (it is a group holding uy; name a dataset in it)")
        }
    }

    @Test(arguments: [
        ("transposed_inputs.h5", "'/inputs' has 3 rows but '/outputs' has 50; is '/inputs' stored transposed (3×50"),
        ("transposed_named.h5", "has 5 entries for the 3 columns of '/inputs' (5×3); the dataset looks stored transposed"),
    ])
    func transposedArraysGetAHint(file: String, message: String) {
        do {
            _ = try DumpReader.load([Self.fixture(file)])
            Issue.record("expected an error for \(file)")
        } catch {
            #expect("\(error)".contains(file), "\(error)")
            #expect("\(error)".contains(message) && "\(error)".contains("data.T"), "\(error)")
        }
    }

    @Test func messagesReadAsSentences() {
        do {
            _ = try DumpReader.load([Self.fixture("lzf.h5")])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasSuffix("lzf.h5: cannot read rows 0–7 of dataset '/inputs' (a compression filter may be unavailable, e.g. h5py's lzf; write the dump with gzip)"), "\(error)")
        }
    }
}
