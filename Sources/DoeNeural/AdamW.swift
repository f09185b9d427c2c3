import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), over ``MLPParameters``.
///
/// References:
/// [1]: D. P. Kingma, J. Ba, Adam: a method for stochastic optimization, ICLR 2015.
/// [2]: I. Loshchilov, F. Hutter, Decoupled weight decay regularization, ICLR 2019.
public struct AdamW: Sendable {
    /// Step size (changed by the learning-rate schedule between steps).
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay, applied to weights only (not biases).
    public var weightDecay: Float
    private var step = 0
    private var m: [Float] = []
    private var v: [Float] = []

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
                            let (b1, b2, lr, eps) = (beta1, beta2, learningRate, epsilon)
                            var i = 0
                            // SIMD body (8 lanes), scalar tail
                            while i + 8 <= count {
                                let g = UnsafeRawPointer(pg.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                                let mp = UnsafeMutableRawPointer(pm.baseAddress! + offset + i)
                                let vp = UnsafeMutableRawPointer(pv.baseAddress! + offset + i)
                                let wp = UnsafeMutableRawPointer(pw.baseAddress! + i)
                                let m = b1 * mp.loadUnaligned(as: SIMD8<Float>.self) + (1 - b1) * g
                                let v = b2 * vp.loadUnaligned(as: SIMD8<Float>.self) + (1 - b2) * g * g
                                var w = wp.loadUnaligned(as: SIMD8<Float>.self)
                                w -= lr * ((m / c1) / ((v / c2).squareRoot() + eps) + decay * w)
                                mp.storeBytes(of: m, as: SIMD8<Float>.self)
                                vp.storeBytes(of: v, as: SIMD8<Float>.self)
                                wp.storeBytes(of: w, as: SIMD8<Float>.self)
                                i += 8
                            }
                            while i < count {
                                let g = pg[i]
                                let k = offset + i
                                pm[k] = b1 * pm[k] + (1 - b1) * g
                                pv[k] = b2 * pv[k] + (1 - b2) * g * g
                                let update = (pm[k] / c1) / ((pv[k] / c2).squareRoot() + eps)
                                pw[i] -= lr * (update + decay * pw[i])
                                i += 1
                            }
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
