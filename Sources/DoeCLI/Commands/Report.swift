import ArgumentParser
import DoeModelFormat
import DoeNeural
import DoeProvenance
import DoeRegistry
import DoeReport
import DoeStudy
import DoeJournal
import Foundation

extension DoeCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an HTML report (inline SVG plots) and/or a Jupyter notebook of a study or a surrogate model.",
            discussion: """
            TARGET is a study name (in --dir), a model directory (one holding model.json), or a registered version \
            NAME@VERSION or NAME@ALIAS (in --registry): its verified files are written to OUT/NAME-vVERSION-model/ \
            for the notebook, and the report opens with its model card and registry record.

            A study report shows the summary, convergence with batches, parallel coordinates of all trials, the GP's \
            slices (mean ± 2σ through the best trial), parameter importance and Sobol indices, pending and failed trials. \
            A model report shows the model card, metrics per split, training curves, parity plots and error histograms \
            on the test split, calibration of ensemble intervals and Sobol indices over the input bounds. \
            The notebook reloads the journal (or the model's CSV files) with pandas and redraws the plots with matplotlib.

            Files: OUT/<name>.html and OUT/<name>.ipynb (name = the study's or the model directory's, or --name). \
            --surrogate adds a neural surrogate's Sobol indices to a study report.

            Examples:
              doe report borehole
              doe report borehole --format html --out reports/
              doe report borehole --surrogate models/borehole-nn
              doe report studies/surrogates/plate-model
              doe report plate@production --registry models/registry
            """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case html, ipynb, both }

        @Argument(help: "A study name, a model directory (with model.json), or NAME@VERSION|@ALIAS in the registry.")
        var target: String
        @OptionGroup var registryOptions: RegistryOptions
        @Option(name: .long, help: "Directory holding the studies (default: $DOE_STUDIES_DIR or ./studies).") var dir: String?
        @Option(name: .long, help: "Directory to write the report into.") var out = "notebooks-exports"
        @Option(name: .long, help: "html, ipynb or both.") var format: Format = .both
        @Option(name: .long, help: "File name without extension (default: the study's or model directory's name).") var name: String?
        @Option(name: .long, help: "A surrogate trained on this study (doe train --study): add its Sobol indices.") var surrogate: String?

        func run() throws {
            if let name { try StudyName.validate(name) }
            let now = Timestamp.now()
            let written: [String]
            if ModelDirectory(target).holdsModel {
                if surrogate != nil { throw ReportError("--surrogate applies to study reports; \(target) is a model") }
                written = try modelReport(path: target, registration: nil, defaultName: nil, now: now)
            } else if target.contains("@") && !FileManager.default.fileExists(atPath: target) {
                if surrogate != nil { throw ReportError("--surrogate applies to study reports; \(target) is a model") }
                let registry = try registryOptions.open()
                let state = try registry.load()
                let v = try state.resolve(try ModelReference(parsing: target))
                let folder = out + "/\(v.name)-v\(v.version)-model"
                try? FileManager.default.removeItem(atPath: folder)
                try registry.materialize(v, into: folder)
                written = [folder + "/"] + (try modelReport(path: folder, registration: registration(v, state: state),
                                                            defaultName: "\(v.name)-v\(v.version)", now: now))
            } else {
                let directory = studiesDirectory(dir)
                guard StudyName.isValid(target) else {
                    if FileManager.default.fileExists(atPath: target) {
                        throw ReportError("\(target): neither a model directory (no model.json) nor a study name")
                    }
                    throw StudyError.invalidName(target)
                }
                let study: Study
                do {
                    study = try Study.open(name: target, in: directory)
                } catch StudyError.notFound where FileManager.default.fileExists(atPath: target) {
                    throw ReportError("\(target): neither a model directory (no model.json) nor a study in \(directory)/")
                }
                written = try studyReport(study: study, now: now)
            }
            for path in written { emit("wrote \(path)") }
        }

        func studyReport(study: Study, now: String) throws -> [String] {
            // hash the bytes that were replayed: load (which may repair a torn tail), then read; a concurrent append in
            // between shows as more lines than records, and the pair is taken again
            var state = try study.load()
            var journal = try Data(contentsOf: URL(fileURLWithPath: study.journalPath))
            for _ in 0..<5 where journal.split(separator: UInt8(ascii: "\n")).count != state.recordCount {
                state = try study.load()
                journal = try Data(contentsOf: URL(fileURLWithPath: study.journalPath))
            }
            let model = try surrogate.map { LoadedSurrogate(path: $0, model: try ModelDirectory($0).loadSurrogate()) }
            let analysis = try StudyAnalysis(space: study.space, state: state, surrogate: model)
            let provenance = ReportProvenance(generatedAt: now, doeVersion: Study.doeVersion, source: study.journalPath,
                                              sha256: FileDigest.sha256(of: journal))
            return try write(base: out + "/" + (name ?? study.name), html: { StudyReport.html(analysis, provenance: provenance) }) {
                try StudyNotebook.ipynb(analysis, provenance: provenance,
                                    studyPathFromNotebook: ReportFiles.relativePath(from: out, to: study.path),
                                    absoluteStudyPath: ReportFiles.absolute(study.path))
            }
        }

        /// Writes BASE.html and/or BASE.ipynb as `--format` asks; returns the paths written.
        func write(base: String, html: () -> String, notebook: () throws -> String) throws -> [String] {
            var written: [String] = []
            if format != .ipynb {
                try ReportFiles.write(html(), to: base + ".html")
                written.append(base + ".html")
            }
            if format != .html {
                try ReportFiles.write(try notebook(), to: base + ".ipynb")
                written.append(base + ".ipynb")
            }
            return written
        }

        func registration(_ v: ModelVersion, state: Registry.State) -> ModelAnalysis.Registration {
            let aliases = (state.aliases[v.name] ?? [:]).filter { $0.value == v.version }.keys.sorted()
            var facts = [ModelAnalysis.Registration.Fact("Registered", "\(v.name)@\(v.version), \(v.registeredAt) by \(v.registeredBy)"),
                         .init("Aliases", aliases.isEmpty ? "none" : aliases.joined(separator: ", "))]
            if let gate = state.lastGate(v) {
                facts.append(.init("Last gate", "\(gate.verdict.rawValue)" + (gate.baseline.map { " vs \($0)" } ?? " (absolute limits)")
                    + ", \(gate.at) by \(gate.by)" + (gate.failures.isEmpty ? "" : ": " + gate.failures.joined(separator: ", "))))
            } else {
                facts.append(.init("Last gate", "not gated"))
            }
            return ModelAnalysis.Registration(reference: "\(v.name)@\(v.version)", card: v.card, facts: facts)
        }

        func modelReport(path: String, registration: ModelAnalysis.Registration?, defaultName: String?, now: String) throws -> [String] {
            var analysis = try ModelAnalysis(path: path)
            analysis.registration = registration
            let target = path
            let provenance = ReportProvenance(generatedAt: now, doeVersion: Study.doeVersion, source: registration?.reference ?? target,
                                              sha256: try FileDigest.sha256(ofFile: ModelDirectory(target).path(of: .weights)))
            let baseName = name ?? defaultName ?? analysis.name
            guard StudyName.isValid(baseName) else {
                throw ReportError("the model directory's name '\(baseName)' is not usable as a file name; pass --name")
            }
            return try write(base: out + "/" + baseName, html: { ModelReport.html(analysis, provenance: provenance) }) {
                try ModelNotebook.ipynb(analysis, provenance: provenance,
                                    modelPathFromNotebook: ReportFiles.relativePath(from: out, to: target),
                                    absoluteModelPath: ReportFiles.absolute(target))
            }
        }
    }
}
