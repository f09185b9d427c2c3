import DoeBase
/// Builds design tables (assignments) for a space with any ``DesignMethod``.
public enum DesignGenerator {
    /// Unit-cube points for `method`.
    /// - Parameters:
    ///   - count: number of points (ignored by `factorial`, which returns the whole grid).
    ///   - seed: seed of the scramble or the random stream.
    ///   - realLevels: levels per real parameter in a factorial design.
    /// - Throws: ``ValueError`` when a factorial grid would exceed `maxRuns`.
    public static func unitPoints(for space: DesignSpace, method: DesignMethod, count: Int, seed: UInt64,
                                  realLevels: Int = 3, maxRuns: Int = 1_000_000) throws -> [[Double]] {
        let d = space.dimension
        switch method {
        case .sobol:
            guard d <= SobolSequence.maxDimension else {
                throw ValueError("Sobol designs support at most \(SobolSequence.maxDimension) varied parameters, the space has \(d)")
            }
            return SobolSequence(dimension: d, scrambleSeed: seed).points(count: count)
        case .lhs:
            var rng = SplitMix64.stream(seed: seed, label: "lhs")
            return LatinHypercube.points(count: count, dimension: d, using: &rng)
        case .random:
            var rng = SplitMix64.stream(seed: seed, label: "random")
            return UniformSampler.points(count: count, dimension: d, using: &rng)
        case .factorial:
            let runs = FullFactorial.runCount(for: space, realLevels: realLevels)
            guard runs <= maxRuns else {
                throw ValueError("the full factorial grid has \(runs == Int.max ? "too many" : String(runs)) runs (limit \(maxRuns)); "
                    + "use fewer --levels or another method")
            }
            return FullFactorial.points(for: space, realLevels: realLevels)
        }
    }

    /// Full assignments (one value per parameter, fixed ones included) for `method`.
    ///
    /// With parameter constraints, points that violate one are rejected: Sobol continues along its sequence, LHS and
    /// random draw further rounds from the seed (the Latin property then holds only approximately), and a factorial
    /// grid keeps its feasible runs.
    /// - Throws: ``ValueError`` when the constraints leave less than 0.1 % of the box feasible.
    public static func assignments(for space: DesignSpace, method: DesignMethod, count: Int, seed: UInt64,
                                   realLevels: Int = 3) throws -> [[ParameterValue]] {
        guard !space.parameterConstraints.isEmpty else {
            return try unitPoints(for: space, method: method, count: count, seed: seed, realLevels: realLevels)
                .map(space.assignment(fromUnit:))
        }
        do { try space.checkFeasibleShare(source: "the space") } catch let error as SpaceError { throw ValueError(error.message) }
        if method == .factorial {
            return try unitPoints(for: space, method: method, count: count, seed: seed, realLevels: realLevels)
                .map(space.assignment(fromUnit:)).filter(space.satisfiesParameterConstraints)
        }
        var result: [[ParameterValue]] = []
        var round: UInt64 = 0
        while result.count < count {
            let draw = method == .sobol ? 4 * count * (1 << min(Int(round), 10)) : 4 * count
            let points = try unitPoints(for: space, method: method, count: draw, seed: method == .sobol ? seed : seed &+ round,
                                        realLevels: realLevels)
            let feasible = points.map(space.assignment(fromUnit:)).filter(space.satisfiesParameterConstraints)
            result = method == .sobol ? Array(feasible.prefix(count)) : result + feasible.prefix(count - result.count)
            round += 1
            if round > 40 { throw ValueError("could not draw \(count) points satisfying the parameter constraints") }
        }
        return result
    }
}
