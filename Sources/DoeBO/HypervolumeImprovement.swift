import Foundation

/// qLogNEHVI's utility: the log of the hypervolume the free point adds, in one joint sample, to that sample's front
/// — the Pareto front of the fixed points (observed baseline, pending trials, the batch points chosen before it)
/// feasible in the sample, so the noisy front's uncertainty is integrated over (Daulton et al. 2021, in log space
/// after Ament et al. 2023).
///
/// Per sample the region the front does not dominate is a ``NondominatedBoxes`` partition, and
/// `HVI_s(y) = Σ_k Π_j f(min(y_j, uᵏ_j) − lᵏ_j)` with `f` the ReLU smoothed below `τ`
/// (`f(t) = t` for `t ≥ τ`, `τ·e^{t/τ − 1}` below: continuous with its derivative, positive, and linear in log space),
/// so a dominated point still has a finite log utility and a gradient towards the boxes.
public struct LogHypervolumeImprovement: MonteCarloUtility {
    /// One decomposition per sample.
    public let boxes: [NondominatedBoxes]
    /// Smoothing width of the ReLU (standardized units).
    public let temperature: Double

    /// The utility against per-sample decompositions (`S`).
    public init(boxes: [NondominatedBoxes], temperature: Double = 1e-3) {
        self.boxes = boxes
        self.temperature = temperature
    }

    /// The decompositions from joint samples at the fixed points: per sample, the points feasible in it (all when
    /// there are no constraints) form the front, above `reference` (standardized, maximized, one per objective).
    public init(objectives: [JointPosteriorSampler], constraints: [SampledConstraint] = [], reference: [Double],
                temperature: Double = 1e-3) {
        let s = objectives.first?.sampleCount ?? 0, n = objectives.first?.points.rows ?? 0
        boxes = (0..<s).map { k in
            var front: [[Double]] = []
            for i in 0..<n where constraints.allSatisfy({ $0.isFeasible(sample: k, point: i) }) {
                front.append(objectives.map { $0.samples[k, i] })
            }
            return NondominatedBoxes(front: front, reference: reference)
        }
        self.temperature = temperature
    }

    /// `log HVI_s(y)` and its gradient with respect to `y`.
    public func logUtility(sample s: Int, values y: [Double], gradient: inout [Double]) -> Double {
        let partition = boxes[s]
        let m = y.count, tau = temperature
        for j in 0..<m { gradient[j] = 0 }
        return partition.lower.withUnsafeBufferPointer { lower in
            partition.upper.withUnsafeBufferPointer { upper in
                // Linear space first: Σ_k Π_j f(t_kj), each box's gradient Π·(d log f/dt) where y_j is below its top.
                var total = 0.0
                for k in 0..<partition.count {
                    let offset = k * m
                    var product = 1.0
                    for j in 0..<m {
                        let t = min(y[j], upper[offset + j]) - lower[offset + j]
                        if t >= tau {
                            product *= t
                        } else {
                            let e = t / tau - 1
                            if e < -700 { product = 0; break }
                            product *= tau * exp(e)
                        }
                    }
                    guard product > 0 else { continue }
                    total += product
                    for j in 0..<m where y[j] < upper[offset + j] {
                        let t = y[j] - lower[offset + j]
                        gradient[j] += product * (t >= tau ? 1 / t : 1 / tau)
                    }
                }
                if total > 1e-290 {
                    for j in 0..<m { gradient[j] /= total }
                    return log(total)
                }
                // Far from every box: the same sum in log space (log f(t) = log τ + t/τ − 1 below τ).
                for j in 0..<m { gradient[j] = 0 }
                guard partition.count > 0 else { return -.infinity }
                var logs = [Double](repeating: 0, count: partition.count)
                for k in 0..<partition.count {
                    var t = 0.0
                    for j in 0..<m {
                        let z = min(y[j], upper[k * m + j]) - lower[k * m + j]
                        t += z >= tau ? log(z) : log(tau) + z / tau - 1
                    }
                    logs[k] = t
                }
                let top = logs.max()!
                var sum = 0.0
                for k in logs.indices {
                    let w = exp(logs[k] - top)
                    sum += w
                    for j in 0..<m where y[j] < upper[k * m + j] {
                        let z = y[j] - lower[k * m + j]
                        gradient[j] += w * (z >= tau ? 1 / z : 1 / tau)
                    }
                }
                for j in 0..<m { gradient[j] /= sum }
                return top + log(sum)
            }
        }
    }
}
