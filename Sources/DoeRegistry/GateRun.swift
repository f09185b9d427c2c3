import DoeBase
import DoeProvenance
import Foundation

/// One `doe gate` run: which versions, which limits, which dumps, where the report goes.
public struct GateRequest: Sendable {
    /// The candidate version.
    public var candidate: ModelReference
    /// The baseline (needed by regression limits); `nil` for absolute limits only.
    public var baseline: ModelReference?
    /// The limits as written: kind and `METRIC=LIMIT` / `OUTPUT.METRIC=LIMIT` text (parsed by the run, so that an
    /// unknown metric is an inconclusive verdict with a report, not a crash of the pipeline step).
    public var limits: [(kind: GateRule.Kind, text: String)]
    /// Read bare regression numbers as absolute changes (`--absolute`).
    public var absolute: Bool
    /// Dumps to evaluate both models on instead of their recorded test metrics.
    public var dumps: [String] = []
    /// Folder receiving `metrics.json` and `junit.xml`.
    public var reportDirectory: String

    /// A request; `dumps` empty uses the recorded test metrics.
    public init(candidate: ModelReference, baseline: ModelReference?, limits: [(kind: GateRule.Kind, text: String)],
                absolute: Bool = false, dumps: [String] = [], reportDirectory: String) {
        self.candidate = candidate
        self.baseline = baseline
        self.limits = limits
        self.absolute = absolute
        self.dumps = dumps
        self.reportDirectory = reportDirectory
    }
}

/// What a gate run found.
public struct GateResult: Sendable {
    /// The verdict (exit 0, 1 or 2).
    public let verdict: GateOutcome.Verdict
    /// The checks run (empty when inconclusive).
    public let checks: [GateCheck]
    /// `name@version` of the candidate and the baseline, as resolved.
    public let candidateName: String
    /// `name@version` of the baseline, when there is one.
    public let baselineName: String?
    /// Why the gate could not be evaluated, when inconclusive.
    public let error: (any Error)?
    /// Whether the run was recorded in the registry (not when the registry or the candidate could not be read).
    public let recorded: Bool
}

