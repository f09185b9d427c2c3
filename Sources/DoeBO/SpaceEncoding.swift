import DoeDesign

/// Maps assignments of a design space to the GP's feature space `[0, 1]^D` and back.
///
/// Reals use their unit coordinate (log-scaled when `log: true`); integers `(v − low)/(high − low)`; a categorical
/// parameter with two choices one 0/1 feature, with more choices a one-hot block (so no false ordering between
/// choices); fixed parameters no feature. ``decode(_:)`` rounds integers and takes the arg-max of one-hot blocks,
/// so every decoded point is a valid assignment.
public struct SpaceEncoding: Sendable {
    enum Segment: Sendable {
        case real(parameter: Int, offset: Int)
        case integer(parameter: Int, offset: Int, low: Int, high: Int)
        case binary(parameter: Int, offset: Int)
        case oneHot(parameter: Int, offset: Int, width: Int)
        case constant(parameter: Int)
    }

    /// The space.
    public let space: DesignSpace
    let segments: [Segment]
    /// Number of features.
    public let dimension: Int
    /// For each feature, the index of its parameter.
    public let featureParameter: [Int]

    /// The encoding of `space`'s parameters, features in parameter order.
    public init(space: DesignSpace) {
        self.space = space
        var segments: [Segment] = []
        var offset = 0
        var owner: [Int] = []
        for (i, p) in space.parameters.enumerated() {
            switch p.domain {
            case .real:
                segments.append(.real(parameter: i, offset: offset)); offset += 1; owner.append(i)
            case let .integer(low, high):
                segments.append(.integer(parameter: i, offset: offset, low: low, high: high)); offset += 1; owner.append(i)
            case let .categorical(choices) where choices.count == 2:
                segments.append(.binary(parameter: i, offset: offset)); offset += 1; owner.append(i)
            case let .categorical(choices) where choices.count > 2:
                segments.append(.oneHot(parameter: i, offset: offset, width: choices.count)); offset += choices.count
                owner += Array(repeating: i, count: choices.count)
            default:
                segments.append(.constant(parameter: i))
            }
        }
        self.segments = segments
        dimension = offset
        featureParameter = owner
    }

    /// `true` when some parameter is integer or categorical.
    public var hasDiscreteParameters: Bool {
        segments.contains { if case .real = $0 { return false }; if case .constant = $0 { return false }; return true }
    }

    /// Features of a valid assignment.
    public func encode(_ assignment: [ParameterValue]) -> [Double] {
        var f = [Double](repeating: 0, count: dimension)
        for segment in segments {
            switch segment {
            case let .real(i, o):
                f[o] = space.parameters[i].unit(of: assignment[i])
            case let .integer(i, o, low, high):
                f[o] = high == low ? 0.5 : (assignment[i].number! - Double(low)) / Double(high - low)
            case let .binary(i, o):
                f[o] = choiceIndex(i, assignment[i]) == 0 ? 0 : 1
            case let .oneHot(i, o, _):
                f[o + choiceIndex(i, assignment[i])] = 1
            case .constant:
                break
            }
        }
        return f
    }

    /// The nearest valid assignment to a feature vector.
    public func decode(_ f: [Double]) -> [ParameterValue] {
        var values = space.parameters.map { $0.value(atUnit: 0) }
        for segment in segments {
            switch segment {
            case let .real(i, o):
                values[i] = space.parameters[i].value(atUnit: f[o])
            case let .integer(i, o, low, high):
                values[i] = .integer(min(max(low + Int((min(max(f[o], 0), 1) * Double(high - low)).rounded()), low), high))
            case let .binary(i, o):
                values[i] = choices(i)[f[o] < 0.5 ? 0 : 1]
            case let .oneHot(i, o, width):
                var best = 0
                for k in 1..<width where f[o + k] > f[o + best] { best = k }
                values[i] = choices(i)[best]
            case .constant:
                break
            }
        }
        return values
    }

    /// Assignments that differ from `assignment` in one discrete parameter (integers ±1, ±2; every other choice).
    public func neighbours(of assignment: [ParameterValue]) -> [[ParameterValue]] {
        var result: [[ParameterValue]] = []
        for segment in segments {
            switch segment {
            case let .integer(i, _, low, high):
                let v = Int(assignment[i].number!)
                for step in [-2, -1, 1, 2] where (low...high).contains(v + step) {
                    var a = assignment; a[i] = .integer(v + step); result.append(a)
                }
            case let .binary(i, _), let .oneHot(i, _, _):
                for c in choices(i) where !c.matches(assignment[i]) {
                    var a = assignment; a[i] = c; result.append(a)
                }
            default:
                break
            }
        }
        return result
    }

    private func choices(_ i: Int) -> [ParameterValue] {
        if case let .categorical(c) = space.parameters[i].domain { return c }
        return []
    }

    private func choiceIndex(_ i: Int, _ value: ParameterValue) -> Int {
        choices(i).firstIndex { $0.matches(value) } ?? 0
    }
}
