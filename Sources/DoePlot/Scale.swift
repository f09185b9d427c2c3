import Foundation

/// A map from data values to pixels along one axis, linear or logarithmic, with readable tick positions.
public struct Scale: Sendable {
    /// Data interval shown (after "nicing" for linear scales).
    public let low: Double
    /// Upper end of the data interval.
    public let high: Double
    /// Pixel positions of `low` and `high` (may be reversed, as for a y axis).
    public let start: Double
    /// Pixel position of `high`.
    public let end: Double
    /// Logarithmic (base 10) spacing.
    public let logarithmic: Bool

    /// A scale covering `low…high`. Linear scales are widened to the nearest round ticks; a degenerate interval
    /// (one value) is widened around that value; log scales need `low > 0`.
    public init(low: Double, high: Double, start: Double, end: Double, logarithmic: Bool = false, nice: Bool = true) {
        var lo = low.isFinite ? low : 0, hi = high.isFinite ? high : 1
        if lo > hi { swap(&lo, &hi) }
        let useLog = logarithmic && lo > 0
        if useLog {
            if hi / lo < 1.0001 { lo /= 1.5; hi *= 1.5 }
        } else {
            if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300) {
                let pad = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= pad; hi += pad
            }
            if nice {
                let step = Scale.niceStep((hi - lo) / 5)
                lo = (lo / step).rounded(.down) * step
                hi = (hi / step).rounded(.up) * step
            }
        }
        self.low = lo
        self.high = hi
        self.start = start
        self.end = end
        self.logarithmic = useLog
    }

    /// Pixel position of `value` (values outside the interval map outside the pixel range).
    public func callAsFunction(_ value: Double) -> Double {
        let t = logarithmic ? (log10(max(value, .leastNonzeroMagnitude)) - log10(low)) / (log10(high) - log10(low))
                            : (value - low) / (high - low)
        return start + t * (end - start)
    }

    /// Tick values with their labels: 4–8 round numbers for linear scales, powers of ten (and 2×, 5× on short
    /// ranges) for log scales.
    public func ticks(target: Int = 5) -> [(value: Double, label: String)] {
        if logarithmic {
            let a = Int(floor(log10(low) + 1e-9)), b = Int(ceil(log10(high) - 1e-9))
            var values: [Double] = []
            let multipliers: [Double] = b - a <= 2 ? [1, 2, 5] : [1]
            for e in a...max(a, b) { for m in multipliers { values.append(m * pow(10, Double(e))) } }
            values = values.filter { $0 >= low * (1 - 1e-9) && $0 <= high * (1 + 1e-9) }
            if values.count < 2 { values = [low, high] }
            return values.map { ($0, Scale.label($0, step: $0)) }
        }
        let step = Scale.niceStep((high - low) / Double(max(target, 1)))
        var values: [Double] = []
        var v = (low / step).rounded(.up) * step
        while v <= high + step * 1e-9 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return values.map { ($0, Scale.label($0, step: step)) }
    }

    /// 1, 2, 2.5 or 5 times a power of ten, close to `rough`.
    public static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let exponent = floor(log10(rough))
        let fraction = rough / pow(10, exponent)
        let nice: Double = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10
        return nice * pow(10, exponent)
    }

    /// A tick label with as many decimals as `step` needs; scientific notation for very large or small magnitudes.
    public static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        guard value.isFinite else { return "\(value)" }
        guard step.isFinite, step > 0 else { return String(format: "%.4g", value) }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 {
            // enough significant digits to tell ticks `step` apart (1.000e6 and 1.002e6 must differ)
            let digits = min(max(3, Int(ceil(log10(magnitude / step) - 1e-9)) + 1), 12)
            var text = String(format: "%.\(digits)g", value)
            text = text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
                .replacingOccurrences(of: "e-0", with: "e-")
            return text
        }
        let decimals = max(0, min(6, Int(ceil(-log10(abs(step)) - 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0)))
        return String(format: "%.\(decimals)f", value)
    }
}
