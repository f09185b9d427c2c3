import DoeModelFormat
import Foundation
import SwiftProtobuf

/// A small reference evaluator for the graphs ``ONNXExporter`` writes (float32, 2-D values with row broadcasting),
/// used by `doe export --verify` to check a written file against doe's own predictions without any runtime.
///
/// Supported operators: Concat (axis 1), Sub, Div, Mul, Add, Gemm (no transposes), MatMul, Relu, Tanh, Sigmoid,
/// Gelu (tanh approximation), Sqrt, Sum, Slice (axis 1), Identity.
public enum ONNXEvaluator {
    /// A row-major 2-D float tensor (`rows × columns`); vectors are `1 × n`.
    public struct Tensor: Sendable, Equatable {
        /// Number of rows (the batch dimension).
        public var rows: Int
        /// Number of columns.
        public var columns: Int
        /// The `rows × columns` values, row-major (`values[i * columns + j]`).
        public var values: [Float]
        /// A tensor with these values; traps unless `values.count == rows * columns`.
        public init(rows: Int, columns: Int, values: [Float]) {
            precondition(values.count == rows * columns, "tensor \(rows)×\(columns) needs \(rows * columns) values")
            self.rows = rows
            self.columns = columns
            self.values = values
        }
    }

    /// Parses a serialized model.
    public static func load(_ data: Data) throws -> Onnx_ModelProto {
        do { return try Onnx_ModelProto(serializedBytes: data) } catch {
            throw ONNXError("not a readable ONNX model (\(error))")
        }
    }

    /// Runs the graph on `inputs` and returns every graph output by name.
    public static func run(_ model: Onnx_ModelProto, inputs: [String: Tensor]) throws -> [String: Tensor] {
        var values = inputs
        var ints: [String: [Int64]] = [:]
        for t in model.graph.initializer {
            let dims = t.dims.map(Int.init)
            switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
            case .float?:
                let floats = t.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                let rows = dims.count == 2 ? dims[0] : 1
                values[t.name] = Tensor(rows: rows, columns: floats.count / max(rows, 1), values: floats)
            case .int64?:
                ints[t.name] = t.rawData.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
            default:
                throw ONNXError("initializer \(t.name): unsupported data type \(t.dataType)")
            }
        }
        func get(_ name: String) throws -> Tensor {
            guard let v = values[name] else { throw ONNXError("value '\(name)' is used before it is defined") }
            return v
        }
        for node in model.graph.node {
            let out: Tensor
            switch node.opType {
            case "Sub", "Div", "Mul", "Add", "Max":
                out = try broadcast(get(node.input[0]), get(node.input[1]), op: node.opType)
            case "Gemm":
                var result = try product(get(node.input[0]), get(node.input[1]))
                if node.input.count > 2 { result = try broadcast(result, get(node.input[2]), op: "Add") }
                out = result
            case "MatMul":
                out = try product(get(node.input[0]), get(node.input[1]))
            case "Relu": out = try map(get(node.input[0])) { max($0, 0) }
            case "Tanh": out = try map(get(node.input[0])) { tanh($0) }
            case "Sigmoid": out = try map(get(node.input[0])) { 1 / (1 + exp(-$0)) }
            case "Sqrt": out = try map(get(node.input[0])) { $0.squareRoot() }
            case "Log": out = try map(get(node.input[0])) { log($0) }
            case "Gelu":
                let c = Float((2 / Double.pi).squareRoot())
                out = try map(get(node.input[0])) { x in 0.5 * x * (1 + tanh(c * (x + 0.044715 * x * x * x))) }
            case "Identity": out = try get(node.input[0])
            case "Sum":
                var acc = try get(node.input[0])
                for name in node.input.dropFirst() { acc = try broadcast(acc, get(name), op: "Add") }
                out = acc
            case "Concat":
                let parts = try node.input.map(get)
                let rows = parts[0].rows, columns = parts.reduce(0) { $0 + $1.columns }
                var v: [Float] = []
                v.reserveCapacity(rows * columns)
                for i in 0..<rows { for p in parts { v += p.values[(i * p.columns)..<((i + 1) * p.columns)] } }
                out = Tensor(rows: rows, columns: columns, values: v)
            case "Slice":
                let x = try get(node.input[0])
                guard let s = ints[node.input[1]]?.first, let e = ints[node.input[2]]?.first else {
                    throw ONNXError("Slice bounds must be initializers")
                }
                let start = Int(s), end = min(Int(e), x.columns)
                var v: [Float] = []
                for i in 0..<x.rows { v += x.values[(i * x.columns + start)..<(i * x.columns + end)] }
                out = Tensor(rows: x.rows, columns: end - start, values: v)
            default:
                throw ONNXError("operator \(node.opType) is not supported by doe's evaluator")
            }
            values[node.output[0]] = out
        }
        var outputs: [String: Tensor] = [:]
        for o in model.graph.output { outputs[o.name] = try get(o.name) }
        return outputs
    }

    /// `a · b` (plain loops on purpose: the reference must not share code with the BLAS path it checks).
    static func product(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.columns == b.rows else { throw ONNXError("matrix product of \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)") }
        var c = [Float](repeating: 0, count: a.rows * b.columns)
        for i in 0..<a.rows {
            for k in 0..<a.columns {
                let v = a.values[i * a.columns + k]
                for j in 0..<b.columns { c[i * b.columns + j] += v * b.values[k * b.columns + j] }
            }
        }
        return Tensor(rows: a.rows, columns: b.columns, values: c)
    }

    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(rows: x.rows, columns: x.columns, values: x.values.map(f))
    }

    /// `a op b` where `b` is the same shape, one row (`1 × columns`) or a scalar.
    static func broadcast(_ a: Tensor, _ b: Tensor, op: String) throws -> Tensor {
        let f: (Float, Float) -> Float
        switch op {
        case "Sub": f = { $0 - $1 }
        case "Div": f = { $0 / $1 }
        case "Mul": f = { $0 * $1 }
        case "Max": f = { max($0, $1) }
        default: f = { $0 + $1 }
        }
        var out = a
        if b.rows == a.rows && b.columns == a.columns {
            for k in out.values.indices { out.values[k] = f(a.values[k], b.values[k]) }
        } else if b.values.count == 1 {
            for k in out.values.indices { out.values[k] = f(a.values[k], b.values[0]) }
        } else if b.values.count == a.columns {
            for i in 0..<a.rows { for j in 0..<a.columns { out.values[i * a.columns + j] = f(a.values[i * a.columns + j], b.values[j]) } }
        } else {
            throw ONNXError("\(op): cannot broadcast \(b.rows)×\(b.columns) onto \(a.rows)×\(a.columns)")
        }
        return out
    }
}
