import DoeBase
import Foundation

/// An append-only JSON Lines file (a study journal, the model registry), with its locking and durability rules.
///
/// - Every command that writes holds an exclusive `flock(2)` on the journal for its whole
///   read–replay–append cycle; readers hold a shared lock, so they never see a line being written.
/// - Records are appended as whole lines with one `write(2)` (looped only on partial writes) to a file
///   opened with `O_APPEND`, then `fsync(2)`ed before the command reports success.
/// - A last line without its newline (a writer killed mid-write, or a crash) is a *torn tail*: loading
///   skips it and reports it once; the next writer moves the fragment to `journal.torn` (kept for
///   inspection) and truncates the journal back to its last complete line before appending. Complete
///   lines are never modified.
/// - A damaged line anywhere else is an error naming its line number.
///
/// `flock` is per open file description and works between processes on one machine. On NFS, Linux
/// emulates it with POSIX byte-range locks, which need a working lock manager (NFSv4, or lockd for v3).
public final class JournalFile {
    /// How a file is locked while in use.
    public enum LockMode: Sendable {
        /// Shared: many readers at once, no writer.
        case shared
        /// Exclusive: one writer, no reader.
        case exclusive
    }

    /// The journal path.
    public let path: String
    private let fd: Int32
    private(set) var lockMode: LockMode

    /// Test hook: when `DOE_JOURNAL_WRITE_DELAY_MS` is set, appends are split in two `write` calls with this
    /// pause between them, so crash tests can kill a writer in the middle of a line.
    private static let writeDelayMicroseconds: UInt32? = {
        ProcessInfo.processInfo.environment["DOE_JOURNAL_WRITE_DELAY_MS"].flatMap { UInt32($0) }.map { $0 * 1000 }
    }()

    /// Opens and locks an existing journal (blocks until the lock is granted).
    public init(path: String, lock: LockMode) throws {
        self.path = path
        let flags = lock == .exclusive ? (O_RDWR | O_APPEND | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC)
        fd = open(path, flags)
        guard fd >= 0 else { throw JournalError.io(path: path, operation: "open", errno: errno) }
        lockMode = lock
        if flockRetrying(fd, lock == .exclusive ? LOCK_EX : LOCK_SH) != 0 {
            let code = errno
            close(fd)
            throw JournalError.io(path: path, operation: "lock", errno: code)
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Creates a new journal holding `lines` (fails if the file exists).
    public static func create(path: String, lines: [String]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw JournalError.io(path: path, operation: "create", errno: errno) }
        defer { close(fd) }
        try writeAll(fd: fd, bytes: Array(lines.map { $0 + "\n" }.joined().utf8), path: path, delay: nil)
        guard fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
    }

    /// The whole file's bytes.
    public func readAll() throws -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io(path: path, operation: "stat", errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            offset += n
        }
        return Array(bytes.prefix(offset))
    }

