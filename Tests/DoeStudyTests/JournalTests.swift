import DoeDesign
@testable import DoeStudy
import DoeStrategies
import DoeJournal
import Foundation
import Testing

/// A study copied from the committed v1 fixture into a scratch directory.
struct FixtureStudy {
    let directory: String
    let study: Study

    init(dropLastLines: Int = 0) throws {
        directory = NSTemporaryDirectory() + "doe-study-\(UUID().uuidString)"
        let target = directory + "/v1"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let fixture = try #require(Bundle.module.url(forResource: "journal-v1", withExtension: nil, subdirectory: "Fixtures"))
        try FileManager.default.copyItem(atPath: fixture.path + "/space.yaml", toPath: target + "/space.yaml")
        var lines = try String(contentsOfFile: fixture.path + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        lines.removeLast(dropLastLines)
        try (lines.joined(separator: "\n") + "\n").write(toFile: target + "/journal.jsonl", atomically: true, encoding: .utf8)
        study = try Study.open(name: "v1", in: directory)
        study.onWarning = { _ in }
    }

    var journalPath: String { study.journalPath }
    func journal() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: journalPath)) }
    func append(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }
    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite struct JournalTests {
    /// The committed journal written by doe 0.1.0 must keep replaying to exactly this state.
    @Test func committedV1JournalReplays() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        let state = try fixture.study.load()
        #expect(state.name == "v1" && state.seed == 42)
        #expect(state.recordCount == 12)
        #expect(state.trials.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(state.trials.map(\.state) == [.completed, .failed, .abandoned, .pending, .completed, .pending])
        let t1 = try #require(state.trial(1))
        #expect(t1.values == ["mass": 2.4, "stiffness": 300])
        #expect(t1.observationCount == 2)
        #expect(t1.params == [.real(1.93863092828542), .real(0.03625862463865621), .integer(2), .text("A356"), .integer(293)])
        #expect(t1.generator == "sobol" && t1.generatorInfo?["index"]?.integer == 0)
        #expect(state.trial(2)?.reason == "mesh did not converge")
        #expect(state.trial(3)?.reason == "rig booked")
        let t5 = try #require(state.trial(5))
        #expect(t5.generator == "import" && t5.values == ["mass": 1.9, "stiffness": 250])
        #expect(t5.meta.first?.1 == .string("2019 campaign"))
        #expect(state.notes.map(\.text) == ["load cell recalibrated"])
        #expect(t1.suggestedBy == "fixture@lab:1")
        #expect(state.nextTrialId == 7)
    }

    /// Same seed and journal → same suggestion, across doe versions: re-suggesting the fixture's last trial
    /// from the journal before it reproduces it exactly.
    @Test func suggestionsAreReproducibleFromTheJournal() throws {
        let full = try FixtureStudy()
        defer { full.cleanUp() }
        let expected = try #require(try full.study.load().trial(6))
        let truncated = try FixtureStudy(dropLastLines: 1)
        defer { truncated.cleanUp() }
        let suggested = try truncated.study.suggest(count: 1)
        #expect(suggested[0].id == 6)
        #expect(suggested[0].params == expected.params)
    }

    @Test func tornLastLineIsSkippedReportedOnceAndMovedAside() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        let intact = try fixture.journal()
        try fixture.append(#"{"v":1,"op":"trial_observed","ts":"2026-11-29T20:49:18Z","writer":"w","trial":4,"val"#)
        nonisolated(unsafe) var warnings: [String] = []
        fixture.study.onWarning = { warnings.append($0) }
        let state = try fixture.study.load()
        #expect(state.trial(4)?.state == .pending)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("line 13") == true)
        // repaired: the journal is back to its complete lines, the fragment kept in journal.jsonl.torn
        #expect(try fixture.journal() == intact)
        let torn = try String(contentsOfFile: fixture.journalPath + ".torn", encoding: .utf8)
        #expect(torn.contains(#""trial":4,"val"#))
        _ = try fixture.study.load()
        #expect(warnings.count == 1, "reported once")
        try fixture.study.observe(id: 4, values: [("mass", 1), ("stiffness", 2)])
        let after = try fixture.journal()
        #expect(after.prefix(intact.count) == intact, "complete lines are never modified")
        #expect(try fixture.study.load().trial(4)?.state == .completed)
    }

    @Test func garbageLastLineWithNewlineIsAlsoTornTail() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        try fixture.append("\u{0}\u{0}\u{0}\u{0}\n")
        let state = try fixture.study.load()
        #expect(state.trials.count == 6)
    }

    @Test func damagedMiddleLineIsAnErrorNamingTheLine() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        var lines = try String(contentsOfFile: fixture.journalPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines[4] = "{\"v\":1,\"op\":\"trial_sugg"
        try lines.joined(separator: "\n").write(toFile: fixture.journalPath, atomically: true, encoding: .utf8)
        let before = try fixture.journal()
        #expect {
            try fixture.study.load()
        } throws: { error in
            "\(error)".contains("journal.jsonl: line 5 does not fit the study") && !"\(error)".contains("by hand, so")
        }
        #expect(throws: StudyError.self) { try fixture.study.suggest(count: 1) }
        #expect(try fixture.journal() == before, "a refused write leaves the journal alone")
    }

    @Test func newerFormatVersionIsRefused() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        try fixture.append(#"{"v":2,"op":"trial_suggested","ts":"x","writer":"w","trial":9}"# + "\n" + #"{"v":1,"op":"note","ts":"x","writer":"w","text":"t"}"# + "\n")
        #expect {
            try fixture.study.load()
        } throws: { error in
            "\(error)".contains("line 13 uses journal format v2")
        }
    }

    @Test func recordsThatContradictTheSpaceNameTheirLine() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        try fixture.append(#"{"v":1,"op":"trial_observed","ts":"x","writer":"w","trial":77,"values":{"mass":1,"stiffness":2}}"# + "\n" + #"{"v":1,"op":"note","ts":"x","writer":"w","text":"t"}"# + "\n")
        #expect {
            try fixture.study.load()
        } throws: { error in
            "\(error)".contains("line 13") && "\(error)".contains("unknown trial 77")
        }
    }

    /// Threads of one process use separate open file descriptions, so flock serializes them like processes.
    @Test func concurrentSuggestsFromThreadsNeverShareIdsOrPoints() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        let lock = NSLock()
        nonisolated(unsafe) var handedOut: [Trial] = []
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let trials = try! fixture.study.suggest(count: 3)
            lock.lock(); handedOut += trials; lock.unlock()
        }
        #expect(Set(handedOut.map(\.id)) == Set(7..<(7 + 48)))
        #expect(Set(handedOut.map(\.params)).count == 48)
        #expect(try fixture.study.load().trials.count == 6 + 48)
    }

    @Test func batchObservationIsAllOrNothing() throws {
        let fixture = try FixtureStudy()
        defer { fixture.cleanUp() }
        let before = try fixture.journal()
        let rows = [
            ResultRow(location: "r[0]", id: 4, params: nil, values: [("mass", 1), ("stiffness", 1)], meta: []),
            ResultRow(location: "r[1]", id: 6, params: nil, values: [("mass", .double(.infinity)), ("stiffness", 1)], meta: []),
        ]
        #expect(throws: StudyError.self) { try fixture.study.observe(rows) }
        #expect(try fixture.journal() == before)
        // observing a failed trial needs --replace
        #expect(throws: StudyError.self) { try fixture.study.observe(id: 2, values: [("mass", 1), ("stiffness", 1)]) }
        try fixture.study.observe(id: 2, values: [("mass", 1), ("stiffness", 1)], replace: true)
        #expect(try fixture.study.load().trial(2)?.state == .completed)
    }
}
