import DoeBase
import DoeLinalg
import DoeModelFormat
import Foundation

/// Layer widths and activation of a multilayer perceptron (linear output layer).
public struct MLPArchitecture: Sendable, Equatable {
    /// Number of inputs.
    public let inputs: Int
    /// Hidden layer widths, e.g. `[128, 128]`.
    public let hidden: [Int]
    /// Number of outputs.
    public let outputs: Int
    /// Hidden activation.
    public let activation: Activation

    /// An architecture with the given widths; traps unless every width is positive.
    public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation) {
        precondition(inputs > 0 && outputs > 0 && hidden.allSatisfy { $0 > 0 }, "layer widths must be positive")
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        self.activation = activation
    }

    /// `[inputs] + hidden + [outputs]`.
    public var widths: [Int] { [inputs] + hidden + [outputs] }

    /// Number of weights and biases.
    public var parameterCount: Int { zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 } }
}

/// Weights and biases of every layer: `weights[l]` is `in × out` column-major, `biases[l]` has `out` entries.
public struct MLPParameters: Sendable, Equatable {
    /// One weight matrix per layer, `widths[l] × widths[l + 1]`, column-major.
    public var weights: [Matrix<Float>]
    /// One bias vector per layer, `widths[l + 1]` entries.
    public var biases: [[Float]]

    /// All parameters as one flat vector (weights then bias, layer by layer).
    public var flattened: [Float] { zip(weights, biases).flatMap { $0.0.storage + $0.1 } }

    /// Zeros shaped like `self`.
    public var zeros: MLPParameters {
        MLPParameters(weights: weights.map { Matrix(rows: $0.rows, columns: $0.columns) },
                      biases: biases.map { [Float](repeating: 0, count: $0.count) })
    }
}

/// A multilayer perceptron in single precision whose forward and backward passes are `sgemm` calls.
///
/// Batches are `n × features` column-major matrices. The forward pass of layer `l` is `Z = A·W + 1·bᵀ` (`sgemm` then
/// `sger`), followed by the activation on hidden layers; the backward pass is `dW = Aᵀ·dZ`, `db = dZᵀ·1` (`sgemv`) and
/// `dA = dZ·Wᵀ`.
public struct MLP: Sendable {
    /// Layer widths and hidden activation.
    public let architecture: MLPArchitecture
    /// Weights and biases, shaped by ``architecture``.
    public var parameters: MLPParameters

    /// A network with weights and biases drawn uniformly from `±1/√fan_in` (the default of PyTorch's `nn.Linear`,
    /// so the same architecture starts from the same scale; a He-uniform start trained measurably worse in
    /// `make bench-train`).
    public init(architecture: MLPArchitecture, seed: UInt64) {
        self.architecture = architecture
        var rng = SplitMix64.stream(seed: seed, label: "mlp-init")
        var weights: [Matrix<Float>] = []
        var biases: [[Float]] = []
        let widths = architecture.widths
        for (fanIn, fanOut) in zip(widths, widths.dropFirst()) {
            let limit = 1 / Double(fanIn).squareRoot()
            let values = (0..<(fanIn * fanOut)).map { _ in Float((2 * rng.nextUnit() - 1) * limit) }
            weights.append(Matrix(rows: fanIn, columns: fanOut, columnMajor: values))
            biases.append((0..<fanOut).map { _ in Float((2 * rng.nextUnit() - 1) * limit) })
        }
        parameters = MLPParameters(weights: weights, biases: biases)
    }

    /// A network with the given parameters (not checked against `architecture`).
    public init(architecture: MLPArchitecture, parameters: MLPParameters) {
        self.architecture = architecture
        self.parameters = parameters
    }

    /// What the backward pass needs from the forward pass.
    public struct Trace: Sendable {
        /// Layer inputs `A₀ = X, A₁, …` (post-activation).
        public var activations: [Matrix<Float>]
        /// Pre-activations `Z₁, …, Z_L`.
        public var preActivations: [Matrix<Float>]
    }

