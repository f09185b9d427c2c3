import Foundation

/// A JSON value with ordered object keys: what doe reads from result files and journals and writes back out.
///
/// Objects keep their key order so machine output follows the design space's parameter order; numbers
/// keep the distinction between integers and reals. ``serialized`` produces compact, single-line JSON.
public enum JSONValue: Sendable, Equatable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in document order.
    case array([JSONValue])
    /// An object as `(key, value)` members in document order (duplicate keys are kept as written).
    case object([(String, JSONValue)])

    /// Structural equality; `.int(1)` and `.double(1)` differ, and objects compare member by member in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Parses one JSON document (RFC 8259), keeping object members in document order.
    ///
    /// Numbers written without a fraction or exponent that fit an `Int` become ``int(_:)``, all others ``double(_:)``
    /// (correctly rounded). Repeated keys are kept in order; ``subscript(_:)`` returns the first.
    /// - Throws: ``JSONParseError`` naming the line and column of the problem.
    public static func parse(_ data: Data) throws -> JSONValue {
        var parser = OrderedJSONParser(bytes: [UInt8](data))
        return try parser.parseDocument()
    }

    /// Parses one JSON document from a string; see ``parse(_:)-(Data)``.
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = OrderedJSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// Member `key` of an object (the first one when a key is repeated), or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// The value as a `Double` when it is a number.
    public var number: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    /// The value as a string when it is one.
    public var string: String? { if case let .string(s) = self { return s } else { return nil } }

    /// The value as an integer when it is an integer, or a real with an exact integer value.
    public var integer: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    /// The members of an object, in order.
    public var members: [(String, JSONValue)]? { if case let .object(m) = self { return m } else { return nil } }

    /// The elements of an array.
    public var elements: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }

    /// Compact single-line JSON text (no spaces, keys in stored order).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Pretty multi-line JSON text with two-space indentation.
    public var prettySerialized: String {
        var out = ""
        writePretty(to: &out, indent: 0)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += JSONValue.format(d)
        case let .string(s): JSONValue.writeString(s, to: &out)
        case let .array(a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case let .object(m):
            out += "{"
            for (i, (k, v)) in m.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    private func writePretty(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case let .array(a) where !a.isEmpty:
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += pad
                v.writePretty(to: &out, indent: indent + 1)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case let .object(m) where !m.isEmpty:
            out += "{\n"
            for (i, (k, v)) in m.enumerated() {
                out += pad
                JSONValue.writeString(k, to: &out)
                out += ": "
                v.writePretty(to: &out, indent: indent + 1)
                out += i + 1 < m.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        default:
            write(to: &out)
        }
    }

    /// Shortest text that reads back as the same `Double` (finite values only; JSON has no NaN).
    public static func format(_ d: Double) -> String {
        precondition(d.isFinite, "JSON cannot represent \(d)")
        return "\(d)"
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSONValue: Decodable {
    /// Decodes any JSON value, trying `null`, bool, int, double, string and array before object.
    /// Object member order is whatever the decoder's `allKeys` gives, not necessarily document order.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let i = try? container.decode(Int.self) { self = .int(i); return }
        if let d = try? container.decode(Double.self) { self = .double(d); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
        let keyed = try decoder.container(keyedBy: AnyKey.self)
        var members: [(String, JSONValue)] = []
        for key in keyed.allKeys {
            members.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
        }
        self = .object(members)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    /// A `.string` from a string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An `.int` from an integer literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A `.double` from a floating-point literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A `.bool` from `true` / `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
