import DoeBase
import DoeLinalg
import DoeModelFormat
import DoeNeural
import Foundation

/// `doe export --verify`: re-reads a written file and compares its evaluation with the surrogate's own predictions.
public enum ONNXVerification {
    /// Result of a comparison.
    public struct Report: Sendable {
        /// Points compared.
        public let samples: Int
        /// Largest |ONNX − doe| per output, divided by that output's scale (its target standard deviation).
        public let maxRelativeError: Double
        /// Per graph output, the largest relative error.
        public let perOutput: [OutputError]

        /// The largest error of one output.
        public struct OutputError: Sendable {
            /// Output name.
            public let name: String
            /// Largest |ONNX − doe| over the samples, as a fraction of the output's scale.
            public let relativeError: Double
        }
    }

    /// Random points inside the training bounds (or the inputs' mean ± 2 sd when bounds are unknown).
    public static func samplePoints(for model: Surrogate, count: Int, seed: UInt64) -> Matrix<Float> {
        var rng = SplitMix64.stream(seed: seed, label: "onnx-verify")
        let d = model.inputNames.count
        var x = Matrix<Float>(rows: count, columns: d)
        for j in 0..<d {
            // without bounds: the scaler's mean ± 2 std, back through exp for an input the network takes as log
            func unscaled(_ v: Float) -> Float { model.logInputs.contains(j) ? exp(v) : v }
            let low = model.inputBounds.map { Float($0.low[j]) } ?? unscaled(model.inputScaler.mean[j] - 2 * model.inputScaler.std[j])
            let high = model.inputBounds.map { Float($0.high[j]) } ?? unscaled(model.inputScaler.mean[j] + 2 * model.inputScaler.std[j])
            for i in 0..<count { x[i, j] = low + Float(rng.nextUnit()) * (high - low) }
        }
        return x
    }

    /// Compares the serialized graph with `model.predict` on `count` random points.
    public static func verify(_ model: Surrogate, onnx data: Data, splitInputs: Bool, count: Int = 256, seed: UInt64 = 0) throws -> Report {
        let proto = try ONNXEvaluator.load(data)
        let x = samplePoints(for: model, count: count, seed: seed)
        var inputs: [String: ONNXEvaluator.Tensor] = [:]
        if splitInputs {
            for (j, name) in model.inputNames.enumerated() {
                inputs[name] = ONNXEvaluator.Tensor(rows: count, columns: 1, values: (0..<count).map { x[$0, j] })
            }
        } else {
            inputs["inputs"] = ONNXEvaluator.Tensor(rows: count, columns: x.columns,
                                                    values: (0..<count).flatMap { i in (0..<x.columns).map { x[i, $0] } })
        }
        let outputs = try ONNXEvaluator.run(proto, inputs: inputs)
        let expected = model.predict(x)
        let m = model.scalarOutputs
        var perOutput: [Report.OutputError] = []
        func compare(_ name: String, _ reference: Matrix<Float>?, scale: (Int) -> Float) throws {
            guard let reference else { return }
            guard let got = outputs[name], got.rows == reference.rows, got.columns == reference.columns else {
                throw ONNXError("the ONNX graph has no output '\(name)' of shape \(reference.rows)×\(reference.columns)")
            }
            var worst = 0.0
            for i in 0..<reference.rows {
                for j in 0..<reference.columns {
                    worst = max(worst, Double(abs(got.values[i * got.columns + j] - reference[i, j]) / max(scale(j), 1e-30)))
                }
            }
            perOutput.append(Report.OutputError(name: name, relativeError: worst))
        }
        let targetStd = model.targetScaler.std
        try compare("outputs", expected.mean) { targetStd[$0] }
        try compare("outputs_std", expected.std) { targetStd[$0] }
        if let pod = model.pod {
            // field scale: the spread of the field the POD was fitted on, through its coefficients' scale
            let coefficientScale = targetStd[m...].reduce(0) { $0 + $1 * $1 }.squareRoot()
            try compare("field", expected.field) { _ in coefficientScale / Float(pod.mean.count).squareRoot() + 1e-12 }
            try compare("field_std", expected.fieldStd) { _ in coefficientScale / Float(pod.mean.count).squareRoot() + 1e-12 }
        }
        return Report(samples: count, maxRelativeError: perOutput.map(\.relativeError).max() ?? 0, perOutput: perOutput)
    }
}
