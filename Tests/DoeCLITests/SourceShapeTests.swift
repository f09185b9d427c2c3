import Foundation
import Testing

/// Every public symbol in Sources/ has a `///` comment, and no line is longer than 140 characters (generated
/// protobuf code excepted).
@Suite struct SourceShapeTests {
    /// The hand-written Swift files under Sources/, relative paths.
    static func sourceFiles() throws -> [String] {
        let root = ArchitectureTests.root + "/Sources"
        let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(".swift") && !$0.contains("/Generated/") }.sorted().map { root + "/" + $0 }
    }

    /// `file:line` of public declarations without a `///` (or `/** */`) comment above them, attributes skipped;
    /// lines inside multi-line string literals are not code.
    static func undocumented(_ text: String, file: String) -> [String] {
        var missing: [String] = []
        var inLiteral = false
        var previous = ""   // the last code line that is not blank or an attribute
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let quotes = line.components(separatedBy: "\"\"\"").count - 1
            if inLiteral {
                if quotes % 2 == 1 { inLiteral = false }
                continue
            }
            if quotes % 2 == 1 { inLiteral = true }
            let declaration = line.replacing(#/^(@\w+(\([^)]*\))?\s*)+/#, with: "")
            if declaration.hasPrefix("public ") || declaration.hasPrefix("open ") {
                if !(previous.hasPrefix("///") || previous.hasSuffix("*/")) { missing.append("\(file):\(number + 1): \(line)") }
            }
            if line.isEmpty || line.wholeMatch(of: #/(@\w+(\([^)]*\))?\s*)+/#) != nil { continue }
            previous = line
        }
        return missing
    }

    @Test func everyPublicSymbolIsDocumented() throws {
        var missing: [String] = []
        var declarations = 0
        for path in try Self.sourceFiles() {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            declarations += text.matches(of: #/(?m)^\s*(@\w+(\([^)]*\))?\s*)*(public|open) /#).count
            missing += Self.undocumented(text, file: String(path.dropFirst(ArchitectureTests.root.count + 1)))
        }
        #expect(declarations > 500, "the scan found only \(declarations) public declarations")
        #expect(missing.isEmpty, "\(missing.count) public declarations have no /// comment:\n\(missing.prefix(40).joined(separator: "\n"))")
    }

    @Test func noLineIsLongerThan140Characters() throws {
        var long: [String] = []
        for path in try Self.sourceFiles() {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where line.count > 140 {
                long.append("\(path.dropFirst(ArchitectureTests.root.count + 1)):\(number + 1) (\(line.count))")
            }
        }
        #expect(long.isEmpty, "\(long.count) lines over 140 characters:\n\(long.prefix(40).joined(separator: "\n"))")
    }

    /// The checker sees a missing comment, skips attributes and string literals.
    @Test func theCheckerFindsAnUndocumentedDeclaration() {
        let text = """
        /// Documented.
        @inlinable
        public func a() {}
        public func b() {}
        let s = \"\"\"
        public func c() {}
        \"\"\"
        """
        #expect(Self.undocumented(text, file: "f") == ["f:4: public func b() {}"])
    }
}
