import Foundation

/// Point marker shapes (distinct in greyscale).
public enum Marker: String, Sendable {
    /// Filled shapes (circle, square, triangle, diamond) and a stroked `×` (cross).
    case circle, square, triangle, diamond, cross
}

/// How a series is drawn.
public struct SeriesStyle: Sendable {
    /// Line and marker-outline colour (a CSS colour such as `#1b2a49`).
    public var stroke: String
    /// Marker fill colour; `nil` fills markers with `stroke`.
    public var fill: String?
    /// Line width in pixels.
    public var width: Double
    /// SVG `stroke-dasharray` pattern such as `"6 3"`; `nil` draws a solid line.
    public var dash: String?
    /// Marker shape for scatter points (`nil` gives a circle there); lines ignore it.
    public var marker: Marker?
    /// Marker size in pixels (the radius of a circle).
    public var markerSize: Double
    /// Opacity in `0…1` of lines and of marker fills.
    public var opacity: Double

    /// A style; the defaults are the first series colour, a solid 1.5 px line and no marker.
    public init(stroke: String = Palette.series[0], fill: String? = nil, width: Double = 1.5, dash: String? = nil,
                marker: Marker? = nil, markerSize: Double = 3.5, opacity: Double = 1) {
        self.stroke = stroke
        self.fill = fill
        self.width = width
        self.dash = dash
        self.marker = marker
        self.markerSize = markerSize
        self.opacity = opacity
    }

    /// Series `k` of a chart: colour and dash pattern from ``Palette``.
    public static func series(_ k: Int, width: Double = 1.5, marker: Marker? = nil) -> SeriesStyle {
        SeriesStyle(stroke: Palette.series[k % Palette.series.count], width: width,
                    dash: Palette.dashes[k % Palette.dashes.count], marker: marker)
    }
}

/// An x–y chart with axes, ticks, labels, a legend and layers (lines, markers, bands, bars, shaded spans),
/// rendered as one `<svg>` element that scales with the page (viewBox) and needs no script or font files.
///
/// ```swift
/// var chart = Chart(title: "Convergence", xLabel: "trial", yLabel: "flow")
/// chart.scatter(x: ids, y: values, label: "observed")
/// chart.line(x: ids, y: best, style: .series(1, width: 2), label: "best so far")
/// let svg = chart.svg()
/// ```
public struct Chart: Sendable {
    /// Overall width in pixels (the viewBox; the element scales with the page).
    public var width: Double = 640
    /// Overall height in pixels (the viewBox).
    public var height: Double = 360
    /// Title drawn above the plot; also the `aria-label` of the `<svg>`.
    public var title: String
    /// Label centred under the x axis.
    public var xLabel: String
    /// Label along the y axis, rotated, left of the plot.
    public var yLabel: String
    /// Base-10 logarithmic x axis; non-positive values are left out of the data range.
    public var xLogarithmic = false
    /// Base-10 logarithmic y axis; non-positive values are left out of the data range.
    public var yLogarithmic = false
    /// Fixed axis intervals (otherwise taken from the data).
    public var xDomain: ClosedRange<Double>?
    /// Fixed y interval (otherwise taken from the data).
    public var yDomain: ClosedRange<Double>?
    /// Category names for integer x positions 0, 1, … (bar charts of categorical parameters).
    public var xCategories: [String]?
    /// `id` attribute of the `<svg>` element; `class` gets `doe-chart` plus this.
    public var id: String?
    /// Extra `class` names for the `<svg>` element, after `doe-chart`.
    public var cssClass: String?
    /// An optional line under the title.
    public var subtitle: String?
    /// Where the legend goes: right of the plot (never over the data) or inside a corner that the data leave free.
    public var legendPlacement: LegendPlacement = .outsideRight

    /// Legend position: `outsideRight` widens the right margin for it; the `inside…` cases draw it in a plot corner.
    public enum LegendPlacement: Sendable {
        /// Right of the plot, never over the data (the default); the others sit inside a corner of the plot.
        case outsideRight, insideTopLeft, insideTopRight, insideBottomRight
    }

    private var layers: [Layer] = []

    private enum Layer: Sendable {
        case line(x: [Double], y: [Double], style: SeriesStyle, label: String?)
        case scatter(x: [Double], y: [Double], style: SeriesStyle, colors: [String]?, tooltips: [String]?, label: String?)
        case band(x: [Double], lower: [Double], upper: [Double], fill: String, opacity: Double, label: String?)
        case bars(left: [Double], right: [Double], height: [Double], fill: String, stroke: String, label: String?)
        case spans(ranges: [(Double, Double)], fill: String, label: String?)
        case errorBars(x: [Double], lower: [Double], upper: [Double], style: SeriesStyle)
    }