/// Runs the gate end to end: resolves and verifies both versions, evaluates the limits, writes the report and records
/// the verdict in the registry. Nothing it meets is thrown: a broken configuration is an inconclusive verdict (exit 2)
/// with its reason, so CI can tell it from a regression (exit 1).
public enum GateRunner {
    /// Runs `request` against the registry at `root`.
    /// - Parameter evaluate: the metrics of a version on `request.dumps`, given a verified copy of its model folder
    ///   (only called when dumps were given).
    public static func run(registryRoot root: String, _ request: GateRequest,
                           evaluate: (ModelVersion, String) throws -> JSONValue) -> GateResult {
        var candidateName = request.candidate.description, baselineName = request.baseline?.description
        var registry: Registry?, candidate: ModelVersion?, baseline: ModelVersion?
        var digests: [GateOutcome.DumpDigest] = []
        var rules: [GateRule] = []
        func finish(_ verdict: GateOutcome.Verdict, _ checks: [GateCheck], _ error: (any Error)?) -> GateResult {
            let suite = "doe gate \(candidateName)" + (baselineName.map { " vs \($0)" } ?? "")
            let message = error.map { ($0 as? any CodedError)?.report ?? "\($0)" }
            let report = message.map { Gate.json(error: $0, candidate: candidateName, baseline: baselineName) }
                ?? Gate.json(checks, candidate: candidateName, baseline: baselineName)
            let junit = message.map { Gate.junit(error: $0, suite: suite) } ?? Gate.junit(checks, suite: suite)
            var verdict = verdict, error = error, reportSHA: String?
            do {
                let data = Data((report.prettySerialized + "\n").utf8)
                try DurableFile.makeDirectories(request.reportDirectory)
                try DurableFile.replace(request.reportDirectory + "/metrics.json", with: data)
                try DurableFile.replace(request.reportDirectory + "/junit.xml", with: Data(junit.utf8))
                reportSHA = FileDigest.sha256(of: data)
            } catch let failure {
                verdict = .inconclusive
                error = error ?? GateError("cannot write the gate report to \(request.reportDirectory): \(failure)", cause: failure)
            }
            var recorded = false
            if let registry, let candidate {
                let failures = error.map { ["inconclusive: \(($0 as? any CodedError)?.description ?? "\($0)")"] }
                    ?? checks.filter { !$0.passed }.map { "\($0.name)\($0.missing ? " (missing)" : "")" }
                var outcome = GateOutcome(baseline: baselineName, verdict: verdict, failures: failures, at: "")
                outcome.rules = request.limits.map { "\($0.kind.rawValue) \($0.text)" }
                outcome.reportSHA256 = reportSHA
                outcome.dumps = digests
                do {
                    try registry.recordGate(candidate, baseline: baseline, outcome: outcome)
                    recorded = true
                } catch let failure where error == nil {
                    verdict = .inconclusive
                    error = GateError("cannot record the gate in \(root): \(failure)", cause: failure)
                } catch {}
            }
            return GateResult(verdict: verdict, checks: error == nil ? checks : [], candidateName: candidateName,
                              baselineName: baselineName, error: error, recorded: recorded)
        }
        do {
            do {
                rules = try request.limits.map { try GateRule(parsing: $0.text, kind: $0.kind, absolute: request.absolute) }
            } catch let error as GateError where error.kind == .usage { throw error } catch {
                // an unknown metric: still resolve the candidate, so the inconclusive run is recorded against it
                if let opened = try? Registry(root: root), let state = try? opened.load(), let c = try? state.resolve(request.candidate) {
                    (registry, candidate, candidateName) = (opened, c, "\(c.name)@\(c.version)")
                }
                throw error
            }
            let opened = try Registry(root: root)
            registry = opened
            let state = try opened.load()
            let c = try state.resolve(request.candidate)
            candidate = c
            candidateName = "\(c.name)@\(c.version)"
            if let reference = request.baseline {
                let b = try state.resolve(reference)
                baseline = b
                baselineName = "\(b.name)@\(b.version)"
            }
            for v in [c] + (baseline.map { [$0] } ?? []) {
                let problems = opened.verify(v)
                guard problems.isEmpty else {
                    throw GateError("\(v.name)@\(v.version) failed verification: \(problems.joined(separator: "; "))",
                                    code: "gate.tampered")
                }
            }
            var candidateMetrics = c.metrics, baselineMetrics = baseline?.metrics
            if !request.dumps.isEmpty {
                digests = try request.dumps.map { path in
                    do { return GateOutcome.DumpDigest(path: path, sha256: try FileDigest.sha256(ofFile: path)) } catch {
                        throw GateError("\(path): cannot read the dump", code: "gate.unreadable_dump", cause: error)
                    }
                }
                func metrics(_ v: ModelVersion) throws -> JSONValue { try opened.withMaterialized(v) { try evaluate(v, $0) } }
                candidateMetrics = try metrics(c)
                baselineMetrics = try baseline.map(metrics)
            }
            let units = (c.lineage["output_units"]?.members ?? []).compactMap { m in m.1.string.map { (m.0, $0) } }
            let checks = try Gate.evaluate(candidate: candidateMetrics, baseline: baselineMetrics, rules: rules,
                                           candidateName: candidateName, baselineName: baselineName ?? "the baseline",
                                           units: Dictionary(units) { a, _ in a })
            return finish(checks.allSatisfy(\.passed) ? .passed : .failed, checks, nil)
        } catch let error as GateError where error.kind == .usage {
            return GateResult(verdict: .inconclusive, checks: [], candidateName: candidateName, baselineName: baselineName,
                              error: error, recorded: false)
        } catch {
            return finish(.inconclusive, [], error)
        }
    }
}
