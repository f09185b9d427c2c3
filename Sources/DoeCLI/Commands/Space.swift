import ArgumentParser
import DoeBase
import DoeDesign
import DoeStrategies
import DoeStudy
import Foundation

extension DoeCommand {
    struct SpaceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "space",
            abstract: "Show or change a study's design space (changes are checked against the trials and journalled).",
            discussion: """
            Examples:
              doe space beam
              doe space beam --set wider.yaml --reason "at bound"
              doe space beam --set narrow.yaml --exclude-outside
              doe space beam --restore
              doe space beam --record-prior

            Without options: the space, its SHA-256 and its change history. Bounds and choices may change; \
            parameters and objectives may not (that is a new study). Narrowing that leaves recorded trials outside \
            is refused unless --exclude-outside takes them out of the model (they stay in the journal, marked \
            abandoned). --restore puts back the file the journal recorded, after a hand edit. --record-prior records \
            the model the space's prior: names as it is now (its content hash), after it was retrained; \
            suggestions refuse a prior model the journal has not recorded.
            """
        )

        @OptionGroup var study: StudyOptions
        @Option(help: "New space file (YAML or JSON) to record as the study's space.") var set: String?
        @Flag(help: "With --set: trials outside the new space leave the model instead of refusing the change.") var excludeOutside = false
        @Option(help: "Why the space changes (kept in the journal).") var reason: String?
        @Flag(help: "Write back the space file the journal recorded last (undoes a hand edit).") var restore = false
        @Flag(help: "Record the prior model as it is now (after retraining it).") var recordPrior = false

        func validate() throws {
            if set != nil && restore { throw ValidationError("give --set FILE or --restore, not both") }
            if excludeOutside && set == nil { throw ValidationError("--exclude-outside goes with --set FILE") }
            if recordPrior && (set != nil || restore) { throw ValidationError("give --record-prior alone") }
        }

        func run() throws {
            if restore {
                let sha = try Study.restoreSpace(name: study.name, in: study.directory)
                emit("restored \(study.directory)/\(study.name)/space.yaml as the journal recorded it (SHA-256 \(sha.prefix(12))…)")
                return
            }
            let s = try study.open()
            if recordPrior {
                let staged = try RegistryPrior.stage(s.space, near: s.path)
                defer { if let staged { try? FileManager.default.removeItem(atPath: staged.directory) } }
                guard let result = try s.recordPrior(reason: reason, staged: staged) else {
                    throw ValidationError("the space of \(s.name) names no prior (prior: {model: …, outputs: …})")
                }
                let label = RegistryPrior.label(result.prior, version: staged?.version)
                emit(result.recorded
                     ? "recorded the prior model \(label) (sha256 \(result.prior.sha256.prefix(12))…)"
                     : "the journal already records \(label) as it is (sha256 \(result.prior.sha256.prefix(12))…)")
                return
            }
            if let set {
                let declared = try DesignSpace.load(contentsOf: set)
                let staged = try RegistryPrior.stage(declared, near: s.path)
                defer { if let staged { try? FileManager.default.removeItem(atPath: staged.directory) } }
                // a prior that cannot be used changes nothing
                _ = try StudyPrior.load(space: declared, studyDirectory: s.path, modelDirectory: staged?.directory)
                let change = try s.changeSpace(to: set, excludeOutside: excludeOutside, reason: reason)
                var lines = ["space of \(s.name) changed (SHA-256 \(change.sha256.prefix(12))…)"]
                lines += change.changes.map { "  " + $0 }
                if !change.excluded.isEmpty {
                    lines.append("trials outside the new space, out of the model from now on: "
                        + "\(change.excluded.map(String.init).joined(separator: ", "))")
                }
                if let result = try Study.open(name: s.name, in: study.directory).recordPrior(reason: reason, staged: staged),
                   result.recorded {
                    let label = RegistryPrior.label(result.prior, version: staged?.version)
                    lines.append("recorded the prior model \(label) (sha256 \(result.prior.sha256.prefix(12))…)")
                }
                emit(lines.joined(separator: "\n"))
                return
            }
            let state = try s.load()
            var table = TextTable(["parameter", "type", "range", "unit"])
            for p in s.space.parameters {
                let (type, range): (String, String)
                switch p.domain {
                case let .real(low, high, log):
                    (type, range) = (log ? "real (log)" : "real", "\(NumberText.significant(low)) … \(NumberText.significant(high))")
                case let .integer(low, high): (type, range) = ("int", "\(low) … \(high)")
                case let .categorical(choices): (type, range) = ("categorical", choices.map(\.description).joined(separator: ", "))
                case let .fixed(value): (type, range) = ("fixed", value.description)
                }
                table.add([p.name, type, range, p.unit ?? ""])
            }
            var lines = ["\(s.spacePath) (SHA-256 \(s.spaceSHA256.prefix(12))…)", table.rendered]
            if state.spaceChanges.isEmpty {
                lines.append("unchanged since the study was created")
            } else {
                for c in state.spaceChanges {
                    lines.append("changed \(c.timestamp) → \(c.sha256.prefix(12))…\(c.reason.map { ": \($0)" } ?? "")"
                        + (c.excluded.isEmpty ? "" : " (trials left outside: \(c.excluded.map(String.init).joined(separator: ", ")))"))
                }
            }
            emit(lines.joined(separator: "\n"))
        }
    }
}
