@testable import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation
import Testing

@Suite struct AcquisitionTests {
    /// log h(z) and Φ(z)/h(z), h(z) = φ(z) + zΦ(z), computed with mpmath at 50 digits.
    static let reference: [(z: Double, logH: Double, ratio: Double)] = [
        (3, 1.0987396653277077727, 0.33284096845179523558),
        (1, 0.080026218849306940029, 0.77663872520173925975),
        (0, -0.91893853320467274178, 1.2533141373155002512),
        (-0.5, -1.6205162643873199193, 1.5598731483480796712),
        (-1, -2.4851210257126413368, 1.9042712333296918229),
        (-2, -4.7687835239171141569, 2.6794168839555859839),
        (-5, -16.744301162660990143, 5.3618162412880885298),
        (-10, -55.553122036122355927, 10.194383033412553306),
        (-20, -206.91783850942509785, 20.099262811101281775),
        (-24.9, -317.35848574266734362, 24.979936959471137651),
        (-25.1, -322.3744098724640665, 25.179305997377542484),
        (-35.9, -652.4877345635032576, 35.955581326923689369),
        (-36.1, -659.69882012051020775, 36.155274806876484283),
        (-40, -808.29856835661996024, 40.049906657648518193),
        (-60, -1809.1084601822721794, 60.0333056094205102),
        (-100, -5010.1295788002497923, 100.01999400419586505),
        (-1000, -500014.73445209115845, 1000.001999994000042),
        (-1e5, -5000000023.9447894634, 100000.00001999999999),
    ]

    @Test func logHMatchesHighPrecisionReferenceIncludingFarTail() {
        for r in AcquisitionTests.reference {
            let (value, derivative) = ExpectedImprovementMath.logH(r.z)
            #expect(abs(value - r.logH) <= 1e-12 * max(1, abs(r.logH)), "log h(\(r.z)) = \(value), expected \(r.logH)")
            #expect(abs(derivative - r.ratio) <= 1e-9 * r.ratio, "dlogh(\(r.z)) = \(derivative), expected \(r.ratio)")
        }
    }

    @Test func logHIsMonotoneAndSmoothAcrossBranchBoundaries() {
        for boundary in [-1.0, -36.0] {
            let below = ExpectedImprovementMath.logH(boundary - 1e-9).value
            let above = ExpectedImprovementMath.logH(boundary + 1e-9).value
            #expect(above > below)
            #expect(abs(above - below) < 1e-6)
        }
    }

    func fittedGP() throws -> GaussianProcess {
        let x = randomInputs(n: 14, d: 3, seed: 21)
        let y = (0..<14).map { i in -((x[i, 0] - 0.4) * (x[i, 0] - 0.4)) + 0.3 * x[i, 1] }
        return try GaussianProcess.fit(inputs: x, outputs: y)
    }

    @Test(arguments: AcquisitionKind.allCases)
    func acquisitionGradientsMatchFiniteDifferences(kind: AcquisitionKind) throws {
        let gp = try fittedGP()
        let acquisition = Acquisition(kind: kind, incumbent: Acquisition.incumbent(of: gp))
        for point in [[0.2, 0.5, 0.9], [0.45, 0.95, 0.05], [0.9, 0.1, 0.5]] {
            let (value, gradient) = acquisition.valueAndGradient(gp, at: point)
            #expect(abs(value - acquisition.values(gp, at: Matrix(rows: 1, columns: 3, columnMajor: point))[0]) < 1e-10)
            expectClose(gradient, finiteDifferences({ acquisition.valueAndGradient(gp, at: $0).value }, at: point),
                        relative: 1e-5, absolute: 1e-6, "\(kind) gradient at \(point)")
        }
    }

    @Test func logEIIsFiniteFarFromTheIncumbent() throws {
        let gp = try fittedGP()
        // an incumbent 1e4 standard deviations above anything reachable: EI underflows, log EI does not
        let acquisition = Acquisition(kind: .logei, incumbent: 1e4)
        let (value, gradient) = acquisition.valueAndGradient(gp, at: [0.3, 0.3, 0.3])
        #expect(value.isFinite && value < -1e6)
        #expect(gradient.allSatisfy { $0.isFinite })
    }

