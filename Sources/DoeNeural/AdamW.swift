import CDoeSupport
import DoeModelFormat
import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), over ``MLPParameters``.
///
/// References:
/// [1]: D. P. Kingma, J. Ba, Adam: a method for stochastic optimization, ICLR 2015.
/// [2]: I. Loshchilov, F. Hutter, Decoupled weight decay regularization, ICLR 2019.
public struct AdamW: Sendable {
    /// Step size (changed by the learning-rate schedule between steps).
    public var learningRate: Float
    /// Decay rate of the first-moment (mean) estimate.
    public var beta1: Float = 0.9
    /// Decay rate of the second-moment (uncentred variance) estimate.
    public var beta2: Float = 0.999
    /// Added to the square root of the second moment to avoid division by zero.
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay, applied to weights only (not biases).
    public var weightDecay: Float
    private var step = 0
    private var m: [Float] = []
    private var v: [Float] = []

    /// An optimiser with zero moment estimates; they are sized on the first ``update(_:gradient:)``.
    public init(learningRate: Float = 1e-3, weightDecay: Float = 1e-4) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// One update of `parameters` with `gradient`.
    public mutating func update(_ parameters: inout MLPParameters, gradient: MLPParameters) {
        step += 1
        let total = zip(parameters.weights, parameters.biases).reduce(0) { $0 + $1.0.storage.count + $1.1.count }
        if m.count != total {
            m = [Float](repeating: 0, count: total)
            v = [Float](repeating: 0, count: total)
        }
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        var offset = 0
        func apply(_ values: inout [Float], _ grads: [Float], decay: Float) {
            let count = values.count
            m.withUnsafeMutableBufferPointer { pm in
                v.withUnsafeMutableBufferPointer { pv in
                    values.withUnsafeMutableBufferPointer { pw in
                        grads.withUnsafeBufferPointer { pg in
                            doe_adamw_step(pw.baseAddress!, pg.baseAddress!, pm.baseAddress! + offset, pv.baseAddress! + offset, count,
                                           beta1, beta2, learningRate, epsilon, c1, c2, decay)
                        }
                    }
                }
            }
            offset += count
        }
        for l in parameters.weights.indices {
            apply(&parameters.weights[l].storage, gradient.weights[l].storage, decay: weightDecay)
            apply(&parameters.biases[l], gradient.biases[l], decay: 0)
        }
    }
}
