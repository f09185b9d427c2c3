import Foundation

/// Left-aligned plain-text columns for terminal output: every column but the last padded to its widest cell,
/// columns separated by two spaces.
public struct TextTable: Sendable {
    /// The header cells.
    public var header: [String]
    /// The rows added so far.
    public var rows: [[String]] = []

    /// A table with `header`.
    public init(_ header: [String]) { self.header = header }

    /// Adds a row (cells in header order).
    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The header and rows as aligned lines.
    public var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { c in c + 1 == row.count ? row[c] : row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
