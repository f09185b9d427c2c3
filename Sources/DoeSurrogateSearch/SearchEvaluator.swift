import DoeBase
import DoeDesign
import DoeLinalg
import DoeModelFormat
import DoeNeural
import DoeOptim
import Foundation

/// The surrogate's predictions, objectives and constraints of a ``SurrogateSearchProblem``, with gradients for SLSQP.
///
/// Objectives and output bounds are scaled by each output's training spread (the target scaler's standard
/// deviation), so the optimizer's tolerances mean the same for every output.
final class SearchEvaluator: @unchecked Sendable {
    /// A design with its prediction and how far it is from feasible.
    struct Point {
        /// Inputs, the model's order and units.
        var x: [Double]
        /// Predicted outputs (ensemble mean).
        var values: [Double]
        /// Their calibrated standard deviations (ensembles).
        var std: [Double]?
        /// The problem's objectives there, scaled and signed so that smaller is better.
        var objectives: [Double]
        /// Sum of the positive parts of the scaled constraints (0 when feasible).
        var violation: Double
        /// Whether a local optimization produced it.
        var optimized = false

        /// The first objective, scaled and signed (smaller is better).
        var score: Double { objectives[0] }
    }

    let model: Surrogate
    let problem: SurrogateSearchProblem
    /// Each output's training spread.
    let scales: [Double]
    /// Outputs whose standard deviation the trust limit bounds.
    let trusted: [Int]

    /// Last point evaluated with gradients, and what was computed there (objective and constraints share it).
    private var cachedX: [Double] = []
    private var cached: (mean: [Double], meanGradient: [[Double]], std: [Double], stdGradient: [[Double]])?

    init(model: Surrogate, problem: SurrogateSearchProblem) {
        self.model = model
        self.problem = problem
        scales = model.targetScaler.std.prefix(model.scalarOutputs).map { max(Double($0), 1e-30) }
        trusted = model.members.count > 1 && problem.trust != nil ? problem.involvedOutputs : []
    }

    /// The factor turning objective `o`'s output into its scaled, signed value (smaller is better).
    func weight(_ o: SurrogateSearchProblem.Objective) -> Double { (o.maximize ? -1 : 1) / scales[o.output] }

    /// Predictions and violations of many designs (one batched prediction).
    func screen(_ xs: [[Double]]) -> [Point] {
        guard !xs.isEmpty else { return [] }
        let d = problem.lower.count
        var batch = Matrix<Float>(rows: xs.count, columns: d)
        for (i, x) in xs.enumerated() { for k in 0..<d { batch[i, k] = Float(x[k]) } }
        let p = model.predict(batch)
        return xs.enumerated().map { i, x in
            let values = (0..<model.scalarOutputs).map { Double(p.mean[i, $0]) }
            let std = p.std.map { s in (0..<model.scalarOutputs).map { Double(s[i, $0]) } }
            var violation = 0.0
            for b in problem.outputBounds { violation += max(0, boundValue(b, values[b.output])) }
            if let trust = problem.trust, let std {
                for j in trusted { violation += max(0, (std[j] - trust.factor * trust.rmse[j]) / scales[j]) }
            }
            for c in problem.parameterConstraints {
                let v = c.slack(x)
                violation += v.isNaN ? 1e300 : max(0, v - ParameterConstraint.tolerance * max(1, abs(v)))
            }
            return Point(x: x, values: values, std: std, objectives: problem.objectives.map { weight($0) * values[$0.output] },
                         violation: violation)
        }
    }

    /// The scaled value of bound `b` at output value `y` (≤ 0 when it holds).
    func boundValue(_ b: SurrogateSearchProblem.OutputBound, _ y: Double) -> Double {
        (b.isUpper ? y - b.value : b.value - y) / scales[b.output]
    }

    /// The mean, calibrated standard deviation and their gradients of every output at `x` (cached for the last `x`).
    func evaluate(_ x: [Double]) -> (mean: [Double], meanGradient: [[Double]], std: [Double], stdGradient: [[Double]]) {
        if let cached, x == cachedX { return cached }
        let g = model.memberGradients(at: x)
        let members = g.outputs.count, m = model.scalarOutputs, d = x.count
        var mean = [Double](repeating: 0, count: m), meanGradient = [[Double]](repeating: [Double](repeating: 0, count: d), count: m)
        for r in 0..<members {
            for j in 0..<m {
                mean[j] += g.outputs[r][j] / Double(members)
                for k in 0..<d { meanGradient[j][k] += g.gradients[r][j][k] / Double(members) }
            }
        }
        var std = [Double](repeating: 0, count: m), stdGradient = [[Double]](repeating: [Double](repeating: 0, count: d), count: m)
        if members > 1 {
            for j in 0..<m {
                let variance = (0..<members).reduce(0.0) { $0 + (g.outputs[$1][j] - mean[j]) * (g.outputs[$1][j] - mean[j]) }
                    / Double(members - 1)
                let calibration = model.calibration?.outputs[j] ?? .identity("")
                std[j] = (calibration.scale * variance + calibration.floor).squareRoot()
                guard std[j] > 0 else { continue }
                // ∂√(a·σ² + b)/∂x = a / ((M − 1)·s) · Σ (yᵣ − ȳ) ∇yᵣ
                let factor = calibration.scale / (Double(members - 1) * std[j])
                for r in 0..<members {
                    let w = factor * (g.outputs[r][j] - mean[j])
                    for k in 0..<d { stdGradient[j][k] += w * g.gradients[r][j][k] }
                }
            }
        }
        cachedX = x
        cached = (mean, meanGradient, std, stdGradient)
        return cached!
    }

    /// Objective `o` scaled and signed (smaller is better), and its gradient.
    func objective(_ o: SurrogateSearchProblem.Objective) -> ValueAndGradient {
        { [self] x, gradient in
            let e = evaluate(x), w = weight(o)
            for k in gradient.indices { gradient[k] = w * e.meanGradient[o.output][k] }
            return w * e.mean[o.output]
        }
    }

    /// The constraints `c(x) ≤ 0`: output bounds, the trust limit, input constraints and, for ε-constraint searches,
    /// the objectives `epsilon` names (by index) no worse than its scaled, signed limit.
    func constraints(epsilon: [Int: Double]) -> [ValueAndGradient] {
        var list: [ValueAndGradient] = []
        for b in problem.outputBounds {
            list.append { [self] x, gradient in
                let e = evaluate(x)
                let sign = (b.isUpper ? 1.0 : -1.0) / scales[b.output]
                for k in gradient.indices { gradient[k] = sign * e.meanGradient[b.output][k] }
                return boundValue(b, e.mean[b.output])
            }
        }
        if let trust = problem.trust {
            for j in trusted {
                list.append { [self] x, gradient in
                    let e = evaluate(x)
                    for k in gradient.indices { gradient[k] = e.stdGradient[j][k] / scales[j] }
                    return (e.std[j] - trust.factor * trust.rmse[j]) / scales[j]
                }
            }
        }
        for c in problem.parameterConstraints {
            list.append { x, gradient in
                let (value, g) = c.slackAndGradient(x)
                for k in gradient.indices { gradient[k] = g[k] }
                return value
            }
        }
        for (index, limit) in epsilon.sorted(by: { $0.key < $1.key }) {
            let value = objective(problem.objectives[index])
            list.append { x, gradient in value(x, &gradient) - limit }
        }
        return list
    }
}
