import DoeBase
import DoeDesign
import Testing

@Suite struct JSONValueTests {
    @Test func doublesRoundTripExactly() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            let d = (rng.nextUnit() - 0.5) * pow(10, Double(Int(rng.next() % 40)) - 20)
            let text = JSONValue.array([.double(d)]).serialized
            #expect(try JSONValue.parse(text) == .array([.double(d)]) || (try JSONValue.parse(text)).elements?.first?.number == d, "\(text)")
        }
    }

    @Test func keepsKeyOrderAndEscapes() throws {
        let v = JSONValue.object([("z", 1), ("a", "line\nbreak \"quoted\" \u{1}"), ("m", .array([.null, true, 2.5]))])
        #expect(v.serialized == #"{"z":1,"a":"line\nbreak \"quoted\" \u0001","m":[null,true,2.5]}"#)
        let back = try JSONValue.parse(v.serialized)
        #expect(back["a"]?.string == "line\nbreak \"quoted\" \u{1}")
        #expect(back["m"] == .array([.null, true, 2.5]))
        #expect(back["z"]?.integer == 1)
    }
}

import Foundation

@Suite struct OrderedJSONParsingTests {
    @Test func membersKeepDocumentOrder() throws {
        let keys = (0..<64).map { "k\(($0 * 37) % 64)" }
        let text = "{" + keys.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ") + "}"
        let value = try JSONValue.parse(text)
        #expect(value.members?.map(\.0) == keys)
        #expect(value.members?.map { $0.1.integer ?? -1 } == Array(0..<64))
    }

    @Test func numbersStringsAndNesting() throws {
        let value = try JSONValue.parse(#" {"a": [1, -0, 2.5, 1e3, -1.25E-2, 12345678901234567890], "s": "\u00e9\ud83d\ude00\/\t", "n": null, "b": false} "#)
        #expect(value["a"] == .array([.int(1), .int(0), .double(2.5), .double(1000), .double(-0.0125), .double(12345678901234567890)]))
        #expect(value["s"]?.string == "é😀/\t")
        #expect(value["n"] == .null)
        #expect(value["b"] == .bool(false))
        #expect(try JSONValue.parse("\u{FEFF}[]".data(using: .utf8)!) == .array([]))
    }

    @Test func errorsNameLineAndColumn() {
        let cases: [(String, String, Int, Int)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", "expected ':'", 3, 7),
            ("[1, 2", "unterminated array", 1, 6),
            ("{\"a\": 01}", "leading zero", 1, 7),
            ("[1] x", "unexpected text after", 1, 5),
            ("\"abc", "unterminated string", 1, 1),
            ("[tru]", "invalid literal", 1, 2),
            ("", "empty document", 1, 1),
            ("[1e999]", "out of range", 1, 2),
            (String(repeating: "[", count: 600), "nesting deeper", 1, 513),
        ]
        for (text, reason, line, column) in cases {
            do {
                _ = try JSONValue.parse(text)
                Issue.record("\(text.prefix(20)) parsed")
            } catch let error as JSONParseError {
                #expect(error.description.contains(reason), "\(error)")
                #expect(error.line == line && error.column == column, "\(text.prefix(20)): \(error)")
            } catch { Issue.record("unexpected \(error)") }
        }
    }
}

@Suite struct NumberTextTests {
    @Test func float32ValuesAreWrittenAsFloat32AndReadBackExactly() {
        #expect(JSONValue.double(Double(float32: Float(0.003))).serialized == "0.003")
        #expect(JSONValue.double(Double(float32: Float(1e-4))).serialized == "0.0001")
        var rng = SplitMix64(seed: 11)
        for _ in 0..<100_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard f.isFinite else { continue }
            #expect(Float(Double(float32: f)) == f, "\(f)")
        }
    }

    @Test func significantDigitsForPeople() {
        #expect(NumberText.significant(22.7476443466771) == "22.7476")
        #expect(NumberText.significant(250.0) == "250")
        #expect(NumberText.significant(1e-7) == "1e-07")
        #expect(NumberText.significant(-0.000123456789) == "-0.000123457")
        #expect(NumberText.significant(123456789.0) == "1.23457e+08")
        #expect(NumberText.significant(0.0) == "0")
        #expect(NumberText.significant(Float(0.003)) == "0.003")
        #expect(NumberText.withUnit(22.7476443466771, "mm") == "22.7476 mm")
        #expect(NumberText.withUnit(3, nil) == "3")
    }
}

/// The error kinds decide the exit status; a report lists the causes once.
@Suite struct CodedErrorTests {
    @Test func kindsMapToTheDocumentedExitStatuses() {
        #expect(ErrorKind.allCases.filter { $0.exitStatus == 64 } == [.usage, .invalidValue])
        #expect(ErrorKind.allCases.filter { $0.exitStatus == 2 } == [.inconclusive])
        #expect(ErrorKind.allCases.filter { $0.exitStatus == 1 }.count == ErrorKind.allCases.count - 3)
        #expect(ValueError("x: not a number").kind == .invalidValue && ValueError("x").code == "value.invalid")
    }

    @Test func aReportFollowsTheCausesAndSkipsWhatTheMessageAlreadySays() {
        let io = FileIOError(path: "/x/model.json", operation: "rename", code: 28)
        let wrapped = ValueError("cannot save the model", kind: .io, code: "model.io", cause: io)
        #expect(wrapped.report == "cannot save the model\n  caused by: \(io)")
        let repeated = ValueError("\(io)", kind: .io, code: "model.io", cause: io)
        #expect(repeated.report == "\(io)")
        #expect(io.code == "file.rename" && io.kind.exitStatus == 1)
    }
}
