import ArgumentParser
import DoeStudy

extension DoeCommand {
    struct Fail: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a pending trial as failed (excluded from models, listed by status).",
            discussion: "Example:\n  doe fail plate 7 --reason \"mesh did not converge\""
        )

        @OptionGroup var study: StudyOptions
        @Argument(help: "Trial id.") var id: Int
        @Option(help: "Why it failed.") var reason: String

        func run() throws {
            try study.open().fail(id: id, reason: reason)
            emit("trial \(id) marked failed")
        }
    }

    struct Abandon: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a pending trial as abandoned (it will not be run).",
            discussion: "Example:\n  doe abandon plate 7 --reason \"rig booked\""
        )

        @OptionGroup var study: StudyOptions
        @Argument(help: "Trial id.") var id: Int
        @Option(help: "Why (optional).") var reason: String?

        func run() throws {
            try study.open().abandon(id: id, reason: reason)
            emit("trial \(id) abandoned")
        }
    }

    struct Retract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a completed result (journalled with the reason, excluded from models, shown everywhere).",
            discussion: """
            Example:
              doe retract plate 7 --reason "sample contaminated"

            The result stays in the journal; `doe observe NAME ID --replace` records a new one.
            """
        )

        @OptionGroup var study: StudyOptions
        @Argument(help: "Trial id.") var id: Int
        @Option(help: "Why the result is withdrawn.") var reason: String

        func run() throws {
            try study.open().retract(id: id, reason: reason)
            emit("trial \(id) retracted (its result stays in the journal, excluded from models)")
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a free-text note to the study's journal.",
            discussion: "Example:\n  doe note plate \"recalibrated load cell before trial 12\""
        )

        @OptionGroup var study: StudyOptions
        @Argument(help: "The note.") var text: String

        func run() throws {
            try study.open().note(text)
            emit("note added")
        }
    }
}
