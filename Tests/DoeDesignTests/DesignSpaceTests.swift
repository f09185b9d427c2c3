import DoeBase
import DoeDesign
import Testing

@Suite struct DesignSpaceTests {
    @Test func parsesBareListAsSingleMinimizedObjective() throws {
        let space = try DesignSpace.parse(#"[{"name":"x0","type":"real","low":0,"high":1},{"name":"n","type":"int","low":1,"high":4}]"#)
        #expect(space.parameters.map(\.name) == ["x0", "n"])
        #expect(space.objectives == [Objective(name: "value", direction: .minimize)])
        #expect(space.dimension == 2)
        #expect(space.initialDesignSize == 6)
    }

    @Test func parsesFullYAMLSpec() throws {
        let yaml = """
        parameters:
          - {name: radius, type: real, low: 0.05, high: 0.15, unit: m}
          - {name: k, type: real, low: 1e-3, high: 1.0, log: true}
          - {name: layers, type: int, low: 1, high: 8}
          - {name: material, type: categorical, choices: [steel, aluminium, 3]}
          - {name: temperature, type: fixed, value: 293}
        objectives:
          - {name: mass, direction: minimize}
          - {name: stiffness, direction: maximize}
        initial_trials: 12
        """
        let space = try DesignSpace.parse(yaml)
        #expect(space.dimension == 4)
        #expect(space.initialDesignSize == 12)
        #expect(space.parameters[1].domain == .real(low: 1e-3, high: 1, logScale: true))
        #expect(space.parameters[3].domain == .categorical(choices: [.text("steel"), .text("aluminium"), .integer(3)]))
        #expect(space.objectives.map(\.direction) == [.minimize, .maximize])
        let a = space.assignment(fromUnit: [0, 0.5, 0.999, 0.5])
        #expect(a[0] == .real(0.05))
        #expect(abs((a[1].number ?? 0) - 1e-3.squareRoot() * 1.0) < 1e-12)  // log midpoint of [1e-3, 1]
        #expect(a[2] == .integer(8))
        #expect(a[3] == .text("aluminium"))
        #expect(a[4] == .integer(293))
    }

    @Test(arguments: [
        (#"[{"name":"x","type":"real","low":1,"high":0}]"#, ["parameter 'x' (#1)", "field 'high'", "greater than low"]),
        (#"[{"name":"x","type":"real","low":0}]"#, ["parameter 'x'", "field 'high'", "missing"]),
        (#"[{"name":"x","type":"wavy","low":0,"high":1}]"#, ["field 'type'", "unknown type 'wavy'"]),
        (#"[{"name":"x","type":"real","low":0,"high":1,"hihg":2}]"#, ["field 'hihg'", "not a field"]),
        (#"[{"name":"x","type":"real","low":0,"high":1,"log":true}]"#, ["field 'low'", "> 0 with log"]),
        (#"[{"name":"x","type":"int","low":0.5,"high":3}]"#, ["field 'low'", "not an integer"]),
        (#"[{"name":"c","type":"categorical","choices":[]}]"#, ["field 'choices'", "non-empty"]),
        (#"[{"name":"c","type":"categorical","choices":["a","a"]}]"#, ["choice 'a' is listed twice"]),
        (#"[{"name":"x","type":"real","low":0,"high":1},{"name":"x","type":"int","low":0,"high":1}]"#, ["'x' is used twice"]),
        (#"[{"name":"a b","type":"real","low":0,"high":1}]"#, ["parameter #1", "not a valid name"]),
        (#"[{"name":"id","type":"real","low":0,"high":1}]"#, ["reserved"]),
        (#"[{"name":"f","type":"fixed","value":1}]"#, ["at least one parameter must vary"]),
        (#"{"parameters":[{"name":"x","type":"real","low":0,"high":1}],"objectives":[{"name":"y","direction":"up"}]}"#, ["objective 'y'", "minimize or maximize"]),
        (#"{"parameters":[],"objectives":[]}"#, ["field 'parameters'", "non-empty"]),
        (#"{"params":[]}"#, ["field 'params'", "unknown top-level field"]),
        ("parameters: [ {name: x", ["not valid YAML/JSON"]),
        (#"[{"name":"x","type":"real","low":".nan","high":1}]"#, ["field 'low'"]),
    ])
    func malformedSpacesNameTheProblem(text: String, fragments: [String]) {
        do {
            _ = try DesignSpace.parse(text, source: "space.json")
            Issue.record("expected an error for \(text)")
        } catch let error as SpaceError {
            #expect(error.description.hasPrefix("space.json"))
            for fragment in fragments { #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)") }
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func validatesAssignments() throws {
        let space = try DesignSpace.parse("""
        parameters:
          - {name: x, type: real, low: 0, high: 1}
          - {name: n, type: int, low: 1, high: 3}
          - {name: m, type: categorical, choices: [a, b]}
          - {name: t, type: fixed, value: 5}
        """)
        let ok = try space.assignment(from: ["x": 0.5, "n": 2, "m": "b"], context: "row 1")
        #expect(ok == [.real(0.5), .integer(2), .text("b"), .integer(5)])
        let fromCSV = try space.assignment(from: ["x": "0.25", "n": "3", "m": "a", "t": "5"], context: "row 2")
        #expect(fromCSV == [.real(0.25), .integer(3), .text("a"), .integer(5)])
        let cases: [([String: JSONValue], String)] = [
            (["x": 1.5, "n": 2, "m": "a"], "outside [0.0, 1.0]"),
            (["x": .double(.nan), "n": 2, "m": "a"], "not finite"),
            (["x": 0.5, "n": 2.5, "m": "a"], "not an integer"),
            (["x": 0.5, "n": 9, "m": "a"], "outside [1, 3]"),
            (["x": 0.5, "n": 2, "m": "z"], "not one of a, b"),
            (["x": 0.5, "n": 2], "'m' is missing"),
            (["x": 0.5, "n": 2, "m": "a", "q": 1], "unknown parameter 'q'"),
            (["x": 0.5, "n": 2, "m": "a", "t": 6], "fixed at 5"),
            (["x": "abc", "n": 2, "m": "a"], "expected a number"),
        ]
        for (raw, fragment) in cases {
            do {
                _ = try space.assignment(from: raw, context: "row 3")
                Issue.record("expected an error containing \(fragment)")
            } catch let error as ValueError {
                #expect(error.message.contains(fragment), "\(error.message)")
                #expect(error.message.hasPrefix("row 3"))
            }
        }
    }

    @Test func unitMappingRoundTrips() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":-2,"high":6},{"name":"k","type":"real","low":0.01,"high":100,"log":true},{"name":"n","type":"int","low":0,"high":9},{"name":"c","type":"categorical","choices":["a","b","c"]}]"#)
        for u in stride(from: 0.05, through: 0.95, by: 0.1) {
            let a = space.assignment(fromUnit: [u, u, u, u])
            let back = space.unitPoint(of: a)
            #expect(abs(back[0] - u) < 1e-12 && abs(back[1] - u) < 1e-12)
            #expect(space.assignment(fromUnit: back) == a)  // discrete cells map back to themselves
        }
    }
}
