import DoeBase

/// Errors of studies and their journals. Each message names the study, file, line or trial concerned.
public enum StudyError: CodedError {
    /// Value errors for names, ids and input; refusals for conflicts with the record; damage for the journal.
    public var kind: ErrorKind {
        switch self {
        case .invalidName, .unknownTrial, .invalidInput: return .invalidValue
        case .notFound: return .notFound
        case .alreadyExists, .invalidState, .spaceEdited: return .refused
        case .damagedJournal, .unsupportedVersion: return .damaged
        case .io: return .io
        }
    }
    /// `study.<case>`.
    public var code: String {
        switch self {
        case .invalidName: return "study.invalid_name"
        case .notFound: return "study.not_found"
        case .alreadyExists: return "study.already_exists"
        case .damagedJournal: return "study.damaged_journal"
        case .unsupportedVersion: return "study.newer_version"
        case .unknownTrial: return "study.unknown_trial"
        case .invalidState: return "study.refused"
        case .invalidInput: return "study.invalid_input"
        case .spaceEdited: return "study.space_edited"
        case .io: return "study.io"
        }
    }
    /// The study name is unusable as a directory name.
    case invalidName(String)
    /// No study of that name under the directory.
    case notFound(name: String, directory: String)
    /// `doe init` for a name that exists.
    case alreadyExists(name: String, path: String)
    /// A line of the journal that cannot be read (not the torn last line, which is tolerated).
    case damagedJournal(path: String, line: Int, reason: String)
    /// The journal was written by a newer doe.
    case unsupportedVersion(path: String, line: Int, version: Int)
    /// A request about a trial id that does not exist.
    case unknownTrial(id: Int, known: ClosedRange<Int>?)
    /// A request that conflicts with the trial's state (e.g. a second observation without `--replace`).
    case invalidState(String)
    /// Input that does not fit the study (bad value, missing column, out of bounds…).
    case invalidInput(String)
    /// The space file differs from the one the journal recorded (edited by hand).
    case spaceEdited(study: String, path: String, recorded: String, found: String)
    /// An operating-system call failed.
    case io(path: String, operation: String, errno: Int32)

    /// The message shown to the user: what is wrong with which study, file, line or trial, and how to fix it.
    public var description: String {
        switch self {
        case let .invalidName(name):
            return "invalid study name '\(name)': use 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit "
                + "(no '/', '..' or control characters)"
        case let .notFound(name, directory):
            return "no study '\(name)' in '\(directory)' (create it with `doe init \(name) --space FILE`, or pass --dir)"
        case let .alreadyExists(name, path):
            return "study '\(name)' already exists at '\(path)'; choose another name or remove it"
        case let .damagedJournal(path, line, reason):
            return "\(path): line \(line) does not fit the study (\(reason)). The journal is append-only: do not edit it. "
                + "If the study's space.yaml was changed by hand, put the old file back "
                + "and change the space with `doe space STUDY --set FILE`"
        case let .unsupportedVersion(path, line, version):
            return "\(path): line \(line) uses journal format v\(version), newer than this doe understands "
                + "(v\(JournalRecord.formatVersion)); upgrade doe"
        case let .unknownTrial(id, known):
            if let known { return "trial \(id) does not exist (trial ids are \(known.lowerBound)…\(known.upperBound))" }
            return "trial \(id) does not exist (the study has no trials yet)"
        case let .invalidState(message), let .invalidInput(message):
            return message
        case let .spaceEdited(study, path, recorded, found):
            return "\(path) was changed outside doe (SHA-256 \(found.prefix(12))…, the journal recorded \(recorded.prefix(12))…). "
                + "The space of a study changes only through `doe space \(study) --set FILE`, which checks the recorded trials against it "
                + "and journals the change: run `doe space \(study) --restore` to put back the recorded file, "
                + "then `doe space \(study) --set` "
                + "with your edited copy"
        case let .io(path, operation, code):
            return "\(path): \(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
