import DoeBase
import Foundation

/// The domain of ``GateError``.
public enum GateErrorDomain: ErrorDomain {
    /// inconclusive (exit 2) unless the thrower says otherwise: the gate could not reach a verdict.
    public static var defaultKind: ErrorKind { .inconclusive }
    /// `gate.inconclusive`.
    public static var code: String { "gate.inconclusive" }
}

/// A gate that could not be evaluated (exit 2), or a malformed limit (exit 64), naming the metric, output or file.
public typealias GateError = DomainError<GateErrorDomain>

/// One limit of the gate: a largest regression against the baseline (`--max-regression rmse=5%`), or an absolute
/// bound on the candidate (`--min r2=0.99`, `--max tip_deflection.rmse=0.02`), for one output or every output.
public struct GateRule: Sendable, Equatable {
    /// What the limit bounds.
    public enum Kind: String, Sendable {
        /// How much worse than the baseline the candidate may be (positive = worse; negative demands an improvement).
        case maxRegression = "max-regression"
        /// The candidate's value must be at least the limit.
        case minimum = "min"
        /// The candidate's value must be at most the limit.
        case maximum = "max"
    }
    /// What the limit bounds.
    public let kind: Kind
    /// The output checked; `nil` for every output (a rule naming an output overrides one for every output).
    public let output: String?
    /// Metric checked, one of ``known``.
    public let metric: String
    /// The limit: for a regression a fraction of |baseline| when ``relative`` (`5%` → 0.05), else in the metric's
    /// units; for `min`/`max` the bound itself.
    public let limit: Double
    /// Whether ``limit`` is relative to |baseline| (the regression limit ended in `%`).
    public let relative: Bool

    /// Metrics where larger is better; the rest (rmse, mae, max_abs_error) are errors.
    public static let higherIsBetter: Set<String> = ["r2"]
    /// The metrics a rule may name.
    public static let known: Set<String> = ["rmse", "mae", "r2", "max_abs_error"]

    /// Parses `METRIC=LIMIT` or `OUTPUT.METRIC=LIMIT` (`rmse=5%`, `tip_deflection.rmse=-2%`, `r2=0.001`).
    ///
    /// A regression limit is relative with `%`; a bare number is an absolute change in the metric's units and is
    /// refused unless `absolute` (so `5` meant as 5 % is never read as 5 mm). For r2 the regression is
    /// baseline − candidate, for the error metrics candidate − baseline: positive is always worse.
    /// - Throws: ``GateError`` of kind `usage` for malformed text, `inconclusive` for an unknown metric.
    public init(parsing text: String, kind: Kind, absolute: Bool = false) throws {
        let option = "--\(kind.rawValue) \(text)"
        guard let equals = text.firstIndex(of: "=") else {
            throw GateError("\(option): expected METRIC=LIMIT or OUTPUT.METRIC=LIMIT, e.g. rmse=5% or tip_deflection.rmse=0.02",
                            kind: .usage, code: "gate.usage")
        }
        let target = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        if let dot = target.lastIndex(of: ".") {
            output = String(target[..<dot])
            metric = String(target[target.index(after: dot)...])
            guard !(output ?? "").isEmpty else {
                throw GateError("\(option): empty output name before '.'", kind: .usage, code: "gate.usage")
            }
        } else {
            output = nil
            metric = target
        }
        guard GateRule.known.contains(metric) else {
            throw GateError("\(option): unknown metric '\(metric)' (use \(GateRule.known.sorted().joined(separator: ", ")))",
                            code: "gate.unknown_metric")
        }
        let isRelative = value.hasSuffix("%")
        guard let number = Double(isRelative ? String(value.dropLast()) : value), number.isFinite else {
            throw GateError("\(option): '\(value)' is not a number\(kind == .maxRegression ? " (optionally with %)" : "")",
                            kind: .usage, code: "gate.usage")
        }
        switch kind {
        case .maxRegression:
            guard isRelative || absolute else {
                throw GateError("\(option): a bare number is an absolute change in \(metric)'s units; write \(value)% for a relative "
                    + "limit, or pass --absolute to mean \(value) \(metric) units", kind: .usage, code: "gate.ambiguous_limit")
            }
        case .minimum, .maximum:
            guard !isRelative else {
                throw GateError("\(option): an absolute limit is a value of \(metric), not a percentage", kind: .usage, code: "gate.usage")
            }
        }
        self.kind = kind
        self.limit = isRelative ? number / 100 : number
        self.relative = isRelative
    }

