import DoeBase
import Foundation

/// A notebook's cells as a Python file in the jupytext "percent" format, kept in `Sources/DoeReport/Notebooks/`
/// and shipped next to the executable in the `doe_DoeReport.resources` bundle.
///
/// A line `# %%` starts a code cell, `# %% [markdown]` a markdown cell whose lines start with `# ` (a bare `#` is
/// an empty line); the blank line before each marker separates cells. `{{key}}` is replaced by the value given for
/// `key`, in one pass (inserted text is not searched again); a key without a value is an error.
struct NotebookTemplate {
    /// The cells: kind (`markdown` or `code`) and text with placeholders.
    let cells: [(kind: String, text: String)]

    /// Parses a template's text.
    init(text: String) {
        var cells: [(kind: String, text: String)] = []
        var kind: String?
        var lines: [String] = []
        func flush() {
            guard let kind else { return }
            if lines.last == "" { lines.removeLast() }
            cells.append((kind, lines.joined(separator: "\n")))
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "# %%" || line == "# %% [markdown]" || line == "# %% [data]" {
                flush()
                kind = line == "# %%" ? "code" : line == "# %% [data]" ? "data" : "markdown"
                lines = []
            } else if kind == "markdown" {
                lines.append(line == "#" ? "" : line.hasPrefix("# ") ? String(line.dropFirst(2)) : line)
            } else {
                lines.append(line)
            }
        }
        flush()
        self.cells = cells
    }

    /// The template `name` (`study`, `model`) from the resource bundle next to the executable, else from the source
    /// tree it was built from (a copied binary in a checkout).
    /// - Throws: ``ReportError`` (not found) naming where it looked.
    static func named(_ name: String, sourceFile: String = #filePath) throws -> NotebookTemplate {
        let file = "Notebooks/\(name).py"
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "doe").resolvingSymlinksInPath().deletingLastPathComponent()
        var places: [String] = []
        for url in [Bundle.main.bundleURL, executable, Bundle.main.resourceURL].compactMap({ $0 }) {
            let path = url.appendingPathComponent("doe_DoeReport.resources").standardizedFileURL.path + "/" + file
            if !places.contains(path) { places.append(path) }
        }
        places.append(URL(fileURLWithPath: sourceFile).deletingLastPathComponent().path + "/" + file)
        for path in places {
            if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                return NotebookTemplate(text: text)
            }
        }
        throw ReportError("the notebook template \(file) is missing (looked for \(places.joined(separator: ", "))); "
                          + "keep the doe_DoeReport.resources folder next to the doe executable", kind: .notFound, code: "report.template")
    }

    /// The notebook with every `{{key}}` replaced by `values[key]`.
    func notebook(_ values: [String: String]) throws -> Notebook {
        var nb = Notebook()
        for cell in cells {
            let text = try NotebookTemplate.substitute(cell.text, values)
            switch cell.kind {
            case "code": nb.code(text)
            case "data": nb.data(text)
            default: nb.markdown(text)
            }
        }
        return nb
    }

    /// `text` with its `{{key}}` placeholders replaced, in one pass.
    static func substitute(_ text: String, _ values: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ReportError("notebook template: '{{' without '}}'", kind: .damaged, code: "report.template")
            }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[key] else {
                throw ReportError("notebook template: no value for {{\(key)}}", kind: .damaged, code: "report.template")
            }
            result += value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
