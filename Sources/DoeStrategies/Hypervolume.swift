import DoeBase
import DoeDesign
import DoeStudy
import Foundation

/// The hypervolume a set of points dominates up to a reference point, exactly, by slicing along the last objective
/// (`O(n^(m-1) log n)` for `n` points and `m` objectives: for the 2–4 objectives of a study, any study size doe meets).
public enum Hypervolume {
    /// The volume dominated by `points` (each `m` values, every objective minimized) and bounded by `reference`;
    /// points not strictly better than the reference in every objective add nothing.
    public static func minimizing(_ points: [[Double]], reference: [Double]) -> Double {
        let m = reference.count
        let inside = points.filter { p in p.count == m && zip(p, reference).allSatisfy { $0 < $1 } }
        return volume(inside, reference)
    }

    static func volume(_ points: [[Double]], _ reference: [Double]) -> Double {
        guard !points.isEmpty else { return 0 }
        let m = reference.count
        if m == 1 { return reference[0] - points.map { $0[0] }.min()! }
        if m == 2 {   // sweep: sort by the first objective, add the strips of the staircase
            var total = 0.0, bestSecond = reference[1]
            for p in points.sorted(by: { ($0[0], $0[1]) < ($1[0], $1[1]) }) where p[1] < bestSecond {
                total += (reference[0] - p[0]) * (bestSecond - p[1])
                bestSecond = p[1]
            }
            return total
        }
        // slice along the last objective: between consecutive values, the points at or below the slice form an
        // (m−1)-dimensional front
        let sorted = points.sorted { $0[m - 1] < $1[m - 1] }
        var total = 0.0
        var active: [[Double]] = []
        for (k, p) in sorted.enumerated() {
            active.append(Array(p.prefix(m - 1)))
            let upper = k + 1 < sorted.count ? sorted[k + 1][m - 1] : reference[m - 1]
            let thickness = upper - p[m - 1]
            if thickness > 0 { total += thickness * volume(nondominated(active), Array(reference.prefix(m - 1))) }
        }
        return total
    }

    /// The points no other point dominates (minimization), duplicates kept once.
    static func nondominated(_ points: [[Double]]) -> [[Double]] {
        var front: [[Double]] = []
        for p in points where !points.contains(where: { q in q != p && zip(q, p).allSatisfy { $0 <= $1 } }) {
            if !front.contains(p) { front.append(p) }
        }
        return front
    }
}

/// The hypervolume of a study's Pareto front: its value, the reference point and where that point came from.
public struct StudyHypervolume: Sendable, Equatable {
    /// The hypervolume of the completed trials' objective values, in the product of the objectives' units.
    public let value: Double
    /// The reference point, one value per objective in space order (original units and directions).
    public let reference: [Double]
    /// `true` when the reference point was inferred (the worst observed value of each objective pushed out by 10 %
    /// of its observed range), `false` when the space file gave it.
    public let inferred: Bool

    /// `{"value": …, "reference_point": {objective: value}, "inferred": bool}`.
    public func json(space: DesignSpace) -> JSONValue {
        .object([("value", .double(value)),
                 ("reference_point", .object(zip(space.objectives, reference).map { ($0.0.name, .double($0.1)) })),
                 ("inferred", .bool(inferred))])
    }

    /// `hypervolume 12.5 (reference point mass = 10 kg, deflection = 2; inferred)`.
    public func text(space: DesignSpace) -> String {
        let point = zip(space.objectives, reference).map { o, r in
            "\(o.name) = \(NumberText.significant(r))\(o.unit.map { " " + $0 } ?? "")"
        }.joined(separator: ", ")
        return "hypervolume \(NumberText.significant(value)) (reference point \(point)"
            + (inferred ? "; inferred: the worst observed value of each objective pushed out by 10 % of its range)" : ")")
    }

    /// The hypervolume of `trials`' values for `space`'s objectives (two or more), or `nil` with fewer objectives or
    /// no trial with every value.
    public init?(trials: [Trial], space: DesignSpace) {
        let objectives = space.objectives
        guard objectives.count >= 2 else { return nil }
        let values = trials.compactMap { t -> [Double]? in
            let v = objectives.map { t.values[$0.name] ?? .nan }
            return v.allSatisfy(\.isFinite) ? v : nil
        }
        guard !values.isEmpty else { return nil }
        if let given = space.referencePoint {
            reference = objectives.map { given[$0.name] ?? .nan }
            inferred = false
        } else {
            reference = objectives.enumerated().map { k, o in
                let column = values.map { $0[k] }
                let low = column.min()!, high = column.max()!
                let margin = high > low ? 0.1 * (high - low) : 0.1 * max(abs(high), 1)
                return o.direction == .minimize ? high + margin : low - margin
            }
            inferred = true
        }
        // every objective minimized: a maximized one is negated, with its reference
        let signs = objectives.map { $0.direction == .minimize ? 1.0 : -1.0 }
        value = Hypervolume.minimizing(values.map { zip($0, signs).map { $0 * $1 } }, reference: zip(reference, signs).map { $0 * $1 })
    }
}
