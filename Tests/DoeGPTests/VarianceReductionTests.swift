@testable import DoeBO
import DoeBase
import DoeDesign
import DoeGP
import DoeLinalg
import Foundation
import Testing

/// Active-learning batches (integrated variance reduction): the rank-one bookkeeping against conditioning the GP for
/// real, the greedy pick against brute force, the distance rule, and the batch's effect on the whole space.
@Suite struct VarianceReductionTests {
    static func model(n: Int, seed: UInt64, lengthscales: [Double] = [0.25, 0.6], noise: Double = 1e-4) throws -> GaussianProcess {
        let x = randomInputs(n: n, d: 2, seed: seed)
        let y = (0..<n).map { sin(6 * x[$0, 0]) + 0.5 * x[$0, 1] }
        let h = GPHyperparameters(logLengthscales: lengthscales.map(log), logSignalVariance: log(0.8),
                                  logNoiseVariance: log(noise), mean: 0)
        return try GaussianProcess(inputs: x, outputs: y, hyperparameters: h, kernel: .matern52)
    }

    static func rows(_ m: Matrix<Double>, _ i: Int) -> [Double] { (0..<m.columns).map { m[i, $0] } }

    @Test func picksMatchConditioningTheModelAndTheFirstIsTheBruteForceBest() throws {
        let gps = [try Self.model(n: 8, seed: 1), try Self.model(n: 6, seed: 2, lengthscales: [0.5, 0.2], noise: 0.01)]
        let candidates = randomInputs(n: 150, d: 2, seed: 3)
        let reference = randomInputs(n: 120, d: 2, seed: 4)
        let pending = [[0.5, 0.5]]
        let picks = VarianceReductionBatch.select(models: gps, candidates: candidates, reference: reference, pending: pending,
                                                  occupied: [], count: 4, minDistance: 0)
        #expect(picks.count == 4)
        // replaying the picks by conditioning the GPs reproduces every integrated variance the bookkeeping reported
        var conditioned = gps.map { gp in pending.reduce(gp) { $0.conditioned(on: $1, value: 0) } }
        for pick in picks {
            let before = VarianceReductionBatch.integratedVariance(of: conditioned, over: reference)
            expectClose(pick.integratedVarianceBefore, before, relative: 1e-7, "before pick \(pick.candidate)")
            let x = Self.rows(candidates, pick.candidate)
            let atPoint = conditioned.map { $0.posterior(at: Matrix(rows: 1, columns: 2, columnMajor: x)).variance[0]
                / $0.hyperparameters.signalVariance }
            expectClose(pick.pointVariance, atPoint, relative: 1e-6, "variance at pick \(pick.candidate)")
            conditioned = conditioned.map { $0.conditioned(on: x, value: 0) }
            let after = VarianceReductionBatch.integratedVariance(of: conditioned, over: reference)
            expectClose(pick.integratedVarianceAfter, after, relative: 1e-7, "after pick \(pick.candidate)")
            #expect(zip(pick.integratedVarianceAfter, pick.integratedVarianceBefore).allSatisfy { $0 < $1 })
        }
        // the first pick is the candidate whose observation lowers the summed integrated variance most
        let start = gps.map { gp in pending.reduce(gp) { $0.conditioned(on: $1, value: 0) } }
        let base = VarianceReductionBatch.integratedVariance(of: start, over: reference).reduce(0, +)
        let reductions = (0..<candidates.rows).map { i in
            base - VarianceReductionBatch.integratedVariance(of: start.map { $0.conditioned(on: Self.rows(candidates, i), value: 0) },
                                                             over: reference).reduce(0, +)
        }
        let best = reductions.indices.max { reductions[$0] < reductions[$1] }!
        #expect(picks[0].candidate == best, "brute force best \(best) (\(reductions[best])), picked \(picks[0].candidate)")
    }

    @Test func picksKeepTheirDistanceAndRelaxItOnlyWhenNothingIsLeft() throws {
        let gp = try Self.model(n: 5, seed: 7)
        let candidates = randomInputs(n: 400, d: 2, seed: 8)
        let reference = randomInputs(n: 200, d: 2, seed: 9)
        let occupied = (0..<gp.count).map { Self.rows(gp.inputs, $0) }
        let picks = VarianceReductionBatch.select(models: [gp], candidates: candidates, reference: reference, pending: [],
                                                  occupied: occupied, count: 12, minDistance: 0.15)
        #expect(picks.count == 12)
        var placed = occupied
        for pick in picks {
            #expect(pick.enforcedDistance == 0.15)
            let x = Self.rows(candidates, pick.candidate)
            let nearest = placed.map { p in zip(p, x).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }.min()!
            #expect(nearest >= 0.15, "pick \(pick.candidate) is \(nearest) from a placed point")
            placed.append(x)
        }
        // a distance no candidate can keep is relaxed rather than leaving the batch short
        let crowded = VarianceReductionBatch.select(models: [gp], candidates: candidates, reference: reference, pending: [],
                                                    occupied: occupied, count: 3, minDistance: 5)
        #expect(crowded.count == 3 && crowded.allSatisfy { $0.enforcedDistance < 5 })
        #expect(Set(crowded.map(\.candidate)).count == 3)
    }

    @Test func aBatchOnASpaceLowersTheVarianceMoreThanSobolPointsDo() throws {
        // a function of a alone, with b nearly irrelevant: the fitted ARD model knows it and the batch spreads along a
        var space = try DesignSpace(parameters: [Parameter(name: "a", domain: .real(low: 0, high: 1, logScale: false)),
                                                 Parameter(name: "b", domain: .real(low: 0, high: 1, logScale: false))])
        space.goal = .learn
        let encoding = SpaceEncoding(space: space)
        let sobol = SobolSequence(dimension: 2, scrambleSeed: 11)
        let observed = (0..<8).map { space.assignment(fromUnit: sobol.point(at: $0)) }
        let values = observed.map { a in sin(8 * a[0].number!) + 0.01 * a[1].number! }
        let gp = try BayesianOptimizer.fit(encoding: encoding, assignments: observed, values: values, kernel: .matern52, seed: 1,
                                           warping: false).gp
        var settings = LearningSettings()
        settings.seed = 3
        let batch = try ActiveLearning.propose(space: space, models: [gp], trials: observed, pending: [], count: 6, settings: settings)
        #expect(batch.assignments.count == 6 && Set(batch.assignments).count == 6)
        #expect(batch.assignments.allSatisfy { !observed.contains($0) })
        let reference = BayesianOptimizer.features(encoding: encoding, assignments: (0..<400).map { i in
            space.assignment(fromUnit: SobolSequence(dimension: 2, scrambleSeed: 99).point(at: i)) })
        func integrated(_ extra: [[ParameterValue]]) -> Double {
            let model = extra.reduce(gp) { $0.conditioned(on: encoding.encode($1), value: 0) }
            return VarianceReductionBatch.integratedVariance(of: [model], over: reference)[0]
        }
        let nextSobol = (8..<14).map { space.assignment(fromUnit: sobol.point(at: $0)) }
        let learned = integrated(batch.assignments), spaceFilling = integrated(nextSobol)
        #expect(learned < 0.95 * spaceFilling, "integrated variance after the batch \(learned), after 6 more Sobol points \(spaceFilling)")
    }
}
