import DoeDesign
import DoeOptim
import Foundation

extension SpaceEncoding {
    /// Parameter values (``DesignSpace/parameters`` order) of the continuous relaxation of a feature vector, with
    /// `∂valueᵢ/∂feature` for the features that move them: reals through their (log-)linear map, integers as
    /// `low + f·(high − low)` before rounding; categoricals and fixed parameters take their decoded value and do not
    /// move (a constraint reads a numeric choice as a constant between discrete steps).
    public func relaxedValues(_ f: [Double]) -> (values: [Double], derivatives: [(parameter: Int, feature: Int, slope: Double)]) {
        var values = ParameterConstraint.numbers(decode(f))
        var derivatives: [(parameter: Int, feature: Int, slope: Double)] = []
        for segment in segments {
            switch segment {
            case let .real(i, o):
                guard case let .real(low, high, logScale) = space.parameters[i].domain else { continue }
                let u = min(max(f[o], 0), 1)
                if logScale {
                    let span = log(high) - log(low)
                    values[i] = exp(log(low) + u * span)
                    derivatives.append((i, o, values[i] * span))
                } else {
                    values[i] = low + u * (high - low)
                    derivatives.append((i, o, high - low))
                }
            case let .integer(i, o, low, high):
                values[i] = Double(low) + min(max(f[o], 0), 1) * Double(high - low)
                derivatives.append((i, o, Double(high - low)))
            default:
                break
            }
        }
        return (values, derivatives)
    }

    /// The space's parameter constraints as functions of the features (`≤ 0` when satisfied) with gradients, for
    /// a constrained optimizer working on the continuous relaxation. Each is scaled by the size of its gradient at
    /// the centre of the box so that the solver's tolerance means the same for every constraint.
    public func featureConstraints() -> [ValueAndGradient] {
        let centre = encode(space.assignment(fromUnit: Array(repeating: 0.5, count: space.dimension)))
        return space.parameterConstraints.map { constraint in
            let scale: Double = {
                let (values, derivatives) = relaxedValues(centre)
                let g = constraint.slackAndGradient(values).gradient
                let norm = derivatives.reduce(0) { $0 + pow(g[$1.parameter] * $1.slope, 2) }.squareRoot()
                return norm.isFinite && norm > 0 ? 1 / norm : 1
            }()
            return { (x: [Double], gradient: inout [Double]) -> Double in
                let (values, derivatives) = self.relaxedValues(x)
                let (slack, g) = constraint.slackAndGradient(values)
                if !gradient.isEmpty {
                    for j in gradient.indices { gradient[j] = 0 }
                    for d in derivatives { gradient[d.feature] += scale * g[d.parameter] * d.slope }
                }
                return scale * slack
            }
        }
    }
}
