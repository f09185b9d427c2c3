import ArgumentParser
import DoeBase
import DoeModelFormat
import DoeNeural
import DoeONNX
import Foundation

extension DoeCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a trained surrogate to ONNX (standardization, MLP, de-standardization, POD, "
                + "ensemble mean/std in one graph).",
            discussion: """
            Examples:
              doe export models/plate --onnx plate.onnx --verify
              doe export models/plate --onnx plate.onnx \\
                --opset 20 --split-inputs

            Load it in Python:
              import onnxruntime as ort, numpy as np
              s = ort.InferenceSession("plate.onnx")
              x = np.array([[10, 1.5, 200, 0.3, 100]], np.float32)
              print(s.run(None, {"inputs": x}))
            """
        )

        @Argument(help: "Model directory (from doe train).") var model: String
        @Option(help: "ONNX file to write.") var onnx: String
        @Option(help: "Operator set, 13 or newer (17 = IR 8, loadable by most runtimes; 20+ uses the standard Gelu op).")
        var opset: Int = 17
        @Flag(help: "One [batch, 1] input per parameter instead of one [batch, d] input.") var splitInputs = false
        @Flag(help: "Re-read the written file and compare its evaluation with doe's predictions on random inputs within the bounds.")
        var verify = false
        @Option(help: "Model name in the metadata (default: the directory name).") var name: String?
        @Option(help: "Model version in the metadata.") var modelVersion: Int64 = 1

        func run() throws {
            let directory = ModelDirectory(model)
            let surrogate = try directory.loadSurrogate()
            var options = ONNXExportOptions()
            options.opset = opset
            options.splitInputs = splitInputs
            options.modelName = name ?? URL(fileURLWithPath: model).lastPathComponent
            options.modelVersion = modelVersion
            options.metadata = try ONNXExportOptions.lineage(of: directory)
            let proto = try ONNXExporter.export(surrogate, options: options)
            let data = try ONNXExporter.serialize(proto)
            try data.write(to: URL(fileURLWithPath: onnx), options: .atomic)
            emit("wrote \(onnx) (\(data.count) bytes, IR \(proto.irVersion), opset \(opset), \(proto.graph.node.count) nodes)")
            if verify {
                let written = try Data(contentsOf: URL(fileURLWithPath: onnx))
                let report = try ONNXVerification.verify(surrogate, onnx: written, splitInputs: splitInputs)
                let detail = report.perOutput.map { String(format: "%@ %.2e", $0.name, $0.relativeError) }.joined(separator: ", ")
                guard report.maxRelativeError <= 1e-4 else {
                    throw ONNXError("verification failed: the ONNX graph differs from doe's predictions by up to "
                        + "\(report.maxRelativeError) of the output scale (\(detail))")
                }
                emit("verified on \(report.samples) random inputs within the bounds: "
                    + "max error \(String(format: "%.2e", report.maxRelativeError)) of the output scale (\(detail))")
            }
        }
    }
}
