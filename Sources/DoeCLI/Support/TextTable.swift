import Foundation

/// Formats a duration in seconds as `3d 4h`, `2h 5m`, `12m`, `40s`.
func humanAge(_ seconds: Double) -> String {
    let s = Int(max(seconds, 0))
    if s >= 86_400 { return "\(s / 86_400)d \((s % 86_400) / 3600)h" }
    if s >= 3600 { return "\(s / 3600)h \((s % 3600) / 60)m" }
    if s >= 60 { return "\(s / 60)m" }
    return "\(s)s"
}

/// `1, 2, 3, 7, 9, 10` → `1–3, 7, 9–10`.
func idList(_ ids: [Int]) -> String {
    var parts: [String] = []
    var index = 0
    let sorted = ids.sorted()
    while index < sorted.count {
        var end = index
        while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
        parts.append(end > index + 1 ? "\(sorted[index])–\(sorted[end])"
                                     : (index..<(end + 1)).map { "\(sorted[$0])" }.joined(separator: ", "))
        index = end + 1
    }
    return parts.joined(separator: ", ")
}
