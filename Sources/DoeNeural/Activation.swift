import DoeModelFormat
import Foundation

/// The activations applied element-wise over whole buffers.
extension Activation {
    static let geluC = Float((2 / Double.pi).squareRoot())

    /// Applies the activation in place.
    public func apply(_ z: inout [Float]) { z = applied(z) }

    /// The activation of `z` as a new array, in one pass (no copy of `z` first).
    public func applied(_ z: [Float]) -> [Float] {
        Array(unsafeUninitializedCapacity: z.count) { out, count in
            z.withUnsafeBufferPointer { p in
                switch self {
                case .relu: for i in p.indices { out[i] = max(p[i], 0) }
                case .tanh: for i in p.indices { out[i] = Foundation.tanh(p[i]) }
                case .silu: for i in p.indices { out[i] = p[i] / (1 + exp(-p[i])) }
                case .gelu:
                    for i in p.indices {
                        let x = p[i]
                        out[i] = 0.5 * x * (1 + Foundation.tanh(Activation.geluC * (x + 0.044715 * x * x * x)))
                    }
                }
            }
            count = z.count
        }
    }

    /// Multiplies `gradient` in place by the derivative at the pre-activations `z`.
    public func backpropagate(_ gradient: inout [Float], preActivations z: [Float]) {
        precondition(gradient.count == z.count, "activation backward: \(gradient.count) gradients for \(z.count) values")
        gradient.withUnsafeMutableBufferPointer { g in
            z.withUnsafeBufferPointer { p in
                switch self {
                case .relu:
                    // explicit SIMD: the scalar select compiled to a branchy loop that cost 30 % of a training step
                    let count = g.count
                    var i = 0
                    while i + 16 <= count {
                        let z = UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
                        var d = UnsafeRawPointer(g.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
                        d.replace(with: 0, where: z .<= 0)
                        UnsafeMutableRawPointer(g.baseAddress! + i).storeBytes(of: d, as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < count { if p[i] <= 0 { g[i] = 0 }; i += 1 }
                case .tanh: for i in g.indices { let t = Foundation.tanh(p[i]); g[i] *= 1 - t * t }
                case .silu:
                    for i in g.indices {
                        let s = 1 / (1 + exp(-p[i]))
                        g[i] *= s * (1 + p[i] * (1 - s))
                    }
                case .gelu:
                    for i in g.indices {
                        let x = p[i]
                        let u = Activation.geluC * (x + 0.044715 * x * x * x)
                        let t = Foundation.tanh(u)
                        let du = Activation.geluC * (1 + 3 * 0.044715 * x * x)
                        g[i] *= 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
                    }
                }
            }
        }
    }
}
