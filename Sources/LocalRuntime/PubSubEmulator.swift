import Basics
import Foundation
import FunctionsCore

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The running Pub/Sub emulator, as `functions emulator pubsub start` recorded it.
public struct EmulatorRecord: Codable, Equatable, Sendable {
  public var pid: Int32
  /// Start time in clock ticks after boot, to tell the emulator from a later process that reuses its PID.
  public var startTime: UInt64?
  public var host: String
  public var port: Int
  /// The project every topic and subscription is created in.
  public var project: String
  public var startedAt: Date

  /// The value client libraries read from `PUBSUB_EMULATOR_HOST`.
  public var address: String { "\(host):\(port)" }
  public var isAlive: Bool { ProcessControl.isSameProcess(pid, startTime: startTime) }
}

/// Starts and stops the Pub/Sub emulator that ships with the Google Cloud CLI, and manages the topics and
/// push subscriptions that connect it to running functions.
///
/// The emulator's launcher is started directly rather than through `gcloud beta emulators pubsub start`,
/// because `gcloud` probes the network before it starts anything.
public struct PubSubEmulator: Sendable {
  let layout: StateLayout
  let hostEnvironment: [String: String]
  let runner = ProcessRunner()

  public init(layout: StateLayout, hostEnvironment: [String: String]) {
    self.layout = layout
    self.hostEnvironment = hostEnvironment
  }

  var directory: String { layout.stateDirectory + "/.emulators" }
  var recordPath: String { directory + "/pubsub.json" }
  public var logFile: String { directory + "/pubsub.log" }

