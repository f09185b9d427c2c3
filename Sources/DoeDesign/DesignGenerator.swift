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
    public static func assignments(for space: DesignSpace, method: DesignMethod, count: Int, seed: UInt64,
                                   realLevels: Int = 3) throws -> [[ParameterValue]] {
        try unitPoints(for: space, method: method, count: count, seed: seed, realLevels: realLevels).map(space.assignment(fromUnit:))
    }
}
