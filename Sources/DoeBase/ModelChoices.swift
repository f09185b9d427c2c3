/// Names a space file or an option may choose for the models; the GP and the optimizer implement them.

/// Stationary ARD kernels `k(x, x') = s²·φ(r²)` with `r² = Σⱼ (xⱼ − x'ⱼ)² / ℓⱼ²`.
///
/// Both gradients the GP needs come from one radial function `ψ(r²) = −2·φ'(r²)`:
/// `∂k/∂x'ⱼ = −s²·ψ·(x'ⱼ − xⱼ)/ℓⱼ²` and `∂k/∂log ℓⱼ = s²·ψ·(xⱼ − x'ⱼ)²/ℓⱼ²`.
public enum KernelKind: String, Sendable, CaseIterable {
    /// Matérn ν = 5/2: `φ = (1 + √5 r + 5r²/3)·e^{−√5 r}`, `ψ = (5/3)(1 + √5 r)·e^{−√5 r}`.
    /// Twice differentiable; the default.
    case matern52
    /// Squared exponential (RBF): `φ = e^{−r²/2}`, `ψ = e^{−r²/2}`.
    case squaredExponential = "rbf"
}

/// The acquisition functions `doe suggest --acquisition` offers.
public enum AcquisitionKind: String, Sendable, CaseIterable {
    /// Log expected improvement over the best posterior mean at the observed points (noise-aware incumbent).
    case logei
    /// Monte Carlo log noisy expected improvement: improvement over the best *sampled* value at the observed points,
    /// jointly over the batch (for noisy objectives).
    case qlognei
    /// Upper confidence bound `μ + κ·σ` (κ = 2 in standardized units).
    case ucb
    /// Monte Carlo log noisy expected hypervolume improvement over the sampled Pareto front, jointly over the batch
    /// (2–4 objectives; the default for them).
    case qlognehvi
}

/// What a study is for (`goal:` in the space file, `doe suggest --goal`).
public enum StudyGoal: String, Sendable, CaseIterable {
    /// Find the best design (Bayesian optimization of the objectives): the default.
    case optimize
    /// Learn the outputs over the whole space (a simulation campaign feeding a surrogate): batches that most reduce
    /// the models' integrated posterior variance, kept apart from each other and from every trial.
    case learn
}
