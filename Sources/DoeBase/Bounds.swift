/// Lower and upper bounds per input (`low[j] ≤ high[j]`, in the input's units).
public struct Bounds: Codable, Sendable, Equatable {
    /// Lower bounds, one per input.
    public var low: [Double]
    /// Upper bounds, one per input.
    public var high: [Double]

    /// Bounds with these arrays (same length).
    public init(low: [Double], high: [Double]) {
        self.low = low
        self.high = high
    }
}
