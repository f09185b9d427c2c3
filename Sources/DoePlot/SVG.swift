import Foundation

/// Small helpers for writing SVG text: escaping, compact numbers, elements.
public enum SVG {
    /// Escapes `text` for XML character data and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // control characters other than tab/newline are not allowed in XML 1.0
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A pixel coordinate with two decimals at most (keeps files small and diffs stable).
    public static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (min(max(x, -1e7), 1e7) * 100).rounded() / 100   // far-off points stay far off, without overflow
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// `<tag a="b" ...>` + content + `</tag>` (self-closing when `content` is nil).
    public static func element(_ tag: String, _ attributes: [(String, String)], _ content: String? = nil) -> String {
        let attrs = attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
        guard let content else { return "<\(tag)\(attrs)/>" }
        return "<\(tag)\(attrs)>\(content)</\(tag)>"
    }

    /// FNV-1a hash of the UTF-8 bytes (stable across processes, unlike `hashValue`), for element ids.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// A polyline path `M x y L x y ...` through the finite points (a gap breaks the line).
    public static func path(_ points: [(Double, Double)]) -> String {
        var d = ""
        var drawing = false
        for (x, y) in points {
            guard x.isFinite, y.isFinite else { drawing = false; continue }
            d += (drawing ? "L" : "M") + n(x) + " " + n(y)
            drawing = true
        }
        return d
    }
}

/// Colours chosen to stay apart in greyscale print: a sequential map whose lightness rises monotonically
/// (viridis, Smith & van der Walt 2015, sampled at nine anchors) and series colours of clearly different lightness.
public enum Palette {
    /// Viridis anchors at t = 0, 1/8, …, 1.
    static let viridis: [(Double, Double, Double)] = [
        (0.267, 0.005, 0.329), (0.279, 0.175, 0.483), (0.230, 0.322, 0.546), (0.173, 0.449, 0.558), (0.128, 0.567, 0.551),
        (0.153, 0.680, 0.506), (0.369, 0.789, 0.383), (0.678, 0.864, 0.190), (0.993, 0.906, 0.144),
    ]

    /// The sequential colour at `t` ∈ [0, 1] (dark purple → yellow), as `#rrggbb`.
    public static func sequential(_ t: Double) -> String {
        let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(viridis.count - 1)
        let i = min(Int(u), viridis.count - 2), f = u - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        return hex(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// Series colours: near-black blue, vermilion, sky blue, bluish green, orange, reddish purple (Okabe–Ito hues,
    /// ordered so neighbours differ in lightness).
    public static let series = ["#1b2a49", "#d55e00", "#56b4e9", "#009e73", "#e69f00", "#cc79a7"]
    /// Dash patterns paired with the series, so lines stay distinct without colour.
    public static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3", "1 3", "10 4"]

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func byte(_ x: Double) -> String { String(format: "%02x", Int((min(max(x, 0), 1) * 255).rounded())) }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
