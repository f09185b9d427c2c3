import DoeLinalg
import Foundation

extension MLP {
    /// The outputs at one input `z` (`inputs` entries, the network's units) and their Jacobian, row-major
    /// `outputs × inputs` (`jacobian[j * inputs + k] = ∂yⱼ/∂zₖ`).
    ///
    /// One batched backward pass: the point is repeated once per output and the output gradient is the identity, so
    /// row `j` of the input gradient is `∇yⱼ` (`sgemm` calls, as in training).
    public func outputsAndJacobian(at z: [Float]) -> (outputs: [Float], jacobian: [Float]) {
        let d = architecture.inputs, m = architecture.outputs
        precondition(z.count == d, "MLP: \(z.count) inputs for a network of \(d)")
        var x = Matrix<Float>(rows: m, columns: d)
        for k in 0..<d { for j in 0..<m { x.storage[j + k * m] = z[k] } }
        let (output, trace) = forward(x)
        var dA = Matrix<Float>(rows: m, columns: m)
        for j in 0..<m { dA.storage[j + j * m] = 1 }
        let last = parameters.weights.count - 1
        for l in stride(from: last, through: 0, by: -1) {
            if l < last { architecture.activation.backpropagate(&dA.storage, preActivations: trace.preActivations[l].storage) }
            dA = Matrix.gemm(dA, parameters.weights[l], transposeB: true)
        }
        var jacobian = [Float](repeating: 0, count: m * d)
        for j in 0..<m { for k in 0..<d { jacobian[j * d + k] = dA.storage[j + k * m] } }
        return ((0..<m).map { output.storage[$0 * m] }, jacobian)
    }
}

/// Each member's scalar outputs at one point and their gradients, in the model's units.
public struct MemberGradients: Sendable {
    /// `outputs[member][j]`: output `j` of a member, in the output's unit.
    public var outputs: [[Double]]
    /// `gradients[member][j][k]`: `∂yⱼ/∂xₖ` of a member, in output units per input unit.
    public var gradients: [[[Double]]]
}

extension Surrogate {
    /// Every member's scalar outputs at `x` (one value per input, the inputs' units) and their gradients with respect
    /// to `x`, through the input and target scalers.
    public func memberGradients(at x: [Double]) -> MemberGradients {
        let d = inputNames.count, m = scalarOutputs
        precondition(x.count == d, "\(x.count) values for \(d) inputs")
        let z = inputScaler.apply(networkInputs(Matrix<Float>([x.map { Float($0) }]))).storage
        // ∂z/∂x: 1/σ, and 1/(σ·x) for a log input
        let dz = (0..<d).map { 1 / Double(inputScaler.std[$0]) / (logInputs.contains($0) ? x[$0] : 1) }
        var outputs: [[Double]] = [], gradients: [[[Double]]] = []
        for member in members {
            let (t, jacobian) = member.outputsAndJacobian(at: z)
            let width = member.architecture.inputs
            outputs.append((0..<m).map { Double(t[$0]) * Double(targetScaler.std[$0]) + Double(targetScaler.mean[$0]) })
            gradients.append((0..<m).map { j in
                (0..<d).map { k in Double(jacobian[j * width + k]) * Double(targetScaler.std[j]) * dz[k] }
            })
        }
        return MemberGradients(outputs: outputs, gradients: gradients)
    }
}
