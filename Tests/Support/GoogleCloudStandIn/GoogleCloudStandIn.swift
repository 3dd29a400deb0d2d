import Basics
import Foundation

/// A loopback stand-in for the Google REST APIs that `gcloud functions deploy|describe|list|delete|logs
/// read --gen2` calls (google-cloud-cli 528), found by running gcloud against it and reading its requests.
///
/// Shapes follow Google's REST references: Cloud Functions v2 `projects.locations.functions` (`Function`,
/// `generateUploadUrl`), `projects.locations.runtimes.list`, `projects.locations.operations` (`Operation`
/// with `OperationMetadata.stages`); Cloud Logging v2 `entries.list`; Service Usage v1 `services.get`;
/// Cloud Build v1 `projects.locations.getDefaultServiceAccount`; Resource Manager v1 `projects.get` and
/// `projects.getIamPolicy`; Cloud Run Admin v1 `projects.locations.services.getIamPolicy|setIamPolicy`.
/// Every operation is returned done. A request it does not know gets 404 and is recorded as unknown.
public final class GoogleCloudStandIn: @unchecked Sendable {
  /// One request as it arrived.
  public struct Request: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var body: Data
    public var isKnown: Bool

    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    public var summary: String { "\(method) \(path)" }
  }

  private struct State {
    var functions: [String: [String: Any]] = [:]
    var operations: [String: [String: Any]] = [:]
    var requests: [Request] = []
    var logEntries: [[String: Any]] = []
    var deployFailure: String?
    var functionURL: String?
    var counter = 0
  }

  public static let projectNumber = "123456789012"
  /// Guards `storage`. The JSON values inside are not `Sendable`, so a plain lock replaces `Mutex`.
  private let lock = NSLock()
  private var storage = State()
  private let server: HTTPServer
  public let port: Int

  public init() throws {
    let box = Box()
    server = HTTPServer(host: "127.0.0.1", port: 0) { request in await box.handle(request) }
    port = try server.start()
    box.standIn = self
  }

  public func stop() async { await server.stop() }

  private func withLock<T>(_ body: (inout State) -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body(&storage)
  }

  public var baseURL: String { "http://127.0.0.1:\(port)/" }
  public var requests: [Request] { self.withLock { $0.requests } }
  public var unknownRequests: [Request] { requests.filter { !$0.isKnown } }

  /// Returns the stored function, as the Function resource JSON.
  public func function(project: String, region: String, name: String) -> [String: Any]? {
    self.withLock { $0.functions["projects/\(project)/locations/\(region)/functions/\(name)"] }
  }

  /// Stores a function directly, as if someone deployed it without `functions`.
  public func insertFunction(project: String, region: String, name: String, labels: [String: String]) {
    let resource = "projects/\(project)/locations/\(region)/functions/\(name)"
    var function: [String: Any] = [
      "name": resource,
      "buildConfig": ["runtime": "python312", "entryPoint": "main"],
      "serviceConfig": ["availableMemory": "256M", "timeoutSeconds": 60],
    ]
    if !labels.isEmpty { function["labels"] = labels }
    self.withLock {
      $0.functions[resource] = complete(function, counter: &$0.counter, urlOverride: $0.functionURL)
    }
  }

  /// Makes the next create or patch end in a failed operation with this message, as a failed build does.
  /// Makes every function report `url` as its URL, such as a local server, instead of a `run.app` address
  /// that a test must never call.
  public func setFunctionURL(_ url: String) { self.withLock { $0.functionURL = url } }

  public func failNextDeploy(message: String) { self.withLock { $0.deployFailure = message } }

  /// Adds a Cloud Logging entry that `entries:list` returns.
  public func addLogEntry(service: String, text: String, timestamp: String) {
    self.withLock {
      $0.logEntries.append([
        "logName": "projects/demo-project/logs/run.googleapis.com%2Fstdout", "textPayload": text,
        "timestamp": timestamp, "severity": "INFO", "receiveTimestamp": timestamp,
        "resource": [
          "type": "cloud_run_revision", "labels": ["service_name": service, "location": "us-central1"],
        ],
        "labels": ["execution_id": "exec-1"],
      ])
    }
  }

  /// Connects the server's handler to the stand-in, which exists only after the server starts.
  private final class Box: @unchecked Sendable {
    weak var standIn: GoogleCloudStandIn?
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
      standIn?.handle(request) ?? .text(503, "stand-in stopped")
    }
  }

  // MARK: - Routing

  private func handle(_ http: HTTPRequest) -> HTTPResponse {
    var query: [String: String] = [:]
    for pair in (http.rawQuery ?? "").split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1).map {
        String($0).removingPercentEncoding ?? String($0)
      }
      query[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    let path = http.path.removingPercentEncoding ?? http.path
    let response = route(method: http.method, path: path, query: query, body: http.body)
    let known = response != nil
    self.withLock {
      $0.requests.append(
        Request(method: http.method, path: path, query: query, body: http.body, isKnown: known))
    }
    return response
      ?? Self.error(404, "NOT_FOUND", "The stand-in does not know \(http.method) \(http.target)")
  }

  private func route(method: String, path: String, query: [String: String], body: Data) -> HTTPResponse? {
    let parts = path.split(separator: "/").map(String.init)
    let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    switch (method, parts.count) {
    case ("PUT", 2) where parts[0] == "upload":
      // The signed-URL upload of the source ZIP (generateUploadUrl: "PUT the archive to uploadUrl").
      return HTTPResponse(status: 200)
    case ("POST", 2) where parts == ["v2", "entries:list"]:
      return listLogEntries(object)
    default:
      break
    }
    guard parts.count >= 3, parts[1] == "projects" else { return nil }
    let project = parts[2].split(separator: ":").first.map(String.init) ?? parts[2]
    switch parts[0] {
    case "v2": return functionsAPI(method: method, parts: parts, query: query, object: object)
    case "v1": return v1APIs(method: method, parts: parts, project: project, object: object)
    default: return nil
    }
  }

  /// Cloud Functions v2: /v2/projects/P/locations/R/{functions|runtimes|operations}...
  private func functionsAPI(method: String, parts: [String], query: [String: String], object: [String: Any])
    -> HTTPResponse?
  {
    guard parts.count >= 6, parts[3] == "locations" else { return nil }
    let project = parts[2]
    let region = parts[4]
    let parent = "projects/\(project)/locations/\(region)"
    switch (method, parts[5], parts.count) {
    case ("GET", "runtimes", 6):
      let runtimes = ["python310", "python311", "python312", "python313"].map {
        ["name": $0, "stage": "GA", "environment": "GEN_2", "displayName": $0] as [String: Any]
      }
      return Self.json(["runtimes": runtimes])
    case ("POST", "functions:generateUploadUrl", 6):
      let id = self.withLock { state -> Int in
        state.counter += 1
        return state.counter
      }
      return Self.json([
        "uploadUrl": "\(baseURL)upload/source-\(id).zip",
        "storageSource": [
          "bucket": "gcf-v2-uploads-\(Self.projectNumber).\(region).cloudfunctions.appspot.com",
          "object": "source-\(id).zip",
        ],
      ])
    case ("GET", "functions", 6):
      let functions = self.withLock { state in
        state.functions.filter { region == "-" || $0.key.hasPrefix(parent + "/") }.sorted { $0.key < $1.key }
          .map(\.value)
      }
      return Self.json(["functions": functions])
    case ("POST", "functions", 6):
      guard let id = query["functionId"] else { return nil }
      return createFunction(resource: "\(parent)/functions/\(id)", object: object)
    case ("GET", "functions", 7):
      let resource = "\(parent)/functions/\(parts[6])"
      guard let function = self.withLock({ $0.functions[resource] }) else {
        return Self.error(404, "NOT_FOUND", "Resource '\(resource)' was not found")
      }
      return Self.json(function)
    case ("PATCH", "functions", 7):
      return patchFunction(
        resource: "\(parent)/functions/\(parts[6])", mask: query["updateMask"] ?? "", object: object)
    case ("DELETE", "functions", 7):
      let resource = "\(parent)/functions/\(parts[6])"
      guard self.withLock({ $0.functions.removeValue(forKey: resource) }) != nil else {
        return Self.error(404, "NOT_FOUND", "Resource '\(resource)' was not found")
      }
      return Self.json(
        finishOperation(parent: parent, target: resource, verb: "delete", response: nil, error: nil))
    case ("GET", "operations", 7):
      guard let operation = self.withLock({ $0.operations["\(parent)/operations/\(parts[6])"] }) else {
        return nil
      }
      return Self.json(operation)
    default:
      return nil
    }
  }

  /// Handles the v1 APIs that gcloud consults during a deploy, distinguished by their paths.
  private func v1APIs(method: String, parts: [String], project: String, object: [String: Any])
    -> HTTPResponse?
  {
    switch (method, parts.count) {
    case ("GET", 3):
      // Resource Manager v1 projects.get, for the project number.
      return Self.json([
        "projectId": project, "projectNumber": Self.projectNumber, "lifecycleState": "ACTIVE",
        "name": project,
      ])
    case ("POST", 3) where parts[2].hasSuffix(":getIamPolicy"):
      // Resource Manager v1 projects.getIamPolicy: the Pub/Sub service agent may mint tokens, so gcloud
      // does not warn about a missing role.
      let agent = "serviceAccount:service-\(Self.projectNumber)@gcp-sa-pubsub.iam.gserviceaccount.com"
      return Self.json([
        "version": 1, "etag": "BwYAAAAAAAA=",
        "bindings": [["role": "roles/iam.serviceAccountTokenCreator", "members": [agent]]],
      ])
    case ("GET", 5) where parts[3] == "services":
      // Service Usage v1 services.get: every API is enabled.
      return Self.json([
        "name": "projects/\(Self.projectNumber)/services/\(parts[4])", "state": "ENABLED",
        "parent": "projects/\(Self.projectNumber)",
      ])
    case ("GET", 6) where parts[5] == "defaultServiceAccount":
      // Cloud Build v1: a builder account that is not the Compute Engine default, so gcloud skips its
      // IAM check of that account.
      return Self.json([
        "name": "projects/\(project)/locations/\(parts[4])/defaultServiceAccount",
        "serviceAccountEmail":
          "projects/\(project)/serviceAccounts/builder@\(project).iam.gserviceaccount.com",
      ])
    case ("GET", 7) where parts[5] == "services" && parts[6].hasSuffix(":getIamPolicy"):
      return Self.json(["version": 1, "etag": "BwYAAAAAAAA="])
    case ("POST", 7) where parts[5] == "services" && parts[6].hasSuffix(":setIamPolicy"):
      return Self.json(object["policy"] as? [String: Any] ?? [:])
    default:
      return nil
    }
  }

  // MARK: - Functions

  private func createFunction(resource: String, object: [String: Any]) -> HTTPResponse {
    let parent = resource.components(separatedBy: "/functions/")[0]
    return self.withLock { state in
      if state.functions[resource] != nil {
        return Self.error(409, "ALREADY_EXISTS", "Function \(resource) already exists")
      }
      var function = object
      function["name"] = resource
      return store(function, resource: resource, parent: parent, verb: "create", state: &state)
    }
  }

  private func patchFunction(resource: String, mask: String, object: [String: Any]) -> HTTPResponse {
    let parent = resource.components(separatedBy: "/functions/")[0]
    return self.withLock { state in
      guard var function = state.functions[resource] else {
        return Self.error(404, "NOT_FOUND", "Resource '\(resource)' was not found")
      }
      // updateMask lists snake_case field paths, and each one takes the body's value or is cleared.
      for field in mask.split(separator: ",") {
        let path = field.split(separator: ".").map { Self.camelCase(String($0)) }
        function = Self.setting(path[...], in: function, to: Self.value(at: path[...], in: object))
      }
      return store(function, resource: resource, parent: parent, verb: "update", state: &state)
    }
  }

  /// Completes a created or updated function, stores it, and returns its long-running operation. A
  /// failure set with the stand-in's deploy failure marks the function FAILED and fails the operation.
  private func store(
    _ function: [String: Any], resource: String, parent: String, verb: String, state: inout State
  ) -> HTTPResponse {
    let failure = state.deployFailure
    state.deployFailure = nil
    var function = complete(function, counter: &state.counter, urlOverride: state.functionURL)
    if failure != nil { function["state"] = "FAILED" }
    state.functions[resource] = function
    return Self.json(
      operation(
        parent: parent, target: resource, verb: verb, function: function, failure: failure, state: &state))
  }

  /// Adds the output-only fields the service sets: state, environment, updateTime, url, serviceConfig.uri.
  private func complete(_ function: [String: Any], counter: inout Int, urlOverride: String?) -> [String: Any]
  {
    var function = function
    let resource = function["name"] as? String ?? ""
    let name = resource.split(separator: "/").last.map(String.init) ?? ""
    let region = resource.split(separator: "/").dropFirst(3).first.map(String.init) ?? "us-central1"
    counter += 1
    let url = urlOverride ?? "https://\(name)-\(Self.projectNumber).\(region).run.app"
    function["state"] = "ACTIVE"
    function["environment"] = "GEN_2"
    function["updateTime"] = String(
      format: "2026-01-01T00:%02d:%02d.000000000Z", (counter / 60) % 60, counter % 60)
    function["url"] = url
    var service = function["serviceConfig"] as? [String: Any] ?? [:]
    service["uri"] = url
    service["service"] =
      "projects/\(resource.split(separator: "/").dropFirst().first ?? "")/locations/\(region)/services/\(name)"
    service["availableMemory"] = service["availableMemory"] ?? "256M"
    service["timeoutSeconds"] = service["timeoutSeconds"] ?? 60
    function["serviceConfig"] = service
    return function
  }

  private func operation(
    parent: String, target: String, verb: String, function: [String: Any], failure: String?,
    state: inout State
  ) -> [String: Any] {
    let error: [String: Any]? = failure.map { ["code": 3, "message": $0] }
    let operation = Self.makeOperation(
      parent: parent, target: target, verb: verb, id: state.counter, response: function, error: error)
    state.operations[operation["name"] as! String] = operation
    return operation
  }

  private func finishOperation(
    parent: String, target: String, verb: String, response: [String: Any]?, error: [String: Any]?
  ) -> [String: Any] {
    self.withLock { state in
      state.counter += 1
      let operation = Self.makeOperation(
        parent: parent, target: target, verb: verb, id: state.counter, response: response, error: error)
      state.operations[operation["name"] as! String] = operation
      return operation
    }
  }

  /// A done `Operation` with `OperationMetadata` whose BUILD and SERVICE stages are complete.
  private static func makeOperation(
    parent: String, target: String, verb: String, id: Int, response: [String: Any]?, error: [String: Any]?
  ) -> [String: Any] {
    var operation: [String: Any] = [
      "name": "\(parent)/operations/operation-\(id)",
      "done": true,
      "metadata": [
        "@type": "type.googleapis.com/google.cloud.functions.v2.OperationMetadata",
        "target": target, "verb": verb, "apiVersion": "v2",
        "stages": [["name": "BUILD", "state": "COMPLETE"], ["name": "SERVICE", "state": "COMPLETE"]],
      ] as [String: Any],
    ]
    if let error {
      operation["error"] = error
    } else if var response {
      response["@type"] = "type.googleapis.com/google.cloud.functions.v2.Function"
      operation["response"] = response
    }
    return operation
  }

  private func listLogEntries(_ request: [String: Any]) -> HTTPResponse {
    let filter = request["filter"] as? String ?? ""
    let pageSize = request["pageSize"] as? Int ?? 1000
    let entries = self.withLock { $0.logEntries }.filter { entry in
      let labels = (entry["resource"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
      return filter.contains("resource.labels.service_name=\"\(labels["service_name"] ?? "")\"")
    }.sorted { ($0["timestamp"] as? String ?? "") > ($1["timestamp"] as? String ?? "") }
    return Self.json(["entries": Array(entries.prefix(pageSize))])
  }

  // MARK: - JSON helpers

  static func json(_ object: [String: Any]) -> HTTPResponse {
    .json(200, (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
  }

  /// An error in the shape of Google's APIs (`google.rpc.Status` inside `error`).
  static func error(_ code: Int, _ status: String, _ message: String) -> HTTPResponse {
    let object: [String: Any] = ["error": ["code": code, "message": message, "status": status]]
    return .json(code, (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
  }

  static func camelCase(_ snake: String) -> String {
    let words = snake.split(separator: "_")
    return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
  }

  static func value(at path: ArraySlice<String>, in object: [String: Any]) -> Any? {
    guard let first = path.first else { return object }
    if path.count == 1 { return object[first] }
    guard let child = object[first] as? [String: Any] else { return nil }
    return value(at: path.dropFirst(), in: child)
  }

  static func setting(_ path: ArraySlice<String>, in object: [String: Any], to value: Any?) -> [String: Any] {
    guard let first = path.first else { return object }
    var object = object
    if path.count == 1 {
      object[first] = value
    } else {
      object[first] = setting(path.dropFirst(), in: object[first] as? [String: Any] ?? [:], to: value)
    }
    return object
  }
}

/// The environment that keeps `gcloud` on loopback: every API endpoint overridden to the stand-in, a
/// private configuration folder and a dummy access token. The metadata server moves to a closed loopback
/// port, because without that gcloud looks up `metadata.google.internal` in DNS on every run.
public enum GcloudEnvironment {
  /// The APIs gcloud 528 calls for `functions deploy|describe|list|delete|logs read` (measured), plus the
  /// ones a deploy with other flags may reach, so none of them falls back to a Google host.
  public static let apis = [
    "CLOUDFUNCTIONS", "LOGGING", "SERVICEUSAGE", "RUN", "CLOUDRESOURCEMANAGER", "CLOUDBUILD",
    "ARTIFACTREGISTRY", "STORAGE", "PUBSUB", "IAM", "EVENTARC", "COMPUTE", "SECRETMANAGER",
  ]

  /// Returns the variables, after writing the configuration folder and token file under `root`.
  /// - Parameter project: The value of `CLOUDSDK_CORE_PROJECT`. Empty leaves gcloud without a project.
  public static func make(standIn: GoogleCloudStandIn, root: String, project: String) throws -> [String:
    String]
  {
    try FileManager.default.createDirectory(
      atPath: "\(root)/gcloud-config", withIntermediateDirectories: true)
    try Data("dummy-access-token\n".utf8).write(to: URL(fileURLWithPath: "\(root)/gcloud-token"))
    var environment: [String: String] = [
      "GCE_METADATA_ROOT": "127.0.0.1:9",
      "CLOUDSDK_CONFIG": "\(root)/gcloud-config",
      "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
      "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
      "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
      "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": "\(root)/gcloud-token",
      "CLOUDSDK_CORE_PROJECT": project,
    ]
    for api in apis { environment["CLOUDSDK_API_ENDPOINT_OVERRIDES_\(api)"] = standIn.baseURL }
    return environment
  }

  /// Returns the first variable that would send gcloud somewhere other than 127.0.0.1, or nil.
  public static func nonLoopbackSetting(in environment: [String: String]) -> String? {
    for (name, value) in environment.sorted(by: { $0.key < $1.key })
    where name.hasPrefix("CLOUDSDK_API_ENDPOINT_OVERRIDES_") && URL(string: value)?.host != "127.0.0.1" {
      return "\(name)=\(value)"
    }
    if environment["GCE_METADATA_ROOT"]?.hasPrefix("127.0.0.1:") != true { return "GCE_METADATA_ROOT" }
    return nil
  }
}