    /// An empty chart with its title and axis labels; add layers with ``line(x:y:style:label:)`` and the other methods.
    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// A line through the points (non-finite values break it).
    public mutating func line(x: [Double], y: [Double], style: SeriesStyle = .series(0), label: String? = nil) {
        layers.append(.line(x: x, y: y, style: style, label: label))
    }

    /// Markers at the points; `colors` colours each point, `tooltips` become `<title>` text shown on hover.
    public mutating func scatter(x: [Double], y: [Double], style: SeriesStyle = SeriesStyle(marker: .circle), colors: [String]? = nil,
                                 tooltips: [String]? = nil, label: String? = nil) {
        var s = style
        if s.marker == nil { s.marker = .circle }
        layers.append(.scatter(x: x, y: y, style: s, colors: colors, tooltips: tooltips, label: label))
    }

    /// A filled band between `lower` and `upper` (an uncertainty interval).
    public mutating func band(x: [Double], lower: [Double], upper: [Double], fill: String = "#9ecae1", opacity: Double = 0.55,
                              label: String? = nil) {
        layers.append(.band(x: x, lower: lower, upper: upper, fill: fill, opacity: opacity, label: label))
    }

    /// Vertical bars from 0 (or the axis bottom on log scales) spanning `left[i]…right[i]`.
    public mutating func bars(left: [Double], right: [Double], height: [Double], fill: String = "#56b4e9", stroke: String = "#1b2a49",
                              label: String? = nil) {
        layers.append(.bars(left: left, right: right, height: height, fill: fill, stroke: stroke, label: label))
    }

    /// Shaded vertical spans across the plot (batches of a study, for instance).
    public mutating func spans(_ ranges: [(Double, Double)], fill: String = "#e8e8e8", label: String? = nil) {
        layers.append(.spans(ranges: ranges, fill: fill, label: label))
    }

    /// Vertical error bars.
    public mutating func errorBars(x: [Double], lower: [Double], upper: [Double],
                                   style: SeriesStyle = SeriesStyle(stroke: "#555555", width: 1)) {
        layers.append(.errorBars(x: x, lower: lower, upper: upper, style: style))
    }

    // MARK: - Rendering

    private var legendLabels: [String] {
        layers.compactMap { layer in
            switch layer {
            case let .line(_, _, _, label), let .scatter(_, _, _, _, _, label), let .band(_, _, _, _, _, label),
                 let .bars(_, _, _, _, _, label), let .spans(_, _, label): return label
            case .errorBars: return nil
            }
        }
    }

    private var legendWidth: Double { (legendLabels.map { Double($0.count) * 6.2 }.max() ?? 40) + 34 }

    private var margin: (left: Double, right: Double, top: Double, bottom: Double) {
        let right = legendPlacement == .outsideRight && !legendLabels.isEmpty ? legendWidth + 18 : 16
        return (68, right, subtitle == nil ? 34 : 50, xCategories == nil ? 48 : 70)
    }

