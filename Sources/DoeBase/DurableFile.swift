import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system call that failed, with the path and the operation.
public struct FileIOError: CodedError {
    /// An operating-system failure.
    public var kind: ErrorKind { .io }
    /// `file.<operation>`.
    public var code: String { "file." + operation }
    /// The file or directory.
    public let path: String
    /// What was being done ("create", "write", "fsync", "rename", …).
    public let operation: String
    /// The `errno` value.
    public let errorNumber: Int32

    /// An error for `operation` on `path` with `errno` `code`.
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.errorNumber = code
    }

    /// "PATH: OPERATION failed: REASON".
    public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(errorNumber)))" }
}

/// Files written so that a crash leaves either the old file or the whole new one: data written in full and
/// `fsync`ed before it gets its name (by `O_EXCL` creation or by `rename` over the old file), then the directory
/// `fsync`ed.
public enum DurableFile {
    /// Creates `path` (which must not exist) holding `data`, fsynced.
    /// - Parameter mode: permission bits of the new file, before the umask (the default lets a group share it).
    /// - Throws: ``FileIOError`` (`EEXIST` when the file exists).
    public static func create(_ path: String, with data: Data, mode: mode_t = 0o666) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileIOError(path: path, operation: "create", code: errno) }
        defer { close(fd) }
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: path, operation: "write", code: errno)
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw FileIOError(path: path, operation: "fsync", code: errno) }
    }

    /// Replaces `path` (or creates it) with `data` as a whole: a temporary file beside it, fsync, rename, directory
    /// fsync. Readers see the old file or the new one, never a part.
    public static func replace(_ path: String, with data: Data, mode: mode_t = 0o666) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try create(temporary, with: data, mode: mode)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileIOError(path: path, operation: "rename", code: code)
        }
        try syncDirectory(of: path)
    }

    /// Creates `path` and any missing parent folders (mode 0777 before the umask), like `mkdir -p`.
    /// - Throws: ``FileIOError`` naming the folder that could not be made and why (`Permission denied`, `Not a directory`).
    public static func makeDirectories(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FileIOError(path: path, operation: "create folder", code: ENOTDIR) }
            return
        }
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex { try makeDirectories(String(trimmed[..<slash])) }
        guard mkdir(path, 0o777) == 0 || errno == EEXIST else { throw FileIOError(path: path, operation: "create folder", code: errno) }
    }

    /// `fsync`s the directory holding `path`, so a rename or creation in it survives a crash.
    public static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// `fsync`s the directory `directory`.
    public static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(path: directory, operation: "open directory", code: errno) }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
