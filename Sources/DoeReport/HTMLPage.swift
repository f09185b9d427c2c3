import DoeDesign
import DoePlot
import Foundation

/// A self-contained HTML page: inline CSS and SVG, no scripts, no external resources; laid out for screens and print.
struct HTMLPage {
    var title: String
    private var body = ""

    init(title: String) { self.title = title }

    static func escape(_ text: String) -> String { SVG.escape(text) }

    mutating func raw(_ html: String) { body += html + "\n" }

    mutating func heading(_ text: String, level: Int = 2, id: String? = nil) {
        body += "<h\(level)\(id.map { " id=\"\(HTMLPage.escape($0))\"" } ?? "")>\(HTMLPage.escape(text))</h\(level)>\n"
    }

    mutating func paragraph(_ text: String, cssClass: String? = nil) {
        body += "<p\(cssClass.map { " class=\"\($0)\"" } ?? "")>\(HTMLPage.escape(text))</p>\n"
    }

    /// A figure holding one SVG chart and an optional caption.
    mutating func figure(_ svg: String, caption: String? = nil, cssClass: String = "figure") {
        body += "<figure class=\"\(cssClass)\">\(svg)\(caption.map { "<figcaption>\(HTMLPage.escape($0))</figcaption>" } ?? "")</figure>\n"
    }

    /// A table; `numeric` columns are right-aligned.
    mutating func table(_ header: [String], _ rows: [[String]], id: String? = nil, numeric: Set<Int> = []) {
        var html = "<table\(id.map { " id=\"\(HTMLPage.escape($0))\"" } ?? "")><thead><tr>"
        for (k, h) in header.enumerated() { html += "<th\(numeric.contains(k) ? " class=\"num\"" : "")>\(HTMLPage.escape(h))</th>" }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for (k, cell) in row.enumerated() { html += "<td\(numeric.contains(k) ? " class=\"num\"" : "")>\(HTMLPage.escape(cell))</td>" }
            html += "</tr>"
        }
        body += html + "</tbody></table>\n"
    }

    /// A definition list of key–value facts.
    mutating func facts(_ items: [(String, String)]) {
        body += "<dl class=\"facts\">" + items.map { "<dt>\(HTMLPage.escape($0.0))</dt><dd>\(HTMLPage.escape($0.1))</dd>" }.joined()
            + "</dl>\n"
    }

    mutating func openSection(_ id: String) { body += "<section id=\"\(HTMLPage.escape(id))\">\n" }
    mutating func closeSection() { body += "</section>\n" }
    mutating func openGrid() { body += "<div class=\"grid\">\n" }
    mutating func closeGrid() { body += "</div>\n" }

    var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="doe">
        <title>\(HTMLPage.escape(title))</title>
        <style>\(HTMLPage.css)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    static let css = """
    body{font-family:Helvetica,Arial,sans-serif;color:#222;background:#fff;margin:0}
    main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
    h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
    h3{font-size:15px;margin:18px 0 6px}
    p.meta{color:#555;font-size:13px;margin:2px 0}
    p.note{color:#444;background:#f4f4f4;border-left:4px solid #888;padding:6px 10px;font-size:14px}
    figure{margin:8px 0;break-inside:avoid;page-break-inside:avoid}
    figure svg{max-width:100%;height:auto;display:block}
    figcaption{font-size:12px;color:#555;margin-top:2px}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:6px 14px}
    table{border-collapse:collapse;font-size:13px;margin:6px 0 12px;break-inside:auto}
    th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
    th{background:#eee}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    tr{break-inside:avoid;page-break-inside:avoid}
    dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:14px;margin:8px 0}
    dl.facts dt{font-weight:bold}dl.facts dd{margin:0;word-break:break-all}
    @media print{main{max-width:none;padding:0}h2{break-after:avoid;page-break-after:avoid}section{break-inside:auto}
    .grid{grid-template-columns:1fr 1fr}}
    """
}

/// Number formatting for tables.
enum Format {
    static func g(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "—" : (x > 0 ? "∞" : "−∞") }
        return String(format: "%.\(digits)g", x)
    }

    /// A parameter value for a table: reals to 6 significant digits, others as written.
    static func value(_ v: ParameterValue) -> String {
        if case let .real(x) = v { return g(x, 6) }
        return v.description
    }

    static func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.1f %%", 100 * x) : "—" }
}
