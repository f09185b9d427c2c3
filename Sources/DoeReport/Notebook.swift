import DoeBase
import DoeDesign
import Foundation

/// A Jupyter notebook in nbformat 4.5 (markdown and code cells, no outputs: the user or
/// `jupyter nbconvert --execute` runs it).
struct Notebook {
    private var cells: [JSONValue] = []

    mutating func markdown(_ text: String) { append("markdown", text) }
    mutating func code(_ text: String) { append("code", text) }
    /// A code cell holding embedded data: its source collapsed in JupyterLab and Notebook 7, tagged `doe-data`.
    mutating func data(_ text: String) {
        append("code", text, metadata: .object([("jupyter", .object([("source_hidden", true)])), ("tags", .array(["doe-data"]))]))
    }

    private mutating func append(_ type: String, _ text: String, metadata: JSONValue = .object([])) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let source: [JSONValue] = lines.enumerated().map { k, line in .string(k == lines.count - 1 ? line : line + "\n") }
        var members: [(String, JSONValue)] = [("cell_type", .string(type)), ("id", .string("doe-cell-\(cells.count + 1)")),
                                              ("metadata", metadata), ("source", .array(source))]
        if type == "code" {
            members.insert(("execution_count", .null), at: 1)
            members.append(("outputs", .array([])))
        }
        cells.append(.object(members))
    }

    var json: String {
        JSONValue.object([
            ("cells", .array(cells)),
            ("metadata", .object([
                ("kernelspec", .object([("display_name", "Python 3"), ("language", "python"), ("name", "python3")])),
                ("language_info", .object([("name", "python")])),
                ("doe", .object([("generator", "doe report")])),
            ])),
            ("nbformat", 4), ("nbformat_minor", 5),
        ]).prettySerialized + "\n"
    }

    /// `text` as a Python string literal usable inside a notebook cell (`"""..."""`, every backslash and quote escaped).
    static func pythonString(_ text: String) -> String {
        "\"\"\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"\"\""
    }
}
