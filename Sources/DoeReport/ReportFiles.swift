import DoeBase
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing report files: whole files only (temporary name, then rename), and paths between the report and its data.
public enum ReportFiles {
    /// Writes `text` to `path` atomically, creating the directory if needed.
    /// - Throws: ``ReportError`` naming the path.
    public static func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create the output directory \(directory): \(error.localizedDescription)")
        }
        do { try DurableFile.replace(path, with: Data(text.utf8)) } catch {
            throw ReportError("cannot write the report \(path): \(error)")
        }
    }

    /// `target` relative to the directory `base` (both made absolute first), e.g. `../studies/borehole`.
    public static func relativePath(from base: String, to target: String) -> String {
        let b = URL(fileURLWithPath: base).standardizedFileURL.pathComponents
        let t = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(b.count, t.count) && b[common] == t[common] { common += 1 }
        let parts = Array(repeating: "..", count: b.count - common) + t[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `path` as an absolute, standardized path.
    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
