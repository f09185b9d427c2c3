import Foundation
import Testing

/// The module graph of Package.swift, the imports in Sources/ and docs/architecture.md agree, and arrows point down.
@Suite struct ArchitectureTests {
    static let root = SurrogateCLITests.root

    /// Targets of a Package.swift text with their declared dependencies (products by product name).
    static func targets(_ manifest: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let pattern = #/\.(?:target|executableTarget|systemLibrary)\(name: "([^"]+)"(?:, dependencies: \[((?:[^\[\]]|\[[^\]]*\])*)\])?/#
        for match in manifest.matches(of: pattern) {
            var deps = Set<String>()
            if let list = match.2 {
                for product in String(list).matches(of: #/\.product\(name: "([^"]+)"/#) { deps.insert(String(product.1)) }
                let plain = String(list).replacing(#/\.product\([^)]*\)/#, with: "")
                for name in plain.matches(of: #/"([^"]+)"/#) { deps.insert(String(name.1)) }
            }
            result[String(match.1)] = deps
        }
        return result
    }

    /// Layers of docs/architecture.md's table: module → (layer, declared imports).
    static func documented(_ text: String) -> [String: (layer: Int, imports: Set<String>)] {
        var result: [String: (Int, Set<String>)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, let layer = Int(cells[0]) else { continue }
            let imports = cells[3] == "—" ? Set<String>() : Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for module in cells[1].split(separator: ",") { result[module.trimmingCharacters(in: .whitespaces)] = (layer, imports) }
        }
        return result
    }

    /// Every violation: undeclared imports, arrows up, storage reaching models, the registry reaching the study,
    /// and documentation that differs from the manifest.
    static func violations(manifest: [String: Set<String>], documented: [String: (layer: Int, imports: Set<String>)],
                           imports: [String: Set<String>]) -> [String] {
        let external: Set<String> = ["Yams", "ArgumentParser", "Crypto", "SwiftProtobuf"]
        var problems: [String] = []
        for (module, deps) in manifest.sorted(by: { $0.key < $1.key }) {
            guard let doc = documented[module] else { problems.append("\(module) is not in docs/architecture.md"); continue }
            if doc.imports != deps {
                problems.append("\(module): docs list \(doc.imports.sorted()) but Package.swift declares \(deps.sorted())")
            }
            for dep in deps.sorted() where !external.contains(dep) {
                guard let layer = documented[dep]?.layer else { continue }
                if layer >= doc.layer { problems.append("\(module) (layer \(doc.layer)) → \(dep) (layer \(layer)) points up") }
            }
        }
        for (module, used) in imports.sorted(by: { $0.key < $1.key }) {
            let declared = manifest[module] ?? []
            for name in used.sorted() where !declared.contains(name) && (manifest[name] != nil || external.contains(name)) {
                problems.append("\(module) imports \(name) without declaring it")
            }
        }
        func closure(_ module: String) -> Set<String> {
            var seen = Set<String>(), stack = [module]
            while let next = stack.popLast() { for d in manifest[next] ?? [] where seen.insert(d).inserted { stack.append(d) } }
            return seen
        }
        let models: Set<String> = ["DoeGP", "DoeBO", "DoeNeural", "DoeONNX", "DoeLinalg", "DoeOptim", "DoeStrategies"]
        for storage in ["DoeJournal", "DoeStudy"] where manifest[storage] != nil {
            let reached = closure(storage).intersection(models)
            if !reached.isEmpty { problems.append("\(storage) reaches model modules \(reached.sorted())") }
        }
        if manifest["DoeRegistry"] != nil {
            let reached = closure("DoeRegistry").intersection(["DoeStudy", "DoeStrategies"]).union(closure("DoeRegistry").intersection(models))
            if !reached.isEmpty { problems.append("DoeRegistry reaches \(reached.sorted())") }
        }
        return problems
    }

    /// `import X` lines of every Swift file under Sources/<module>.
    static func sourceImports() throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let sources = root + "/Sources"
        for module in try FileManager.default.contentsOfDirectory(atPath: sources) {
            guard let files = FileManager.default.enumerator(atPath: sources + "/" + module) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: sources + "/" + module + "/" + file, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard words.count == 2, words[0] == "import" else { continue }
                    let name = String(words[1])
                    let known = ["Yams", "ArgumentParser", "Crypto", "SwiftProtobuf", "CBLAS", "CLAPACKE", "CNLopt", "CHDF5", "CDoeSupport"]
                    if name.hasPrefix("Doe") || known.contains(name) { result[module, default: []].insert(name) }
                }
            }
        }
        return result
    }

    @Test func layersPointDownAndTheDocumentationIsTrue() throws {
        let manifest = Self.targets(try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8))
        #expect(manifest["DoeStudy"] != nil && manifest["DoeJournal"] != nil && manifest["DoeStrategies"] != nil, "\(manifest.keys.sorted())")
        let docs = Self.documented(try String(contentsOfFile: Self.root + "/docs/architecture.md", encoding: .utf8))
        let problems = Self.violations(manifest: manifest, documented: docs, imports: try Self.sourceImports())
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The checker itself catches an arrow up, storage reaching a model, the registry reaching the study, an
    /// undeclared import and a stale table.
    @Test func theCheckerCatchesEachKindOfViolation() {
        let docs: [String: (layer: Int, imports: Set<String>)] = [
            "DoeBase": (1, []), "DoeGP": (3, ["DoeBase"]), "DoeStudy": (6, ["DoeBase"]), "DoeRegistry": (8, ["DoeBase"]),
        ]
        let clean: [String: Set<String>] = ["DoeBase": [], "DoeGP": ["DoeBase"], "DoeStudy": ["DoeBase"], "DoeRegistry": ["DoeBase"]]
        #expect(Self.violations(manifest: clean, documented: docs, imports: ["DoeStudy": ["DoeBase"]]).isEmpty)
        var up = clean
        up["DoeBase"] = ["DoeGP"]
        #expect(Self.violations(manifest: up, documented: docs, imports: [:]).contains { $0.contains("points up") })
        var storage = clean
        storage["DoeStudy"] = ["DoeBase", "DoeGP"]
        #expect(Self.violations(manifest: storage, documented: docs, imports: [:]).contains { $0.contains("DoeStudy reaches model modules") })
        var registry = clean
        registry["DoeRegistry"] = ["DoeBase", "DoeStudy"]
        #expect(Self.violations(manifest: registry, documented: docs, imports: [:]).contains { $0.contains("DoeRegistry reaches") })
        #expect(Self.violations(manifest: clean, documented: docs, imports: ["DoeStudy": ["DoeGP"]])
            .contains { $0.contains("DoeStudy imports DoeGP without declaring it") })
        #expect(Self.violations(manifest: storage, documented: docs, imports: [:]).contains { $0.contains("docs list") })
    }
}
