// doe-bench-train: training throughput of doe's MLP (forward + backward + AdamW on sgemm), for `make bench-train`.
//
//   doe-bench-train DATA.h5 --hidden 128,128 --batch 256 --epochs 3 --threads 1 [--test TEST.h5] [--peak]
// prints one JSON line: samples/s, GFLOP/s (6·Σ fan_in·fan_out per sample), test MSE, and with --peak the
// sgemm GFLOP/s measured on 1024×1024 matrices with the same thread count.
import DoeHDF5
import DoeLinalg
import DoeModelFormat
import DoeNeural
import Foundation

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

let args = CommandLine.arguments
guard args.count > 1 else {
    FileHandle.standardError.write(
        Data("usage: doe-bench-train DATA.h5 --hidden 128,128 --batch 256 --epochs 3 --threads 1 [--test TEST.h5] [--peak]\n".utf8))
    exit(64)
}
let hidden = option("--hidden", "128,128").split(separator: ",").compactMap { Int($0) }
let batch = Int(option("--batch", "256"))!
let epochs = Int(option("--epochs", "3"))!
let threads = Int(option("--threads", "1"))!
let activation = Activation(rawValue: option("--activation", "relu"))!
BLASThreads.set(threads)

func load(_ path: String) throws -> (Matrix<Float>, Matrix<Float>) {
    let data = try DumpReader.load([path])
    var x = Matrix<Float>(rows: data.rows, columns: data.inputNames.count)
    var y = Matrix<Float>(rows: data.rows, columns: data.outputNames.count)
    for i in 0..<data.rows {
        for j in 0..<x.columns { x[i, j] = data.inputs[i * x.columns + j] }
        for j in 0..<y.columns { y[i, j] = data.outputs[i * y.columns + j] }
    }
    return (x, y)
}

let (x, y) = try load(args[1])
let architecture = MLPArchitecture(inputs: x.columns, hidden: hidden, outputs: y.columns, activation: activation)
var net = MLP(architecture: architecture, seed: UInt64(option("--seed", "1"))!)
var optimizer = AdamW(learningRate: 1e-3, weightDecay: 0)
let n = x.rows
// Pre-cut the batches once (both frameworks iterate over already-materialized batches).
var batches: [(Matrix<Float>, Matrix<Float>)] = []
var start = 0
while start + batch <= n {
    var bx = Matrix<Float>(rows: batch, columns: x.columns), by = Matrix<Float>(rows: batch, columns: y.columns)
    for j in 0..<x.columns { for i in 0..<batch { bx[i, j] = x[start + i, j] } }
    for j in 0..<y.columns { for i in 0..<batch { by[i, j] = y[start + i, j] } }
    batches.append((bx, by))
    start += batch
}
// warm-up step
do {
    let (_, g) = net.lossAndGradient(batches[0].0, batches[0].1)
    optimizer.update(&net.parameters, gradient: g)
}
let t0 = Date()
for _ in 0..<epochs {
    for (bx, by) in batches {
        let (_, g) = net.lossAndGradient(bx, by)
        optimizer.update(&net.parameters, gradient: g)
    }
}
let seconds = Date().timeIntervalSince(t0)
let samples = Double(epochs * batches.count * batch)
let widths = architecture.widths
let flopsPerSample = 6.0 * Double(zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 })
var result: [String: Any] = ["framework": "doe", "threads": threads, "batch": batch, "hidden": hidden, "epochs": epochs,
                             "samples_per_s": samples / seconds, "gflops": samples * flopsPerSample / seconds / 1e9, "seconds": seconds]
if let testPath = args.firstIndex(of: "--test").map({ args[$0 + 1] }) {
    let (tx, ty) = try load(testPath)
    let p = net(tx)
    var mse = 0.0
    for k in p.storage.indices { let e = Double(p.storage[k] - ty.storage[k]); mse += e * e }
    result["test_mse"] = mse / Double(p.storage.count)
}
if args.contains("--peak") {
    let m = 1024
    let a = Matrix<Float>(rows: m, columns: m, repeating: 0.5), b = Matrix<Float>(rows: m, columns: m, repeating: 0.25)
    _ = a * b
    var best = 0.0
    for _ in 0..<7 {
        let s = Date()
        _ = a * b
        best = max(best, 2 * Double(m * m * m) / Date().timeIntervalSince(s) / 1e9)
    }
    result["sgemm_peak_gflops"] = best
}
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
