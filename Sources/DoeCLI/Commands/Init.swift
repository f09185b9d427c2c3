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
            _ = try StudyPrior.load(space: DesignSpace.load(contentsOf: space))   // a prior that cannot be used creates nothing
            let created = try Study.create(name: study.name, spaceFile: space, in: study.directory, seed: seed)
            let prior = try created.recordPrior()
            let s = created.space
            emit("created study '\(created.name)' in \(created.path) (\(s.parameters.count) parameters, \(s.dimension) varied; "
                + "objectives: \(s.objectives.map { "\($0.name) (\($0.direction.rawValue))" }.joined(separator: ", ")); "
                + "seed \(seed); initial design \(s.initialDesignSize) trials)"
                + (prior.map { "\nprior: \($0.prior.declaration.model) (sha256 \($0.prior.sha256.prefix(12))…) for "
                    + $0.prior.declaration.outputs.map { "\($0.metric) ← \($0.output)" }.joined(separator: ", ") } ?? ""))
        }
    }
}
