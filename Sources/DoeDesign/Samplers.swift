/// The space-filling design methods `doe design` offers.
public enum DesignMethod: String, Sendable, CaseIterable {
    /// Scrambled Sobol points (the default; best uniformity for any n, best for powers of two).
    case sobol
    /// Latin hypercube, improved for the maximin distance.
    case lhs
    /// Independent uniform points.
    case random
    /// Full factorial grid (int and categorical levels; reals at `levels` evenly spaced values).
    case factorial
}

/// Uniform random points in the unit cube.
public enum UniformSampler {
    /// `count` points of `dimension` coordinates.
    public static func points(count: Int, dimension: Int, using rng: inout some RandomNumberGenerator) -> [[Double]] {
        (0..<count).map { _ in (0..<dimension).map { _ in Double.random(in: 0..<1, using: &rng) } }
    }
}

/// Latin hypercube designs: each of the `n` equal slices of every axis holds exactly one point.
///
/// The maximin improvement starts from random permutations and accepts swaps of two points' coordinates in one
/// dimension whenever the smallest pairwise distance does not shrink and the sum of inverse squared distances
/// falls (a smooth stand-in for maximin, as in Morris & Mitchell 1995). Stratification is kept by construction.
public enum LatinHypercube {
    /// `count` points of `dimension` coordinates, each jittered within its cell.
    /// - Parameter improvementSweeps: passes of candidate swaps (0 = plain random LHS).
    public static func points(count n: Int, dimension d: Int, improvementSweeps: Int = 20,
                              using rng: inout some RandomNumberGenerator) -> [[Double]] {
        guard n > 0, d > 0 else { return Array(repeating: [], count: max(n, 0)) }
        // permutation[j][i]: cell of point i along axis j
        var cells = (0..<d).map { _ in Array(0..<n).shuffled(using: &rng) }
        let offsets = (0..<d).map { _ in (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) } }
        func coordinate(_ i: Int, _ j: Int) -> Double { (Double(cells[j][i]) + offsets[j][i]) / Double(n) }
        if n > 2 && improvementSweeps > 0 {
            var points = (0..<n).map { i in (0..<d).map { coordinate(i, $0) } }
            func inverseSquares(_ i: Int, _ p: [[Double]]) -> Double {
                var s = 0.0
                for k in 0..<n where k != i {
                    var dist = 0.0
                    for j in 0..<d { let t = p[i][j] - p[k][j]; dist += t * t }
                    s += 1 / max(dist, 1e-300)
                }
                return s
            }
            for _ in 0..<(improvementSweeps * n) {
                let a = Int.random(in: 0..<n, using: &rng)
                var b = Int.random(in: 0..<(n - 1), using: &rng)
                if b >= a { b += 1 }
                let j = Int.random(in: 0..<d, using: &rng)
                let before = inverseSquares(a, points) + inverseSquares(b, points)
                cells[j].swapAt(a, b)
                var trial = points
                trial[a][j] = coordinate(a, j)
                trial[b][j] = coordinate(b, j)
                let after = inverseSquares(a, trial) + inverseSquares(b, trial)
                if after < before { points = trial } else { cells[j].swapAt(a, b) }
            }
            return points
        }
        return (0..<n).map { i in (0..<d).map { coordinate(i, $0) } }
    }
}

/// Full factorial designs over discrete levels.
public enum FullFactorial {
    /// Level values in `[0, 1]` (cell centres for int and categorical parameters, evenly spaced for reals).
    public static func levels(for parameter: Parameter, realLevels: Int) -> [Double] {
        switch parameter.domain {
        case let .integer(low, high):
            return (0...(high - low)).map { (Double($0) + 0.5) / Double(high - low + 1) }
        case let .categorical(choices):
            return (0..<choices.count).map { (Double($0) + 0.5) / Double(choices.count) }
        case .real:
            return realLevels <= 1 ? [0.5] : (0..<realLevels).map { Double($0) / Double(realLevels - 1) }
        case .fixed:
            return []
        }
    }

    /// Number of runs in the full grid over the space's varied parameters.
    public static func runCount(for space: DesignSpace, realLevels: Int) -> Int {
        space.variedParameters.reduce(1) { n, p in
            let (product, overflow) = n.multipliedReportingOverflow(by: levels(for: p, realLevels: realLevels).count)
            return overflow ? Int.max : product
        }
    }

    /// Every combination of levels, first parameter varying slowest.
    public static func points(for space: DesignSpace, realLevels: Int) -> [[Double]] {
        let axes = space.variedParameters.map { levels(for: $0, realLevels: realLevels) }
        var result: [[Double]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.map { prefix + [$0] } }
        }
        return result
    }
}

/// Uniformity measures for designs in the unit cube.
public enum Discrepancy {
    /// Centered L2 discrepancy (Hickernell 1998); lower is more uniform.
    /// - Complexity: O(n²·d).
    public static func centeredL2(_ points: [[Double]]) -> Double {
        let n = Double(points.count)
        guard let d = points.first?.count, points.count > 0 else { return 0 }
        var term2 = 0.0
        for p in points {
            var prod = 1.0
            for x in p { let a = abs(x - 0.5); prod *= 1 + 0.5 * a - 0.5 * a * a }
            term2 += prod
        }
        var term3 = 0.0
        for p in points {
            for q in points {
                var prod = 1.0
                for j in 0..<d {
                    let a = abs(p[j] - 0.5), b = abs(q[j] - 0.5), c = abs(p[j] - q[j])
                    prod *= 1 + 0.5 * a + 0.5 * b - 0.5 * c
                }
                term3 += prod
            }
        }
        let value = pow(13.0 / 12.0, Double(d)) - 2 / n * term2 + term3 / (n * n)
        return value.squareRoot()
    }

    /// The smallest Euclidean distance between two points.
    public static func minimumDistance(_ points: [[Double]]) -> Double {
        var best = Double.infinity
        for i in points.indices {
            for k in (i + 1)..<max(i + 1, points.count) {
                var s = 0.0
                for j in points[i].indices { let t = points[i][j] - points[k][j]; s += t * t }
                best = min(best, s)
            }
        }
        return best.squareRoot()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
