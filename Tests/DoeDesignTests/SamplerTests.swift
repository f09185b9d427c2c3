import DoeBase
import DoeDesign
import Foundation
import Testing

@Suite struct SamplerTests {
    @Test func unscrambledSobolMatchesPublishedSequence() throws {
        // Fixture written by scripts/gen_sobol_directions.py from SciPy's independent implementation.
        let url = try #require(Bundle.module.url(forResource: "sobol-unscrambled", withExtension: "csv", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let dims = lines[0].split(separator: ",").dropFirst().map { Int($0.dropFirst())! }
        let sobol = SobolSequence(dimension: dims.max()! + 1)
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            let index = Int(fields[0])!
            let point = sobol.point(at: index)
            for (k, d) in dims.enumerated() { #expect(point[d] == Double(fields[k + 1])!, "index \(index) dimension \(d)") }
        }
        #expect(SobolSequence.maxDimension >= 1000)
    }

    @Test(arguments: [false, true])
    func sobolIsStratifiedInEveryDimension(scrambled: Bool) {
        // 2^m points of a (t, s)-sequence put exactly one point in each interval [k/2^m, (k+1)/2^m) of every axis.
        let n = 64, d = 120
        let points = SobolSequence(dimension: d, scrambleSeed: scrambled ? 42 : nil).points(count: n)
        for j in 0..<d {
            let cells = Set(points.map { Int($0[j] * Double(n)) })
            #expect(cells.count == n, "dimension \(j)")
        }
    }

    @Test func scramblingIsSeededAndRemovesTheOrigin() {
        let a = SobolSequence(dimension: 5, scrambleSeed: 7).points(count: 8)
        let b = SobolSequence(dimension: 5, scrambleSeed: 7).points(count: 8)
        let c = SobolSequence(dimension: 5, scrambleSeed: 8).points(count: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(a[0] != [0, 0, 0, 0, 0])
        // continuing the sequence by index gives the same points as generating them in one go
        #expect(SobolSequence(dimension: 5, scrambleSeed: 7).points(from: 4, count: 4) == Array(a[4...]))
    }

    @Test func sobolAndLHSAreMoreUniformThanRandom() {
        let n = 128, d = 5
        var rng = SplitMix64(seed: 1)
        var randomDiscrepancies: [Double] = []
        for _ in 0..<10 { randomDiscrepancies.append(Discrepancy.centeredL2(UniformSampler.points(count: n, dimension: d, using: &rng))) }
        let randomMedian = randomDiscrepancies.sorted()[5]
        let sobol = Discrepancy.centeredL2(SobolSequence(dimension: d, scrambleSeed: 3).points(count: n))
        var lhsRng = SplitMix64(seed: 2)
        let lhs = Discrepancy.centeredL2(LatinHypercube.points(count: n, dimension: d, using: &lhsRng))
        #expect(sobol < randomMedian / 2, "sobol \(sobol) vs random \(randomMedian)")
        #expect(lhs < randomMedian, "lhs \(lhs) vs random \(randomMedian)")
    }

    @Test func latinHypercubeIsStratifiedAndMaximinImproved() {
        let n = 20, d = 4
        var rng = SplitMix64(seed: 9)
        let improved = LatinHypercube.points(count: n, dimension: d, using: &rng)
        for j in 0..<d { #expect(Set(improved.map { Int($0[j] * Double(n)) }).count == n) }
        var plainDistances: [Double] = []
        for seed in 0..<10 as Range<UInt64> {
            var r = SplitMix64(seed: 100 + seed)
            plainDistances.append(Discrepancy.minimumDistance(LatinHypercube.points(count: n, dimension: d, improvementSweeps: 0, using: &r)))
        }
        let plainMedian = plainDistances.sorted()[5]
        #expect(Discrepancy.minimumDistance(improved) > plainMedian, "improved \(Discrepancy.minimumDistance(improved)) vs plain \(plainMedian)")
    }

    @Test func generatorIsReproducibleForEveryMethod() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"n","type":"int","low":1,"high":3},{"name":"c","type":"categorical","choices":["a","b"]}]"#)
        for method in DesignMethod.allCases {
            let a = try DesignGenerator.assignments(for: space, method: method, count: 10, seed: 5)
            let b = try DesignGenerator.assignments(for: space, method: method, count: 10, seed: 5)
            #expect(a == b, "\(method)")
        }
    }

    @Test func factorialEnumeratesEveryLevel() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"n","type":"int","low":1,"high":3},{"name":"c","type":"categorical","choices":["a","b"]},{"name":"f","type":"fixed","value":"z"}]"#)
        let rows = try DesignGenerator.assignments(for: space, method: .factorial, count: 0, seed: 0, realLevels: 3)
        #expect(rows.count == 3 * 3 * 2)
        #expect(Set(rows).count == rows.count)
        #expect(Set(rows.map { $0[0] }) == [.real(0), .real(0.5), .real(1)])
        #expect(rows.allSatisfy { $0[3] == .text("z") })
        let big = try DesignSpace.parse(#"[{"name":"a","type":"int","low":0,"high":999},{"name":"b","type":"int","low":0,"high":999},{"name":"c","type":"int","low":0,"high":999}]"#)
        #expect(throws: ValueError.self) { try DesignGenerator.assignments(for: big, method: .factorial, count: 0, seed: 0) }
    }
}