  /// Returns the emulator's launcher: `FUNCTIONS_PUBSUB_EMULATOR`, or the one beside the `gcloud` found on
  /// `PATH`, or the one in Debian's `google-cloud-cli` package.
  public func launcher() -> String? {
    if let explicit = hostEnvironment["FUNCTIONS_PUBSUB_EMULATOR"], !explicit.isEmpty { return explicit }
    var roots: [String] = []
    if let gcloud = ExecutableLookup.find("gcloud", environment: hostEnvironment) {
      // gcloud lives in SDK_ROOT/bin, often behind a symbolic link such as /usr/bin/gcloud.
      let resolved = URL(fileURLWithPath: gcloud).resolvingSymlinksInPath().path
      roots.append(((resolved as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)
    }
    roots.append("/usr/lib/google-cloud-sdk")
    for root in roots {
      let candidate = root + "/platform/pubsub-emulator/bin/cloud-pubsub-emulator"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Returns the running emulator, or nil when none runs. A record left by an emulator that ended is
  /// removed.
  public func running() -> EmulatorRecord? {
    guard let data = FileManager.default.contents(atPath: recordPath),
      let record = try? JSONFormat.decoder().decode(EmulatorRecord.self, from: data)
    else { return nil }
    guard record.isAlive else {
      try? FileManager.default.removeItem(atPath: recordPath)
      return nil
    }
    return record
  }

  /// Starts the emulator on `host:port` and waits until its REST API responds.
  public func start(host: String, port: Int, project: String, timeout: Duration) async throws
    -> EmulatorRecord
  {
    guard let launcher = launcher() else {
      throw RuntimeError.io(
        "the Pub/Sub emulator is not installed; install it with 'gcloud components install pubsub-emulator' "
          + "or Debian's google-cloud-cli-pubsub-emulator package, or set FUNCTIONS_PUBSUB_EMULATOR to its "
          + "cloud-pubsub-emulator launcher")
    }
    guard Ports.isFree(port, host: host) else { throw RuntimeError.portInUse(host: host, port: port) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let logOffset = LogFile.size(logFile)
    let pid = try runner.start(
      ProcessSpec(
        executable: launcher, arguments: ["--host=\(host)", "--port=\(port)"], environment: hostEnvironment,
        workingDirectory: directory, output: .appendToFile(logFile), startsNewSession: true))
    let record = EmulatorRecord(
      pid: pid, startTime: ProcessControl.startTime(of: pid), host: host, port: port, project: project,
      startedAt: Date())
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let termination = ProcessRunner.poll(pid) {
        throw RuntimeError.io(
          "the Pub/Sub emulator exited (\(termination)) while starting:\n"
            + LogFile.tail(logFile, lines: 15, from: logOffset).joined(separator: "\n"))
      }
      if (try? await request("GET", "/v1/projects/\(project)/topics", record: record, timeout: 1)) == 200 {
        try AtomicFile.write(try JSONFormat.encoder().encode(record), to: recordPath, permissions: 0o600)
        return record
      }
      try? await Task.sleep(for: .milliseconds(100))
    }
    _ = ProcessControl.signalGroup(pid, SIGKILL)
    _ = ProcessRunner.wait(for: pid)
    throw RuntimeError.io(
      "the Pub/Sub emulator did not respond within \(timeout.components.seconds) s; see \(logFile)")
  }

  /// Stops the emulator's process group: SIGTERM, then SIGKILL after five seconds. Returns false when
  /// none was running.
  @discardableResult
  public func stop() async -> Bool {
    guard let record = running() else { return false }
    ProcessControl.signalGroup(record.pid, SIGTERM)
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline && ProcessControl.groupExists(record.pid) {
      _ = ProcessRunner.poll(record.pid)
      try? await Task.sleep(for: .milliseconds(50))
    }
    if ProcessControl.groupExists(record.pid) { ProcessControl.signalGroup(record.pid, SIGKILL) }
    try? FileManager.default.removeItem(atPath: recordPath)
    return true
  }

  /// The subscription that pushes a topic's messages to one function.
  public static func subscriptionID(for functionName: String) -> String { "functions-\(functionName)" }

  /// Creates the topic when it does not exist, and a push subscription that delivers its messages to the
  /// function at `functionURL`. An existing subscription of the function is replaced, so it points at the
  /// function's current port.
  public func subscribe(functionName: String, topic: String, functionURL: String, record: EmulatorRecord)
    async throws
  {
    try await createTopic(topic, record: record)
    let subscription =
      "/v1/projects/\(record.project)/subscriptions/\(Self.subscriptionID(for: functionName))"
    _ = try await request("DELETE", subscription, record: record)
    // functions-framework takes the topic from the push URL's path, as Pub/Sub push to Cloud Run does.
    let body: [String: Any] = [
      "topic": "projects/\(record.project)/topics/\(topic)",
      "pushConfig": ["pushEndpoint": "\(functionURL)/projects/\(record.project)/topics/\(topic)"],
      "ackDeadlineSeconds": 60,
    ]
    let status = try await request("PUT", subscription, record: record, body: body)
    guard status == 200 else {
      throw RuntimeError.io(
        "the Pub/Sub emulator rejected the subscription for \(functionName) (HTTP \(status))")
    }
  }

  /// Deletes the function's push subscription, if there is one.
  public func unsubscribe(functionName: String, record: EmulatorRecord) async {
    let subscription =
      "/v1/projects/\(record.project)/subscriptions/\(Self.subscriptionID(for: functionName))"
    _ = try? await request("DELETE", subscription, record: record)
  }

  /// Returns the subscription IDs in the emulator's project.
  public func subscriptions(record: EmulatorRecord) async throws -> [String] {
    let (status, data) = try await exchange(
      "GET", "/v1/projects/\(record.project)/subscriptions", record: record)
    guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      return []
    }
    let names = (object["subscriptions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    return names.map { String($0.split(separator: "/").last ?? "") }.sorted()
  }

  /// Publishes one message and returns the emulator's message ID.
  public func publish(topic: String, data: Data, attributes: [String: String], record: EmulatorRecord)
    async throws -> String
  {
    try await createTopic(topic, record: record)
    var message: [String: Any] = ["data": data.base64EncodedString()]
    if !attributes.isEmpty { message["attributes"] = attributes }
    let (status, response) = try await exchange(
      "POST", "/v1/projects/\(record.project)/topics/\(topic):publish", record: record,
      body: ["messages": [message]])
    guard status == 200, let object = try JSONSerialization.jsonObject(with: response) as? [String: Any],
      let identifier = (object["messageIds"] as? [String])?.first
    else {
      throw RuntimeError.io(
        "the Pub/Sub emulator did not publish to \(topic) (HTTP \(status)): "
          + String(decoding: response.prefix(300), as: UTF8.self))
    }
    return identifier
  }

  private func createTopic(_ topic: String, record: EmulatorRecord) async throws {
    let status = try await request(
      "PUT", "/v1/projects/\(record.project)/topics/\(topic)", record: record, body: [:])
    // 409 means the topic exists already.
    guard status == 200 || status == 409 else {
      throw RuntimeError.io("the Pub/Sub emulator did not create topic \(topic) (HTTP \(status))")
    }
  }

  private func request(
    _ method: String, _ path: String, record: EmulatorRecord, body: [String: Any]? = nil,
    timeout: TimeInterval = 10
  ) async throws -> Int {
    try await exchange(method, path, record: record, body: body, timeout: timeout).status
  }

  private func exchange(
    _ method: String, _ path: String, record: EmulatorRecord, body: [String: Any]? = nil,
    timeout: TimeInterval = 10
  ) async throws -> (status: Int, data: Data) {
    guard let url = URL(string: "http://\(record.address)\(path)") else {
      throw RuntimeError.io("invalid emulator path \(path)")
    }
    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
    request.httpMethod = method
    if let body {
      request.httpBody = try JSONSerialization.data(withJSONObject: body)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await HTTPSessions.probe.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
  }
}
