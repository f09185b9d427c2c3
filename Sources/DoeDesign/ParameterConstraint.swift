import DoeBase
import Foundation

/// A constraint on the parameters themselves (`parameter_constraints: ["thickness + 2*rib <= 12"]` in the space
/// file): an inequality between two arithmetic expressions over parameter names, linear or not.
///
/// Grammar (a small recursive-descent parser, never `eval`):
/// ```
/// constraint := sum ("<=" | ">=" | "≤" | "≥") sum
/// sum        := product (("+" | "-") product)*
/// product    := unary (("*" | "/") unary)*
/// unary      := ("-" | "+") unary | power
/// power      := atom ("^" unary)?                  (right-associative: 2^3^2 = 2^9)
/// atom       := number | name | function "(" sum ")" | "(" sum ")"
/// function   := sqrt | exp | log | sin | cos | abs
/// ```
/// Names are real, integer, fixed or numeric-categorical parameters. The constraint holds when
/// ``slack(_:)`` `g(x) = lhs − rhs` (for `<=`) or `rhs − lhs` (for `>=`) is at most 0.
public struct ParameterConstraint: Sendable, Equatable {
    /// The expression as written.
    public let text: String
    /// `lhs − rhs` (or `rhs − lhs`), feasible when ≤ 0.
    let slackExpression: Expression

    /// Parses `text` against the space's parameter names.
    /// - Throws: ``ValueError`` naming the expression, the offending token and its column (1-based).
    public init(parsing text: String, parameters: [Parameter]) throws {
        self.text = text
        var parser = ExpressionParser(text: text, parameters: parameters)
        slackExpression = try parser.parseConstraint()
    }

    /// `g(x)` for parameter values in ``DesignSpace/parameters`` order (categoricals as their numeric value):
    /// the constraint holds when it is ≤ 0.
    public func slack(_ values: [Double]) -> Double { slackExpression.evaluate(values) }

    /// `g(x)` and `∂g/∂xᵢ` for every parameter.
    public func slackAndGradient(_ values: [Double]) -> (value: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: values.count)
        let value = slackExpression.evaluate(values, gradient: &gradient, scale: 1)
        return (value, gradient)
    }

    /// Whether an assignment satisfies the constraint (a NaN slack does not: `sqrt(−1)` is not feasible).
    public func isSatisfied(by assignment: [ParameterValue]) -> Bool {
        let v = slack(ParameterConstraint.numbers(assignment))
        return v <= ParameterConstraint.tolerance * max(1, abs(v))
    }

    /// Round-off allowed when checking a constraint (relative): a point on a linear boundary found by the optimizer
    /// is feasible.
    public static let tolerance = 1e-9

    /// Parameter values as numbers (categorical choices that are numbers as themselves, other choices NaN).
    public static func numbers(_ assignment: [ParameterValue]) -> [Double] {
        assignment.map { value in
            switch value {
            case let .real(v): return v
            case let .integer(i): return Double(i)
            case let .text(s): return Double(s) ?? .nan
            }
        }
    }

    /// Indices of the parameters the expression reads.
    public var parameterIndices: Set<Int> { slackExpression.variables }

    /// Two constraints are equal when their texts are.
    public static func == (a: ParameterConstraint, b: ParameterConstraint) -> Bool { a.text == b.text }
}

