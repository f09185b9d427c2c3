import DoeBase
import DoeDesign
import Foundation

/// One row of a results file: either a result for an existing trial (`id`) or a result that already
/// exists elsewhere, given with its parameters (`params`), to import as a new completed trial.
public struct ResultRow: Sendable {
    /// Where the row came from, for messages (e.g. `results.csv line 3`).
    public let location: String
    /// The trial id, for results of suggested trials.
    public let id: Int?
    /// Raw parameter values, for imported results.
    public let params: [String: JSONValue]?
    /// Raw objective values by name (`value` for a single objective given as `"value": y`).
    public let values: [(String, JSONValue)]
    /// Extra information kept with the observation.
    public let meta: [(String, JSONValue)]
    /// Known measurement noise (standard error) by objective name (`value` for a single objective), if given.
    public let sems: [(String, JSONValue)]
    /// Fields measured with the result (one array of values per field name), stored by ``FieldStore``.
    public let fields: [(String, [Double])]

    /// Creates a row.
    public init(location: String, id: Int?, params: [String: JSONValue]?, values: [(String, JSONValue)], meta: [(String, JSONValue)],
                sems: [(String, JSONValue)] = [], fields: [(String, [Double])] = []) {
        self.fields = fields
        self.location = location
        self.id = id
        self.params = params
        self.values = values
        self.meta = meta
        self.sems = sems
    }
}

/// Reads `doe observe --results` files.
///
/// JSON: `{"results": [{"id": 7, "value": 1.23}]}`, or with several objectives
/// `{"id": 7, "values": {"mass": 2.1, "stress": 310}}`; `"params": {...}` instead of `"id"` imports an
/// existing result; an optional `"meta": {...}` is kept; `"sem": s` (or `"sems": {"mass": s}`) gives the known
/// standard error of the measurement, which the GP then uses as that observation's noise. A bare list of rows is
/// accepted too.
///
/// CSV: a header `id,<objective names>[,<objective>_sem][,<extra columns kept as metadata>]`, or parameter columns
/// and no `id` column to import existing results.
public enum ResultsFile {
    /// Parses results text; the format comes from the extension (`.json`, `.csv`) or, failing that, the content.
    /// - Throws: ``StudyError/invalidInput(_:)`` naming the file, line or row and the problem.
    public static func parse(_ text: String, source: String, space: DesignSpace) throws -> [ResultRow] {
        let trimmed = text.drop { $0.isWhitespace }
        let lower = source.lowercased()
        let isJSON = lower.hasSuffix(".json") || (!lower.hasSuffix(".csv") && (trimmed.first == "{" || trimmed.first == "["))
        return isJSON ? try parseJSON(text, source: source) : try parseCSV(text, source: source, space: space)
    }

    static func parseJSON(_ text: String, source: String) throws -> [ResultRow] {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch {
            throw StudyError.invalidInput("\(source): not valid JSON (\(describe(error)))")
        }
        let rows: [JSONValue]
        if let list = document.elements {
            rows = list
        } else if let list = document["results"]?.elements {
            rows = list
        } else {
            throw StudyError.invalidInput("\(source): expected {\"results\": [...]} or a list of result rows")
        }
        return try rows.enumerated().map { index, row in
            let location = "\(source) results[\(index)]"
            guard let members = row.members else { throw StudyError.invalidInput("\(location): each result must be an object") }
            let allowed: Set<String> = ["id", "params", "value", "values", "meta", "sem", "sems"]
            if let unknown = members.first(where: { !allowed.contains($0.0) }) {
                throw StudyError.invalidInput("\(location): unknown field '\(unknown.0)' "
                    + "(expected id or params, value or values, optional meta, sem or sems)")
            }
            var id: Int?
            if let raw = row["id"] {
                guard let i = raw.integer else {
                    throw StudyError.invalidInput("\(location): 'id' must be an integer, got \(raw.serialized)")
                }
                id = i
            }
            var params: [String: JSONValue]?
            if let raw = row["params"] {
                guard let p = raw.members else { throw StudyError.invalidInput("\(location): 'params' must be an object") }
                params = Dictionary(p, uniquingKeysWith: { a, _ in a })
            }
            if id == nil && params == nil {
                throw StudyError.invalidInput("\(location): needs 'id' (a suggested trial) or 'params' (an existing result to import)")
            }
            let values: [(String, JSONValue)]
            if let v = row["value"], row["values"] == nil {
                values = [("value", v)]
            } else if let v = row["values"]?.members, row["value"] == nil {
                values = v
            } else {
                throw StudyError.invalidInput("\(location): needs exactly one of 'value' (a number) or 'values' (an object by objective)")
            }
            var meta: [(String, JSONValue)] = []
            if let raw = row["meta"] {
                guard let m = raw.members else { throw StudyError.invalidInput("\(location): 'meta' must be an object") }
                meta = m
            }
            var sems: [(String, JSONValue)] = []
            if let v = row["sem"], row["sems"] == nil {
                sems = [("value", v)]
            } else if let raw = row["sems"] {
                guard let m = raw.members, row["sem"] == nil else {
                    throw StudyError.invalidInput("\(location): give 'sem' (a number) or 'sems' (an object by objective), not both")
                }
                sems = m
            }
            return ResultRow(location: location, id: id, params: params, values: values, meta: meta, sems: sems)
        }
    }

