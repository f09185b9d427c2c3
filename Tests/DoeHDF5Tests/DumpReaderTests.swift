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
            #expect("\(error)".contains("differ from"), "\(error)")
        }
    }
}
