import DoeBase
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed MLflow call: unreachable server, HTTP error or unexpected answer, with the endpoint.
public struct MLflowError: CodedError {
    /// What failed, naming the endpoint.
    public let message: String
    /// The HTTP status the server answered, when it answered with an error.
    public let httpStatus: Int?
    /// `remote` for the server's failures, `invalidValue` for a bad tracking URI.
    public let kind: ErrorKind
    /// `mlflow.http_<status>`, `mlflow.unreachable`, `mlflow.invalid_uri` or `mlflow.unexpected_answer`.
    public let code: String
    /// The transport error, when the server could not be reached.
    public let cause: (any Error)?
    /// An error with this message.
    public init(_ message: String, httpStatus: Int? = nil, kind: ErrorKind = .remote, code: String = "mlflow.unexpected_answer",
                cause: (any Error)? = nil) {
        self.message = message
        self.httpStatus = httpStatus
        self.kind = kind
        self.code = httpStatus.map { "mlflow.http_\($0)" } ?? code
        self.cause = cause
    }
    /// The message.
    public var description: String { message }
}

/// A minimal client for MLflow's documented REST API (2.0 endpoints), over Foundation's URLSession.
///
/// Only what doe needs: experiments, runs (create, log-batch, update), artifact upload through the tracking
/// server's artifact proxy (`mlflow-artifacts`), registered models, model versions and aliases.
public final class MLflowClient: @unchecked Sendable {
    /// The tracking server's base URL (`http` or `https`, no trailing slash).
    public let trackingURI: URL
    let timeout: TimeInterval

    /// A client for the server at `trackingURI`; `timeout` is per request, in seconds.
    /// - Throws: ``MLflowError`` (`mlflow.invalid_uri`) unless `trackingURI` is an `http(s)://` URL.
    public init(trackingURI: String, timeout: TimeInterval = 30) throws {
        guard let url = URL(string: trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI),
              url.scheme == "http" || url.scheme == "https" else {
            throw MLflowError("--tracking-uri \(trackingURI): expected http(s)://host:port", kind: .invalidValue,
                              code: "mlflow.invalid_uri")
        }
        self.trackingURI = url
        self.timeout = timeout
    }

    final class ResponseBox: @unchecked Sendable {
        var data: Data?
        var status = 0
        var error: Error?
    }

