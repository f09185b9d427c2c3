import Foundation

/// The region a Pareto front does not dominate, above a reference point, as disjoint axis-aligned boxes
/// (every objective maximized): `{z ≥ r : no front point p has p ≥ z}` = `⋃_k [lᵏ, uᵏ)`, with `uᵏ_j = +∞` where
/// a box is open upwards.
///
/// With it, the hypervolume a new point `y` adds to the front is a sum of products,
/// `HVI(y) = Σ_k Π_j (min(y_j, uᵏ_j) − lᵏ_j)₊`, smooth enough for gradient-based acquisition optimization.
///
/// Exact decomposition by sweeping the last objective from the top: between consecutive values of it the points
/// at or above the slab form an (m − 1)-objective front, decomposed recursively (two objectives: its staircase);
/// a box of consecutive slabs with the same (m − 1)-dimensional bounds is merged into one. For `n` front points this
/// gives `n + 1` boxes for two objectives and `O(n²)` for three; it is the same partition as the cell-merging
/// algorithms (Lacour et al. 2017) reach by other means, and `Tests/DoeBOTests` checks it against brute force.
public struct NondominatedBoxes: Sendable {
    /// Number of objectives `m`.
    public let dimension: Int
    /// Lower corners, `count × m` row-major (finite, at least the reference point).
    public let lower: [Double]
    /// Upper corners, `count × m` row-major (`+∞` where the box is open).
    public let upper: [Double]

    /// Number of boxes.
    public var count: Int { lower.count / max(dimension, 1) }

    /// The decomposition for `front` (any points, each `m` values; dominated ones and those not strictly above
    /// `reference` in every objective change nothing) above `reference` (`m` values).
    public init(front: [[Double]], reference: [Double]) {
        let m = reference.count
        precondition(m >= 1, "NondominatedBoxes: no objective")
        let inside = front.filter { p in p.count == m && zip(p, reference).allSatisfy { $0 > $1 } }
        let boxes = NondominatedBoxes.decompose(NondominatedBoxes.nondominated(inside), reference: reference)
        dimension = m
        lower = boxes.flatMap(\.lower)
        upper = boxes.flatMap(\.upper)
    }

    /// The hypervolume `y` (`m` values) adds to the front, exactly.
    public func improvement(of y: [Double]) -> Double {
        var total = 0.0
        for k in 0..<count {
            var product = 1.0
            for j in 0..<dimension {
                product *= max(min(y[j], upper[k * dimension + j]) - lower[k * dimension + j], 0)
            }
            total += product
        }
        return total
    }

    /// Whether `z` lies in box `k` (lower bound included, upper excluded).
    public func contains(_ z: [Double], box k: Int) -> Bool {
        (0..<dimension).allSatisfy { z[$0] >= lower[k * dimension + $0] && z[$0] < upper[k * dimension + $0] }
    }

    /// The points of `points` no other one weakly dominates (maximization), each distinct point once.
    public static func nondominated(_ points: [[Double]]) -> [[Double]] {
        var front: [[Double]] = []
        for p in points { insert(p, into: &front) }
        return front
    }

    /// Adds `p` to a nondominated set (maximization): dropped when a member weakly dominates it, else the members
    /// it dominates leave.
    static func insert(_ p: [Double], into front: inout [[Double]]) {
        if front.contains(where: { q in zip(q, p).allSatisfy { $0 >= $1 } }) { return }
        front.removeAll { q in zip(p, q).allSatisfy { $0 >= $1 } }
        front.append(p)
    }

    typealias Box = (lower: [Double], upper: [Double])

    /// Boxes of the region above `r` that the nondominated `points` (all strictly above `r`) do not dominate.
    static func decompose(_ points: [[Double]], reference r: [Double]) -> [Box] {
        let m = r.count
        if m == 1 {
            return [([max(r[0], points.map { $0[0] }.max() ?? r[0])], [.infinity])]
        }
        if m == 2 { return staircase(points, reference: r) }
        let last = m - 1, sub = Array(r.prefix(last))
        let sorted = points.sorted { $0[last] > $1[last] }
        var levels: [Double] = []
        for p in sorted where levels.last != p[last] { levels.append(p[last]) }
        var result: [Box] = []
        var growing: [(box: Box, top: Double)] = []
        var active: [[Double]] = []
        var next = 0, top = Double.infinity
        for i in 0...levels.count {
            // slab [bottom, top): the points at or above `top` dominate it
            while next < sorted.count && sorted[next][last] >= top {
                insert(Array(sorted[next].prefix(last)), into: &active)
                next += 1
            }
            let boxes = decompose(active, reference: sub)
            var stillOpen: [(box: Box, top: Double)] = []
            var matched = [Bool](repeating: false, count: boxes.count)
            for o in growing {
                let same = boxes.indices.first { !matched[$0] && boxes[$0].lower == o.box.lower && boxes[$0].upper == o.box.upper }
                if let k = same {
                    matched[k] = true
                    stillOpen.append(o)
                } else {
                    result.append((o.box.lower + [top], o.box.upper + [o.top]))
                }
            }
            for (k, b) in boxes.enumerated() where !matched[k] { stillOpen.append((b, top)) }
            growing = stillOpen
            top = i < levels.count ? levels[i] : r[last]
        }
        for o in growing where o.top > r[last] { result.append((o.box.lower + [r[last]], o.box.upper + [o.top])) }
        return result.filter { b in zip(b.lower, b.upper).allSatisfy { $0 < $1 } }
    }

    /// Two objectives: with the front sorted by the first objective (descending, so the second ascends), the
    /// strips between consecutive points.
    static func staircase(_ points: [[Double]], reference r: [Double]) -> [Box] {
        let sorted = points.sorted { ($0[0], -$0[1]) > ($1[0], -$1[1]) }
        var boxes: [Box] = []
        var right = Double.infinity, floor = r[1]
        for p in sorted {
            if p[0] < right { boxes.append(([p[0], floor], [right, .infinity])) }
            right = p[0]
            floor = max(floor, p[1])
        }
        boxes.append(([r[0], floor], [right, .infinity]))
        return boxes.filter { b in zip(b.lower, b.upper).allSatisfy { $0 < $1 } }
    }
}
