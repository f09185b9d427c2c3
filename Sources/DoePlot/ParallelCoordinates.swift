import Foundation

/// A parallel-coordinates plot: one vertical axis per variable, one polyline per record, coloured by a value
/// (the objective) with the sequential palette and a colour bar.
public struct ParallelCoordinates: Sendable {
    /// One vertical axis.
    public struct Axis: Sendable {
        /// Axis title, written under the axis.
        public var name: String
        /// The record values on this axis (category index for categorical axes; non-finite = missing).
        public var values: [Double]
        /// Bottom end of the axis, in the values' units (categorical axes ignore it).
        public var low: Double
        /// Top end of the axis, in the values' units (categorical axes ignore it).
        public var high: Double
        /// Base-10 spacing (linear when `low ≤ 0`); the axis is marked "(log)".
        public var logarithmic: Bool
        /// Category names (values are their indices).
        public var categories: [String]?

        /// An axis; `values` holds one entry per record.
        public init(name: String, values: [Double], low: Double, high: Double, logarithmic: Bool = false,
                    categories: [String]? = nil) {
            self.name = name
            self.values = values
            self.low = low
            self.high = high
            self.logarithmic = logarithmic
            self.categories = categories
        }
    }

    /// Title drawn above the plot; also the `aria-label` of the `<svg>`.
    public var title: String
    /// The axes, left to right; each holds one value per record.
    public var axes: [Axis]
    /// Colour value per record (non-finite: drawn grey and dashed, e.g. pending trials).
    public var colorValues: [Double]
    /// Label above the colour bar.
    public var colorLabel: String
    /// Records to draw on top, thicker (the best trial).
    public var highlighted: Set<Int> = []
    /// `true` when high colour values are better (they are drawn last, on top); `false` for minimized objectives.
    public var higherIsBetter = true
    /// Hover text per record.
    public var tooltips: [String]?
    /// Overall width in pixels (the viewBox).
    public var width: Double = 900
    /// Overall height in pixels (the viewBox).
    public var height: Double = 380
    /// `id` attribute of the `<svg>` element; also names the colour bar's gradient (`colorbar-<id>`, else `colorbar-pc`).
    public var id: String?

    /// A plot of `axes` with records coloured by `colorValues` (one per record).
    public init(title: String, axes: [Axis], colorValues: [Double], colorLabel: String) {
        self.title = title
        self.axes = axes
        self.colorValues = colorValues
        self.colorLabel = colorLabel
    }