    /// Sends one request and waits for the answer.
    func send(_ method: String, _ path: String, json: JSONValue? = nil, body: Data? = nil,
              query: [String: String] = [:]) throws -> JSONValue {
        var components = URLComponents(url: trackingURI.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!, timeoutInterval: timeout)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.serialized.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.data = data
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.error = error
            done.signal()
        }.resume()
        done.wait()
        let endpoint = "\(method) \(components.url!.absoluteString)"
        if let error = box.error {
            throw MLflowError("MLflow server unreachable (\(endpoint)): \(error.localizedDescription)", code: "mlflow.unreachable",
                              cause: error)
        }
        let text = box.data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard (200..<300).contains(box.status) else {
            throw MLflowError("MLflow answered HTTP \(box.status) to \(endpoint): \(text.prefix(300))", httpStatus: box.status)
        }
        if text.isEmpty { return .object([]) }
        return (try? JSONValue.parse(text)) ?? .object([])
    }

    // MARK: - Experiments and runs

    /// The id of experiment `name`, created when missing.
    public func experimentId(named name: String) throws -> String {
        do {
            let found = try send("GET", "api/2.0/mlflow/experiments/get-by-name", query: ["experiment_name": name])
            if let id = found["experiment"]?["experiment_id"]?.string { return id }
        } catch let error as MLflowError where error.httpStatus == 404 {}
        let created = try send("POST", "api/2.0/mlflow/experiments/create", json: .object([("name", .string(name))]))
        guard let id = created["experiment_id"]?.string else { throw MLflowError("MLflow did not return an experiment id") }
        return id
    }

    /// Creates a run and returns its id and artifact URI.
    public func createRun(experimentId: String, name: String, tags: [(String, String)]) throws -> MLflowRun {
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let answer = try send("POST", "api/2.0/mlflow/runs/create", json: .object([
            ("experiment_id", .string(experimentId)), ("run_name", .string(name)), ("start_time", .int(now)),
            ("tags", .array(tags.map { .object([("key", .string($0.0)), ("value", .string($0.1))]) })),
        ]))
        guard let id = answer["run"]?["info"]?["run_id"]?.string else { throw MLflowError("MLflow did not return a run id") }
        return MLflowRun(id: id, artifactURI: answer["run"]?["info"]?["artifact_uri"]?.string ?? "")
    }

    /// Logs params, metrics (with steps) and tags in batches of MLflow's limits.
    public func logBatch(runId: String, params: [(String, String)], metrics: [MLflowMetric],
                         tags: [(String, String)] = []) throws {
        let now = Int(Date().timeIntervalSince1970 * 1000)
        var p = params[...], m = metrics[...], t = tags[...]
        repeat {
            let pp = p.prefix(100), mm = m.prefix(900), tt = t.prefix(100)
            p = p.dropFirst(pp.count); m = m.dropFirst(mm.count); t = t.dropFirst(tt.count)
            _ = try send("POST", "api/2.0/mlflow/runs/log-batch", json: .object([
                ("run_id", .string(runId)),
                ("params", .array(pp.map { .object([("key", .string($0.0)), ("value", .string(String($0.1.prefix(6000))))]) })),
                ("metrics", .array(mm.map { .object([("key", .string($0.key)), ("value", .double($0.value.isFinite ? $0.value : 0)),
                                                     ("timestamp", .int(now)), ("step", .int($0.step))]) })),
                ("tags", .array(tt.map { .object([("key", .string($0.0)), ("value", .string($0.1))]) })),
            ]))
        } while !p.isEmpty || !m.isEmpty || !t.isEmpty
    }

    /// Marks a run finished.
    public func finishRun(_ runId: String) throws {
        _ = try send("POST", "api/2.0/mlflow/runs/update", json: .object([
            ("run_id", .string(runId)), ("status", "FINISHED"), ("end_time", .int(Int(Date().timeIntervalSince1970 * 1000))),
        ]))
    }

    /// Uploads an artifact of a run through the server's artifact proxy (`mlflow-artifacts:/...` artifact URIs).
    public func uploadArtifact(runArtifactURI: String, name: String, data: Data) throws {
        guard runArtifactURI.hasPrefix("mlflow-artifacts:") else {
            throw MLflowError("the run's artifact store is '\(runArtifactURI)'; doe uploads through the tracking server's artifact proxy "
                + "(start it with --serve-artifacts, the default)")
        }
        var relative = String(runArtifactURI.dropFirst("mlflow-artifacts:".count))
        while relative.hasPrefix("/") { relative.removeFirst() }
        _ = try send("PUT", "api/2.0/mlflow-artifacts/artifacts/\(relative)/\(name)", body: data)
    }

    // MARK: - Model registry

    /// Creates the registered model if needed, adds a version for `source` (a `runs:/…` URI) and sets `aliases`.
    public func registerVersion(name: String, source: String, runId: String, aliases: [String], description: String) throws -> String {
        do {
            _ = try send("POST", "api/2.0/mlflow/registered-models/create", json: .object([("name", .string(name))]))
        } catch let error as MLflowError where error.message.contains("RESOURCE_ALREADY_EXISTS") {}
        let answer = try send("POST", "api/2.0/mlflow/model-versions/create", json: .object([
            ("name", .string(name)), ("source", .string(source)), ("run_id", .string(runId)), ("description", .string(description)),
        ]))
        guard let version = answer["model_version"]?["version"]?.string else { throw MLflowError("MLflow did not return a model version") }
        for alias in aliases {
            _ = try send("POST", "api/2.0/mlflow/registered-models/alias", json: .object([
                ("name", .string(name)), ("alias", .string(alias)), ("version", .string(version)),
            ]))
        }
        return version
    }
}

/// A run created on the server.
public struct MLflowRun: Sendable, Equatable {
    /// The run's id.
    public let id: String
    /// Where its artifacts go (`mlflow-artifacts:/…` with the tracking server's artifact proxy).
    public let artifactURI: String
}

/// One metric value of a run at a step (an epoch for loss curves, 0 otherwise).
public struct MLflowMetric: Sendable, Equatable {
    /// Metric name.
    public let key: String
    /// The value (non-finite values are sent as 0).
    public let value: Double
    /// The step.
    public let step: Int

    /// A metric with these values.
    public init(key: String, value: Double, step: Int) {
        self.key = key
        self.value = value
        self.step = step
    }
}
