import ArgumentParser
import DoeDesign
import DoeStrategies
import DoeStudy
import Foundation

extension DoeCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a study from a design-space file (YAML or JSON).",
            discussion: """
            Example:
              doe init plate --space plate.yaml --seed 7

            This creates studies/plate/ with a copy of the space file and an empty journal. The seed fixes the \
            scrambled Sobol design, so the same seed and journal always give the same suggestions.
            """
        )

        @OptionGroup var study: StudyOptions

        @Option(help: "The design-space file: a list of parameters, or an object with parameters: and objectives:.")
        var space: String

        @Option(help: "Seed of the study's designs (default: random; recorded in the journal).")
        var seed: UInt64?

        func run() throws {
            let seed = self.seed ?? UInt64.random(in: 0..<(1 << 31))
            let declared = try DesignSpace.load(contentsOf: space)
            if case .registry? = declared.prior?.source {
                try StudyName.validate(study.name)
                try FileManager.default.createDirectory(atPath: study.directory, withIntermediateDirectories: true)
            }
            let staged = try RegistryPrior.stage(declared, near: study.directory)
            defer { if let staged { try? FileManager.default.removeItem(atPath: staged.directory) } }
            // a prior that cannot be used creates nothing
            _ = try StudyPrior.load(space: declared, studyDirectory: study.directory + "/" + study.name, modelDirectory: staged?.directory)
            let created = try Study.create(name: study.name, spaceFile: space, in: study.directory, seed: seed)
            let prior = try created.recordPrior(staged: staged)
            let s = created.space
            emit("created study '\(created.name)' in \(created.path) (\(s.parameters.count) parameters, \(s.dimension) varied; "
                + "objectives: \(s.objectives.map { "\($0.name) (\($0.direction.rawValue))" }.joined(separator: ", ")); "
                + "seed \(seed); initial design \(s.initialDesignSize) trials)"
                + (prior.map { "\nprior: \(RegistryPrior.label($0.prior, version: staged?.version)) "
                    + "(sha256 \($0.prior.sha256.prefix(12))…) for "
                    + $0.prior.declaration.outputs.map { "\($0.metric) ← \($0.output)" }.joined(separator: ", ") } ?? ""))
        }
    }
}
