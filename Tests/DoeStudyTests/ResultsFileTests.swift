import DoeDesign
import DoeStudy
import Testing

@Suite struct ResultsFileTests {
    let space = try! DesignSpace.parse(#"{"parameters":[{"name":"x","type":"real","low":0,"high":1}],"objectives":["y"]}"#)

    @Test func csvWithQuotesCRLFAndMetadata() throws {
        let rows = try ResultsFile.parse("id,y,note\r\n3,1.5,\"a, \"\"quoted\"\" note\"\r\n\r\n4,2,\n", source: "r.csv", space: space)
        #expect(rows.count == 2)
        #expect(rows[0].id == 3 && rows[0].values.first?.1 == .double(1.5))
        #expect(rows[0].meta.first?.1 == .string("a, \"quoted\" note"))
        #expect(rows[1].location == "r.csv line 4")
        #expect(rows[1].meta.isEmpty)
    }

    @Test func jsonListAndObjectForms() throws {
        let a = try ResultsFile.parse(#"[{"id":1,"value":2}]"#, source: "-", space: space)
        let b = try ResultsFile.parse(#"{"results":[{"id":1,"values":{"y":2}}]}"#, source: "r.json", space: space)
        #expect(a[0].id == 1 && b[0].id == 1)
        let imported = try ResultsFile.parse(#"{"results":[{"params":{"x":0.5},"value":2}]}"#, source: "r.json", space: space)
        #expect(imported[0].id == nil && imported[0].params?["x"] == .int(0) || imported[0].params?["x"]?.number == 0.5)
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: StudyError.self) { try ResultsFile.parse("id,y\n1,\"2\n", source: "r.csv", space: space) }
    }
}