    /// The plot as an `<svg>` element: record lines under the axes, a colour bar on the right.
    public func svg() -> String {
        let top = 46.0, bottom = height - 42, left = 60.0, right = width - 110
        let spacing = axes.count > 1 ? (right - left) / Double(axes.count - 1) : 0
        let axisX = axes.indices.map { axes.count > 1 ? left + Double($0) * spacing : (left + right) / 2 }
        let scales = axes.map { a -> Scale in
            if let categories = a.categories {
                return Scale(low: -0.5, high: Double(categories.count) - 0.5, start: bottom, end: top, nice: false)
            }
            return Scale(low: a.low, high: a.high, start: bottom, end: top, logarithmic: a.logarithmic, nice: false)
        }
        let finiteColors = colorValues.filter(\.isFinite)
        let cLow = finiteColors.min() ?? 0, cHigh = finiteColors.max() ?? 1
        func colour(_ v: Double) -> String {
            v.isFinite ? Palette.sequential(cHigh > cLow ? (v - cLow) / (cHigh - cLow) : 0.5) : "#999999"
        }

        var body = Chart.style
        body += SVG.element("text", [("x", SVG.n(left)), ("y", "18"), ("class", "title")], SVG.escape(title))
        // records: missing colour first (underneath), then by colour value so the best end up on top
        let records = axes.first.map { Array(0..<$0.values.count) } ?? []
        let order = records.sorted { a, b in
            let (va, vb) = (colorValues[a], colorValues[b])
            if highlighted.contains(a) != highlighted.contains(b) { return highlighted.contains(b) }
            if va.isFinite != vb.isFinite { return !va.isFinite }
            return higherIsBetter ? va < vb : va > vb
        }
        var lines = ""
        for r in order {
            let points = axes.indices.map { k -> (Double, Double) in (axisX[k], scales[k](axes[k].values[r])) }
            var attributes: [(String, String)] = [("d", SVG.path(points)), ("fill", "none"), ("stroke", colour(colorValues[r])),
                                                  ("stroke-width", highlighted.contains(r) ? "3" : "1.2"),
                                                  ("stroke-opacity", highlighted.contains(r) ? "1" : "0.75"),
                                                  ("class", highlighted.contains(r) ? "record highlighted" : "record")]
            if !colorValues[r].isFinite { attributes.append(("stroke-dasharray", "4 3")) }
            lines += SVG.element("path", attributes, tooltips.map { SVG.element("title", [], SVG.escape($0[r])) })
        }
        body += SVG.element("g", [("class", "records")], lines)
        // axes on top of the lines
        for (k, a) in axes.enumerated() {
            let x = axisX[k]
            body += SVG.element("line", [("x1", SVG.n(x)), ("x2", SVG.n(x)), ("y1", SVG.n(top)), ("y2", SVG.n(bottom)),
                                         ("stroke", "#333333"), ("stroke-width", "1.2")])
            let ticks: [(Double, String)] = a.categories.map { $0.enumerated().map { (Double($0.offset), $0.element) } }
                ?? [(a.low, String(format: "%.4g", a.low)), (a.high, String(format: "%.4g", a.high))]
            for (value, label) in ticks {
                let y = scales[k](value)
                body += SVG.element("line", [("x1", SVG.n(x - 4)), ("x2", SVG.n(x)), ("y1", SVG.n(y)), ("y2", SVG.n(y)),
                                             ("stroke", "#333333")])
                body += SVG.element("text", [("x", SVG.n(x - 6)), ("y", SVG.n(y + 4)), ("text-anchor", "end"), ("class", "tick")],
                                    SVG.escape(label))
            }
            body += SVG.element("text", [("x", SVG.n(x)), ("y", SVG.n(bottom + 18)), ("text-anchor", "middle"), ("class", "label")],
                                SVG.escape(a.name))
            if a.logarithmic {
                body += SVG.element("text", [("x", SVG.n(x)), ("y", SVG.n(bottom + 31)), ("text-anchor", "middle"), ("class", "tick")],
                                    "(log)")
            }
        }
        // colour bar
        let barX = width - 70, barTop = top, barBottom = bottom
        var stops = ""
        for i in 0...8 {
            stops += SVG.element("stop", [("offset", "\(i * 100 / 8)%"), ("stop-color", Palette.sequential(Double(i) / 8))])
        }
        let gradientId = "colorbar-" + (id ?? "pc")
        body += SVG.element("defs", [], SVG.element("linearGradient", [("id", gradientId), ("x1", "0"), ("y1", "1"), ("x2", "0"),
                                                                       ("y2", "0")], stops))
        body += SVG.element("rect", [("x", SVG.n(barX)), ("y", SVG.n(barTop)), ("width", "14"), ("height", SVG.n(barBottom - barTop)),
                                     ("fill", "url(#\(gradientId))"), ("stroke", "#333333"), ("class", "colorbar")])
        if !finiteColors.isEmpty {
            let scale = Scale(low: cLow, high: cHigh, start: barBottom, end: barTop, nice: false)
            for t in Scale(low: cLow, high: cHigh, start: barBottom, end: barTop)
                .ticks(target: 4) where t.value >= scale.low - 1e-12 && t.value <= scale.high + 1e-12 {
                let y = scale(t.value)
                body += SVG.element("text", [("x", SVG.n(barX + 18)), ("y", SVG.n(y + 4)), ("class", "tick")], SVG.escape(t.label))
            }
        }
        body += SVG.element("text", [("x", SVG.n(barX + 7)), ("y", SVG.n(barTop - 8)), ("text-anchor", "middle"), ("class", "label")],
                            SVG.escape(colorLabel))
        var attributes: [(String, String)] = [("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(SVG.n(width)) \(SVG.n(height))"),
                                              ("width", SVG.n(width)), ("height", SVG.n(height)), ("role", "img"),
                                              ("class", "doe-chart parallel")]
        if let id { attributes.append(("id", id)) }
        attributes.append(("aria-label", title))
        return SVG.element("svg", attributes, body)
    }
}

/// Horizontal bars, one group per label (parameter importance, Sobol indices), sorted as given.
public struct HorizontalBars: Sendable {
    /// Title drawn above the bars; also the `aria-label` of the `<svg>`.
    public var title: String
    /// Label under the value axis.
    public var valueLabel: String
    /// One group of bars per label, top to bottom.
    public var labels: [String]
    /// Series of values (one per label each) with their names; non-finite values are left out.
    public var series: [BarSeries]
    /// Width in pixels; the height follows from the number of labels and series.
    public var width: Double = 640
    /// `id` attribute of the `<svg>` element.
    public var id: String?
    /// Fixed value interval (default 0…max).
    public var domain: ClosedRange<Double>?

    /// Bars for `labels` from `series` (each with one value per label).
    public init(title: String, valueLabel: String, labels: [String], series: [BarSeries]) {
        self.title = title
        self.valueLabel = valueLabel
        self.labels = labels
        self.series = series
    }