    /// Reads every complete line with `parse`.
    /// - Returns: the records and the torn tail (bytes after the last newline, or an unparsable last line), if any.
    /// - Throws: ``JournalError/damaged(path:line:reason:)`` for a bad line that is not the last one.
    public func readRecords<R>(parsing parse: (Substring) throws(JournalLineError) -> R) throws -> JournalContents<R> {
        let bytes = try readAll()
        var records: [R] = []
        var lineStart = 0
        var lineNumber = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                lineNumber += 1
                let slice = bytes[lineStart..<index]
                if !slice.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                    let text = String(decoding: slice, as: UTF8.self)
                    do {
                        records.append(try parse(Substring(text)))
                    } catch {
                        if case let .newerVersion(v) = error {
                            throw JournalError.newerVersion(path: path, line: lineNumber, version: v)
                        }
                        let isLastLine = index + 1 == bytes.count
                        if isLastLine {
                            let torn = TornTail(offset: lineStart, length: bytes.count - lineStart, line: lineNumber)
                            return JournalContents(records: records, tornTail: torn)
                        }
                        guard case let .malformed(reason) = error else { fatalError("unreachable") }
                        throw JournalError.damaged(path: path, line: lineNumber, reason: reason)
                    }
                }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count {
            return JournalContents(records: records,
                                   tornTail: TornTail(offset: lineStart, length: bytes.count - lineStart, line: lineNumber + 1))
        }
        return JournalContents(records: records, tornTail: nil)
    }

    /// Moves a torn tail to `<journal>.torn` (appended, fsynced) and truncates the journal to `tail.offset`.
    /// Requires the exclusive lock.
    public func repair(_ tail: TornTail) throws {
        precondition(lockMode == .exclusive, "repair needs the exclusive lock")
        let bytes = try readAll()
        guard tail.offset + tail.length == bytes.count else { return }  // someone already repaired it
        let tornPath = path + ".torn"
        let side = open(tornPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o666)
        guard side >= 0 else { throw JournalError.io(path: tornPath, operation: "open", errno: errno) }
        defer { close(side) }
        let header = "# \(Timestamp.now()) \(WriterIdentity.current): \(tail.length) bytes removed from line \(tail.line) of \(path)\n"
        var fragment = Array(bytes[tail.offset...])
        if fragment.last != UInt8(ascii: "\n") { fragment.append(UInt8(ascii: "\n")) }
        try JournalFile.writeAll(fd: side, bytes: Array(header.utf8) + fragment, path: tornPath, delay: nil)
        guard fsync(side) == 0 else { throw JournalError.io(path: tornPath, operation: "fsync", errno: errno) }
        guard ftruncate(fd, off_t(tail.offset)) == 0 else { throw JournalError.io(path: path, operation: "truncate", errno: errno) }
        guard fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
    }

    /// Appends lines (without their newlines) in one write and `fsync`s. Requires the exclusive lock.
    public func append(lines: [String]) throws {
        precondition(lockMode == .exclusive, "append needs the exclusive lock")
        guard !lines.isEmpty else { return }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        try JournalFile.writeAll(fd: fd, bytes: bytes, path: path, delay: JournalFile.writeDelayMicroseconds)
        guard fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
    }

    private static func writeAll(fd: Int32, bytes: [UInt8], path: String, delay: UInt32?) throws {
        var offset = 0
        var pausePending = delay != nil
        while offset < bytes.count {
            var chunk = bytes.count - offset
            if pausePending { chunk = max(1, chunk / 2) }
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io(path: path, operation: "write", errno: errno)
            }
            offset += n
            if pausePending, let delay {
                pausePending = false
                usleep(delay)
            }
        }
    }

    private func flockRetrying(_ fd: Int32, _ operation: Int32) -> Int32 {
        while true {
            let result = flock(fd, operation)
            if result == 0 || errno != EINTR { return result }
        }
    }
}

/// An incomplete last line of a journal.
public struct TornTail: Sendable, Equatable {
    /// Byte offset where the torn line starts.
    public let offset: Int
    /// Its length in bytes.
    public let length: Int
    /// Its 1-based line number.
    public let line: Int
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The records of a journal and its torn tail, if any.
public struct JournalContents<Record> {
    /// The parsed records, in file order.
    public let records: [Record]
    /// Bytes after the last newline, or an unparsable last line.
    public let tornTail: TornTail?
}

extension JournalContents: Sendable where Record: Sendable {}

/// Why a journal line cannot be used.
public enum JournalLineError: Error, Sendable {
    /// Not a record: the reason.
    case malformed(String)
    /// Written by a newer doe (format version).
    case newerVersion(Int)
}

/// A journal that cannot be read or written, naming the file (and line).
public enum JournalError: CodedError {
    /// `io` for system calls, `damaged` for lines.
    public var kind: ErrorKind {
        switch self {
        case .io: return .io
        case .damaged, .newerVersion: return .damaged
        }
    }
    /// `journal.io`, `journal.damaged` or `journal.newer_version`.
    public var code: String {
        switch self {
        case .io: return "journal.io"
        case .damaged: return "journal.damaged"
        case .newerVersion: return "journal.newer_version"
        }
    }
    /// An operating-system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// A complete line that is not a record (the torn last line is tolerated, not this).
    case damaged(path: String, line: Int, reason: String)
    /// A line written by a newer doe.
    case newerVersion(path: String, line: Int, version: Int)

    /// One sentence naming the file and what is wrong.
    public var description: String {
        switch self {
        case let .io(path, operation, code):
            return "\(path): \(operation) failed: \(String(cString: strerror(code)))"
        case let .damaged(path, line, reason):
            return "\(path): line \(line) is not a valid record (\(reason)); the journal is append-only: do not edit it"
        case let .newerVersion(path, line, version):
            return "\(path): line \(line) uses journal format v\(version), newer than this doe understands; upgrade doe"
        }
    }
}
