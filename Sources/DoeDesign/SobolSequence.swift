import DoeBase
/// The Sobol low-discrepancy sequence with Joe–Kuo direction numbers, optionally scrambled.
///
/// Scrambling is a random linear matrix scramble plus a digital shift (Matoušek 1998; Owen 2003), seeded, so
/// the points stay a (t, s)-sequence while losing the artefacts of the plain sequence (its first point is the
/// origin, and low-index dimensions are correlated). Points are addressed by index, so a study can continue
/// the same sequence across many `doe suggest` calls.
///
/// References:
/// [1]: S. Joe and F. Y. Kuo, Constructing Sobol sequences with better two-dimensional projections,
///      SIAM J. Sci. Comput. 30 (2008) 2635–2654 (direction numbers new-joe-kuo-6.21201).
/// [2]: J. Matoušek, On the L2-discrepancy for anchored boxes, J. Complexity 14 (1998) 527–556.
/// [3]: A. B. Owen, Variance with alternative scramblings of digital nets, ACM TOMACS 13 (2003) 363–378.
public struct SobolSequence: Sendable {
    /// Number of bits per coordinate.
    public static let bits = 32
    /// The largest supported dimension.
    public static var maxDimension: Int { SobolDirectionNumbers.dimensions }

    /// The dimension of the points.
    public let dimension: Int
    /// Direction numbers `v[d][k]` (after scrambling, if any), most significant bit first.
    private let directions: [[UInt32]]
    /// Digital shift per dimension (zero when unscrambled).
    private let shifts: [UInt32]

    /// Creates a sequence.
    /// - Parameters:
    ///   - dimension: number of coordinates, `1...maxDimension`.
    ///   - scrambleSeed: seed of the scramble, or `nil` for the plain sequence (first point at the origin).
    public init(dimension: Int, scrambleSeed: UInt64? = nil) {
        precondition(dimension >= 1 && dimension <= SobolSequence.maxDimension,
                     "Sobol dimension must be in 1...\(SobolSequence.maxDimension), got \(dimension)")
        self.dimension = dimension
        var directions = SobolSequence.directionNumbers(dimension: dimension)
        var shifts = [UInt32](repeating: 0, count: dimension)
        if let seed = scrambleSeed {
            var rng = SplitMix64.stream(seed: seed, label: "sobol-scramble")
            for d in 0..<dimension {
                // Lower-triangular random binary matrix with unit diagonal; row r acts on output bit r (MSB first).
                var rowsMask = [UInt32](repeating: 0, count: SobolSequence.bits)
                for r in 0..<SobolSequence.bits {
                    let below = r == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()) & ~(UInt32.max >> UInt32(r))
                    rowsMask[r] = below | (1 << UInt32(31 - r))
                }
                directions[d] = directions[d].map { v in
                    var out: UInt32 = 0
                    for r in 0..<SobolSequence.bits where (rowsMask[r] & v).nonzeroBitCount & 1 == 1 {
                        out |= 1 << UInt32(31 - r)
                    }
                    return out
                }
                shifts[d] = UInt32(truncatingIfNeeded: rng.next())
            }
        }
        self.directions = directions
        self.shifts = shifts
    }

    /// Point number `index` (0-based) of the sequence, coordinates in `[0, 1)`.
    public func point(at index: Int) -> [Double] {
        precondition(index >= 0 && index < 1 << SobolSequence.bits, "Sobol index out of range: \(index)")
        let gray = UInt32(index ^ (index >> 1))
        return (0..<dimension).map { d in
            var x = shifts[d]
            var g = gray
            var k = 0
            while g != 0 {
                if g & 1 == 1 { x ^= directions[d][k] }
                g >>= 1
                k += 1
            }
            return Double(x) * 0x1.0p-32
        }
    }

    /// Points `start ..< start + count`, one array per point.
    public func points(from start: Int = 0, count: Int) -> [[Double]] {
        (start..<(start + count)).map { point(at: $0) }
    }

    private static func directionNumbers(dimension: Int) -> [[UInt32]] {
        let lines = SobolDirectionNumbers.table.split(separator: "\n").prefix(dimension)
        return lines.map { line in
            let fields = line.split(separator: " ").map { UInt32($0)! }
            let polynomial = fields[0]
            let initial = Array(fields.dropFirst())
            var v = [UInt32](repeating: 0, count: bits)
            if polynomial == 1 {  // dimension 0: van der Corput
                for k in 0..<bits { v[k] = 1 << UInt32(31 - k) }
                return v
            }
            let degree = 31 - polynomial.leadingZeroBitCount
            for k in 0..<degree { v[k] = initial[k] << UInt32(31 - k) }
            for k in degree..<bits {
                var value = v[k - degree] ^ (v[k - degree] >> UInt32(degree))
                for i in 1..<degree where (polynomial >> UInt32(degree - i)) & 1 == 1 {
                    value ^= v[k - i]
                }
                v[k] = value
            }
            return v
        }
    }
}
