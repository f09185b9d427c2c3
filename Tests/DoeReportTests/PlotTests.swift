import DoePlot
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Parses SVG text as XML and collects element names, attributes and character data.
final class SVGProbe: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    var error: Error?

    static func parse(_ svg: String) -> SVGProbe {
        let probe = SVGProbe()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = probe
        if !parser.parse() { probe.error = parser.parserError ?? NSError(domain: "xml", code: 1) }
        return probe
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((elementName, attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func count(_ name: String, class cssClass: String? = nil) -> Int {
        elements.filter { $0.name == name && (cssClass == nil || ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(cssClass!))) }.count
    }
}

@Suite struct PlotTests {
    @Test func niceStepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
        #expect(Scale.niceStep(0.37) == 0.5)
        #expect(Scale.niceStep(1.2) == 1)
        #expect(Scale.niceStep(2.1) == 2)
        #expect(Scale.niceStep(3.0) == 2.5)
        #expect(Scale.niceStep(8) == 10)
        #expect(abs(Scale.niceStep(0.00021) - 0.0002) < 1e-18)
    }

    @Test func linearTicksAreRoundAndCoverTheData() {
        let scale = Scale(low: 0.03, high: 0.97, start: 0, end: 100)
        #expect(scale.low == 0 && scale.high == 1)
        let ticks = scale.ticks()
        #expect(ticks.map(\.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(scale(0.5) == 50)
        let reversed = Scale(low: 10, high: 20, start: 300, end: 20, nice: false)
        #expect(reversed(10) == 300 && reversed(20) == 20 && reversed(15) == 160)
    }

    @Test func logTicksArePowersOfTen() {
        let scale = Scale(low: 100, high: 50000, start: 0, end: 1, logarithmic: true)
        #expect(scale.ticks().map(\.value) == [100, 1000, 10000])
        #expect(abs(scale(1000) - (log10(1000) - log10(100)) / (log10(50000) - log10(100))) < 1e-12)
        // short ranges get 2× and 5× ticks too
        #expect(Scale(low: 1, high: 30, start: 0, end: 1, logarithmic: true).ticks().map(\.value) == [1, 2, 5, 10, 20])
    }

    @Test func degenerateAndHugeRangesStillGiveTicks() {
        let one = Scale(low: 5, high: 5, start: 0, end: 1)
        #expect(one.low < 5 && one.high > 5 && one.ticks().count >= 2)
        #expect(Scale.label(1.25e7, step: 1e6) == "1.25e7")
        #expect(Scale.label(3e-6, step: 1e-6) == "3e-6")
        #expect(Scale.label(2.5, step: 2.5) == "2.5")
        #expect(Scale.label(3, step: 0) == "3" && Scale.label(.infinity, step: 1) == "inf")
        // large values keep enough digits to tell neighbouring ticks apart
        let labels = Scale(low: 1.0e6, high: 1.01e6, start: 0, end: 1).ticks().map(\.label)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(SVG.n(1e300) == "10000000" && SVG.n(-.infinity) == "0")
    }

    /// Lightness of the sequential palette rises monotonically, so colour-coded values keep their order in greyscale print.
    @Test func sequentialPaletteSurvivesGreyscale() {
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16)!
            let rgb = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map { Double($0) / 255 }
            return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
        }
        let values = stride(from: 0.0, through: 1.0, by: 0.02).map { luminance(Palette.sequential($0)) }
        for k in 1..<values.count { #expect(values[k] > values[k - 1]) }
        #expect(values.last! - values.first! > 0.7)
        // series colours: neighbours differ in lightness
        let series = Palette.series.map(luminance)
        for k in 1..<series.count { #expect(abs(series[k] - series[k - 1]) > 0.08) }
    }

    @Test func chartPlacesPointsWhereTheScalesSay() throws {
        var chart = Chart(title: "t", xLabel: "x", yLabel: "y")
        chart.xDomain = 0...10
        chart.yDomain = 0...10
        chart.scatter(x: [5, 10], y: [5, 0])
        let probe = SVGProbe.parse(chart.svg())
        #expect(probe.error == nil)
        let circles = probe.elements.filter { $0.name == "circle" }
        #expect(circles.count == 2)
        // plot area: x 68…624, y 34…312 for a 640 × 360 chart without legend
        #expect(circles[0].attributes["cx"] == "346" && circles[0].attributes["cy"] == "173")
        #expect(circles[1].attributes["cx"] == "624" && circles[1].attributes["cy"] == "312")
    }

    /// Hostile text (markup, quotes, control characters) ends up as text, and every chart type is well-formed XML.
    @Test func everyChartIsWellFormedAndEscapesText() throws {
        let hostile = "<script>alert('x')</script> & \"q\" \u{1}"
        var chart = Chart(title: hostile, xLabel: hostile, yLabel: hostile)
        chart.subtitle = hostile
        chart.spans([(0, 1)], label: hostile)
        chart.band(x: [0, 1, 2], lower: [0, 1, .nan], upper: [1, 2, 3], label: hostile)
        chart.line(x: [0, 1, 2], y: [1, .infinity, 2], label: hostile)
        chart.scatter(x: [0, 1], y: [1, 2], tooltips: [hostile, hostile], label: hostile)
        for marker in [Marker.square, .triangle, .diamond, .cross] { chart.scatter(x: [1], y: [1], style: SeriesStyle(marker: marker)) }
        chart.bars(left: [0], right: [1], height: [2], label: hostile)
        chart.errorBars(x: [1], lower: [0], upper: [2])
        var logChart = chart
        logChart.yLogarithmic = true
        var categorical = Chart(title: "c", xLabel: "c", yLabel: "y")
        categorical.xCategories = [hostile, "b"]
        categorical.scatter(x: [0, 1], y: [1, 2])
        var parallel = ParallelCoordinates(title: hostile, axes: [
            .init(name: hostile, values: [1, 2, .nan], low: 1, high: 2),
            .init(name: "log", values: [1, 10, 100], low: 1, high: 100, logarithmic: true),
            .init(name: "cat", values: [0, 1, 1], low: 0, high: 1, categories: [hostile, "b"]),
        ], colorValues: [1, .nan, 3], colorLabel: hostile)
        parallel.tooltips = [hostile, hostile, hostile]
        parallel.highlighted = [2]
        let bars = HorizontalBars(title: hostile, valueLabel: hostile, labels: [hostile, "b"], series: [BarSeries("one", [0.5, .nan]), BarSeries(hostile, [0.2, 0.3])])
        for svg in [chart.svg(), logChart.svg(), categorical.svg(), parallel.svg(), bars.svg(), Chart(title: "empty", xLabel: "", yLabel: "").svg()] {
            let probe = SVGProbe.parse(svg)
            #expect(probe.error == nil, "\(String(describing: probe.error))")
            #expect(probe.count("script") == 0)
            #expect(!svg.contains("<script"))
            #expect(probe.elements.first?.name == "svg")
            #expect(probe.elements.first?.attributes["viewBox"] != nil)
        }
        #expect(SVGProbe.parse(chart.svg()).text.contains("<script>alert('x')</script> & \"q\""))
    }

    @Test func parallelCoordinatesDrawOneLinePerRecordAndDashTheMissing() {
        let plot = ParallelCoordinates(title: "p", axes: [.init(name: "a", values: [0, 0.5, 1], low: 0, high: 1),
                                                         .init(name: "b", values: [1, 2, 3], low: 1, high: 3)],
                                       colorValues: [1, 2, .nan], colorLabel: "v")
        let probe = SVGProbe.parse(plot.svg())
        let records = probe.elements.filter { $0.name == "path" && ($0.attributes["class"] ?? "").hasPrefix("record") }
        #expect(records.count == 3)
        #expect(records.filter { $0.attributes["stroke-dasharray"] != nil }.count == 1)
        #expect(records.first?.attributes["stroke"] == "#999999")   // missing colour drawn first, underneath
    }

    /// Degenerate axes (one value, huge values) draw without trapping; minimized objectives put their best on top.
    @Test func parallelCoordinatesSurviveDegenerateAxes() {
        var plot = ParallelCoordinates(title: "p", axes: [.init(name: "k", values: [3, 3], low: 3, high: 3),
                                                         .init(name: "big", values: [1e16, 1e16], low: 1e16, high: 1e16 + 1)],
                                       colorValues: [2, 1], colorLabel: "v")
        plot.higherIsBetter = false
        let probe = SVGProbe.parse(plot.svg())
        #expect(probe.error == nil)
        let records = probe.elements.filter { $0.name == "path" && ($0.attributes["class"] ?? "").hasPrefix("record") }
        #expect(records.last?.attributes["stroke"] == Palette.sequential(0))   // value 1, the best when minimizing, drawn last
    }

    @Test func histogramBinsCountEveryFiniteValueOnce() {
        let values = (0..<1000).map { Double($0) / 10 } + [.nan, .infinity]
        let bins = Histogram.bins(values, count: 10)
        #expect(bins.counts.reduce(0, +) == 1000)
        #expect(bins.counts.allSatisfy { $0 == 100 })
        #expect(bins.left.first == 0 && abs(bins.right.last! - 99.9) < 1e-9)
        #expect(Histogram.bins([2, 2, 2], count: 4).counts.reduce(0, +) == 3)
        #expect(Histogram.bins([], count: 4).counts.isEmpty)
    }
}
