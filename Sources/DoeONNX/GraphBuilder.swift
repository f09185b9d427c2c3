import DoeModelFormat
import Foundation
import SwiftProtobuf

/// Accumulates the nodes and initializers of an ONNX graph with unique names, in topological order.
struct GraphBuilder {
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    private var counter = 0

    /// A fresh value name with `prefix`.
    mutating func name(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(counter)"
    }

    /// A float32 initializer of shape `dims` (row-major `values`), returning its name.
    mutating func constant(_ prefix: String, _ values: [Float], dims: [Int]) -> String {
        precondition(values.count == dims.reduce(1, *), "initializer \(prefix): \(values.count) values for dims \(dims)")
        var tensor = Onnx_TensorProto()
        tensor.name = name(prefix)
        tensor.dims = dims.map(Int64.init)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }   // little-endian float32
        initializers.append(tensor)
        return tensor.name
    }

    /// An int64 initializer (Slice bounds and the like).
    mutating func int64Constant(_ prefix: String, _ values: [Int64]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name(prefix)
        tensor.dims = [Int64(values.count)]
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        initializers.append(tensor)
        return tensor.name
    }

    /// Appends a node and returns its single output name (`output` if given, else a fresh one).
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], output: String? = nil, attributes: [Onnx_AttributeProto] = []) -> String {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        let out = output ?? name(op.lowercased())
        n.output = [out]
        n.name = name("node_" + op)
        n.attribute = attributes
        nodes.append(n)
        return out
    }

    static func intAttribute(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = value
        return a
    }

    static func stringAttribute(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }

    static func intsAttribute(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values
        return a
    }

    /// A float tensor value info `[batch, width]` with a dynamic batch dimension.
    static func matrixValue(_ name: String, width: Int, doc: String) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        var columns = Onnx_TensorShapeProto.Dimension()
        columns.dimValue = Int64(width)
        var shape = Onnx_TensorShapeProto()
        shape.dim = [batch, columns]
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        info.docString = doc
        return info
    }
}
