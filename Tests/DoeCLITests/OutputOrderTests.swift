import Foundation
import Testing

/// Output order is the order of the files doe read, the same in every process (Swift seeds hashing per process,
/// so anything that walks a dictionary would differ between runs).
@Suite struct OutputOrderTests {
    @Test func metadataColumnsAndKeysFollowTheResultsFileInEveryProcess() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.write("space.json", #"[{"name":"x","type":"real","low":0,"high":1}]"#)
        try cli.ok(["init", "order", "--space", "space.json", "--seed", "4"])
        try cli.ok(["suggest", "order", "--batch", "2"])
        let metaKeys = ["rig", "zeta", "alpha", "operator", "m1", "b2", "temperature", "a0"]
        let meta = metaKeys.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ")
        try cli.write("results.json", #"{"results": [{"id": 1, "value": 0.5, "meta": {"# + meta + #"}}, {"id": 2, "value": 1.5}]}"#)
        try cli.ok(["observe", "order", "--results", "results.json"])
        var headers = Set<String>()
        var bestKeys = Set<[String]>()
        for _ in 0..<6 {
            let csv = try cli.ok(["trials", "order", "--format", "csv"])
            headers.insert(String(csv.split(separator: "\n")[0]))
            let best = try cli.ok(["best", "order", "--json"])
            // the key order of the printed JSON text itself
            let text = try #require(best.range(of: "\"meta\"")).upperBound
            let tail = String(best[text...])
            bestKeys.insert(metaKeys.sorted { tail.range(of: "\"\($0)\"")!.lowerBound < tail.range(of: "\"\($1)\"")!.lowerBound })
        }
        #expect(headers.count == 1, "trials --format csv changed its columns between runs: \(headers)")
        #expect(headers.first?.hasSuffix(metaKeys.joined(separator: ",")) == true, "\(headers)")
        #expect(bestKeys == [metaKeys], "best --json changed its meta key order: \(bestKeys)")
    }
}