/// A parsed arithmetic expression over parameter values.
indirect enum Expression: Sendable {
    case number(Double)
    case variable(Int)
    case negate(Expression)
    case binary(Character, Expression, Expression)
    case function(String, Expression)

    var variables: Set<Int> {
        switch self {
        case .number: return []
        case let .variable(i): return [i]
        case let .negate(e), let .function(_, e): return e.variables
        case let .binary(_, a, b): return a.variables.union(b.variables)
        }
    }

    func evaluate(_ x: [Double]) -> Double {
        var none: [Double] = []
        return evaluate(x, gradient: &none, scale: 0)
    }

    /// The value; adds `scale · ∂value/∂xᵢ` into `gradient` when it is non-empty (reverse mode, one pass per node).
    func evaluate(_ x: [Double], gradient: inout [Double], scale: Double) -> Double {
        let wantsGradient = !gradient.isEmpty && scale != 0
        switch self {
        case let .number(v):
            return v
        case let .variable(i):
            if wantsGradient { gradient[i] += scale }
            return x[i]
        case let .negate(e):
            return -e.evaluate(x, gradient: &gradient, scale: -scale)
        case let .binary(op, a, b):
            var none: [Double] = []
            let u = a.evaluate(x, gradient: &none, scale: 0), v = b.evaluate(x, gradient: &none, scale: 0)
            switch op {
            case "+":
                if wantsGradient {
                    _ = a.evaluate(x, gradient: &gradient, scale: scale)
                    _ = b.evaluate(x, gradient: &gradient, scale: scale)
                }
                return u + v
            case "-":
                if wantsGradient {
                    _ = a.evaluate(x, gradient: &gradient, scale: scale)
                    _ = b.evaluate(x, gradient: &gradient, scale: -scale)
                }
                return u - v
            case "*":
                if wantsGradient {
                    _ = a.evaluate(x, gradient: &gradient, scale: scale * v)
                    _ = b.evaluate(x, gradient: &gradient, scale: scale * u)
                }
                return u * v
            case "/":
                if wantsGradient {
                    _ = a.evaluate(x, gradient: &gradient, scale: scale / v)
                    _ = b.evaluate(x, gradient: &gradient, scale: -scale * u / (v * v))
                }
                return u / v
            default:   // "^"
                let value = Foundation.pow(u, v)
                if wantsGradient {
                    _ = a.evaluate(x, gradient: &gradient, scale: scale * v * Foundation.pow(u, v - 1))
                    if case .number = b {} else { _ = b.evaluate(x, gradient: &gradient, scale: scale * value * Foundation.log(u)) }
                }
                return value
            }
        case let .function(name, e):
            var none: [Double] = []
            let u = e.evaluate(x, gradient: &none, scale: 0)
            let (value, derivative): (Double, Double)
            switch name {
            case "sqrt": (value, derivative) = (u.squareRoot(), 0.5 / u.squareRoot())
            case "exp": (value, derivative) = (Foundation.exp(u), Foundation.exp(u))
            case "log": (value, derivative) = (Foundation.log(u), 1 / u)
            case "sin": (value, derivative) = (Foundation.sin(u), Foundation.cos(u))
            case "cos": (value, derivative) = (Foundation.cos(u), -Foundation.sin(u))
            default: (value, derivative) = (abs(u), u >= 0 ? 1 : -1)      // abs
            }
            if wantsGradient { _ = e.evaluate(x, gradient: &gradient, scale: scale * derivative) }
            return value
        }
    }
}

/// Recursive-descent parser of ``ParameterConstraint``'s grammar, with errors that point at a column.
struct ExpressionParser {
    enum Token: Equatable {
        case number(Double), name(String), symbol(String), end
    }

    static let functions: Set<String> = ["sqrt", "exp", "log", "sin", "cos", "abs"]
    let text: String
    let parameters: [Parameter]
    var tokens: [(token: Token, column: Int)] = []
    var position = 0

    init(text: String, parameters: [Parameter]) {
        self.text = text
        self.parameters = parameters
    }

    func fail(_ message: String, column: Int) -> ValueError {
        ValueError("parameter constraint \"\(text)\", column \(column): \(message)")
    }