    /// Predictions for a batch (`n × inputs` → `n × outputs`).
    public func callAsFunction(_ x: Matrix<Float>) -> Matrix<Float> { forward(x).output }

    /// Forward pass keeping the intermediate values.
    public func forward(_ x: Matrix<Float>) -> (output: Matrix<Float>, trace: Trace) {
        precondition(x.columns == architecture.inputs, "MLP: batch has \(x.columns) columns, the network \(architecture.inputs) inputs")
        let ones = [Float](repeating: 1, count: x.rows)
        var a = x
        var trace = Trace(activations: [], preActivations: [])
        let last = parameters.weights.count - 1
        trace.activations.reserveCapacity(last + 1)
        trace.preActivations.reserveCapacity(last + 1)
        for l in 0...last {
            var z = Matrix.gemm(a, parameters.weights[l])
            z.addOuterProduct(ones, parameters.biases[l])
            trace.activations.append(a)
            trace.preActivations.append(z)
            a = l < last ? Matrix(rows: z.rows, columns: z.columns, columnMajor: architecture.activation.applied(z.storage)) : z
        }
        return (a, trace)
    }

    /// Mean squared error over all entries (optionally weighted per output) and its gradient.
    /// - Parameters:
    ///   - x: `n × inputs`.
    ///   - y: `n × outputs` targets.
    ///   - outputWeights: optional per-output weights of the squared errors.
    public func lossAndGradient(_ x: Matrix<Float>, _ y: Matrix<Float>,
                                outputWeights: [Float]? = nil) -> (loss: Float, gradient: MLPParameters) {
        let (prediction, trace) = forward(x)
        precondition(y.rows == prediction.rows && y.columns == prediction.columns,
                     "targets must be \(prediction.rows)×\(prediction.columns)")
        let n = x.rows, m = architecture.outputs
        let scale = 1 / Float(n * m)
        var dA = Matrix<Float>(rows: n, columns: m)
        var loss: Float = 0
        prediction.storage.withUnsafeBufferPointer { p in
            y.storage.withUnsafeBufferPointer { t in
                dA.storage.withUnsafeMutableBufferPointer { g in
                    for j in 0..<m {
                        let w = outputWeights?[j] ?? 1
                        for i in 0..<n {
                            let k = i + j * n
                            let e = p[k] - t[k]
                            loss += w * e * e
                            g[k] = 2 * w * e * scale
                        }
                    }
                }
            }
        }
        var weightGradients: [Matrix<Float>] = []
        var biasGradients: [[Float]] = []
        let ones = [Float](repeating: 1, count: n)
        for l in stride(from: parameters.weights.count - 1, through: 0, by: -1) {
            // dA becomes dZ in place (no copy): it is not needed afterwards
            if l < parameters.weights.count - 1 {
                architecture.activation.backpropagate(&dA.storage, preActivations: trace.preActivations[l].storage)
            }
            weightGradients.append(Matrix.gemm(trace.activations[l], dA, transposeA: true))
            biasGradients.append(dA.gemv(ones, transpose: true))
            if l > 0 { dA = Matrix.gemm(dA, parameters.weights[l], transposeB: true) }
        }
        return (loss * scale, MLPParameters(weights: weightGradients.reversed(), biases: biasGradients.reversed()))
    }
}

extension MLPParameters {
    /// Parameters shaped like `template` from a flat vector in ``flattened`` order.
    public init(flattened values: [Float], like template: MLPParameters) {
        precondition(values.count == template.flattened.count, "expected \(template.flattened.count) values, got \(values.count)")
        var offset = 0
        var weights: [Matrix<Float>] = []
        var biases: [[Float]] = []
        for (w, b) in zip(template.weights, template.biases) {
            weights.append(Matrix(rows: w.rows, columns: w.columns, columnMajor: Array(values[offset..<(offset + w.storage.count)])))
            offset += w.storage.count
            biases.append(Array(values[offset..<(offset + b.count)]))
            offset += b.count
        }
        self.init(weights: weights, biases: biases)
    }
}
