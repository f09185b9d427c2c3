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
        let m = y.count
        for j in 0..<m { gradient[j] = 0 }
        let linear = partition.lower.withUnsafeBufferPointer { lower in
            partition.upper.withUnsafeBufferPointer { upper in
                // Linear space first: Σ_k Π_j f(t_kj), each box's gradient Π·(d log f/dt) where y_j is below its top.
                var total = 0.0
                for k in 0..<partition.count {
                    let product = boxProduct(k, y, lower, upper)
                    guard product > 0 else { continue }
                    total += product
                    addBoxGradient(k, weight: product, y, lower, upper, to: &gradient)
                }
                return total
            }
        }
        if linear > 1e-290 {
            for j in 0..<m { gradient[j] /= linear }
            return log(linear)
        }
        for j in 0..<m { gradient[j] = 0 }
        return logSpaceSum(partition, y, gradient: &gradient)
    }

    /// `log HVI_s(y)` without its gradient (the screening of raw candidates).
    public func logValue(sample s: Int, values y: [Double]) -> Double {
        let partition = boxes[s]
        let linear = partition.lower.withUnsafeBufferPointer { lower in
            partition.upper.withUnsafeBufferPointer { upper in
                var total = 0.0
                for k in 0..<partition.count { total += boxProduct(k, y, lower, upper) }
                return total
            }
        }
        if linear > 1e-290 { return log(linear) }
        var unused: [Double] = []
        return logSpaceSum(partition, y, gradient: &unused)
    }

    /// `Π_j f(min(y_j, uᵏ_j) − lᵏ_j)` for box `k` (0 once a factor underflows).
    @inline(__always)
    private func boxProduct(_ k: Int, _ y: [Double], _ lower: UnsafeBufferPointer<Double>,
                            _ upper: UnsafeBufferPointer<Double>) -> Double {
        let m = y.count, tau = temperature, offset = k * m
        var product = 1.0
        for j in 0..<m {
            let t = min(y[j], upper[offset + j]) - lower[offset + j]
            if t >= tau {
                product *= t
            } else {
                let e = t / tau - 1
                if e < -700 { return 0 }
                product *= tau * exp(e)
            }
        }
        return product
    }

    /// Adds `weight · ∂ log Π_j f(min(y_j, uᵏ_j) − lᵏ_j)/∂y` of box `k` to `gradient` (nonzero where y_j is below the
    /// box's top).
    @inline(__always)
    private func addBoxGradient(_ k: Int, weight: Double, _ y: [Double], _ lower: UnsafeBufferPointer<Double>,
                                _ upper: UnsafeBufferPointer<Double>, to gradient: inout [Double]) {
        let m = y.count, tau = temperature
        for j in 0..<m where y[j] < upper[k * m + j] {
            let t = y[j] - lower[k * m + j]
            gradient[j] += weight * (t >= tau ? 1 / t : 1 / tau)
        }
    }

    /// The same sum in log space, for a point far from every box (`log f(t) = log τ + t/τ − 1` below τ): one `log`
    /// per box (the factors at or above τ multiply without underflow), and boxes more than e⁻⁶⁰ below the largest
    /// term skipped in the sum. Writes the gradient when `gradient` has one entry per objective.
    private func logSpaceSum(_ partition: NondominatedBoxes, _ y: [Double], gradient: inout [Double]) -> Double {
        let count = partition.count, m = y.count, tau = temperature, logTau = log(temperature)
        guard count > 0 else { return -.infinity }
        let withGradient = gradient.count == m
        return partition.lower.withUnsafeBufferPointer { lower in
            partition.upper.withUnsafeBufferPointer { upper in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { logs in
                    var top = -Double.infinity
                    for k in 0..<count {
                        var product = 1.0, linear = 0.0
                        for j in 0..<m {
                            let z = min(y[j], upper[k * m + j]) - lower[k * m + j]
                            if z >= tau { product *= z } else { linear += logTau + z / tau - 1 }
                        }
                        let t = log(product) + linear
                        logs[k] = t
                        top = max(top, t)
                    }
                    var sum = 0.0
                    for k in 0..<count where logs[k] - top > -60 {
                        let w = exp(logs[k] - top)
                        sum += w
                        if withGradient { addBoxGradient(k, weight: w, y, lower, upper, to: &gradient) }
                    }
                    if withGradient { for j in 0..<m { gradient[j] /= sum } }
                    return top + log(sum)
                }
            }
        }
    }
}