    /// The bars as an `<svg>` element, with a legend above them when there are several series.
    public func svg() -> String {
        let barHeight = 14.0, groupGap = 8.0
        let groupHeight = Double(series.count) * barHeight + groupGap
        let labelWidth = min(220, max(60, Double(labels.map(\.count).max() ?? 4) * 7 + 12))
        let top = 34.0 + (series.count > 1 ? Double(series.count) * 15 : 0)
        let height = top + Double(labels.count) * groupHeight + 40
        let left = labelWidth, right = width - 20, bottom = height - 40
        let maxValue = series.flatMap { $0.values.filter(\.isFinite) }.max() ?? 1
        let scale = Scale(low: domain?.lowerBound ?? 0, high: domain?.upperBound ?? max(maxValue, 1e-12), start: left, end: right,
                          nice: domain == nil)
        var body = Chart.style
        body += SVG.element("text", [("x", "8"), ("y", "18"), ("class", "title")], SVG.escape(title))
        for t in scale.ticks(target: 5) {
            let x = scale(t.value)
            body += SVG.element("line", [("x1", SVG.n(x)), ("x2", SVG.n(x)), ("y1", SVG.n(top)), ("y2", SVG.n(bottom)),
                                         ("stroke", "#e4e4e4")])
            body += SVG.element("text", [("x", SVG.n(x)), ("y", SVG.n(bottom + 15)), ("text-anchor", "middle"), ("class", "tick")],
                                SVG.escape(t.label))
        }
        let fills = ["#1b2a49", "#e69f00", "#56b4e9", "#cc79a7"]
        for (g, label) in labels.enumerated() {
            let y0 = top + Double(g) * groupHeight
            body += SVG.element("text", [("x", SVG.n(left - 6)), ("y", SVG.n(y0 + Double(series.count) * barHeight / 2 + 4)),
                                         ("text-anchor", "end"), ("class", "label")],
                                SVG.escape(label))
            for (k, s) in series.enumerated() where g < s.values.count && s.values[g].isFinite {
                let v = s.values[g], y = y0 + Double(k) * barHeight
                body += SVG.element("rect", [("x", SVG.n(scale(0))), ("y", SVG.n(y + 1)), ("width", SVG.n(max(scale(v) - scale(0), 0))),
                                             ("height", SVG.n(barHeight - 2)), ("fill", fills[k % fills.count]), ("stroke", "#222222"),
                                             ("stroke-width", "0.5"), ("class", "bar")],
                                    SVG.element("title", [], SVG.escape("\(label) — \(s.name): \(String(format: "%.3g", v))")))
                body += SVG.element("text", [("x", SVG.n(scale(max(v, 0)) + 4)), ("y", SVG.n(y + barHeight - 3)), ("class", "tick")],
                                    String(format: "%.3g", v))
            }
        }
        body += SVG.element("line", [("x1", SVG.n(scale(0))), ("x2", SVG.n(scale(0))), ("y1", SVG.n(top)), ("y2", SVG.n(bottom)),
                                     ("stroke", "#333333")])
        body += SVG.element("text", [("x", SVG.n((left + right) / 2)), ("y", SVG.n(height - 8)), ("text-anchor", "middle"),
                                     ("class", "label")], SVG.escape(valueLabel))
        if series.count > 1 {
            for (k, s) in series.enumerated() {
                let y = 30.0 + Double(k) * 15
                body += SVG.element("rect", [("x", SVG.n(left)), ("y", SVG.n(y - 9)), ("width", "14"), ("height", "10"),
                                             ("fill", fills[k % fills.count]), ("stroke", "#222222")])
                body += SVG.element("text", [("x", SVG.n(left + 20)), ("y", SVG.n(y)), ("class", "legend")], SVG.escape(s.name))
            }
        }
        var attributes: [(String, String)] = [("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(SVG.n(width)) \(SVG.n(height))"),
                                              ("width", SVG.n(width)), ("height", SVG.n(height)), ("role", "img"),
                                              ("class", "doe-chart bars")]
        if let id { attributes.append(("id", id)) }
        attributes.append(("aria-label", title))
        return SVG.element("svg", attributes, body)
    }
}

/// Equal-width histogram bins.
public enum Histogram {
    /// `count` bins spanning the finite values: left edges, right edges and counts.
    public static func bins(_ values: [Double], count: Int) -> (left: [Double], right: [Double], counts: [Double]) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), count > 0 else { return ([], [], []) }
        let span = hi > lo ? hi - lo : max(abs(lo), 1) * 1e-3
        let start = hi > lo ? lo : lo - span / 2
        let width = span / Double(count)
        var counts = [Double](repeating: 0, count: count)
        for v in finite { counts[min(Int((v - start) / width), count - 1)] += 1 }
        let left = (0..<count).map { start + Double($0) * width }
        return (left, left.map { $0 + width }, counts)
    }
}

/// One series of ``HorizontalBars``: a name for the legend and one value per label.
public struct BarSeries: Sendable {
    /// Legend text.
    public let name: String
    /// One value per label, in the chart's units.
    public let values: [Double]

    /// A series with this name and values.
    public init(_ name: String, _ values: [Double]) {
        self.name = name
        self.values = values
    }
}