    /// `output.metric` or `metric`.
    public var target: String { output.map { "\($0).\(metric)" } ?? metric }

    /// The rule as a user writes it: `max-regression rmse=5%`, `min r2=0.99`.
    public var description: String {
        let value = relative ? NumberText.significant(limit * 100) + "%" : NumberText.significant(limit)
        return "\(kind.rawValue) \(target)=\(value)"
    }
}

/// One comparison of the gate.
public struct GateCheck: Sendable {
    /// Output name (`field` for a field model's field as a whole).
    public let output: String
    /// Metric compared.
    public let metric: String
    /// The candidate's value (`nil` when the candidate lacks it: the check fails).
    public let candidate: Double?
    /// The baseline's value, for a regression check.
    public let baseline: Double?
    /// For a regression check, how much worse the candidate is (positive = worse), absolute or relative to |baseline|
    /// as the rule says; for an absolute limit, the candidate's value.
    public let measured: Double
    /// The rule checked.
    public let rule: GateRule
    /// The output's unit, for the error metrics (rmse, mae, max_abs_error); `nil` for r2 or an output without one.
    public var unit: String? = nil
    /// `true` when the baseline has this output and metric and the candidate does not.
    public var missing: Bool { candidate == nil }
    /// The check passed.
    public var passed: Bool {
        guard !missing else { return false }
        let tolerance = 1e-12 * max(1, abs(rule.limit))
        switch rule.kind {
        case .maxRegression, .maximum: return measured <= rule.limit + tolerance
        case .minimum: return measured >= rule.limit - tolerance
        }
    }
    /// `tip_deflection.rmse`.
    public var name: String { "\(output).\(metric)" }
}

/// Compares a candidate's metrics with a baseline's and with absolute limits, and renders the verdict for people and
/// CI systems.
public enum Gate {
    /// The checks of `rules`.
    ///
    /// Regression rules check every output of the baseline (or the one named); an output or metric the baseline has
    /// and the candidate lacks is a failed check (a model that stops predicting `field` must not pass by having
    /// nothing to compare). Absolute rules check every output of the candidate that has the metric (or the one named).
    /// A rule naming an output overrides a rule of the same kind and metric for every output.
    /// - Parameters: `candidate`/`baseline`: `{output: {rmse, mae, r2, max_abs_error}}`; `baseline` is needed by
    ///   regression rules only.
    /// - Throws: ``GateError`` (inconclusive) for an output no model has, a metric no output has, or missing metrics.
    public static func evaluate(candidate: JSONValue, baseline: JSONValue?, rules: [GateRule],
                                candidateName: String = "the candidate", baselineName: String = "the baseline",
                                units: [String: String] = [:]) throws -> [GateCheck] {
        var checks = try checksWithoutUnits(candidate: candidate, baseline: baseline, rules: rules, candidateName: candidateName,
                                            baselineName: baselineName)
        for k in checks.indices where !GateRule.higherIsBetter.contains(checks[k].metric) { checks[k].unit = units[checks[k].output] }
        return checks
    }

