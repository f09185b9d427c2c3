import Foundation

extension Double {
    /// The `Double` of the shortest decimal that reads back as `value` in single precision, so a float32 0.003 is
    /// written 0.003 and not 0.003000000026077032 (its exact binary value widened to double).
    public init(float32 value: Float) {
        self = value.isFinite ? (Double("\(value)") ?? Double(value)) : Double(value)
    }
}

/// Numbers as people read them in text output (JSON and CSV keep every digit).
public enum NumberText {
    /// `value` to `digits` significant digits without trailing zeros: 22.7476443466771 → "22.7476", 1e-7 → "1e-07",
    /// 250 → "250".
    public static func significant(_ value: Double, digits: Int = 6) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        var text = String(format: "%.\(max(digits, 1))g", value)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            text = mantissa + text[e...]
        } else if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// A float32 value to its significant digits (at most 6; float32 carries about 7).
    public static func significant(_ value: Float, digits: Int = 6) -> String {
        significant(Double(float32: value), digits: min(digits, 7))
    }

    /// `value` followed by its unit when there is one: "22.7476 mm".
    public static func withUnit(_ value: Double, _ unit: String?, digits: Int = 6) -> String {
        let number = significant(value, digits: digits)
        guard let unit, !unit.isEmpty else { return number }
        return number + " " + unit
    }
}
