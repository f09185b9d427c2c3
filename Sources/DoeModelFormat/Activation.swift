import Foundation

/// Hidden-layer activations (the element-wise functions are in DoeNeural).
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// `max(x, 0)`.
    case relu
    /// Hyperbolic tangent.
    case tanh
    /// `x·σ(x)` (swish).
    case silu
    /// Gaussian error linear unit, tanh approximation `½x(1 + tanh(√(2/π)(x + 0.044715x³)))` (the form ONNX opset 20
    /// and PyTorch's `approximate="tanh"` use).
    case gelu
}