    mutating func tokenize() throws {
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            let c = characters[i], column = i + 1
            if c.isWhitespace { i += 1; continue }
            if c.isNumber || (c == "." && i + 1 < characters.count && characters[i + 1].isNumber) {
                var j = i
                while j < characters.count, characters[j].isNumber || characters[j] == "." { j += 1 }
                if j < characters.count, characters[j] == "e" || characters[j] == "E" {
                    var k = j + 1
                    if k < characters.count, characters[k] == "+" || characters[k] == "-" { k += 1 }
                    if k < characters.count, characters[k].isNumber {
                        while k < characters.count, characters[k].isNumber { k += 1 }
                        j = k
                    }
                }
                let literal = String(characters[i..<j])
                guard let value = Double(literal), value.isFinite else { throw fail("'\(literal)' is not a number", column: column) }
                tokens.append((.number(value), column))
                i = j
            } else if c.isLetter || c == "_" {
                var j = i
                while j < characters.count, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" { j += 1 }
                tokens.append((.name(String(characters[i..<j])), column))
                i = j
            } else if (c == "<" || c == ">" || c == "=" || c == "!") && i + 1 < characters.count && characters[i + 1] == "=" {
                tokens.append((.symbol(String(characters[i...i + 1])), column))
                i += 2
            } else if "+-*/^()<>≤≥=".contains(c) {
                tokens.append((.symbol(String(c)), column))
                i += 1
            } else {
                throw fail("unexpected character '\(c)' (expressions use numbers, parameter names, + - * / ^, "
                    + "parentheses, sqrt exp log sin cos abs, and one <= or >=)", column: column)
            }
        }
        tokens.append((.end, characters.count + 1))
    }

    var current: (token: Token, column: Int) { tokens[position] }

    func describe(_ token: Token) -> String {
        switch token {
        case let .number(v): return "'\(NumberText.significant(v))'"
        case let .name(n): return "'\(n)'"
        case let .symbol(s): return "'\(s)'"
        case .end: return "the end"
        }
    }

    mutating func parseConstraint() throws -> Expression {
        try tokenize()
        guard tokens.count > 1 else { throw fail("empty expression", column: 1) }
        let lhs = try parseSum()
        let (token, column) = current
        guard case let .symbol(op) = token, ["<=", ">=", "≤", "≥"].contains(op) else {
            if case let .symbol(op) = token, ["<", ">", "=", "==", "!="].contains(op) {
                throw fail("'\(op)' is not allowed: a constraint compares with <= or >= (≤, ≥)", column: column)
            }
            throw fail("expected <= or >= after the left-hand side, found \(describe(token))", column: column)
        }
        position += 1
        let rhs = try parseSum()
        guard current.token == .end else {
            throw fail("unexpected \(describe(current.token)) after the right-hand side", column: current.column)
        }
        return op == "<=" || op == "≤" ? .binary("-", lhs, rhs) : .binary("-", rhs, lhs)
    }

    mutating func parseSum() throws -> Expression {
        var e = try parseProduct()
        while case let .symbol(op) = current.token, op == "+" || op == "-" {
            position += 1
            e = .binary(Character(op), e, try parseProduct())
        }
        return e
    }

    mutating func parseProduct() throws -> Expression {
        var e = try parseUnary()
        while case let .symbol(op) = current.token, op == "*" || op == "/" {
            position += 1
            e = .binary(Character(op), e, try parseUnary())
        }
        return e
    }

    mutating func parseUnary() throws -> Expression {
        if case let .symbol(op) = current.token, op == "-" || op == "+" {
            position += 1
            let e = try parseUnary()
            return op == "-" ? .negate(e) : e
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> Expression {
        let base = try parseAtom()
        if current.token == .symbol("^") {
            position += 1
            return .binary("^", base, try parseUnary())
        }
        return base
    }

    mutating func parseAtom() throws -> Expression {
        let (token, column) = current
        switch token {
        case let .number(v):
            position += 1
            return .number(v)
        case let .name(name):
            position += 1
            if ExpressionParser.functions.contains(name) {
                guard current.token == .symbol("(") else { throw fail("\(name) needs parentheses: \(name)(…)", column: current.column) }
                position += 1
                let argument = try parseSum()
                try expect(")", opened: column)
                return .function(name, argument)
            }
            guard let index = parameters.firstIndex(where: { $0.name == name }) else {
                throw fail("unknown name '\(name)' (parameters: \(parameters.map(\.name).joined(separator: ", ")); "
                    + "functions: sqrt, exp, log, sin, cos, abs)", column: column)
            }
            if case let .categorical(choices) = parameters[index].domain,
               !choices.allSatisfy({ ParameterConstraint.numbers([$0])[0].isFinite }) {
                throw fail("categorical parameter '\(name)' has choices that are not numbers, so it cannot appear in an expression",
                           column: column)
            }
            return .variable(index)
        case .symbol("("):
            position += 1
            let e = try parseSum()
            try expect(")", opened: column)
            return e
        default:
            throw fail("expected a number, a parameter name or '(' but found \(describe(token))", column: column)
        }
    }

    mutating func expect(_ symbol: String, opened column: Int) throws {
        guard current.token == .symbol(symbol) else {
            throw fail("expected '\(symbol)' to close the '(' at column \(column), found \(describe(current.token))",
                       column: current.column)
        }
        position += 1
    }
}
