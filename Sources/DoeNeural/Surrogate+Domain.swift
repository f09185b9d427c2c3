import DoeLinalg
import DoeModelFormat
import Foundation

/// Where a surrogate may be trusted: the inputs' declared bounds, else the range the training rows covered.
public struct SurrogateDomain: Sendable {
    /// Lower end per input, in the model's input order.
    public let low: [Double]
    /// Upper end per input.
    public let high: [Double]
    /// `"declared bounds"` or `"training range"`, for messages.
    public let source: String

    /// The model's domain, or `nil` when its folder records neither bounds nor a training range (old models).
    public init?(_ model: Surrogate) {
        if let b = model.inputBounds, b.low.count == model.inputNames.count {
            (low, high, source) = (b.low, b.high, "declared bounds")
        } else if let r = model.trainingRange, r.low.count == model.inputNames.count {
            (low, high, source) = (r.low, r.high, "training range")
        } else {
            return nil
        }
    }

    /// Indices of the inputs of row `i` of `x` (`n × inputs`) that lie outside the domain. A float32 rounding of the
    /// ends (relative 1e-6 of the width) still counts as inside.
    public func outside(_ x: Matrix<Float>, row i: Int) -> [Int] {
        (0..<x.columns).filter { j in
            let v = Double(x[i, j])
            let slack = 1e-6 * max(abs(high[j] - low[j]), abs(high[j]), abs(low[j]), 1e-30)
            return !(v >= low[j] - slack && v <= high[j] + slack)
        }
    }
}