    @Test func mixedSpaceEncodingRoundTripsAndNeighbours() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":1,"high":100,"log":true},{"name":"n","type":"int","low":2,"high":6},{"name":"m","type":"categorical","choices":["a","b","c"]},{"name":"flag","type":"categorical","choices":[true,false]},{"name":"t","type":"fixed","value":3}]"#)
        let encoding = SpaceEncoding(space: space)
        #expect(encoding.dimension == 1 + 1 + 3 + 1)
        let a: [ParameterValue] = [.real(10), .integer(4), .text("c"), .text("false"), .integer(3)]
        let f = encoding.encode(a)
        #expect(abs(f[0] - 0.5) < 1e-12 && f[1] == 0.5 && Array(f[2...4]) == [0, 0, 1] && f[5] == 1)
        let decoded = encoding.decode(f)
        #expect(abs(decoded[0].number! - 10) < 1e-12 && Array(decoded[1...]) == Array(a[1...]))
        let rounded = encoding.decode([0.5, 0.37, 0.2, 0.9, 0.1, 0.2])
        #expect(Array(rounded[1...]) == [.integer(3), .text("b"), .text("true"), .integer(3)])
        let neighbours = encoding.neighbours(of: a)
        #expect(neighbours.count == 4 + 2 + 1)
    }

    @Test func optimizerRespectsIntegerAndCategoricalParameters() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"n","type":"int","low":0,"high":10},{"name":"m","type":"categorical","choices":["a","b","c"]}]"#)
        // objective (to maximize): best at n = 7, m = "b", x = 0.2
        func f(_ a: [ParameterValue]) -> Double {
            let x = a[0].number!, n = a[1].number!
            return -(x - 0.2) * (x - 0.2) - 0.05 * (n - 7) * (n - 7) + (a[2] == .text("b") ? 0.5 : 0)
        }
        let design = SobolSequence(dimension: 3, scrambleSeed: 2).points(count: 24).map(space.assignment(fromUnit:))
        var data = design.map { ($0, f($0)) }
        var settings = BOSettings()
        for round in 0..<6 {
            settings.seed = UInt64(round)
            let batch = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(data.map(\.0)), count: 2, settings: settings)
            for p in batch {
                if case let .integer(n) = p.assignment[1] { #expect((0...10).contains(n)) } else { Issue.record("n is not an integer: \(p.assignment[1])") }
                data.append((p.assignment, f(p.assignment)))
            }
        }
        let best = data.max { $0.1 < $1.1 }!.0
        #expect(best[1] == .integer(7) && best[2] == .text("b"), "best found: \(best)")
        #expect(Set(data.map(\.0)).count == data.count, "no assignment proposed twice")
    }

    @Test func proposalsAreReproducibleAndBatchesSpread() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#)
        let design = SobolSequence(dimension: 2, scrambleSeed: 3).points(count: 8).map(space.assignment(fromUnit:))
        let data = design.map { a in (a, sin(5 * a[0].number!) * cos(3 * a[1].number!)) }
        var settings = BOSettings()
        settings.seed = 9
        let a = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(design), count: 4, settings: settings)
        let b = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(design), count: 4, settings: settings)
        #expect(a.map(\.assignment) == b.map(\.assignment))
        let points = a.map { $0.assignment.map { $0.number! } }
        for i in 0..<4 { for j in (i + 1)..<4 {
            let d = hypot(points[i][0] - points[j][0], points[i][1] - points[j][1])
            #expect(d > 1e-3, "batch points \(i) and \(j) coincide")
        } }
        // a pending point is conditioned on: the first proposal moves away from it
        let pending = [a[0].assignment]
        let c = try BayesianOptimizer.propose(space: space, completed: data, pending: pending, taken: Set(design + pending), count: 1, settings: settings)
        #expect(c[0].assignment != a[0].assignment)
    }
}

@Suite struct TrustRegionTests {
    @Test func laterBatchPointsStayInTheTrustRegionAroundTheIncumbent() throws {
        let space = try DesignSpace.parse(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1},{"name":"z","type":"real","low":0,"high":1}]"#)
        let design = SobolSequence(dimension: 3, scrambleSeed: 5).points(count: 12).map(space.assignment(fromUnit:))
        let data = design.map { a in (a, -a.map { ($0.number! - 0.6) * ($0.number! - 0.6) }.reduce(0, +)) }
        var settings = BOSettings()
        settings.seed = 1
        let encoding = SpaceEncoding(space: space)
        let (gp, _) = try BayesianOptimizer.fit(encoding: encoding, assignments: data.map(\.0), values: data.map(\.1), kernel: nil, seed: 1)
        let region = BayesianOptimizer.trustRegion(around: gp, sideLength: settings.trustRegionSide)
        let batch = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(design), count: 4, settings: settings)
        for p in batch.dropFirst() {
            let f = encoding.encode(p.assignment)
            for j in 0..<3 { #expect(f[j] >= region.lower[j] - 1e-12 && f[j] <= region.upper[j] + 1e-12, "\(f) outside \(region)") }
        }
        // the region is centred on the best training point and no wider than the side allows
        for j in 0..<3 { #expect(region.upper[j] - region.lower[j] <= 0.2 * 4 + 1e-12) }
        settings.localFraction = nil
        let global = try BayesianOptimizer.propose(space: space, completed: data, pending: [], taken: Set(design), count: 4, settings: settings)
        #expect(global.count == 4)
    }
}
