import Foundation

/// Who is acting and from which pipeline: the CI system's actor, commit and run when one is present, else
/// `user@host`. Recorded with registrations, gate runs and promotions, so an auditor can follow a model from the
/// commit that trained it to the person or pipeline that put it in production.
public struct CIIdentity: Sendable, Equatable {
    /// The CI system: `github-actions` or `gitlab-ci`; `nil` outside CI.
    public let system: String?
    /// The person or pipeline acting: the CI actor, else `$USER@host` (no process id: it means nothing later).
    public let actor: String
    /// The commit being built, when the CI system says (`GITHUB_SHA`, `CI_COMMIT_SHA`) or `$DOE_GIT_COMMIT` is set.
    public let commit: String?
    /// The CI run (GitHub run id, GitLab pipeline id).
    public let runId: String?
    /// A link to the run, when the CI system gives enough to build one.
    public let runURL: String?

    /// The identity described by `environment` (the process's by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let explicitCommit = value("DOE_GIT_COMMIT")
        if value("GITHUB_ACTIONS") == "true" {
            system = "github-actions"
            actor = value("GITHUB_ACTOR").map { "\($0) (GitHub Actions)" } ?? "GitHub Actions"
            commit = explicitCommit ?? value("GITHUB_SHA")
            runId = value("GITHUB_RUN_ID")
            if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"), let runId {
                runURL = "\(server)/\(repository)/actions/runs/\(runId)"
            } else {
                runURL = nil
            }
        } else if value("GITLAB_CI") == "true" {
            system = "gitlab-ci"
            actor = value("GITLAB_USER_LOGIN").map { "\($0) (GitLab CI)" } ?? "GitLab CI"
            commit = explicitCommit ?? value("CI_COMMIT_SHA")
            runId = value("CI_PIPELINE_ID")
            runURL = value("CI_PIPELINE_URL")
        } else {
            system = nil
            let user = value("USER") ?? value("LOGNAME") ?? "uid\(getuid())"
            actor = "\(user)@\(ProcessInfo.processInfo.hostName)"
            commit = explicitCommit
            runId = nil
            runURL = nil
        }
    }

    /// The identity of this process.
    public static let current = CIIdentity()

    /// `actor`, with the run and commit when known: `ana (GitHub Actions), run 42, commit 1a2b3c4d5e6f`.
    public var description: String {
        var parts = [actor]
        if let runId { parts.append("run \(runId)") }
        if let commit { parts.append("commit \(commit.prefix(12))") }
        return parts.joined(separator: ", ")
    }

    /// The fields recorded in a journal: `actor` and, when known, `ci_system`, `commit`, `ci_run_id`, `ci_run_url`.
    public var fields: [(String, String)] {
        var fields = [("actor", actor)]
        if let system { fields.append(("ci_system", system)) }
        if let commit { fields.append(("commit", commit)) }
        if let runId { fields.append(("ci_run_id", runId)) }
        if let runURL { fields.append(("ci_run_url", runURL)) }
        return fields
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