    private func dataRange(x: Bool) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        func take(_ v: Double) {
            guard v.isFinite else { return }
            if (x ? xLogarithmic : yLogarithmic) && v <= 0 { return }
            lo = min(lo, v); hi = max(hi, v)
        }
        for layer in layers {
            switch layer {
            case let .line(xs, ys, _, _), let .scatter(xs, ys, _, _, _, _): (x ? xs : ys).forEach(take)
            case let .band(xs, lower, upper, _, _, _):
                if x { xs.forEach(take) } else { lower.forEach(take); upper.forEach(take) }
            case let .bars(left, right, heights, _, _, _):
                if x { left.forEach(take); right.forEach(take) } else { heights.forEach(take); if !yLogarithmic { take(0) } }
            case let .spans(ranges, _, _): if x { ranges.forEach { take($0.0); take($0.1) } }
            case let .errorBars(xs, lower, upper, _):
                if x { xs.forEach(take) } else { lower.forEach(take); upper.forEach(take) }
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// The chart as an `<svg>` element.
    public func svg() -> String {
        let m = margin
        let plotLeft = m.left, plotRight = width - m.right, plotTop = m.top, plotBottom = height - m.bottom
        let xr = xDomain.map { ($0.lowerBound, $0.upperBound) } ?? dataRange(x: true) ?? (0, 1)
        let yr = yDomain.map { ($0.lowerBound, $0.upperBound) } ?? dataRange(x: false) ?? (0, 1)
        let xs = Scale(low: xr.0, high: xr.1, start: plotLeft, end: plotRight, logarithmic: xLogarithmic,
                       nice: xDomain == nil && xCategories == nil)
        let ys = Scale(low: yr.0, high: yr.1, start: plotBottom, end: plotTop, logarithmic: yLogarithmic, nice: yDomain == nil)
        var body = ""
        // frame and grid
        body += SVG.element("rect", [("x", SVG.n(plotLeft)), ("y", SVG.n(plotTop)), ("width", SVG.n(plotRight - plotLeft)),
                                     ("height", SVG.n(plotBottom - plotTop)), ("fill", "#ffffff"), ("stroke", "#444444"),
                                     ("stroke-width", "1")])
        let yTicks = ys.ticks()
        var axes = ""
        for t in yTicks {
            let y = ys(t.value)
            guard y >= plotTop - 0.5, y <= plotBottom + 0.5 else { continue }
            body += SVG.element("line", [("x1", SVG.n(plotLeft)), ("x2", SVG.n(plotRight)), ("y1", SVG.n(y)), ("y2", SVG.n(y)),
                                         ("stroke", "#dddddd"), ("stroke-width", "0.8")])
            axes += SVG.element("line", [("x1", SVG.n(plotLeft - 4)), ("x2", SVG.n(plotLeft)), ("y1", SVG.n(y)), ("y2", SVG.n(y)),
                                         ("stroke", "#444444")])
            axes += SVG.element("text", [("x", SVG.n(plotLeft - 7)), ("y", SVG.n(y + 4)), ("text-anchor", "end"), ("class", "tick")],
                                SVG.escape(t.label))
        }
        if let categories = xCategories {
            for (i, name) in categories.enumerated() {
                let x = xs(Double(i))
                axes += SVG.element("line", [("x1", SVG.n(x)), ("x2", SVG.n(x)), ("y1", SVG.n(plotBottom)), ("y2", SVG.n(plotBottom + 4)),
                                             ("stroke", "#444444")])
                axes += SVG.element("text", [("x", SVG.n(x)), ("y", SVG.n(plotBottom + 16)), ("text-anchor", "end"), ("class", "tick"),
                                             ("transform", "rotate(-30 \(SVG.n(x)) \(SVG.n(plotBottom + 16)))")], SVG.escape(name))
            }
        } else {
            for t in xs.ticks(target: max(3, Int((plotRight - plotLeft) / 90))) {
                let x = xs(t.value)
                guard x >= plotLeft - 0.5, x <= plotRight + 0.5 else { continue }
                body += SVG.element("line", [("x1", SVG.n(x)), ("x2", SVG.n(x)), ("y1", SVG.n(plotTop)), ("y2", SVG.n(plotBottom)),
                                             ("stroke", "#eeeeee"), ("stroke-width", "0.8")])
                axes += SVG.element("line", [("x1", SVG.n(x)), ("x2", SVG.n(x)), ("y1", SVG.n(plotBottom)), ("y2", SVG.n(plotBottom + 4)),
                                             ("stroke", "#444444")])
                axes += SVG.element("text", [("x", SVG.n(x)), ("y", SVG.n(plotBottom + 16)), ("text-anchor", "middle"), ("class", "tick")],
                                    SVG.escape(t.label))
            }
        }
        // layers, clipped to the plot area
        // Swift's hashValue is seeded per process: the clip id is made from the chart's own text and size instead, so the
        // same chart gives the same SVG in every run (charts alike in title and size clip alike)
        let clipId = "clip-" + (id ?? String(SVG.fnv1a("\(title)|\(width)|\(height)|\(plotLeft)|\(plotRight)|\(plotTop)|\(plotBottom)"),
                                             radix: 16))
        var content = ""
        var legend: [(String, String)] = []   // (label, swatch svg)
        for layer in layers {
            switch layer {
            case let .spans(ranges, fill, label):
                for (a, b) in ranges {
                    let x0 = xs(a), x1 = xs(b)
                    content += SVG.element("rect", [("x", SVG.n(min(x0, x1))), ("y", SVG.n(plotTop)), ("width", SVG.n(abs(x1 - x0))),
                                                    ("height", SVG.n(plotBottom - plotTop)), ("fill", fill), ("class", "span")])
                }
                if let label { legend.append((label, SVG.element("rect", [("x", "0"), ("y", "-6"), ("width", "14"), ("height", "10"),
                                                                          ("fill", fill), ("stroke", "#999999")]))) }
            case let .band(bx, lower, upper, fill, opacity, label):
                let top = zip(bx, upper).map { (xs($0), ys($1)) }
                let bottom = zip(bx, lower).map { (xs($0), ys($1)) }.reversed()
                let points = (top + bottom).filter { $0.0.isFinite && $0.1.isFinite }
                if !points.isEmpty {
                    content += SVG.element("path", [("d", SVG.path(points) + "Z"), ("fill", fill), ("fill-opacity", SVG.n(opacity)),
                                                    ("stroke", "none"), ("class", "band")])
                }
                if let label { legend.append((label, SVG.element("rect", [("x", "0"), ("y", "-6"), ("width", "14"), ("height", "10"),
                                                                          ("fill", fill), ("fill-opacity", SVG.n(opacity))]))) }
            case let .bars(left, right, heights, fill, stroke, label):
                let base = yLogarithmic ? ys.low : 0
                for i in heights.indices where heights[i].isFinite {
                    let x0 = xs(left[i]), x1 = xs(right[i]), y0 = ys(base), y1 = ys(heights[i])
                    content += SVG.element("rect", [("x", SVG.n(min(x0, x1))), ("y", SVG.n(min(y0, y1))),
                                                    ("width", SVG.n(max(abs(x1 - x0), 0.5))), ("height", SVG.n(abs(y1 - y0))),
                                                    ("fill", fill), ("stroke", stroke), ("stroke-width", "0.6"), ("class", "bar")])
                }
                if let label { legend.append((label, SVG.element("rect", [("x", "0"), ("y", "-6"), ("width", "14"), ("height", "10"),
                                                                          ("fill", fill), ("stroke", stroke)]))) }
            case let .line(lx, ly, style, label):
                let d = SVG.path(zip(lx, ly).map { (xs($0), ys($1)) })
                if !d.isEmpty { content += SVG.element("path", lineAttributes(style) + [("d", d), ("class", "line")]) }
                if let label { legend.append((label, SVG.element("line", lineAttributes(style) + [("x1", "0"), ("x2", "18"),
                                                                                                  ("y1", "-1"), ("y2", "-1")]))) }
            case let .errorBars(ex, lower, upper, style):
                for i in ex.indices where lower[i].isFinite && upper[i].isFinite {
                    let x = xs(ex[i])
                    content += SVG.element("line", lineAttributes(style) + [("x1", SVG.n(x)), ("x2", SVG.n(x)),
                                                                            ("y1", SVG.n(ys(lower[i]))), ("y2", SVG.n(ys(upper[i])))])
                }
            case let .scatter(sx, sy, style, colors, tooltips, label):
                for i in sx.indices where sx[i].isFinite && sy[i].isFinite {
                    let fill = colors?[i] ?? style.fill ?? style.stroke
                    let tip = tooltips.map { SVG.element("title", [], SVG.escape($0[i])) }
                    content += marker(style.marker ?? .circle, x: xs(sx[i]), y: ys(sy[i]), size: style.markerSize, fill: fill,
                                      stroke: colors == nil ? style.stroke : "#222222", opacity: style.opacity, tooltip: tip)
                }
                if let label {
                    legend.append((label, marker(style.marker ?? .circle, x: 7, y: -1, size: style.markerSize,
                                                 fill: colors == nil ? (style.fill ?? style.stroke) : Palette.sequential(0.5),
                                                 stroke: colors == nil ? style.stroke : "#222222", opacity: 1, tooltip: nil)))
                }
            }
        }
        body += SVG.element("clipPath", [("id", clipId)], SVG.element("rect", [("x", SVG.n(plotLeft)), ("y", SVG.n(plotTop)),
                                                                               ("width", SVG.n(plotRight - plotLeft)),
                                                                               ("height", SVG.n(plotBottom - plotTop))]))
        body += SVG.element("g", [("clip-path", "url(#\(clipId))")], content)
        body += SVG.element("rect", [("x", SVG.n(plotLeft)), ("y", SVG.n(plotTop)), ("width", SVG.n(plotRight - plotLeft)),
                                     ("height", SVG.n(plotBottom - plotTop)), ("fill", "none"), ("stroke", "#444444"),
                                     ("stroke-width", "1")])
        body += axes
        // titles
        body += SVG.element("text", [("x", SVG.n(plotLeft)), ("y", "18"), ("class", "title")], SVG.escape(title))
        if let subtitle { body += SVG.element("text", [("x", SVG.n(plotLeft)), ("y", "34"), ("class", "subtitle")], SVG.escape(subtitle)) }
        body += SVG.element("text", [("x", SVG.n((plotLeft + plotRight) / 2)), ("y", SVG.n(height - 8)), ("text-anchor", "middle"),
                                     ("class", "label")],
                            SVG.escape(xLabel))
        body += SVG.element("text", [("x", "14"), ("y", SVG.n((plotTop + plotBottom) / 2)), ("text-anchor", "middle"), ("class", "label"),
                                     ("transform", "rotate(-90 14 \(SVG.n((plotTop + plotBottom) / 2)))")], SVG.escape(yLabel))
        // legend
        if !legend.isEmpty {
            let rowHeight = 15.0
            let boxWidth = legendWidth, boxHeight = Double(legend.count) * rowHeight + 6
            let x0: Double, y0: Double
            switch legendPlacement {
            case .outsideRight: (x0, y0) = (plotRight + 10, plotTop)
            case .insideTopLeft: (x0, y0) = (plotLeft + 6, plotTop + 6)
            case .insideTopRight: (x0, y0) = (plotRight - boxWidth - 6, plotTop + 6)
            case .insideBottomRight: (x0, y0) = (plotRight - boxWidth - 6, plotBottom - boxHeight - 6)
            }
            var items = SVG.element("rect", [("x", SVG.n(x0)), ("y", SVG.n(y0)), ("width", SVG.n(boxWidth)), ("height", SVG.n(boxHeight)),
                                             ("fill", "#ffffff"), ("fill-opacity", "0.85"), ("stroke", "#bbbbbb")])
            for (k, entry) in legend.enumerated() {
                let y = y0 + 14 + Double(k) * rowHeight
                items += SVG.element("g", [("transform", "translate(\(SVG.n(x0 + 6)) \(SVG.n(y)))")], entry.1)
                items += SVG.element("text", [("x", SVG.n(x0 + 28)), ("y", SVG.n(y + 3)), ("class", "legend")], SVG.escape(entry.0))
            }
            body += SVG.element("g", [("class", "legend-box")], items)
        }
        var attributes: [(String, String)] = [("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(SVG.n(width)) \(SVG.n(height))"),
                                              ("width", SVG.n(width)), ("height", SVG.n(height)), ("role", "img"),
                                              ("class", "doe-chart" + (cssClass.map { " " + $0 } ?? ""))]
        if let id { attributes.append(("id", id)) }
        attributes.append(("aria-label", title))
        return SVG.element("svg", attributes, Chart.style + body)
    }

    /// Embedded text styles (the page's CSS may override them).
    static let style = "<style>text{font-family:Helvetica,Arial,sans-serif;fill:#222}.tick{font-size:11px}.label{font-size:12px}"
        + ".title{font-size:14px;font-weight:bold}.subtitle{font-size:11px;fill:#555}.legend{font-size:11px}</style>"

    private func lineAttributes(_ style: SeriesStyle) -> [(String, String)] {
        var a: [(String, String)] = [("fill", "none"), ("stroke", style.stroke), ("stroke-width", SVG.n(style.width)),
                                     ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
        if let dash = style.dash { a.append(("stroke-dasharray", dash)) }
        if style.opacity < 1 { a.append(("stroke-opacity", SVG.n(style.opacity))) }
        return a
    }

    private func marker(_ shape: Marker, x: Double, y: Double, size r: Double, fill: String, stroke: String, opacity: Double,
                        tooltip: String?) -> String {
        var attributes: [(String, String)] = [("fill", fill), ("stroke", stroke), ("stroke-width", "0.8"), ("class", "point")]
        if opacity < 1 { attributes.append(("fill-opacity", SVG.n(opacity))) }
        let shapeElement: (String, [(String, String)])
        switch shape {
        case .circle: shapeElement = ("circle", [("cx", SVG.n(x)), ("cy", SVG.n(y)), ("r", SVG.n(r))])
        case .square: shapeElement = ("rect", [("x", SVG.n(x - r)), ("y", SVG.n(y - r)), ("width", SVG.n(2 * r)), ("height", SVG.n(2 * r))])
        case .triangle: shapeElement = ("path", [("d", SVG.path([(x, y - 1.2 * r), (x + 1.1 * r, y + 0.8 * r),
                                                                 (x - 1.1 * r, y + 0.8 * r)]) + "Z")])
        case .diamond: shapeElement = ("path", [("d", SVG.path([(x, y - 1.3 * r), (x + 1.3 * r, y), (x, y + 1.3 * r),
                                                                (x - 1.3 * r, y)]) + "Z")])
        case .cross:
            shapeElement = ("path", [("d", SVG.path([(x - r, y - r), (x + r, y + r)]) + SVG.path([(x - r, y + r), (x + r, y - r)]))])
            attributes[1] = ("stroke", fill)
            attributes[2] = ("stroke-width", "1.6")
        }
        return SVG.element(shapeElement.0, shapeElement.1 + attributes, tooltip)
    }
}
