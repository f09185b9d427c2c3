import DoeDesign
import DoeRegistry
import DoeStrategies
import Foundation

/// A space's `prior: {registry: NAME@ALIAS}`: the version the reference names now, copied (verified) into a staging
/// folder for `Study.recordPrior(reason:staged:)`, which moves it into the study.
enum RegistryPrior {
    /// The registry folder a registry prior names: its `registry_dir`, else `$DOE_REGISTRY`, else `studies/registry`.
    static func root(_ directory: String?) -> String {
        directory ?? ProcessInfo.processInfo.environment["DOE_REGISTRY"] ?? "studies/registry"
    }

    /// Resolves and copies the registry model of `space`'s prior into a new folder under `parent` (same file system as
    /// the study, so the study can rename it into place); `nil` when the prior is not a registry one.
    /// - Returns: the staging folder and the version (`name@version`); the caller removes the folder if it is not used.
    static func stage(_ space: DesignSpace, near parent: String) throws -> (directory: String, version: String)? {
        guard case let .registry(reference, directory)? = space.prior?.source else { return nil }
        let (registry, version) = try resolve(reference, in: directory)
        let staging = parent + "/.prior-staging-" + UUID().uuidString
        do { try registry.materialize(version, into: staging) } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return (staging, "\(version.name)@\(version.version)")
    }

    /// The version a registry prior's reference names now, when it differs from `recorded` (`name@version`), for
    /// `doe status`'s note; `nil` when it is the same, the prior is not a registry one, or the registry cannot be read.
    static func moved(_ space: DesignSpace, recorded: String?) -> String? {
        guard case let .registry(reference, directory)? = space.prior?.source,
              let version = try? resolve(reference, in: directory).version else { return nil }
        let now = "\(version.name)@\(version.version)"
        return now == recorded ? nil : now
    }

    /// The registry a registry prior names and the version its reference names now.
    private static func resolve(_ reference: String, in directory: String?) throws -> (registry: Registry, version: ModelVersion) {
        let registry = try Registry(root: root(directory))
        return (registry, try registry.load().resolve(ModelReference(parsing: reference)))
    }

    /// How a recorded prior is named in messages: the directory, or `reference (= name@version)` for a registry one.
    static func label(_ prior: StudyPrior, version: String?) -> String {
        guard case .registry = prior.declaration.source, let version else { return prior.declaration.model }
        return "\(prior.declaration.model) (= \(version))"
    }
}