    static func parseCSV(_ text: String, source: String, space: DesignSpace) throws -> [ResultRow] {
        let table: [CSV.Record]
        do { table = try CSV.parse(text, source: source) } catch let error as ValueError { throw StudyError.invalidInput(error.message) }
        guard let header = table.first else { throw StudyError.invalidInput("\(source): empty file (expected a header line)") }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        if let dup = columns.enumerated().first(where: { i, c in columns[..<i].contains(c) })?.element {
            throw StudyError.invalidInput("\(source) line \(header.line): column '\(dup)' appears twice")
        }
        let objectiveNames = space.outcomeNames      // objectives and constrained metrics
        let parameterNames = Set(space.parameters.map(\.name))
        let hasId = columns.contains("id")
        let missingObjectives = objectiveNames.filter { !columns.contains($0) }
        if !missingObjectives.isEmpty {
            throw StudyError.invalidInput("\(source): missing column\(missingObjectives.count > 1 ? "s" : "") "
                + "\(missingObjectives.map { "'\($0)'" }.joined(separator: ", ")) "
                + "(header must be id,\(objectiveNames.joined(separator: ","))[,extra columns])")
        }
        if !hasId {
            let missing = space.variedParameters.map(\.name).filter { !columns.contains($0) }
            if !missing.isEmpty {
                throw StudyError.invalidInput("\(source): no 'id' column, so every parameter column is needed to import results; "
                    + "missing \(missing.map { "'\($0)'" }.joined(separator: ", "))")
            }
        }
        return try table.dropFirst().map { record in
            let location = "\(source) line \(record.line)"
            guard record.fields.count == columns.count else {
                throw StudyError.invalidInput("\(location): \(record.fields.count) fields, the header has \(columns.count)")
            }
            var id: Int?
            var params: [String: JSONValue] = [:]
            var values: [(String, JSONValue)] = []
            var meta: [(String, JSONValue)] = []
            var sems: [(String, JSONValue)] = []
            for (column, raw) in zip(columns, record.fields) {
                let cell = raw.trimmingCharacters(in: .whitespaces)
                if column == "id" {
                    guard let i = Int(cell) else { throw StudyError.invalidInput("\(location): id '\(cell)' is not an integer") }
                    id = i
                } else if objectiveNames.contains(column) {
                    guard !cell.isEmpty else { throw StudyError.invalidInput("\(location): no value for '\(column)'") }
                    guard let d = Double(cell) else {
                        throw StudyError.invalidInput("\(location): '\(column)' = '\(cell)' is not a number")
                    }
                    values.append((column, .double(d)))
                } else if column.hasSuffix("_sem"), objectiveNames.contains(String(column.dropLast(4))) {
                    if !cell.isEmpty {
                        guard let d = Double(cell) else {
                            throw StudyError.invalidInput("\(location): '\(column)' = '\(cell)' is not a number")
                        }
                        sems.append((String(column.dropLast(4)), .double(d)))
                    }
                } else if parameterNames.contains(column) {
                    if !cell.isEmpty || !hasId { params[column] = .string(cell) }
                } else if !cell.isEmpty {
                    meta.append((column, Int(cell).map(JSONValue.int)
                                  ?? Double(cell).flatMap { $0.isFinite ? JSONValue.double($0) : nil } ?? .string(cell)))
                }
            }
            return ResultRow(location: location, id: id, params: hasId && params.isEmpty ? nil : params, values: values, meta: meta,
                             sems: sems)
        }
    }

    static func describe(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            return (context.underlyingError.map { "\($0.localizedDescription)" }) ?? context.debugDescription
        }
        return "\(error)"
    }
}
