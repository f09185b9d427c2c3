import Foundation

/// Minimal RFC 4180 CSV: comma separated, double-quoted fields with `""` escapes, LF or CRLF line ends.
public enum CSV {
    /// One parsed record with its 1-based starting line.
    public struct Record: Sendable {
        /// 1-based line on which the record starts (a quoted field may span several lines).
        public let line: Int
        /// The record's fields in column order, surrounding quotes removed and `""` escapes resolved.
        public let fields: [String]
    }

    /// Parses CSV text; blank lines are skipped.
    /// - Throws: ``ValueError`` for an unterminated quoted field (naming `source` and the line).
    public static func parse(_ text: String, source: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        func finishRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
            field = ""
            fieldStarted = false
        }
        while let c = pending {
            pending = iterator.next()
            if inQuotes {
                if c == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = iterator.next() } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted || field.trimmingCharacters(in: .whitespaces).isEmpty:
                inQuotes = true
                fieldStarted = true
                field = ""
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = false
            case "\r":
                if pending == "\n" { continue }
                finishRecord(); line += 1; recordLine = line
            case "\n":
                finishRecord(); line += 1; recordLine = line
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if inQuotes { throw ValueError("\(source) line \(recordLine): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { finishRecord() }
        return records
    }

    /// Quotes a field when needed.
    public static func escape(_ field: String) -> String {
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}
