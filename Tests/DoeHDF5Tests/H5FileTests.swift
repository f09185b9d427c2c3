import DoeHDF5
import Foundation
import Testing

@Suite struct H5FileTests {
    @Test func writeThenReadRoundTrip() throws {
        let path = NSTemporaryDirectory() + "doe-h5-\(UUID().uuidString).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values = (0..<12).map { Double($0) * 0.5 - 1 }
        do {
            let file = try H5File.create(path)
            try file.write("/inputs", rows: 4, columns: 3, values: values)
        }
        let table = try H5File.open(path).readTable("/inputs")
        #expect(table.rows == 4 && table.columns == 3)
        #expect(table.values == values)
    }

    @Test func missingFileAndDatasetNameTheProblem() throws {
        let path = NSTemporaryDirectory() + "doe-h5-\(UUID().uuidString).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: H5Error.self) { try H5File.open(path) }
        do { let file = try H5File.create(path); try file.write("/x", rows: 1, columns: 1, values: [1]) }
        do {
            _ = try H5File.open(path).readTable("/nope")
            Issue.record("expected an error")
        } catch let error as H5Error {
            #expect(error.description.contains("/nope"))
            #expect(error.description.contains(path))
        }
    }
}
