import DoeLinalg
import DoeModelFormat

/// Per-column affine scaling `(x − mean)/std` fitted on training rows (constant columns keep std 1).
public struct Standardizer: Sendable, Equatable {
    /// Column means (`d` values), in the data's units.
    public let mean: [Float]
    /// Column standard deviations (`d` values, population form), in the data's units; 1 for constant columns.
    public let std: [Float]

    /// A scaler from stored means and standard deviations (`d` values each).
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Fits to the columns of `x` (`n × d`).
    public init(fitting x: Matrix<Float>) {
        var mean = [Float](repeating: 0, count: x.columns), std = [Float](repeating: 1, count: x.columns)
        for j in 0..<x.columns {
            var s = 0.0, s2 = 0.0
            for i in 0..<x.rows { let v = Double(x[i, j]); s += v; s2 += v * v }
            let n = Double(max(x.rows, 1))
            let m = s / n
            let variance = max(s2 / n - m * m, 0)
            mean[j] = Float(m)
            std[j] = variance > 1e-24 ? Float(variance.squareRoot()) : 1
        }
        self.init(mean: mean, std: std)
    }

    /// `(x − mean)/std` column-wise.
    public func apply(_ x: Matrix<Float>) -> Matrix<Float> { transform(x) { ($0 - $1) / $2 } }

    /// `x·std + mean` column-wise.
    public func invert(_ x: Matrix<Float>) -> Matrix<Float> { transform(x) { $0 * $2 + $1 } }

    private func transform(_ x: Matrix<Float>, _ f: (Float, Float, Float) -> Float) -> Matrix<Float> {
        precondition(x.columns == mean.count, "scaler for \(mean.count) columns applied to \(x.columns)")
        var out = x
        out.storage.withUnsafeMutableBufferPointer { p in
            for j in 0..<x.columns {
                let m = mean[j], s = std[j], base = j * x.rows
                for i in 0..<x.rows { p[base + i] = f(p[base + i], m, s) }
            }
        }
        return out
    }
}
