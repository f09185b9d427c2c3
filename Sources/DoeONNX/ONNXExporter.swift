import DoeBase
import DoeLinalg
import DoeModelFormat
import DoeNeural
import Foundation
import SwiftProtobuf

/// Settings of `doe export`.
public struct ONNXExportOptions: Sendable {
    /// Operator set (≥ 13). 17 with IR 8 is the most widely loadable choice; from 20 on, GELU is the standard op.
    public var opset: Int = 17
    /// One `[batch, 1]` input per parameter instead of one `[batch, d]` input.
    public var splitInputs = false
    /// Model name and version for the metadata.
    public var modelName = "doe-surrogate"
    /// Model version for the metadata (`model_version` and the ModelProto's `model_version`).
    public var modelVersion: Int64 = 1
    /// Extra `metadata_props` entries.
    public var metadata: [(String, String)] = []

    /// The defaults: opset 17, one `inputs` tensor, model `doe-surrogate` version 1, no extra metadata.
    public init() {}
}

/// The domain of ``ONNXError``.
public enum ONNXErrorDomain: ErrorDomain {
    /// invalidValue unless the thrower says otherwise.
    public static var defaultKind: ErrorKind { .invalidValue }
    /// `onnx.invalid`.
    public static var code: String { "onnx.invalid" }
}

/// An export that cannot be made.
public typealias ONNXError = DomainError<ONNXErrorDomain>

