import DoeBase
import DoeDesign
@testable import DoeStudy
import DoeStrategies
import Foundation
import Testing

@Suite struct StrategyTests {
    func study(_ space: String, seed: UInt64 = 1) throws -> (Study, String) {
        let directory = NSTemporaryDirectory() + "doe-strategy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try space.write(toFile: directory + "/space.json", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.json", in: directory, seed: seed)
        s.onWarning = { _ in }
        return (s, directory)
    }

    @Test func initialDesignThenGaussianProcess() throws {
        let (s, directory) = try study(#"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try s.suggest(count: 4)
        #expect(first.allSatisfy { $0.generator == "sobol" })
        for t in first { try s.observe(id: t.id, values: [("value", t.params[0].number! + t.params[1].number!)]) }
        // 4 of the 6 initial trials are taken: 2 more from Sobol, then the GP
        let second = try s.suggest(count: 4)
        #expect(second.map(\.generator) == ["sobol", "sobol", "gp-logei", "gp-logei"])
        let info = try #require(second[2].generatorInfo)
        #expect(info["observations"]?.integer == 4)
        #expect(info["pending"]?.integer == 0)
        #expect(info["predicted"]?["std"]?.number.map { $0 > 0 } == true)
        #expect(["rbf", "matern52"].contains(info["kernel"]?.string ?? ""))
        // failed trials are left out of the model
        try s.fail(id: second[0].id, reason: "broken")
        let third = try s.suggest(count: 1)
        #expect(third[0].generatorInfo?["observations"]?.integer == 4)
        #expect(third[0].generatorInfo?["pending"]?.integer == 3)
    }

    @Test func exhaustedDiscreteSpaceFallsBackWithoutReusingSobolIndices() throws {
        let (s, directory) = try study(#"[{"name":"n","type":"int","low":1,"high":2},{"name":"c","type":"categorical","choices":["a","b"]}]"#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trials = try s.suggest(count: 6)
        #expect(Set(trials.prefix(4).map(\.params)).count == 4, "every combination before any repeat")
        let indices = trials.compactMap { $0.generatorInfo?["index"]?.integer }
        #expect(Set(indices).count == indices.count)
        for t in trials.prefix(4) { try s.observe(id: t.id, values: [("value", Double(t.id))]) }
        let more = try s.suggest(count: 3)   // GP has nothing new to propose: Sobol fallback
        #expect(more.count == 3)
        let all = try s.load().trials.compactMap { $0.generator == "sobol" ? $0.generatorInfo?["index"]?.integer : nil }
        #expect(Set(all).count == all.count, "Sobol indices are never handed out twice: \(all)")
    }

    @Test func multiObjectiveUsesHypervolumeOrScalarizedGPWhenAsked() throws {
        let (s, directory) = try study(#"{"parameters":[{"name":"x","type":"real","low":0,"high":1}],"objectives":[{"name":"a","direction":"minimize"},{"name":"b","direction":"minimize"}],"initial_trials":4}"#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for t in try s.suggest(count: 4) {
            let x = t.params[0].number!
            try s.observe(id: t.id, values: [("a", x * x), ("b", (x - 1) * (x - 1))])
        }
        let next = try s.suggest(count: 2)
        #expect(next.allSatisfy { $0.generator == "gp-qlognehvi" })
        #expect(next[0].generatorInfo?["scalarization"] == nil && next[0].generatorInfo?["reference_point"]?["a"] != nil)
        let scalarized = try s.suggest(count: 2, strategy: BayesianStrategy(acquisition: .logei))
        #expect(scalarized.allSatisfy { $0.generator == "gp-logei" })
        #expect(scalarized[0].generatorInfo?["scalarization"]?["method"]?.string == "parego")
    }
}

@Suite struct KnownNoiseTests {
    @Test func standardErrorsAreRecordedValidatedAndReachTheModel() throws {
        let directory = NSTemporaryDirectory() + "doe-sem-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try #"[{"name":"x","type":"real","low":0,"high":1}]"#.write(toFile: directory + "/space.json", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.json", in: directory, seed: 3)
        let trials = try s.suggest(count: 4)
        let rows = ResultsFile.parseJSONForTests(#"{"results":[{"id":1,"value":0.5,"sem":0.1},{"id":2,"value":0.7,"sems":{"value":0.2}}]}"#)
        try s.observe(rows)
        let csv = try ResultsFile.parse("id,value,value_sem,operator\n3,0.2,0.05,ana\n", source: "r.csv", space: s.space)
        #expect(csv[0].sems.first?.1 == .double(0.05))
        #expect(csv[0].meta.map(\.0) == ["operator"])
        try s.observe(csv)
        let state = try s.load()
        #expect(state.trial(1)?.sems == ["value": 0.1])
        #expect(state.trial(2)?.sems == ["value": 0.2])
        #expect(state.trial(3)?.sems == ["value": 0.05])
        let before = try Data(contentsOf: URL(fileURLWithPath: s.journalPath))
        for bad in [#"{"results":[{"id":4,"value":1,"sem":-1}]}"#, #"{"results":[{"id":4,"value":1,"sems":{"other":1}}]}"#] {
            #expect(throws: StudyError.self) { try s.observe(ResultsFile.parseJSONForTests(bad)) }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.journalPath)) == before)
        _ = trials
    }
}

@Suite struct AcquisitionChoiceTests {
    func study(seed: UInt64) throws -> (Study, String) {
        let directory = NSTemporaryDirectory() + "doe-choice-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let space = #"[{"name":"x","type":"real","low":0,"high":1},{"name":"y","type":"real","low":0,"high":1}]"#
        try space.write(toFile: directory + "/space.json", atomically: true, encoding: .utf8)
        let s = try Study.create(name: "s", spaceFile: directory + "/space.json", in: directory, seed: seed)
        s.onWarning = { _ in }
        return (s, directory)
    }

    func smooth(_ t: Trial) -> Double {
        let x = t.params[0].number!, y = t.params[1].number!
        return sin(3 * x) + cos(2 * y) - x * y
    }

    /// Eight points measured three times each, the repeats 1.5 apart on a function whose values span about 2:
    /// only noise explains them, so the fitted noise is not negligible.
    func replicatedNoisyRuns(_ s: Study) throws {
        var rows = ["x,y,value"]
        for k in 0..<8 {
            let x = 0.1 + 0.11 * Double(k), y = Double((k * 5) % 8) / 8 + 0.05
            let f = sin(3 * x) + cos(2 * y) - x * y
            for offset in [-0.75, 0.0, 0.75] { rows.append("\(x),\(y),\(f + offset)") }
        }
        try s.observe(ResultsFile.parse(rows.joined(separator: "\n") + "\n", source: "runs.csv", space: s.space))
    }

    @Test func noisyObjectiveGetsQLogNEIAndSaysWhy() throws {
        let (s, directory) = try study(seed: 4)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try replicatedNoisyRuns(s)
        let batch = try s.suggest(count: 3)
        #expect(batch.map(\.generator) == ["gp-qlognei", "gp-qlognei", "gp-qlognei"])
        #expect(batch[0].generatorInfo?["acquisition_reason"]?.string == "inferred noise")
        #expect((batch[0].generatorInfo?["noise_ratio"]?.number ?? 0) > 0.2, "the noise ratio that chose qLogNEI is recorded")
        #expect(batch[0].generatorInfo?["batch"]?.string == "joint-samples")
        #expect(Set(batch.map(\.params)).count == 3, "a joint batch does not repeat a point")
        for t in batch { #expect(t.params.allSatisfy { ($0.number ?? -1) >= 0 && ($0.number ?? 2) <= 1 }) }
        // the same journal gives the same batch
        let (again, other) = try study(seed: 4)
        defer { try? FileManager.default.removeItem(atPath: other) }
        try replicatedNoisyRuns(again)
        #expect(try again.suggest(count: 3).map(\.params) == batch.map(\.params))
    }

    @Test func noiselessObjectiveKeepsLogEIAndStandardErrorsChooseQLogNEI() throws {
        let (s, directory) = try study(seed: 5)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for t in try s.suggest(count: 12) { try s.observe(id: t.id, values: [("value", smooth(t))]) }
        let quiet = try s.suggest(count: 1)
        #expect(quiet[0].generator == "gp-logei")
        #expect(quiet[0].generatorInfo?["acquisition_reason"]?.string == "noise negligible")
        try s.observe(ResultsFile.parseJSONForTests(#"{"results":[{"id":\#(quiet[0].id),"value":0.1,"sem":0.2}]}"#))
        let known = try s.suggest(count: 2)
        #expect(known.map(\.generator) == ["gp-qlognei", "gp-qlognei"])
        #expect(known[0].generatorInfo?["acquisition_reason"]?.string == "known noise")
        // asking wins over the automatic choice, and says so
        let asked = try s.suggest(count: 1, strategy: BayesianStrategy(acquisition: .logei))
        #expect(asked[0].generator == "gp-logei")
        #expect(asked[0].generatorInfo?["acquisition_reason"]?.string == "asked")
    }
}

extension ResultsFile {
    static func parseJSONForTests(_ text: String) -> [ResultRow] { try! parseJSON(text, source: "r.json") }
}
