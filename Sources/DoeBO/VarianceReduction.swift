import DoeDesign
import DoeGP
import DoeLinalg
import Foundation

/// One point of an active-learning batch and what it did to the models' uncertainty.
public struct LearningPick: Sendable {
    /// Row of the chosen candidate in the candidate matrix.
    public let candidate: Int
    /// Per model: the posterior variance averaged over the reference points before this pick, as a fraction of the
    /// model's signal variance (1 = nothing known, 0 = the function known everywhere).
    public let integratedVarianceBefore: [Double]
    /// Per model: the same after this pick (the variance depends on where, not on what, is observed).
    public let integratedVarianceAfter: [Double]
    /// Per model: the posterior variance at the chosen point before the pick, as a fraction of the signal variance.
    public let pointVariance: [Double]
    /// The smallest distance (unit-cube features) from this point to every trial and earlier pick that was enforced:
    /// the requested one, or a fraction of it when no candidate was that far from everything.
    public let enforcedDistance: Double
}

/// Integrated-variance-reduction batches for active learning (`goal: learn`): each pick is the candidate whose
/// observation would most reduce the posterior variance integrated over the space, summed over the models (each as a
/// fraction of its signal variance, so every metric counts alike), then the models are conditioned on it and the next
/// pick is made. For a GP with covariance `kₙ` after `n` observations, observing `x` (noise `σ²`) lowers the variance
/// at `r` by `kₙ(r, x)² / (kₙ(x, x) + σ²)`, so the reduction is largest where the model is uncertain *and* the point
/// informs much of the space (it is not the largest-variance point, which sits in a corner). A hard diversity term
/// keeps every pick at least `minDistance` from the trials, the pending trials and the earlier picks.
///
/// All updates are exact rank-one downdates of `kₙ(C, R)` (candidates × reference points), in BLAS.
public enum VarianceReductionBatch {
    /// Picks `count` candidates greedily.
    /// - Parameters:
    ///   - models: GPs on the unit-cube features (standardized outputs), one per learned metric.
    ///   - candidates: `c × D` candidate features; `reference`: `r × D` points the variance is averaged over.
    ///   - pending: features of trials suggested but not observed: conditioned on (their variance counts as removed).
    ///   - occupied: features of every trial (completed, pending, failed) the distance rule keeps picks away from.
    ///   - minDistance: smallest Euclidean distance in feature space between a pick and anything occupied or picked;
    ///     halved (down to 1/64 of it, then 0) while no candidate satisfies it.
    /// - Returns: at most `count` picks (fewer when the candidates run out), in order.
    public static func select(models: [GaussianProcess], candidates: Matrix<Double>, reference: Matrix<Double>,
                              pending: [[Double]], occupied: [[Double]], count: Int, minDistance: Double) -> [LearningPick] {
        precondition(!models.isEmpty, "variance reduction needs at least one model")
        let c = candidates.rows, r = reference.rows
        guard c > 0, r > 0, count > 0 else { return [] }
        var states = models.map { model -> ModelState in
            var gp = model
            for x in pending { gp = gp.conditioned(on: x, value: 0) }
            return ModelState(gp: gp, candidates: candidates, reference: reference)
        }
        var nearest = [Double](repeating: .infinity, count: c)
        for point in occupied { updateNearest(&nearest, candidates: candidates, point: point) }
        var available = [Bool](repeating: true, count: c)
        var picks: [LearningPick] = []
        while picks.count < count {
            var scores = [Double](repeating: 0, count: c)
            for s in states { s.addScores(into: &scores) }
            var chosen: Int?
            var distance = minDistance
            while chosen == nil {
                var best = -Double.infinity
                for i in 0..<c where available[i] && nearest[i] >= distance && scores[i] > best {
                    best = scores[i]
                    chosen = i
                }
                if chosen == nil {
                    if distance == 0 { break }
                    distance = distance > minDistance / 64 ? distance / 2 : 0
                }
            }
            guard let j = chosen else { break }
            let before = states.map(\.integratedVariance)
            let atPoint = states.map { $0.candidateVariance[j] / $0.signalVariance }
            for k in states.indices { states[k].observe(candidate: j, candidates: candidates) }
            available[j] = false
            updateNearest(&nearest, candidates: candidates, point: (0..<candidates.columns).map { candidates[j, $0] })
            picks.append(LearningPick(candidate: j, integratedVarianceBefore: before,
                                      integratedVarianceAfter: states.map(\.integratedVariance), pointVariance: atPoint,
                                      enforcedDistance: distance))
        }
        return picks
    }

    /// The posterior variance averaged over `reference`, as a fraction of the signal variance, per model.
    public static func integratedVariance(of models: [GaussianProcess], over reference: Matrix<Double>) -> [Double] {
        models.map { gp in
            let variance = gp.posterior(at: reference).variance
            return variance.reduce(0, +) / Double(max(variance.count, 1)) / gp.hyperparameters.signalVariance
        }
    }

