import DoeBase
import Foundation

/// One gate threshold: `--metric rmse --max-regression 2%` (relative) or `0.01` (absolute).
public struct GateRule: Sendable, Equatable {
    /// Metric checked, one of ``known``.
    public let metric: String
    /// Largest allowed regression: a fraction of |baseline| when ``relative`` (`2%` → 0.02), else in the metric's units.
    public let limit: Double
    /// Whether ``limit`` is relative to |baseline| (the threshold ended in `%`).
    public let relative: Bool

    /// Metrics where larger is better; the rest (rmse, mae, max_abs_error) are errors.
    public static let higherIsBetter: Set<String> = ["r2"]
    /// The metrics a rule may name.
    public static let known: Set<String> = ["rmse", "mae", "r2", "max_abs_error"]

    /// A rule for `metric` with `threshold` such as `2%` (relative) or `0.01` (absolute).
    /// - Throws: ``RegistryError`` for an unknown metric or a threshold that is not a non-negative number.
    public init(metric: String, threshold: String) throws {
        guard GateRule.known.contains(metric) else {
            throw RegistryError("unknown metric '\(metric)' (use \(GateRule.known.sorted().joined(separator: ", ")))")
        }
        let text = threshold.trimmingCharacters(in: .whitespaces)
        let isRelative = text.hasSuffix("%")
        guard let value = Double(isRelative ? String(text.dropLast()) : text), value.isFinite, value >= 0 else {
            throw RegistryError("--max-regression \(threshold): expected a non-negative number, optionally with %")
        }
        self.metric = metric
        self.limit = isRelative ? value / 100 : value
        self.relative = isRelative
    }
}

/// One comparison of the gate.
public struct GateCheck: Sendable {
    /// Output name (`field` for a field model's field as a whole).
    public let output: String
    /// Metric compared.
    public let metric: String
    /// The candidate's value (NaN when ``missing``).
    public let candidate: Double
    /// The baseline's value.
    public let baseline: Double
    /// How much worse the candidate is (positive = worse), absolute or relative to |baseline| as the rule says.
    public let regression: Double
    /// The rule checked.
    public let rule: GateRule
    /// `true` when the baseline has this output and metric and the candidate does not: the check fails.
    public let missing: Bool
    /// The check passed: the candidate has the metric and regressed no more than the rule allows.
    public var passed: Bool { !missing && regression <= rule.limit + 1e-12 }
}

/// Compares a candidate's metrics with a baseline's and renders the verdict for people and CI systems.
public enum Gate {
    /// Checks every output of the baseline against every rule. An output or metric the baseline has and the candidate
    /// lacks is a failed check (a model that stops predicting `field` must not pass by having nothing to compare);
    /// outputs only the candidate has are not checked.
    /// - Parameters: `candidate`/`baseline`: `{output: {rmse, mae, r2, max_abs_error}}`.
    public static func evaluate(candidate: JSONValue, baseline: JSONValue, rules: [GateRule]) throws -> [GateCheck] {
        guard let outputs = candidate.members, !outputs.isEmpty else { throw RegistryError("the candidate has no metrics") }
        guard let baseOutputs = baseline.members, !baseOutputs.isEmpty else { throw RegistryError("the baseline has no metrics") }
        var checks: [GateCheck] = []
        for (output, base) in baseOutputs {
            for rule in rules {
                guard let b = base[rule.metric]?.number else { continue }
                guard let c = candidate[output]?[rule.metric]?.number else {
                    checks.append(GateCheck(output: output, metric: rule.metric, candidate: .nan, baseline: b, regression: .infinity,
                                            rule: rule, missing: true))
                    continue
                }
                var worse = GateRule.higherIsBetter.contains(rule.metric) ? b - c : c - b
                if rule.relative { worse /= max(abs(b), 1e-300) }
                checks.append(GateCheck(output: output, metric: rule.metric, candidate: c, baseline: b, regression: worse, rule: rule,
                                        missing: false))
            }
        }
        guard !checks.isEmpty else {
            throw RegistryError("the baseline has none of the metrics to check (\(rules.map(\.metric).joined(separator: ", ")))")
        }
        return checks
    }

    /// A JUnit XML report (one test case per check; failures carry the numbers).
    public static func junit(_ checks: [GateCheck], suite: String) -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = checks.filter { !$0.passed }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuite name=\"\(escape(suite))\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        for c in checks {
            xml += "  <testcase classname=\"\(escape(suite))\" name=\"\(escape("\(c.output).\(c.metric)"))\">"
            if c.missing {
                xml += "\n    <failure message=\"\(escape("the candidate has no \(c.metric) for \(c.output); the baseline does"))\">"
                    + "baseline \(c.baseline)</failure>\n  "
            } else if !c.passed {
                let limit = c.rule.relative ? "\(c.rule.limit * 100)%" : "\(c.rule.limit)"
                xml += "\n    <failure message=\""
                    + "\(escape("\(c.metric) of \(c.output) regressed by \(description(c)) (limit \(limit))"))\">"
                    + "candidate \(c.candidate), baseline \(c.baseline)</failure>\n  "
            }
            xml += "</testcase>\n"
        }
        return xml + "</testsuite>\n"
    }

    /// `metrics.json` of the gate.
    public static func json(_ checks: [GateCheck], candidate: String, baseline: String) -> JSONValue {
        .object([
            ("candidate", .string(candidate)), ("baseline", .string(baseline)),
            ("passed", .bool(checks.allSatisfy(\.passed))),
            ("checks", .array(checks.map { c in
                .object([("output", .string(c.output)), ("metric", .string(c.metric)),
                         ("candidate", c.missing ? .null : .double(c.candidate)),
                         ("baseline", .double(c.baseline)), ("regression", c.missing ? .null : .double(c.regression)),
                         ("missing", .bool(c.missing)),
                         ("limit", .double(c.rule.limit)), ("relative", .bool(c.rule.relative)), ("passed", .bool(c.passed))])
            })),
        ])
    }

    static func description(_ c: GateCheck) -> String {
        if c.missing { return "missing" }
        return c.rule.relative ? String(format: "%.2f%%", c.regression * 100) : String(format: "%.4g", c.regression)
    }

    /// A readable table, its columns aligned to the widest cell.
    public static func table(_ checks: [GateCheck]) -> String {
        var table = TextTable(["output", "metric", "candidate", "baseline", "change", "limit", "verdict"])
        for c in checks {
            let limit = c.rule.relative ? String(format: "%.2f%%", c.rule.limit * 100) : NumberText.significant(c.rule.limit)
            table.add([c.output, c.metric, c.missing ? "—" : NumberText.significant(c.candidate), NumberText.significant(c.baseline),
                       description(c), limit, c.passed ? "pass" : (c.missing ? "FAIL (candidate lacks it)" : "FAIL")])
        }
        return table.rendered
    }
}
