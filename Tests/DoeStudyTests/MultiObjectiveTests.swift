import DoeBase
import DoeDesign
@testable import DoeStudy
import DoeStrategies
import Foundation
import Testing

/// qLogNEHVI through a study: chosen for two to four objectives, recorded with its reference point, refused where it
/// does not apply, and better than the Sobol sequence at the same budget.
@Suite struct MultiObjectiveTests {
    func study(_ text: String, seed: UInt64 = 1) throws -> (Study, String) {
        let directory = NSTemporaryDirectory() + "doe-mo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: directory + "/space.yaml", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.yaml", in: directory, seed: seed)
        s.onWarning = { _ in }
        return (s, directory)
    }

    /// Branin–Currin on the unit square (both minimized; the harness's reference point [18, 6]).
    static func braninCurrin(_ u: Double, _ v: Double) -> (Double, Double) {
        let x1 = 15 * u - 5, x2 = 15 * v
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        let branin = pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * cos(x1) + 10
        let factor = v == 0 ? 1 : 1 - exp(-1 / (2 * v))
        let currin = factor * (2300 * pow(u, 3) + 1900 * u * u + 2092 * u + 60) / (100 * pow(u, 3) + 500 * u * u + 4 * u + 20)
        return (branin, currin)
    }

    static let space = """
        parameters: [{name: u, type: real, low: 0, high: 1}, {name: v, type: real, low: 0, high: 1}]
        objectives: [{name: branin, direction: minimize}, {name: currin, direction: minimize}]
        reference_point: {branin: 18, currin: 6}

        """

    func hypervolume(_ s: Study) throws -> Double {
        try #require(StudyHypervolume(trials: try s.load().trials(in: .completed), space: s.space)).value
    }

    func run(_ s: Study, rounds: Int, batch: Int, strategy: some SuggestionStrategy) throws -> [Trial] {
        var all: [Trial] = []
        for _ in 0..<rounds {
            let trials = try s.suggest(count: batch, strategy: strategy)
            for t in trials {
                guard case let .real(u) = t.params[0], case let .real(v) = t.params[1] else { continue }
                let (f1, f2) = Self.braninCurrin(u, v)
                try s.observe(id: t.id, values: [("branin", f1), ("currin", f2)])
            }
            all += trials
        }
        return all
    }

    @Test func twoObjectivesRunQLogNEHVIAndBeatSobolAtTheSameBudget() throws {
        let (s, directory) = try study(Self.space)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trials = try run(s, rounds: 7, batch: 4, strategy: BayesianStrategy())
        let modelled = trials.filter { $0.generator != "sobol" }
        #expect(modelled.count == 22 && modelled.allSatisfy { $0.generator == "gp-qlognehvi" }, "\(trials.map(\.generator))")
        let info = try #require(modelled.last?.generatorInfo)
        #expect(info["acquisition"]?.string == "qlognehvi" && info["acquisition_reason"]?.string == "several objectives")
        #expect(info["reference_point"]?["branin"]?.number == 18 && info["reference_inferred"] == .bool(false))
        #expect(info["predicted"]?["currin"]?["mean"]?.number != nil && info["batch"]?.string == "joint-samples")
        #expect(Set(modelled.map(\.params)).count == 22, "no point proposed twice")

        let (sobol, sobolDirectory) = try study(Self.space)
        defer { try? FileManager.default.removeItem(atPath: sobolDirectory) }
        _ = try run(sobol, rounds: 7, batch: 4, strategy: SobolContinuation())
        let ours = try hypervolume(s), theirs = try hypervolume(sobol)
        // max HV 59.36; measured here: qLogNEHVI 56.4 after 28 evaluations, the Sobol sequence 0 (none of its 28
        // points is inside the reference box; the harness's Sobol median after 40 is 9.4, BoTorch's 57.5)
        #expect(ours > 50 && ours > theirs + 10, "qLogNEHVI \(ours) vs Sobol \(theirs) after 28 evaluations")
    }

    @Test func constrainedObjectivesAreSampledFeasibleOnly() throws {
        // ConstrainedBraninCurrin's disc: (x1 − 2.5)² + (x2 − 7.5)² ≤ 50 in Branin's domain
        let (s, directory) = try study(Self.space.replacingOccurrences(of: "reference_point: {branin: 18, currin: 6}",
                                                                      with: "reference_point: {branin: 80, currin: 12}")
                                       + "constraints: [{name: disc, max: 50}]")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var modelled: [Trial] = []
        for _ in 0..<5 {
            for t in try s.suggest(count: 4) {
                guard case let .real(u) = t.params[0], case let .real(v) = t.params[1] else { continue }
                let (f1, f2) = Self.braninCurrin(u, v)
                let disc = pow(15 * u - 5 - 2.5, 2) + pow(15 * v - 7.5, 2)
                try s.observe(id: t.id, values: [("branin", f1), ("currin", f2), ("disc", disc)])
                if t.generator != "sobol" { modelled.append(t) }
            }
        }
        let info = try #require(modelled.last?.generatorInfo)
        #expect(info["acquisition"]?.string == "qlognehvi" && info["constraints"]?.elements?.first?.string == "disc ≤ 50")
        let feasible = modelled.filter { t in
            guard case let .real(u) = t.params[0], case let .real(v) = t.params[1] else { return false }
            return pow(15 * u - 5 - 2.5, 2) + pow(15 * v - 7.5, 2) <= 50
        }
        // the disc covers about 22 % of the square: the model's points should mostly land inside it
        #expect(feasible.count * 2 >= modelled.count, "\(feasible.count) of \(modelled.count) qLogNEHVI points feasible")
    }

    @Test func qLogNEHVIIsRefusedWhereItDoesNotApplyAndOtherAcquisitionsScalarize() throws {
        let single = """
            parameters: [{name: u, type: real, low: 0, high: 1}]
            objectives: [{name: f, direction: minimize}]
            """
        #expect(throws: SpaceError.self) { try DesignSpace.parse(single + "\nacquisition: qlognehvi") }
        do { _ = try DesignSpace.parse(single + "\nacquisition: qlognehvi") } catch {
            #expect("\(error)".contains("two to four objectives") && "\(error)".contains("acquisition"), "\(error)")
        }
        let (s, directory) = try study(single)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (k, t) in try s.suggest(count: 4).enumerated() { try s.observe(id: t.id, values: [("f", Double(k))]) }
        #expect(throws: StudyError.self) { try s.suggest(count: 1, strategy: BayesianStrategy(acquisition: .qlognehvi)) }
        do { try s.suggest(count: 1, strategy: BayesianStrategy(acquisition: .qlognehvi)) } catch {
            #expect("\(error)".contains("two to four objectives; the study has 1"), "\(error)")
        }
        // asked for logei, two objectives are scalarized ParEGO-style
        let (mo, moDirectory) = try study(Self.space)
        defer { try? FileManager.default.removeItem(atPath: moDirectory) }
        _ = try run(mo, rounds: 2, batch: 3, strategy: BayesianStrategy())
        let scalarized = try mo.suggest(count: 2, strategy: BayesianStrategy(acquisition: .logei))
        #expect(scalarized.allSatisfy { $0.generator == "gp-logei" && $0.generatorInfo?["scalarization"] != nil })
    }

    @Test func fiveObjectivesKeepParEGO() throws {
        let names = (1...5).map { "f\($0)" }
        let (s, directory) = try study("""
            parameters: [{name: u, type: real, low: 0, high: 1}, {name: v, type: real, low: 0, high: 1}]
            objectives: [\(names.map { "{name: \($0), direction: minimize}" }.joined(separator: ", "))]
            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for _ in 0..<3 {
            for t in try s.suggest(count: 3) {
                guard case let .real(u) = t.params[0], case let .real(v) = t.params[1] else { continue }
                try s.observe(id: t.id, values: names.enumerated().map { k, n in (n, pow(u - 0.2 * Double(k), 2) + v) })
            }
        }
        let last = try s.suggest(count: 1)
        #expect(last[0].generator == "gp-logei" && last[0].generatorInfo?["acquisition_reason"]?.string == "scalarized objectives")
    }
}
