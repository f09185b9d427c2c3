import DoeBase
@testable import DoeDesign
import Foundation
import Testing

@Suite struct ParameterConstraintTests {
    static let parameters = try! DesignSpace.parse("""
        parameters:
          - {name: thickness, type: real, low: 1, high: 10}
          - {name: rib, type: real, low: 0.1, high: 5, log: true}
          - {name: layers, type: int, low: 1, high: 8}
          - {name: pitch, type: categorical, choices: [2, 4, 8]}
          - {name: material, type: categorical, choices: [steel, aluminium]}
        """).parameters

    func constraint(_ text: String) throws -> ParameterConstraint {
        try ParameterConstraint(parsing: text, parameters: ParameterConstraintTests.parameters)
    }

    @Test func expressionsEvaluateByTheUsualRules() throws {
        let x: [Double] = [3, 2, 4, 8, .nan]   // thickness, rib, layers, pitch, material
        let log2: Double = log(2)
        var cases: [(String, Double)] = []
        cases.append(("thickness + 2*rib <= 12", -5))
        cases.append(("thickness * layers >= 10", -2))
        cases.append(("thickness^2 + rib^2 <= 25", -12))
        cases.append(("2^3^2 <= thickness", 509))                       // right-associative: 2^9 − 3
        cases.append(("-thickness^2 <= 0", -9))                          // unary minus binds looser than ^
        cases.append(("(thickness - rib) / layers ≤ 0.5", -0.25))
        cases.append(("sqrt(thickness * 3) + exp(0) + log(rib) - abs(-2) + sin(0) + cos(0) <= 1e1", log2 - 7))
        cases.append(("pitch * layers <= 32", 0))
        cases.append(("1.5e-1 * thickness ≥ rib", 1.55))
        for (text, expected) in cases {
            let c = try constraint(text)
            #expect(abs(c.slack(x) - expected) < 1e-12, "\(text): \(c.slack(x)) vs \(expected)")
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x: [Double] = [3.3, 1.7, 4, 8, .nan]
        for text in ["thickness + 2*rib <= 12", "thickness * layers / rib >= 10", "sqrt(thickness^2 + rib^3) - log(layers) <= 2",
                     "exp(rib / thickness) * cos(rib) + abs(thickness - 5) <= 3", "rib^thickness <= 100"] {
            let c = try constraint(text)
            let (value, gradient) = c.slackAndGradient(x)
            #expect(abs(value - c.slack(x)) < 1e-12)
            for i in 0..<3 {
                var up = x, down = x
                up[i] += 1e-6
                down[i] -= 1e-6
                let numeric = (c.slack(up) - c.slack(down)) / 2e-6
                #expect(abs(numeric - gradient[i]) < 1e-5 * max(1, abs(numeric)), "\(text) ∂/∂x\(i): \(gradient[i]) vs \(numeric)")
            }
            #expect(gradient[3] == 0 || text.contains("pitch"))
        }
    }

    @Test func errorsNameTheExpressionTheTokenAndTheColumn() throws {
        let cases: [(String, [String])] = [
            ("thickness + 2*rb <= 12", ["unknown name 'rb'", "column 15", "parameters: thickness, rib"]),
            ("thickness + 2*rib < 12", ["'<' is not allowed", "column 19"]),
            ("thickness + 2*rib == 12", ["'==' is not allowed", "column 19"]),
            ("thickness + 2*rib", ["expected <= or >=", "the end"]),
            ("thickness + * rib <= 1", ["expected a number", "'*'", "column 13"]),
            ("(thickness + rib <= 1", ["expected ')'", "column 1"]),
            ("thickness <= 1 2", ["unexpected '2'", "column 16"]),
            ("thickness # 2 <= 1", ["unexpected character '#'", "column 11"]),
            ("material * 2 <= 1", ["categorical parameter 'material'", "not numbers"]),
            ("sqrt thickness <= 1", ["sqrt needs parentheses", "column 6"]),
            ("", ["empty expression"]),
            ("thickness <= 1 <= 2", ["unexpected '<='"]),
        ]
        for (text, fragments) in cases {
            do {
                _ = try constraint(text)
                Issue.record("accepted \"\(text)\"")
            } catch let error as ValueError {
                #expect(error.message.contains("\"\(text)\""), "\(error.message)")
                for fragment in fragments { #expect(error.message.contains(fragment), "\(text): \(error.message)") }
            }
        }
    }

    @Test func spaceFileConstraintsAreCheckedAndAnEmptyFeasibleSetIsRefused() throws {
        let header = "parameters: [{name: x1, type: real, low: 0, high: 10}, {name: x2, type: real, low: 0, high: 10}]\n"
        let space = try DesignSpace.parse(header + #"parameter_constraints: ["x1 * x2 <= 32", "x1 + x2 >= 4"]"#)
        #expect(space.parameterConstraints.map(\.text) == ["x1 * x2 <= 32", "x1 + x2 >= 4"])
        #expect(space.satisfiesParameterConstraints([.real(4), .real(8)]))
        #expect(space.violatedConstraint([.real(5), .real(8)])?.text == "x1 * x2 <= 32")
        #expect(space.violatedConstraint([.real(1), .real(1)])?.text == "x1 + x2 >= 4")
        let share = space.feasibleShare()
        #expect(share > 0.3 && share < 0.7, "\(share)")
        try space.checkFeasibleShare(source: "s.yaml")
        do {
            _ = try DesignSpace.parse(header + #"parameter_constraints: ["x1 + x2 <= 12", "x1 * x2 >= 1e3"]"#).checkFeasibleShare(source: "s.yaml")
            Issue.record("an empty feasible set was accepted")
        } catch let error as SpaceError {
            #expect("\(error)".contains("no point of 16384") && "\(error)".contains("x1 * x2 >= 1e3"), "\(error)")
        }
        do {
            _ = try DesignSpace.parse(header + #"parameter_constraints: ["x1 + x2 <= 0.01"]"#).checkFeasibleShare(source: "s.yaml")
            Issue.record("a 0.0005 % feasible share was accepted")
        } catch let error as SpaceError {
            #expect("\(error)".contains("0.1 %"), "\(error)")
        }
        #expect(throws: SpaceError.self) { try DesignSpace.parse(header + #"parameter_constraints: "x1 <= 2""#) }
        do {
            _ = try DesignSpace.parse(header + #"parameter_constraints: ["x1 <= 2", "x3 <= 1"]"#)
        } catch let error as SpaceError {
            #expect("\(error)".contains("parameter_constraints #2") && "\(error)".contains("unknown name 'x3'"), "\(error)")
        }
    }

    @Test(arguments: [DesignMethod.sobol, .lhs, .random, .factorial])
    func designsOnlyHoldFeasiblePoints(method: DesignMethod) throws {
        let space = try DesignSpace.parse("""
            parameters: [{name: a, type: real, low: 0, high: 1}, {name: n, type: int, low: 1, high: 6}]
            parameter_constraints: ["a * n <= 2", "a^2 + (n/6)^2 >= 0.2"]
            """)
        let design = try DesignGenerator.assignments(for: space, method: method, count: 40, seed: 3, realLevels: 5)
        #expect(method == .factorial || design.count == 40)
        #expect(!design.isEmpty && design.allSatisfy(space.satisfiesParameterConstraints))
    }
}
