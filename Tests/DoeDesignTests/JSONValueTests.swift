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
