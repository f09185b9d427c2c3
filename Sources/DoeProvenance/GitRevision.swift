import Foundation

/// The git commit a file is recorded in, when it lies in a git work tree: which version of the training data (and of
/// the repository holding it) a model was trained on.
public struct GitRevision: Sendable, Equatable {
    /// The work tree's `HEAD` commit (40 hex digits).
    public let commit: String
    /// `true` when the file is committed as it is (no uncommitted change, not untracked).
    public let clean: Bool

    /// The revision of `path`, or `nil` when it is not in a git work tree or git is not installed.
    public static func of(file path: String) -> GitRevision? {
        let directory = (URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()).path
        guard let head = git(["-C", directory, "rev-parse", "HEAD"]), head.count == 40 else { return nil }
        guard let status = git(["-C", directory, "status", "--porcelain", "--", URL(fileURLWithPath: path).lastPathComponent]) else {
            return nil
        }
        return GitRevision(commit: head, clean: status.isEmpty)
    }

    /// Runs git and returns its trimmed standard output, or `nil` when it fails.
    static func git(_ arguments: [String]) -> String? {
        let candidates = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { environment.removeValue(forKey: key) }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
