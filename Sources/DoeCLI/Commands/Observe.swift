import ArgumentParser
import DoeBase
import DoeDesign
import DoeHDF5
import DoeStrategies
import DoeStudy
import Foundation

extension DoeCommand {
    struct Observe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record results: one trial on the command line, or a JSON, CSV or HDF5 results file.",
            discussion: """
            Examples:
              doe observe plate 7 --value 1.23 --meta rig=B
              doe observe plate 7 --value 1.23 --sem 0.05
              doe observe plate 7 --value mass=2.1 --value stress=310
              doe observe plate --results results.json
              doe observe plate --results results.csv
              doe observe plate --results rig.csv --as-run
              doe observe sims --results runs.h5

            --sem gives a known measurement noise (standard error). Several objectives take name=value. \
            A JSON file holds {"results":[{"id":7,"value":1.23}]}; a CSV file has the header id,<objectives> \
            and extra columns kept as metadata. Parameter columns without an id import results that existed \
            before (refused when they match pending trials, unless --import). An HDF5 dump (runs.h5) holds \
            /outputs and /inputs with 'names' attributes (matched by name, never by position), optionally /id to \
            match rows to trials (else rows are imported by their parameters) and /fields/NAME (rows x width), \
            stored with each result for doe trials --format h5.

            The whole file is checked before anything is written. Parameter columns next to an id must equal \
            the suggestion (to the digits written) unless --as-run records them as the values actually run. \
            A result identical to the recorded one is a no-op; a different second result is refused unless \
            --replace is given; then a correcting record is appended (the first one stays in the journal).
            """
        )

        @OptionGroup var study: StudyOptions

        @Argument(help: "Trial id (with --value).")
        var id: Int?

        @Option(name: .long, help: "Objective value: a number, or name=number for each objective (repeatable).")
        var value: [String] = []

        @Option(name: .long, help: "Metadata key=value kept with the observation (repeatable).")
        var meta: [String] = []

        @Option(name: .long, help: ArgumentHelp("Known standard error of the value: a number, or name=number per objective (repeatable); "
                                                 + "the GP uses it as this observation's noise."))
        var sem: [String] = []

        @Option(name: .long, help: "Results file (.json, .csv, or an HDF5 dump; - reads standard input).")
        var results: String?

        @Flag(help: "Correct an existing observation (appends a new record).")
        var replace = false

        @Flag(help: "Parameter columns next to an id are the values actually run (e.g. rounded by the rig); models use them.")
        var asRun = false

        @Flag(name: .customLong("import"), help: "Import rows without an id as new trials even when they match pending trials.")
        var importMatching = false

        @Flag(help: "Print what was recorded as JSON.")
        var json = false

        func validate() throws {
            if results != nil && (id != nil || !value.isEmpty || !meta.isEmpty || !sem.isEmpty) {
                throw ValidationError("give either --results FILE, or a trial ID with --value, not both")
            }
            if results == nil && (id == nil || value.isEmpty) {
                throw ValidationError("give a trial ID and --value Y, or --results FILE")
            }
        }

        func run() throws {
            let s = try study.open()
            let receipts: [Study.Receipt]
            if let results {
                let rows: [ResultRow]
                if results != "-" && ExactDump.isHDF5(results) {
                    rows = try StudyDump.resultRows(path: results, space: s.space)
                } else {
                    rows = try ResultsFile.parse(try readInput(results), source: results == "-" ? "<stdin>" : results, space: s.space)
                }
                receipts = try s.observe(rows, replace: replace, asRun: asRun, importMatchingPending: importMatching)
            } else {
                let values = try namedNumbers(value, flag: "--value")
                let sems = try namedNumbers(sem, flag: "--sem")
                let metadata = try meta.map { entry -> (String, JSONValue) in
                    guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else {
                        throw StudyError.invalidInput("--meta \(entry): expected key=value")
                    }
                    let raw = String(entry[entry.index(after: eq)...])
                    return (String(entry[..<eq]), Int(raw).map(JSONValue.int)
                            ?? Double(raw).flatMap { $0.isFinite ? JSONValue.double($0) : nil } ?? .string(raw))
                }
                receipts = try s.observe([ResultRow(location: "command line", id: id!, params: nil, values: values, meta: metadata,
                                                    sems: sems)], replace: replace)
            }
            if json {
                emit(JSONValue.object([("recorded", .array(receipts.map {
                    .object([("id", .int($0.id)), ("imported", .bool($0.imported)), ("replaced", .bool($0.replaced)),
                             ("unchanged", .bool($0.unchanged)), ("as_run", .bool($0.asRun))])
                }))]).serialized)
            } else {
                let imported = receipts.filter(\.imported).map(\.id)
                let observed = receipts.filter { !$0.imported && !$0.unchanged }.map(\.id)
                let unchanged = receipts.filter(\.unchanged).map(\.id)
                var parts: [String] = []
                if !observed.isEmpty {
                    parts.append("recorded \(observed.count) result\(observed.count == 1 ? "" : "s") "
                        + "(trial\(observed.count == 1 ? "" : "s") \(idList(observed)))")
                }
                if !imported.isEmpty {
                    parts.append("imported \(imported.count) existing result\(imported.count == 1 ? "" : "s") "
                        + "as trial\(imported.count == 1 ? "" : "s") \(idList(imported))")
                }
                if !unchanged.isEmpty {
                    parts.append("trial\(unchanged.count == 1 ? "" : "s") \(idList(unchanged)) already "
                        + "\(unchanged.count == 1 ? "has" : "have") this result (nothing written)")
                }
                emit(parts.joined(separator: "; "))
            }
        }
    }
}

/// Parses repeated `--value`/`--sem` entries: a bare number (the single objective, named `value`) or `name=number`.
func namedNumbers(_ entries: [String], flag: String) throws -> [(String, JSONValue)] {
    try entries.map { entry in
        if let eq = entry.firstIndex(of: "=") {
            let name = String(entry[..<eq]), number = String(entry[entry.index(after: eq)...])
            guard let d = Double(number) else { throw StudyError.invalidInput("\(flag) \(entry): '\(number)' is not a number") }
            return (name, .double(d))
        }
        guard let d = Double(entry) else {
            throw StudyError.invalidInput("\(flag) \(entry): not a number (use name=number for several objectives)")
        }
        return ("value", .double(d))
    }
}
