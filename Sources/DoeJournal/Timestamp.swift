import Foundation

/// UTC timestamps as journal text.
public enum Timestamp {
    // ISO8601DateFormatter is documented as thread-safe; building one is the expensive part.
    nonisolated(unsafe) private static let withFraction: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()
    nonisolated(unsafe) private static let withoutFraction: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()

    /// The current time, e.g. `2026-11-29T20:31:07.123Z`.
    public static func now() -> String { format(Date()) }

    /// Formats a date as ISO 8601 UTC with milliseconds.
    public static func format(_ date: Date) -> String { withFraction.string(from: date) }

    /// Parses journal text back to a date (`nil` if malformed).
    public static func parse(_ text: String) -> Date? {
        withFraction.date(from: text) ?? withoutFraction.date(from: text)
    }
}

/// Who writes journal records: `$DOE_WRITER` if set, else `user@host:pid`.
public enum WriterIdentity {
    /// The identity of this process.
    public static let current: String = {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["DOE_WRITER"], !explicit.isEmpty { return explicit }
        let user = env["USER"] ?? env["LOGNAME"] ?? getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
            ?? "uid\(getuid())"
        return "\(user)@\(ProcessInfo.processInfo.hostName):\(getpid())"
    }()
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