    static func checksWithoutUnits(candidate: JSONValue, baseline: JSONValue?, rules: [GateRule], candidateName: String,
                                   baselineName: String) throws -> [GateCheck] {
        guard let outputs = candidate.members, !outputs.isEmpty else {
            throw GateError("\(candidateName) has no recorded metrics (registered from a folder without metrics.json?)")
        }
        let candidateOutputs = outputs.map(\.0)
        var checks: [GateCheck] = []
        for rule in rules {
            let specific = rules.contains { $0.kind == rule.kind && $0.metric == rule.metric && $0.output != nil }
            switch rule.kind {
            case .maxRegression:
                guard let baseline else {
                    throw GateError("--max-regression \(rule.target) needs --baseline", kind: .usage, code: "gate.usage")
                }
                guard let baseOutputs = baseline.members, !baseOutputs.isEmpty else {
                    throw GateError("\(baselineName) has no recorded metrics (registered from a folder without metrics.json?)")
                }
                var targets = baseOutputs.map(\.0)
                if let output = rule.output {
                    guard targets.contains(output) else {
                        throw GateError("--max-regression \(rule.target): \(baselineName) has no output '\(output)' "
                            + "(outputs: \(targets.joined(separator: ", ")))", code: "gate.unknown_output")
                    }
                    targets = [output]
                } else if specific {
                    targets.removeAll { t in rules.contains { $0.kind == rule.kind && $0.metric == rule.metric && $0.output == t } }
                }
                var found = rule.output != nil
                for output in targets {
                    guard let b = baseline[output]?[rule.metric]?.number else {
                        if rule.output != nil {
                            throw GateError("\(baselineName) has no \(rule.metric) for '\(output)'", code: "gate.missing_metric")
                        }
                        continue
                    }
                    found = true
                    guard let c = candidate[output]?[rule.metric]?.number else {
                        checks.append(GateCheck(output: output, metric: rule.metric, candidate: nil, baseline: b, measured: .infinity,
                                                rule: rule))
                        continue
                    }
                    var worse = GateRule.higherIsBetter.contains(rule.metric) ? b - c : c - b
                    if rule.relative { worse /= max(abs(b), 1e-300) }
                    checks.append(GateCheck(output: output, metric: rule.metric, candidate: c, baseline: b, measured: worse, rule: rule))
                }
                if !found { throw GateError("\(baselineName) has no output with \(rule.metric)", code: "gate.missing_metric") }
            case .minimum, .maximum:
                var targets = candidateOutputs
                if let output = rule.output {
                    guard targets.contains(output) || baseline?[output] != nil else {
                        throw GateError("--\(rule.kind.rawValue) \(rule.target): \(candidateName) has no output '\(output)' "
                            + "(outputs: \(targets.joined(separator: ", ")))", code: "gate.unknown_output")
                    }
                    targets = [output]
                } else if specific {
                    targets.removeAll { t in rules.contains { $0.kind == rule.kind && $0.metric == rule.metric && $0.output == t } }
                }
                let before = checks.count
                for output in targets {
                    let c = candidate[output]?[rule.metric]?.number
                    if c == nil && rule.output == nil { continue }
                    checks.append(GateCheck(output: output, metric: rule.metric, candidate: c, baseline: nil, measured: c ?? .nan,
                                            rule: rule))
                }
                if checks.count == before && rule.output == nil && !targets.isEmpty {
                    throw GateError("--\(rule.kind.rawValue) \(rule.target): \(candidateName) has no output with \(rule.metric)",
                                    code: "gate.missing_metric")
                }
            }
        }
        guard !checks.isEmpty else {
            throw GateError("no check to run: give --max-regression, --min or --max", kind: .usage, code: "gate.usage")
        }
        return checks
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func limitText(_ rule: GateRule) -> String {
        rule.relative ? String(format: "%.2f%%", rule.limit * 100) : NumberText.significant(rule.limit)
    }

    /// What a failed check says: `rmse of stress regressed by 7.10% (limit 5.00%)`, `r2 of uy is 0.97 (min 0.99)`.
    public static func failureMessage(_ c: GateCheck) -> String {
        if c.missing { return "the candidate has no \(c.metric) for \(c.output); the baseline does" }
        switch c.rule.kind {
        case .maxRegression: return "\(c.metric) of \(c.output) regressed by \(description(c)) (limit \(limitText(c.rule)))"
        case .minimum: return "\(c.metric) of \(c.output) is \(NumberText.significant(c.measured)), below the minimum \(limitText(c.rule))"
        case .maximum: return "\(c.metric) of \(c.output) is \(NumberText.significant(c.measured)), above the maximum \(limitText(c.rule))"
        }
    }

    /// A JUnit XML report: one test case per check, failures carry the numbers; exit 0 passed, 1 regressed, 2
    /// inconclusive (see ``junit(error:suite:)``).
    public static func junit(_ checks: [GateCheck], suite: String) -> String {
        let failures = checks.filter { !$0.passed }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuite name=\"\(escape(suite))\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        xml += "  <properties><property name=\"exit_status\" value=\"\(failures == 0 ? 0 : 1)\"/></properties>\n"
        for c in checks {
            xml += "  <testcase classname=\"\(escape(suite))\" name=\"\(escape("\(c.name) (\(c.rule.kind.rawValue))"))\">"
            if !c.passed {
                let numbers = [c.candidate.map { "candidate \($0)" } ?? "candidate lacks it", c.baseline.map { "baseline \($0)" }]
                    .compactMap { $0 }.joined(separator: ", ")
                xml += "\n    <failure message=\"\(escape(failureMessage(c)))\">\(escape(numbers))</failure>\n  "
            }
            xml += "</testcase>\n"
        }
        return xml + "</testsuite>\n"
    }

    /// A JUnit XML report of a gate that could not be evaluated: one test case in error (exit status 2).
    public static func junit(error message: String, suite: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuite name=\"\(escape(suite))\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
            + "  <properties><property name=\"exit_status\" value=\"2\"/></properties>\n"
            + "  <testcase classname=\"\(escape(suite))\" name=\"gate\">\n"
            + "    <error message=\"\(escape("the gate could not be evaluated: " + message))\"/>\n  </testcase>\n</testsuite>\n"
    }

    /// `metrics.json` of the gate.
    public static func json(_ checks: [GateCheck], candidate: String, baseline: String?) -> JSONValue {
        let passed = checks.allSatisfy(\.passed)
        return .object([
            ("candidate", .string(candidate)), ("baseline", baseline.map(JSONValue.string) ?? .null),
            ("verdict", .string(passed ? "passed" : "failed")), ("passed", .bool(passed)), ("exit_status", .int(passed ? 0 : 1)),
            ("checks", .array(checks.map { c in
                .object([("output", .string(c.output)), ("metric", .string(c.metric)), ("kind", .string(c.rule.kind.rawValue)),
                         ("unit", c.unit.map(JSONValue.string) ?? .null),
                         ("candidate", c.candidate.map(JSONValue.double) ?? .null),
                         ("baseline", c.baseline.map(JSONValue.double) ?? .null),
                         ("regression", c.rule.kind == .maxRegression && !c.missing ? .double(c.measured) : .null),
                         ("missing", .bool(c.missing)),
                         ("limit", .double(c.rule.limit)), ("relative", .bool(c.rule.relative)), ("passed", .bool(c.passed))])
            })),
        ])
    }

    /// `metrics.json` of a gate that could not be evaluated.
    public static func json(error message: String, candidate: String, baseline: String?) -> JSONValue {
        .object([("candidate", .string(candidate)), ("baseline", baseline.map(JSONValue.string) ?? .null),
                 ("verdict", .string("inconclusive")), ("passed", .bool(false)), ("exit_status", .int(2)), ("error", .string(message))])
    }

    static func description(_ c: GateCheck) -> String {
        if c.missing { return "missing" }
        switch c.rule.kind {
        case .maxRegression:
            return c.rule.relative ? String(format: "%.2f%%", c.measured * 100) : NumberText.significant(c.measured)
        case .minimum, .maximum: return "—"
        }
    }

    /// A readable table, its columns aligned to the widest cell.
    public static func table(_ checks: [GateCheck]) -> String {
        var table = TextTable(["output", "metric", "candidate", "baseline", "change", "limit", "verdict"])
        for c in checks {
            let limit = (c.rule.kind == .maxRegression ? "" : c.rule.kind.rawValue + " ") + limitText(c.rule)
            table.add([c.output, c.metric + (c.unit.map { " [\($0)]" } ?? ""), c.candidate.map { NumberText.significant($0) } ?? "—",
                       c.baseline.map { NumberText.significant($0) } ?? "—",
                       description(c), limit, c.passed ? "pass" : (c.missing ? "FAIL (candidate lacks it)" : "FAIL")])
        }
        return table.rendered
    }
}