/// Writes a trained ``Surrogate`` as one ONNX graph: input standardization, the MLP (Gemm + activation nodes),
/// target de-standardization, the POD reconstruction of field outputs (MatMul + Add), and for ensembles the mean and
/// standard deviation across members as separate outputs.
///
/// Outputs: `outputs` `[batch, m]` (scalar outputs in the order of `doc_string`), `outputs_std` (ensembles),
/// `field` `[batch, p]` and `field_std` (field models). Input: `inputs` `[batch, d]`, or one input per parameter
/// with ``ONNXExportOptions/splitInputs``.
public enum ONNXExporter {
    /// The ONNX model of `model` (inputs and outputs as described above), with doe's metadata and `options.metadata`.
    /// - Throws: ``ONNXError`` for an opset below 13.
    public static func export(_ model: Surrogate, options: ONNXExportOptions = ONNXExportOptions()) throws -> Onnx_ModelProto {
        guard options.opset >= 13 else { throw ONNXError("--opset \(options.opset): doe exports opset 13 or newer") }
        var g = GraphBuilder()
        let d = model.inputNames.count
        var graphInputs: [Onnx_ValueInfoProto] = []
        var x: String
        let order = "parameter order: " + model.inputNames.enumerated().map { index, name in
            let unit = model.inputUnits.map { " [\($0[index])]" } ?? ""
            let levels = model.inputLevels[name].map { levels in
                " (level index: " + levels.enumerated().map { "\($0) \($1)" }.joined(separator: ", ") + ")"
            }
            return "\(index): \(name)\(unit)\(levels ?? "")"
        }.joined(separator: ", ")
        if options.splitInputs {
            var parts: [String] = []
            for name in model.inputNames {
                graphInputs.append(GraphBuilder.matrixValue(name, width: 1, doc: "parameter \(name)"))
                parts.append(name)
            }
            x = g.node("Concat", parts, attributes: [GraphBuilder.intAttribute("axis", 1)])
        } else {
            graphInputs.append(GraphBuilder.matrixValue("inputs", width: d, doc: order))
            x = "inputs"
        }
        if !model.logInputs.isEmpty {
            // log inputs: x·(1 − mask) + log(max(x, tiny))·mask, the mask 1 on those columns (exact in float32 on both
            // kinds of column; Max keeps the other columns' logarithm finite, so 0·it stays 0)
            let isLog = (0..<d).map { model.logInputs.contains($0) }
            let mask = g.constant("log_mask", isLog.map { $0 ? 1 : 0 }, dims: [1, d])
            let keep = g.constant("linear_mask", isLog.map { $0 ? 0 : 1 }, dims: [1, d])
            let logged = g.node("Log", [g.node("Max", [x, g.constant("log_floor", [Float.leastNormalMagnitude], dims: [1])])])
            x = g.node("Add", [g.node("Mul", [x, keep]), g.node("Mul", [logged, mask])])
        }
        let inMean = g.constant("input_mean", model.inputScaler.mean, dims: [1, d])
        let inStd = g.constant("input_std", model.inputScaler.std, dims: [1, d])
        let z = g.node("Div", [g.node("Sub", [x, inMean]), inStd])

        let targetWidth = model.targetScaler.mean.count
        let outMean = g.constant("target_mean", model.targetScaler.mean, dims: [1, targetWidth])
        let outStd = g.constant("target_std", model.targetScaler.std, dims: [1, targetWidth])
        let m = model.scalarOutputs
        var scalarOutputs: [String] = []
        var fieldOutputs: [String] = []
        var podBasis: String?, podMean: String?
        if let pod = model.pod {
            // basisᵀ as k × p row-major = the column-major p × k storage read row by row
            var basisT = [Float](repeating: 0, count: pod.modes * pod.mean.count)
            for r in 0..<pod.modes { for c in 0..<pod.mean.count { basisT[r * pod.mean.count + c] = pod.basis[c, r] } }
            podBasis = g.constant("pod_basis_t", basisT, dims: [pod.modes, pod.mean.count])
            podMean = g.constant("pod_mean", pod.mean, dims: [1, pod.mean.count])
        }
        for (k, member) in model.members.enumerated() {
            var h = z
            let layers = member.parameters.weights.count
            for l in 0..<layers {
                let w = member.parameters.weights[l]   // in × out column-major = W stored transposed row-major
                var rowMajor = [Float](repeating: 0, count: w.rows * w.columns)
                for i in 0..<w.rows { for j in 0..<w.columns { rowMajor[i * w.columns + j] = w[i, j] } }
                let wName = g.constant("m\(k)_w\(l)", rowMajor, dims: [w.rows, w.columns])
                let bName = g.constant("m\(k)_b\(l)", member.parameters.biases[l], dims: [w.columns])
                h = g.node("Gemm", [h, wName, bName])
                if l < layers - 1 { h = try activation(member.architecture.activation, h, &g, opset: options.opset) }
            }
            let targets = g.node("Add", [g.node("Mul", [h, outStd]), outMean])
            if let podBasis, let podMean {
                scalarOutputs.append(slice(targets, 0, m, &g))
                let coefficients = slice(targets, m, targetWidth, &g)
                fieldOutputs.append(g.node("Add", [g.node("MatMul", [coefficients, podBasis]), podMean]))
            } else {
                scalarOutputs.append(targets)
            }
        }
        var graphOutputs: [Onnx_ValueInfoProto] = []
        let outputDoc = "columns: " + model.outputNames.enumerated().map { k, name in
            name + (model.outputUnits.flatMap { k < $0.count && !$0[k].isEmpty ? " [\($0[k])]" : nil } ?? "")
        }.joined(separator: ", ")
        aggregate(scalarOutputs, meanName: "outputs", stdName: "outputs_std", calibration: model.calibration?.outputs, &g)
        graphOutputs.append(GraphBuilder.matrixValue("outputs", width: m,
                                                     doc: outputDoc + (model.members.count > 1 ? " (ensemble mean)" : "")))
        if model.members.count > 1 {
            graphOutputs.append(GraphBuilder.matrixValue("outputs_std", width: m, doc: outputDoc
                + (model.calibration == nil ? " (ensemble standard deviation)" : " (calibrated ensemble standard deviation)")))
        }
        if let pod = model.pod {
            aggregate(fieldOutputs, meanName: "field", stdName: "field_std", calibration: model.calibration?.field.map { [$0] }, &g)
            graphOutputs.append(GraphBuilder.matrixValue("field", width: pod.mean.count,
                                                         doc: "reconstructed field (\(pod.modes) POD modes)"))
            if model.members.count > 1 {
                let doc = (model.calibration?.field == nil ? "field" : "field calibrated") + " ensemble standard deviation"
                graphOutputs.append(GraphBuilder.matrixValue("field_std", width: pod.mean.count, doc: doc))
            }
        }

        var graph = Onnx_GraphProto()
        graph.name = options.modelName
        graph.node = g.nodes
        graph.initializer = g.initializers
        graph.input = graphInputs
        graph.output = graphOutputs
        graph.docString = order
        var modelProto = Onnx_ModelProto()
        modelProto.irVersion = options.opset >= 21 ? 10 : (options.opset >= 19 ? 9 : 8)
        modelProto.producerName = "doe"
        modelProto.producerVersion = DoeVersion.current
        modelProto.modelVersion = options.modelVersion
        modelProto.docString = "doe surrogate \(options.modelName): \(order); \(outputDoc)"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(options.opset)
        modelProto.opsetImport = [opset]
        modelProto.graph = graph
        var props: [(String, String)] = [("doe_version", DoeVersion.current), ("model_name", options.modelName),
                                         ("model_version", String(options.modelVersion)),
                                         ("parameter_names", model.inputNames.joined(separator: ",")),
                                         ("output_names", model.outputNames.joined(separator: ","))]
        if let units = model.inputUnits { props.append(("parameter_units", units.joined(separator: ","))) }
        if let units = model.outputUnits { props.append(("output_units", units.joined(separator: ","))) }
        if !model.inputLevels.isEmpty {   // catalyst=Pt|Pd|Rh: the column holds the index of the level
            props.append(("categorical_inputs", model.inputNames.compactMap { name in
                model.inputLevels[name].map { "\(name)=" + $0.joined(separator: "|") }
            }.joined(separator: ",")))
        }
        if let b = model.inputBounds {
            props.append(("parameter_low", b.low.map { "\($0)" }.joined(separator: ",")))
            props.append(("parameter_high", b.high.map { "\($0)" }.joined(separator: ",")))
        }
        props += options.metadata
        var seen = Set<String>()
        modelProto.metadataProps = props.filter { seen.insert($0.0).inserted }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return modelProto
    }

