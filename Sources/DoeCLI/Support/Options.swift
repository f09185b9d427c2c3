import ArgumentParser
import DoeDesign
import DoeStudy
import Foundation

/// Where studies live.
struct StudyOptions: ParsableArguments {
    @Argument(help: "Study name (letters, digits, '.', '_', '-').")
    var name: String

    @Option(name: .long, help: "Directory holding the studies (default: $DOE_STUDIES_DIR or ./studies).")
    var dir: String?

    var directory: String { studiesDirectory(dir) }

    func open() throws -> Study { try Study.open(name: name, in: directory) }
}

/// Output formats for tables.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json
}

/// Writes a line to standard output.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Reads a file, or standard input for `-`.
func readInput(_ path: String) throws -> String {
    let data: Data?
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        data = FileManager.default.contents(atPath: path)
    }
    guard let data else { throw StudyError.invalidInput("cannot read '\(path)' (does it exist?)") }
    guard let text = String(data: data, encoding: .utf8) else { throw StudyError.invalidInput("'\(path)' is not UTF-8 text") }
    return text
}

/// The studies directory: `given` (--dir), else `$DOE_STUDIES_DIR`, else `studies`.
func studiesDirectory(_ given: String?) -> String {
    given ?? ProcessInfo.processInfo.environment["DOE_STUDIES_DIR"] ?? "studies"
}
