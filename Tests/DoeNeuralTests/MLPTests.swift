import DoeLinalg
import DoeModelFormat
@testable import DoeNeural
import Foundation
import Testing

func randomBatch(rows: Int, columns: Int, seed: UInt64) -> Matrix<Float> {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    let values = (0..<(rows * columns)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Double(state >> 11) * 0x1.0p-53) * 2 - 1
    }
    return Matrix(rows: rows, columns: columns, columnMajor: values)
}

@Suite struct MLPTests {
    @Test(arguments: Activation.allCases)
    func activationDerivativesMatchFiniteDifferences(activation: Activation) {
        let points: [Float] = [-2.5, -1.1, -0.3, 0.2, 0.7, 1.9]
        var gradient = [Float](repeating: 1, count: points.count)
        activation.backpropagate(&gradient, preActivations: points)
        for (i, x) in points.enumerated() {
            // central difference in double precision of the float function
            let h: Float = 1e-3
            var up = [x + h], down = [x - h]
            activation.apply(&up)
            activation.apply(&down)
            let numeric = (up[0] - down[0]) / (2 * h)
            #expect(abs(numeric - gradient[i]) < 2e-3, "\(activation) at \(x): analytic \(gradient[i]) numeric \(numeric)")
        }
    }

    @Test(arguments: Activation.allCases)
    func backpropagationMatchesFiniteDifferences(activation: Activation) {
        let net = MLP(architecture: MLPArchitecture(inputs: 3, hidden: [5, 4], outputs: 2, activation: activation), seed: 7)
        let x = randomBatch(rows: 6, columns: 3, seed: 1)
        let y = randomBatch(rows: 6, columns: 2, seed: 2)
        let weights: [Float] = [1, 0.5]
        let (_, gradient) = net.lossAndGradient(x, y, outputWeights: weights)
        let analytic = gradient.flattened
        let theta = net.parameters.flattened
        for k in 0..<theta.count {
            let h: Float = 1e-2
            var up = theta, down = theta
            up[k] += h
            down[k] -= h
            let lossUp = MLP(architecture: net.architecture, parameters: MLPParameters(flattened: up, like: net.parameters)).lossAndGradient(x, y, outputWeights: weights).loss
            let lossDown = MLP(architecture: net.architecture, parameters: MLPParameters(flattened: down, like: net.parameters)).lossAndGradient(x, y, outputWeights: weights).loss
            let numeric = (lossUp - lossDown) / (2 * h)
            #expect(abs(numeric - analytic[k]) <= 2e-3 + 3e-2 * abs(analytic[k]), "\(activation) parameter \(k): analytic \(analytic[k]) numeric \(numeric)")
        }
    }

    @Test func forwardMatchesALoopImplementation() {
        let net = MLP(architecture: MLPArchitecture(inputs: 2, hidden: [3], outputs: 1, activation: .tanh), seed: 3)
        let x = randomBatch(rows: 4, columns: 2, seed: 5)
        let out = net(x)
        let w0 = net.parameters.weights[0], w1 = net.parameters.weights[1]
        for i in 0..<4 {
            var hidden = [Float](repeating: 0, count: 3)
            for j in 0..<3 { hidden[j] = tanh(x[i, 0] * w0[0, j] + x[i, 1] * w0[1, j] + net.parameters.biases[0][j]) }
            let expected = (0..<3).reduce(net.parameters.biases[1][0]) { $0 + hidden[$1] * w1[$1, 0] }
            #expect(abs(out[i, 0] - expected) < 1e-5)
        }
    }

    @Test func adamWReducesTheLossAndIsReproducible() {
        func train(seed: UInt64) -> (first: Float, last: Float, parameters: [Float]) {
            var net = MLP(architecture: MLPArchitecture(inputs: 2, hidden: [32, 32], outputs: 1, activation: .silu), seed: seed)
            let x = randomBatch(rows: 256, columns: 2, seed: 11)
            var y = Matrix<Float>(rows: 256, columns: 1)
            for i in 0..<256 { y[i, 0] = sin(3 * x[i, 0]) + x[i, 1] * x[i, 1] }
            var optimizer = AdamW(learningRate: 3e-3, weightDecay: 1e-4)
            var first: Float = 0, last: Float = 0
            for step in 0..<400 {
                let (loss, gradient) = net.lossAndGradient(x, y)
                if step == 0 { first = loss }
                last = loss
                optimizer.update(&net.parameters, gradient: gradient)
            }
            return (first, last, net.parameters.flattened)
        }
        let a = train(seed: 1), b = train(seed: 1)
        #expect(a.last < a.first / 20, "loss \(a.first) → \(a.last)")
        #expect(a.parameters == b.parameters, "same seed, same weights")
    }
}
