import DoeLinalg
import DoeModelFormat
import Foundation

extension UncertaintyCalibration.Variance {
    /// Fewest finite rows a calibration is fitted on (below it the ensemble's spread is kept).
    public static let minimumRows = 8

    /// The maximum-likelihood `scale` and `floor` of residuals `e` (truth − mean) under `N(0, scale·σ² + floor)`.
    ///
    /// For a fixed ratio `r = floor/scale` the best scale is `mean(eᵢ²/(σᵢ² + r))`; the ratio is found on a log grid from
    /// `10⁻⁴` to `10⁴` times `mean(e²)` (and `r = 0`) and refined by golden section. Rows with non-finite values are
    /// skipped; `nil` with fewer than ``minimumRows`` rows left or no nonzero residual.
    public static func fit(name: String, residuals: [Double], std: [Double]) -> Self? {
        var e2: [Double] = [], s2: [Double] = []
        for (e, s) in zip(residuals, std) where e.isFinite && s.isFinite && s >= 0 {
            e2.append(e * e)
            s2.append(s * s)
        }
        let n = Double(e2.count)
        let meanSquare = e2.reduce(0, +) / max(n, 1)
        guard e2.count >= minimumRows, meanSquare > 0 else { return nil }
        func scale(_ r: Double) -> Double { zip(e2, s2).reduce(0) { $0 + $1.0 / ($1.1 + r) } / n }
        /// Negative profile log-likelihood (up to a constant); infinite where a variance vanishes.
        func cost(_ r: Double) -> Double {
            if r == 0 && s2.contains(where: { $0 == 0 }) { return .infinity }
            let a = scale(r)
            guard a > 0 else { return .infinity }
            return s2.reduce(0) { $0 + log($1 + r) } + n * log(a)
        }
        let grid = [0.0] + stride(from: -4.0, through: 4.0, by: 0.1).map { meanSquare * pow(10, $0) }
        let costs = grid.map(cost)
        guard let best = costs.indices.min(by: { costs[$0] < costs[$1] }), costs[best].isFinite else { return nil }
        var ratio = grid[best]
        if best > 0 {
            // golden section in log r between the grid neighbours
            var lo = log(grid[max(best - 1, 1)]), hi = log(grid[min(best + 1, grid.count - 1)])
            let g = (5.0.squareRoot() - 1) / 2
            for _ in 0..<40 {
                let a = hi - g * (hi - lo), b = lo + g * (hi - lo)
                if cost(exp(a)) < cost(exp(b)) { hi = b } else { lo = a }
            }
            let refined = exp((lo + hi) / 2)
            if cost(refined) < costs[best] { ratio = refined }
        }
        let a = scale(ratio)
        return Self(name: name, scale: a, floor: a * ratio)
    }
}

extension Surrogate {
    /// The calibration of this ensemble's standard deviations fitted on a held-out table (`x` `n × inputs`, `y`
    /// `n × outputs`, optional `fields` `n × p`), or `nil` for a single network or too few rows; outputs that cannot be
    /// fitted keep the identity.
    public func fittingCalibration(inputs x: Matrix<Float>, outputs y: Matrix<Float>, fields: Matrix<Float>?,
                                   split: String) -> UncertaintyCalibration? {
        guard members.count > 1, x.rows >= UncertaintyCalibration.Variance.minimumRows else { return nil }
        let p = predict(x, calibrated: false)
        guard let std = p.std else { return nil }
        let outputs = outputNames.enumerated().map { j, name in
            let residuals = (0..<x.rows).map { Double(y[$0, j]) - Double(p.mean[$0, j]) }
            let spread = (0..<x.rows).map { Double(std[$0, j]) }
            return UncertaintyCalibration.Variance.fit(name: name, residuals: residuals, std: spread) ?? .identity(name)
        }
        var field: UncertaintyCalibration.Variance?
        if let fields, let predicted = p.field, let fieldStd = p.fieldStd {
            let residuals = zip(fields.storage, predicted.storage).map { Double($0) - Double($1) }
            field = UncertaintyCalibration.Variance.fit(name: "field", residuals: residuals, std: fieldStd.storage.map { Double($0) })
                ?? .identity("field")
        }
        return UncertaintyCalibration(fittedOn: split, rows: x.rows, outputs: outputs, field: field)
    }

    /// Coverage of each output's intervals (and the field's points as `field`) on a table, with and without
    /// ``calibration``; `nil` for a single network.
    public func coverage(inputs x: Matrix<Float>, outputs y: Matrix<Float>, fields: Matrix<Float>?) -> [CoverageSummary]? {
        let raw = predict(x, calibrated: false), calibrated = self.calibrated(raw)
        guard let rawStd = raw.std, let std = calibrated.std else { return nil }
        func column(_ m: Matrix<Float>, _ j: Int) -> [Double] { (0..<m.rows).map { Double(m[$0, j]) } }
        var summaries = outputNames.enumerated().map { j, name in
            let truth = column(y, j), mean = column(raw.mean, j)
            return CoverageSummary(name: name, calibrated: .init(truth: truth, mean: mean, std: column(std, j)),
                                   uncalibrated: .init(truth: truth, mean: mean, std: column(rawStd, j)))
        }
        if let fields, let field = raw.field, let rawFieldStd = raw.fieldStd, let fieldStd = calibrated.fieldStd {
            let truth = fields.storage.map { Double($0) }, mean = field.storage.map { Double($0) }
            summaries.append(CoverageSummary(name: "field",
                                             calibrated: .init(truth: truth, mean: mean, std: fieldStd.storage.map { Double($0) }),
                                             uncalibrated: .init(truth: truth, mean: mean, std: rawFieldStd.storage.map { Double($0) })))
        }
        return summaries
    }
}
