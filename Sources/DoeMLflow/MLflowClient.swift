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
/// Only what doe needs: experiments, runs (create, search, log-batch, log-inputs, update), artifact upload through
/// the tracking server's artifact proxy (`mlflow-artifacts`), registered models, model versions, their tags and
/// aliases. Credentials come from MLflow's own environment variables — `MLFLOW_TRACKING_TOKEN` (a bearer token) or
/// `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD` (basic) — and are sent with every request, never
/// printed or logged.
public final class MLflowClient: @unchecked Sendable {
    /// The tracking server's base URL (`http` or `https`, no trailing slash).
    public let trackingURI: URL
    let timeout: TimeInterval
    let authorization: String?

    /// How requests are authenticated: `bearer`, `basic` or `none` (the secret itself is never exposed).
    public var authentication: String {
        guard let authorization else { return "none" }
        return authorization.hasPrefix("Bearer ") ? "bearer" : "basic"
    }

    /// A client for the server at `trackingURI` (else `$MLFLOW_TRACKING_URI`); `timeout` is per request, in seconds.
    /// - Throws: ``MLflowError`` (`mlflow.invalid_uri`) unless the URI is an `http(s)://` URL, or when none is given.
    public init(trackingURI: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                timeout: TimeInterval = 30) throws {
        guard let given = trackingURI ?? environment["MLFLOW_TRACKING_URI"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw MLflowError("no MLflow tracking server: pass --tracking-uri or set MLFLOW_TRACKING_URI", kind: .usage,
                              code: "mlflow.no_uri")
        }
        guard let url = URL(string: given.hasSuffix("/") ? String(given.dropLast()) : given),
              url.scheme == "http" || url.scheme == "https" else {
            throw MLflowError("tracking URI \(given): expected http(s)://host:port", kind: .invalidValue, code: "mlflow.invalid_uri")
        }
        self.trackingURI = url
        self.timeout = timeout
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            authorization = "Bearer " + token
        } else if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            authorization = "Basic " + Data("\(user):\(environment["MLFLOW_TRACKING_PASSWORD"] ?? "")".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
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
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
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
            let hint = box.status == 401 || box.status == 403
                ? " (check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD; sent: \(authentication))" : ""
            throw MLflowError("MLflow answered HTTP \(box.status) to \(endpoint)\(hint): \(text.prefix(300))", httpStatus: box.status)
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
    /// - Parameter startTime: when what the run records began (milliseconds since 1970); now by default.
    public func createRun(experimentId: String, name: String, tags: [(String, String)], startTime: Int? = nil) throws -> MLflowRun {
        let now = startTime ?? Int(Date().timeIntervalSince1970 * 1000)
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
    public func finishRun(_ runId: String) throws { try updateRun(runId, status: "FINISHED") }

    /// Sets a run's status (`RUNNING`, `FINISHED`, `FAILED`, `KILLED`) and, unless running, its end time (now by default).
    public func updateRun(_ runId: String, status: String, endTime: Int? = nil) throws {
        var fields: [(String, JSONValue)] = [("run_id", .string(runId)), ("status", .string(status))]
        if status != "RUNNING" { fields.append(("end_time", .int(endTime ?? Int(Date().timeIntervalSince1970 * 1000)))) }
        _ = try send("POST", "api/2.0/mlflow/runs/update", json: .object(fields))
    }

    /// Runs of an experiment matching an MLflow search `filter` (e.g. `tags.\`doe.study\` = 'plate'`), every page.
    public func searchRuns(experimentId: String, filter: String) throws -> [MLflowRunInfo] {
        var runs: [MLflowRunInfo] = [], token: String?
        repeat {
            var body: [(String, JSONValue)] = [("experiment_ids", .array([.string(experimentId)])), ("filter", .string(filter)),
                                               ("max_results", .int(1000))]
            if let token { body.append(("page_token", .string(token))) }
            let answer = try send("POST", "api/2.0/mlflow/runs/search", json: .object(body))
            for run in answer["runs"]?.elements ?? [] {
                guard let id = run["info"]?["run_id"]?.string else { continue }
                let tags = (run["data"]?["tags"]?.elements ?? []).compactMap { t in
                    t["key"]?.string.map { ($0, t["value"]?.string ?? "") }
                }
                let metrics = (run["data"]?["metrics"]?.elements ?? []).compactMap { m in
                    m["key"]?.string.flatMap { key in m["value"]?.number.map { (key, $0) } }
                }
                runs.append(MLflowRunInfo(id: id, status: run["info"]?["status"]?.string ?? "",
                                          artifactURI: run["info"]?["artifact_uri"]?.string ?? "", tags: Dictionary(tags) { $1 },
                                          metrics: Dictionary(metrics) { $1 }))
            }
            token = answer["next_page_token"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return runs
    }

    /// Logs datasets a run used (`runs/log-inputs`): name, digest, source and a context tag (`training`, `evaluation`).
    public func logInputs(runId: String, datasets: [MLflowDataset]) throws {
        guard !datasets.isEmpty else { return }
        _ = try send("POST", "api/2.0/mlflow/runs/log-inputs", json: .object([
            ("run_id", .string(runId)),
            ("datasets", .array(datasets.map { d in
                .object([("tags", .array([.object([("key", "mlflow.data.context"), ("value", .string(d.context))])])),
                         ("dataset", .object([("name", .string(d.name)), ("digest", .string(String(d.digest.prefix(36)))),
                                              ("source_type", .string(d.sourceType)), ("source", .string(d.source))]))])
            })),
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

    /// Creates the registered model if needed and returns the version of `runId` — the one already registered from
    /// that run, else a new version for `source` (a `runs:/…` URI) — then sets its `tags` and `aliases`.
    public func registerVersion(name: String, source: String, runId: String, aliases: [String], description: String,
                                tags: [(String, String)] = []) throws -> String {
        do {
            _ = try send("POST", "api/2.0/mlflow/registered-models/create", json: .object([("name", .string(name))]))
        } catch let error as MLflowError where error.message.contains("RESOURCE_ALREADY_EXISTS") {}
        let existing = try send("GET", "api/2.0/mlflow/model-versions/search", query: ["filter": "run_id='\(runId)'"])
        let version: String
        if let found = existing["model_versions"]?.elements?.first(where: { $0["name"]?.string == name })?["version"]?.string {
            version = found
        } else {
            let answer = try send("POST", "api/2.0/mlflow/model-versions/create", json: .object([
                ("name", .string(name)), ("source", .string(source)), ("run_id", .string(runId)), ("description", .string(description)),
            ]))
            guard let created = answer["model_version"]?["version"]?.string else {
                throw MLflowError("MLflow did not return a model version")
            }
            version = created
        }
        for (key, value) in tags {
            _ = try send("POST", "api/2.0/mlflow/model-versions/set-tag", json: .object([
                ("name", .string(name)), ("version", .string(version)), ("key", .string(key)), ("value", .string(value)),
            ]))
        }
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

/// A run found by ``MLflowClient/searchRuns(experimentId:filter:)``.
public struct MLflowRunInfo: Sendable, Equatable {
    /// The run's id.
    public let id: String
    /// `RUNNING`, `FINISHED`, `FAILED` or `KILLED`.
    public let status: String
    /// Where its artifacts are.
    public let artifactURI: String
    /// Its tags.
    public let tags: [String: String]
    /// Its metrics' latest values.
    public let metrics: [String: Double]
}

/// A dataset a run used, as MLflow's `log-inputs` records it.
public struct MLflowDataset: Sendable, Equatable {
    /// Dataset name (the file name).
    public let name: String
    /// Content digest (doe: the file's SHA-256; MLflow keeps 36 characters).
    public let digest: String
    /// `local`, `study`, …
    public let sourceType: String
    /// JSON describing where it is (`{"uri": …, "sha256": …}`).
    public let source: String
    /// `training`, `evaluation` or `external`.
    public let context: String

    /// A dataset with these fields.
    public init(name: String, digest: String, sourceType: String, source: String, context: String) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.context = context
    }
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
