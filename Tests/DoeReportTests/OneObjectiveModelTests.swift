import DoeBO
import DoeBase
import DoeDesign
import DoeReport
import DoeStudy
import DoeStrategies
import Foundation
import Testing

/// `status`, `report` and `suggest` describe one GP: same kernel, warping, seed and leave-one-out figures.
@Suite struct OneObjectiveModelTests {
    @Test(arguments: ["minimize", "maximize"])
    func statusReportAndSuggestFitTheSameModel(direction: String) throws {
        let f = try StudyFixture(space: """
        parameters:
          - {name: x, type: real, low: 0, high: 1}
          - {name: y, type: real, low: 0, high: 1}
        objectives:
          - {name: value, direction: \(direction)}
        """, seed: 9)
        defer { f.cleanUp() }
        // a positive, skewed objective, so log warping is a real choice
        var points: [[String: Double]] = []
        var rng = SplitMix64(seed: 4)
        for _ in 0..<32 { points.append(["x": rng.nextUnit(), "y": rng.nextUnit()]) }
        try f.importPoints(points) { p in exp(3 * p["x"]!) + 0.3 * p["y"]! * p["y"]! }
        let state = try f.study.load()
        let status = StudySummary(state: state, space: f.study.space)
        let report = try f.analysis()
        let s = try #require(status.models.first?.summary)
        let r = try #require(report.objectives.first?.model?.summary)
        #expect(s.kernel == r.kernel && s.outputTransform == r.outputTransform)
        #expect(s.looR2 == r.looR2 && s.looRMSE == r.looRMSE && s.noiseStd == r.noiseStd)
        #expect(s.lengthscales == r.lengthscales)
        // suggest records the kernel and warping of the model it optimized: the same
        let suggested = try f.study.suggest(count: 1)
        let info = try #require(suggested.first?.generatorInfo)
        #expect(info["kernel"]?.string == s.kernel.rawValue && info["output_transform"]?.string == s.outputTransform.rawValue, "\(info.serialized)")
        // and the fit is reproducible across calls (one seed per journal state)
        let again = StudySummary(state: state, space: f.study.space).models.first?.summary
        #expect(again?.looR2 == s.looR2)
    }
}