    /// Serialized bytes of `model` (a plain ONNX file: the ModelProto, no header).
    public static func serialize(_ model: Onnx_ModelProto) throws -> Data { try model.serializedData() }

    static func activation(_ a: Activation, _ x: String, _ g: inout GraphBuilder, opset: Int) throws -> String {
        switch a {
        case .relu: return g.node("Relu", [x])
        case .tanh: return g.node("Tanh", [x])
        case .silu: return g.node("Mul", [x, g.node("Sigmoid", [x])])
        case .gelu:
            if opset >= 20 { return g.node("Gelu", [x], attributes: [GraphBuilder.stringAttribute("approximate", "tanh")]) }
            // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
            let cube = g.node("Mul", [g.node("Mul", [x, x]), x])
            let inner = g.node("Add", [x, g.node("Mul", [cube, g.constant("gelu_a", [0.044715], dims: [1])])])
            let t = g.node("Tanh", [g.node("Mul", [inner, g.constant("gelu_c", [Float((2 / Double.pi).squareRoot())], dims: [1])])])
            let onePlus = g.node("Add", [t, g.constant("one", [1], dims: [1])])
            return g.node("Mul", [g.node("Mul", [x, onePlus]), g.constant("half", [0.5], dims: [1])])
        }
    }

    static func slice(_ x: String, _ start: Int, _ end: Int, _ g: inout GraphBuilder) -> String {
        g.node("Slice", [x, g.int64Constant("starts", [Int64(start)]), g.int64Constant("ends", [Int64(end)]), g.int64Constant("axes", [1])])
    }

    /// Mean (named `meanName`) and, for several members, the sample standard deviation (`stdName`), calibrated as
    /// `√(scale·variance + floor)` when `calibration` gives one `(scale, floor)` per column (or one for all columns).
    static func aggregate(_ members: [String], meanName: String, stdName: String,
                          calibration: [UncertaintyCalibration.Variance]? = nil, _ g: inout GraphBuilder) {
        if members.count == 1 {
            g.node("Identity", [members[0]], output: meanName)
            return
        }
        let sum = g.node("Sum", members)
        let mean = g.node("Mul", [sum, g.constant("inv_k", [1 / Float(members.count)], dims: [1])], output: meanName)
        let squares = members.map { m -> String in
            let d = g.node("Sub", [m, mean])
            return g.node("Mul", [d, d])
        }
        var variance = g.node("Mul", [g.node("Sum", squares), g.constant("inv_k1", [1 / Float(members.count - 1)], dims: [1])])
        if let calibration, !calibration.isEmpty {
            let dims = calibration.count == 1 ? [1] : [1, calibration.count]
            let scale = g.constant("calibration_scale", calibration.map { Float($0.scale) }, dims: dims)
            variance = g.node("Add", [g.node("Mul", [variance, scale]),
                                      g.constant("calibration_floor", calibration.map { Float($0.floor) }, dims: dims)])
        }
        g.node("Sqrt", [variance], output: stdName)
    }
}
