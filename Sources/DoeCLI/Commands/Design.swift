import ArgumentParser
import DoeBase
import DoeDesign
import DoeStudy
import Foundation

extension DesignMethod: ExpressibleByArgument {}

extension DoeCommand {
    struct Design: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a space-filling design table for a space file, without a study.",
            discussion: """
            Examples:
              doe design space.yaml --method sobol -n 16 --seed 1
              doe design space.yaml --method lhs -n 20 --format json
              doe design space.yaml --method factorial --levels 3

            Methods: sobol (scrambled, Joe–Kuo directions, up to 1111 dimensions), lhs (Latin hypercube, \
            maximin-improved), random (uniform), factorial (all int/categorical levels; reals at --levels values).
            """
        )

        @Argument(help: "The design-space file (YAML or JSON).") var space: String
        @Option(help: "sobol, lhs, random or factorial.") var method: DesignMethod = .sobol
        @Option(name: [.short, .customLong("count")], help: "Number of runs (not used by factorial).") var n: Int = 16
        @Option(help: "Seed (same seed, same design).") var seed: UInt64 = 0
        @Option(help: "Levels per real parameter in a factorial design.") var levels: Int = 3
        @Option(help: "csv (every digit), json, or text (an aligned table to read).") var format: TableFormat = .csv

        func validate() throws {
            guard n >= 1 && n <= 10_000_000 else { throw ValidationError("-n must be between 1 and 10000000, got \(n)") }
            guard levels >= 1 else { throw ValidationError("--levels must be at least 1") }
        }

        func run() throws {
            let designSpace = try DesignSpace.load(contentsOf: space)
            let rows = try DesignGenerator.assignments(for: designSpace, method: method, count: n, seed: seed, realLevels: levels)
            let names = designSpace.parameters.map(\.name)
            if format == .json {
                emit(JSONValue.object([("method", .string(method.rawValue)), ("seed", .int(Int(bitPattern: UInt(seed)))),
                                       ("design", .array(rows.map { row in
                                           .object(zip(names, row).map { ($0.0, $0.1.json) })
                                       }))]).serialized)
            } else if format == .text {
                var table = TextTable(designSpace.parameters.map(displayHeader))
                for row in rows { table.add(row.map(displayValue)) }
                emit(table.rendered)
            } else {
                var text = names.map(CSV.escape).joined(separator: ",") + "\n"
                for row in rows { text += row.map { CSV.escape($0.description) }.joined(separator: ",") + "\n" }
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
