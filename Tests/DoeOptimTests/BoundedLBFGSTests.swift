import DoeOptim
import Testing

@Suite struct BoundedLBFGSTests {
    static func rosenbrock(_ x: [Double], _ g: inout [Double]) -> Double {
        var f = 0.0
        if !g.isEmpty { for i in g.indices { g[i] = 0 } }
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
            f += 100 * a * a + b * b
            if !g.isEmpty {
                g[i] += -400 * x[i] * a - 2 * b
                g[i + 1] += 200 * a
            }
        }
        return f
    }

    @Test func findsRosenbrockMinimum() throws {
        let n = 10
        let lbfgs = BoundedLBFGS(lower: Array(repeating: -5, count: n), upper: Array(repeating: 5, count: n),
                                 maxEvaluations: 5000, relativeFunctionTolerance: 1e-15, relativeParameterTolerance: 1e-12)
        let result = try lbfgs.minimize(from: Array(repeating: -1.2, count: n), objective: BoundedLBFGSTests.rosenbrock)
        #expect(result.value < 1e-10)
        #expect(result.point.allSatisfy { abs($0 - 1) < 1e-4 })
        #expect(result.status.producedPoint)
    }

    @Test func stopsOnActiveBoundsWithKKT() throws {
        // minimize (x0 - 2)² + (x1 + 3)² on [-1, 1]²: the optimum is the corner (1, -1).
        let lbfgs = BoundedLBFGS(lower: [-1, -1], upper: [1, 1])
        let result = try lbfgs.minimize(from: [0, 0]) { x, g in
            if !g.isEmpty { g[0] = 2 * (x[0] - 2); g[1] = 2 * (x[1] + 3) }
            return (x[0] - 2) * (x[0] - 2) + (x[1] + 3) * (x[1] + 3)
        }
        #expect(abs(result.point[0] - 1) < 1e-9 && abs(result.point[1] + 1) < 1e-9)
        #expect(abs(result.value - 5) < 1e-9)
    }

    @Test func survivesNonFiniteObjective() throws {
        // log(x) is undefined left of 0; the optimizer must leave that region and still return the best point.
        let lbfgs = BoundedLBFGS(lower: [-1], upper: [3])
        let result = try lbfgs.minimize(from: [-0.5]) { x, g in
            let f = (x[0] - 2) * (x[0] - 2) - (x[0] > 0 ? 0 : Double.nan)
            if !g.isEmpty { g[0] = 2 * (x[0] - 2) }
            return f
        }
        #expect(result.value.isFinite)
        #expect(result.evaluations >= 1)
    }

    @Test func clampsStartIntoBox() throws {
        let lbfgs = BoundedLBFGS(lower: [0], upper: [1])
        let result = try lbfgs.minimize(from: [10]) { x, g in
            if !g.isEmpty { g[0] = 2 * (x[0] - 0.25) }
            return (x[0] - 0.25) * (x[0] - 0.25)
        }
        #expect(abs(result.point[0] - 0.25) < 1e-6)
    }
}