    private static func updateNearest(_ nearest: inout [Double], candidates: Matrix<Double>, point: [Double]) {
        let c = candidates.rows, d = candidates.columns
        candidates.storage.withUnsafeBufferPointer { p in
            for i in 0..<c {
                var s = 0.0
                for k in 0..<d { let t = p[i + k * c] - point[k]; s += t * t }
                nearest[i] = min(nearest[i], s.squareRoot())
            }
        }
    }

    /// One model's posterior covariances between candidates and reference points, kept current pick by pick.
    struct ModelState {
        let gp: GaussianProcess
        let signalVariance: Double
        let noiseVariance: Double
        /// `L⁻¹ k(X, C)`, `n × c`: gives `kₙ(C, x)` for a candidate `x` without the `c × c` matrix.
        let whitenedCandidates: Matrix<Double>
        /// `kₙ(C, R)` after the picks so far, `c × r`.
        var candidateReference: Matrix<Double>
        /// `kₙ(c, c)` per candidate.
        var candidateVariance: [Double]
        /// `kₙ(r, r)` per reference point.
        var referenceVariance: [Double]
        /// The picks' rank-one terms: `u = kₙ(C, x)` before the pick and `kₙ(x, x) + σ²`.
        var downdates: [(u: [Double], denominator: Double)] = []

        init(gp: GaussianProcess, candidates: Matrix<Double>, reference: Matrix<Double>) {
            self.gp = gp
            signalVariance = gp.hyperparameters.signalVariance
            noiseVariance = gp.hyperparameters.noiseVariance
            let lower = gp.cholesky.lower
            whitenedCandidates = lower.solveLowerTriangular(gp.kernelMatrix(gp.inputs, candidates))
            let whitenedReference = lower.solveLowerTriangular(gp.kernelMatrix(gp.inputs, reference))
            candidateReference = Matrix.gemm(whitenedCandidates, whitenedReference, transposeA: true, alpha: -1, beta: 1,
                                             adding: gp.kernelMatrix(candidates, reference))
            let floor = 1e-12 * signalVariance
            candidateVariance = ModelState.columnVariances(whitenedCandidates, signal: signalVariance, floor: floor)
            referenceVariance = ModelState.columnVariances(whitenedReference, signal: signalVariance, floor: floor)
        }

        static func columnVariances(_ v: Matrix<Double>, signal: Double, floor: Double) -> [Double] {
            let n = v.rows
            return v.storage.withUnsafeBufferPointer { p in
                (0..<v.columns).map { j in
                    var s = 0.0
                    for i in 0..<n { s += p[i + j * n] * p[i + j * n] }
                    return max(signal - s, floor)
                }
            }
        }

        /// Mean reference variance over the signal variance.
        var integratedVariance: Double {
            referenceVariance.reduce(0, +) / Double(max(referenceVariance.count, 1)) / signalVariance
        }

        /// Adds each candidate's integrated variance reduction (fraction of the signal variance) to `scores`.
        func addScores(into scores: inout [Double]) {
            let c = candidateReference.rows, r = candidateReference.columns
            var squares = [Double](repeating: 0, count: c)
            candidateReference.storage.withUnsafeBufferPointer { p in
                for k in 0..<r {
                    let base = k * c
                    for i in 0..<c { squares[i] += p[base + i] * p[base + i] }
                }
            }
            let scale = 1 / (Double(r) * signalVariance)
            for i in 0..<c { scores[i] += scale * squares[i] / (candidateVariance[i] + noiseVariance) }
        }

        /// Conditions on an observation at candidate `j` (exact rank-one downdates of every kept covariance).
        mutating func observe(candidate j: Int, candidates: Matrix<Double>) {
            let c = candidates.rows, r = candidateReference.columns
            let x = Matrix(rows: 1, columns: candidates.columns, columnMajor: (0..<candidates.columns).map { candidates[j, $0] })
            var u = gp.kernelMatrix(candidates, x).storage
            let vj = Array(whitenedCandidates.storage[(j * whitenedCandidates.rows)..<((j + 1) * whitenedCandidates.rows)])
            u = whitenedCandidates.gemv(vj, transpose: true, alpha: -1, beta: 1, adding: u)
            for d in downdates {
                let f = d.u[j] / d.denominator
                for i in 0..<c { u[i] -= f * d.u[i] }
            }
            let denominator = max(candidateVariance[j], 1e-12 * signalVariance) + noiseVariance
            let w = (0..<r).map { candidateReference[j, $0] }
            candidateReference.addOuterProduct(u, w, alpha: -1 / denominator)
            let floor = 1e-12 * signalVariance
            for i in 0..<c { candidateVariance[i] = max(candidateVariance[i] - u[i] * u[i] / denominator, floor) }
            for k in 0..<r { referenceVariance[k] = max(referenceVariance[k] - w[k] * w[k] / denominator, floor) }
            downdates.append((u, denominator))
        }
    }
}
