import DoeDesign
import DoeModelFormat
import DoePlot
import Foundation

/// The HTML report of a surrogate: model card, metrics per split, training and validation curves, parity plots and
/// error histograms on the test split, calibration of ensemble intervals, Sobol indices over the input bounds.
public enum ModelReport {
    /// The report of `m` as one self-contained HTML page (inline CSS and SVG), stamped with `provenance`.
    public static func html(_ m: ModelAnalysis, provenance: ReportProvenance) -> String {
        var page = HTMLPage(title: "doe report — model \(m.name)")
        page.heading("Surrogate \(m.name)", level: 1)
        page.paragraph("Generated \(provenance.generatedAt) by doe \(provenance.doeVersion) from \(provenance.source) "
                       + "(weights SHA-256 \(provenance.sha256)).", cssClass: "meta")

        if let r = m.registration {
            page.openSection("model-card")
            page.heading("Model card — \(r.reference)")
            var card: [(String, String)] = []
            for (key, value) in r.card.members ?? [] where key != "training_data" && key != "metrics" {
                let text: String
                switch value {
                case .string(let s): text = s
                case .array(let items): text = items.map { $0.string ?? $0.serialized }.joined(separator: "; ")
                default: text = value.serialized
                }
                card.append((key.replacingOccurrences(of: "_", with: " ").capitalized, text))
            }
            if card.isEmpty { page.paragraph("Registered without a card (`registry add --card card.yaml`).", cssClass: "note") }
            page.facts(card + r.facts.map { ($0.label, $0.value) })
            page.closeSection()
        }

        page.openSection("card")
        page.heading("Model")
        let arch = m.manifest.architecture
        let hidden = arch.hidden.map(String.init).joined(separator: "→")
        let members = "\(m.model.members.count) member\(m.model.members.count == 1 ? "" : "s")"
        var facts: [(String, String)] = [
            ("Network", "\(m.model.inputNames.count) → \(hidden) → \(arch.outputs) (\(arch.activation.rawValue)), \(members)"),
            ("Inputs", m.model.inputNames.enumerated().map { k, name in
                var text = name + (m.model.inputUnits.flatMap { k < $0.count && !$0[k].isEmpty ? " [\($0[k])]" : nil } ?? "")
                if let b = m.model.inputBounds, k < b.low.count { text += " ∈ [\(Format.g(b.low[k])), \(Format.g(b.high[k]))]" }
                return text
            }.joined(separator: "; ")),
            ("Outputs", (m.model.outputNames.map { name in name + (m.outputUnits[name].map { " [\($0)]" } ?? "") } + (m.model.pod.map {
                ["field (\($0.mean.count) points, \($0.modes) POD mode\($0.modes == 1 ? "" : "s"), \(Format.percent($0.energy)) energy)"]
            } ?? [])).joined(separator: ", ")),
        ]
        if let t = m.manifest.training {
            let settings = ["epochs \(t.epochs)", "batch_size \(t.batchSize)", "learning_rate \(Format.g(Double(t.learningRate), 4))",
                            "weight_decay \(Format.g(Double(t.weightDecay), 4))", "schedule \(t.schedule.rawValue)",
                            "patience \(t.patience)", "seed \(t.seed)"]
            facts.append(("Training", settings.joined(separator: ", ")))
        }
        for source in m.manifest.sources {
            let git = source.gitCommit.map { ", git \($0.prefix(12))\(source.gitClean == false ? " with uncommitted changes" : "")" } ?? ""
            facts.append(("Data", "\(source.path) (SHA-256 \(source.sha256)\(git))"))
        }
        if let study = m.manifest.study {
            facts.append(("Study", "\(study.name): \(study.completedTrials) completed trials, journal SHA-256 \(study.journalSHA256)"))
        }
        if let rows = m.metrics?.rows {
            facts.append(("Rows", "\(rows.train) train, \(rows.validation) validation, \(rows.test) test, \(rows.dropped) dropped"))
        }
        page.facts(facts)
        for note in m.notes { page.paragraph(note, cssClass: "note") }
        page.closeSection()

        if let metrics = m.metrics {
            page.openSection("metrics")
            page.heading("Accuracy per split")
            var rows: [[String]] = []
            for output in m.model.outputNames + (m.model.pod == nil ? [] : ["field"]) {
                for (split, values) in [("train", metrics.train), ("validation", metrics.validation), ("test", metrics.test)] {
                    guard let v = values.first(where: { $0.name == output }) else { continue }
                    rows.append([output, m.outputUnits[output] ?? "", split] + [v.rmse, v.mae, v.r2, v.maxAbsError].map { Format.g($0, 4) })
                }
            }
            page.paragraph("RMSE, MAE and max |error| are in each output's unit; R² has none.", cssClass: "note")
            page.table(["output", "unit", "split", "RMSE", "MAE", "R²", "max |error|"], rows, id: "metrics-table", numeric: [3, 4, 5, 6])
            page.closeSection()
        }

        page.openSection("training")
        page.heading("Training")
        if m.history.isEmpty {
            page.paragraph("No training history.", cssClass: "note")
        } else {
            var chart = Chart(title: "Loss per epoch (standardized MSE)", xLabel: "epoch", yLabel: "loss")
            chart.id = "training-curves"
            chart.width = 760
            chart.yLogarithmic = m.history.allSatisfy { $0.trainLoss > 0 && $0.validationLoss > 0 }
            let members = Array(Set(m.history.map(\.member))).sorted()
            for (k, member) in members.enumerated() {
                let curve = m.history.filter { $0.member == member }
                let colour = Palette.series[k % Palette.series.count]
                chart.line(x: curve.map { Double($0.epoch) }, y: curve.map { Double($0.trainLoss) },
                           style: SeriesStyle(stroke: colour, width: 1.4),
                           label: k == 0 ? "training" + (members.count > 1 ? " (member 1)" : "") : nil)
                chart.line(x: curve.map { Double($0.epoch) }, y: curve.map { Double($0.validationLoss) },
                           style: SeriesStyle(stroke: colour, width: 1.6, dash: "6 3"),
                           label: k == 0 ? "validation" + (members.count > 1 ? " (member 1)" : "") : nil)
            }
            page.figure(chart.svg(), caption: "Solid: training loss; dashed: validation loss "
                        + "(early stopping keeps the epoch with the lowest validation loss)"
                        + "\(members.count > 1 ? "; one colour per ensemble member" : "").")
        }
        page.closeSection()

        page.openSection("test")
        page.heading("Test split")
        if let test = m.test {
            page.openGrid()
            for (k, output) in test.outputNames.enumerated() {
                var parity = Chart(title: "\(output): predicted vs true", xLabel: "true \(output)", yLabel: "predicted \(output)")
                parity.id = "parity-\(k)"
                parity.cssClass = "parity"
                parity.width = 360
                parity.height = 340
                parity.legendPlacement = .insideTopLeft
                let all = (test.truth[k] + test.predicted[k]).filter(\.isFinite)
                let lo = all.min() ?? 0, hi = all.max() ?? 1
                parity.xDomain = lo...(hi > lo ? hi : lo + 1)
                parity.yDomain = parity.xDomain
                parity.line(x: [lo, hi], y: [lo, hi], style: SeriesStyle(stroke: "#888888", width: 1, dash: "4 3"), label: "y = x")
                if let std = test.std {
                    parity.errorBars(x: test.truth[k],
                                     lower: zip(test.predicted[k], std[k]).map { $0 - 2 * $1 },
                                     upper: zip(test.predicted[k], std[k]).map { $0 + 2 * $1 },
                                     style: SeriesStyle(stroke: "#9ecae1", width: 1))
                }
                parity.scatter(x: test.truth[k], y: test.predicted[k],
                               style: SeriesStyle(stroke: "#1b2a49", fill: "#56b4e9", marker: .circle, markerSize: 3, opacity: 0.8),
                               tooltips: test.rows.indices.map {
                                   "row \(test.rows[$0]): true \(Format.g(test.truth[k][$0], 6)), "
                                       + "predicted \(Format.g(test.predicted[k][$0], 6))"
                               },
                               label: "test rows\(test.std == nil ? "" : " (±2σ)")")
                page.figure(parity.svg(), cssClass: "figure parity")
                let errors = zip(test.predicted[k], test.truth[k]).map { $0 - $1 }
                page.figure(histogram(errors, title: "\(output): prediction error", xLabel: "predicted − true", id: "errors-\(k)"),
                            cssClass: "figure histogram")
            }
            if let field = test.fieldRMSE {
                page.figure(histogram(field, title: "field: RMSE per test row", xLabel: "RMSE over the field's points", id: "errors-field",
                                      fill: "#e69f00"), cssClass: "figure histogram")
            }
            page.closeGrid()
            if let calibration = m.calibration {
                var chart = Chart(title: "Calibration of the ensemble's intervals", xLabel: "nominal coverage of mean ± z·σ",
                                  yLabel: "observed coverage (test split)")
                chart.id = "calibration"
                chart.width = 520
                chart.height = 400
                chart.xDomain = 0...1
                chart.yDomain = 0...1
                chart.legendPlacement = .insideTopLeft
                chart.line(x: [0, 1], y: [0, 1], style: SeriesStyle(stroke: "#888888", width: 1, dash: "4 3"), label: "ideal")
                let markers: [Marker] = [.circle, .square, .triangle, .diamond, .cross]
                for (k, output) in test.outputNames.enumerated() {
                    var style = SeriesStyle.series(k, width: 1.8, marker: markers[k % markers.count])
                    style.fill = style.stroke
                    chart.line(x: calibration.nominal, y: calibration.observed[k], style: style,
                               label: calibration.observedUncalibrated == nil ? output : output + " (calibrated)")
                    chart.scatter(x: calibration.nominal, y: calibration.observed[k], style: style)
                    if let raw = calibration.observedUncalibrated {
                        var before = SeriesStyle.series(k, width: 1.2)
                        before.dash = "2 3"
                        chart.line(x: calibration.nominal, y: raw[k], style: before, label: output + " (ensemble spread)")
                    }
                }
                let calibrated = calibration.observedUncalibrated != nil
                page.figure(chart.svg(), caption: "Fraction of test rows whose true value lies within the central interval; "
                            + "below the diagonal = over-confident (deep ensembles of few members usually are)."
                            + (calibrated ? " Solid: with the variance calibration fitted on the validation split (model.json "
                                + "'calibration'); dotted: the ensemble's own spread." : ""))
            } else if m.model.members.count == 1 {
                page.paragraph("A single network gives no uncertainty: train with --ensemble 5 for intervals and a calibration plot.",
                               cssClass: "meta")
            }
        } else {
            page.paragraph("No test predictions stored with this model.", cssClass: "note")
        }
        page.closeSection()

        if let sensitivity = m.sensitivity {
            page.openSection("sensitivity")
            page.heading("Sensitivity (Sobol indices over the input bounds)")
            for (k, output) in m.model.outputNames.enumerated() {
                guard let s = sensitivity[k] else {
                    page.paragraph("\(output): the prediction does not vary over the bounds.", cssClass: "note")
                    continue
                }
                var bars = HorizontalBars(title: "Sobol indices of \(output)", valueLabel: "share of variance", labels: m.model.inputNames,
                                          series: [BarSeries("first-order", s.firstOrder.map { max($0, 0) }),
                                                   BarSeries("total", s.total.map { max($0, 0) })])
                bars.id = "sobol-\(k)"
                page.figure(bars.svg(), caption: "Inputs uniform over their bounds; \(s.samples) base samples "
                            + "(\(s.samples * (m.model.inputNames.count + 2)) predictions)."
                            + (m.manifest.study == nil ? "" : " The model was trained on a study: categorical inputs are category indices, "
                                + "sampled here as if continuous, and log-scaled parameters uniformly in their own units; "
                                + "the study report's --surrogate indices sample the study's space instead."))
            }
            page.closeSection()
        }
        return page.html
    }

    /// A histogram of test-row values (8–30 bins, about five rows per bin).
    static func histogram(_ values: [Double], title: String, xLabel: String, id: String, fill: String = "#56b4e9") -> String {
        let bins = Histogram.bins(values, count: min(30, max(8, values.count / 5)))
        var chart = Chart(title: title, xLabel: xLabel, yLabel: "test rows")
        chart.id = id
        chart.cssClass = "histogram"
        chart.width = 360
        chart.height = 340
        chart.bars(left: bins.left, right: bins.right, height: bins.counts, fill: fill)
        return chart.svg()
    }
}
