import Basics
import Foundation
import FunctionsCore

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The settings `run` needs to start one function.
public struct LaunchRequest: Sendable {
  public var manifest: Manifest
  public var directory: String
  public var environment: PreparedEnvironment
  /// The function's own variables after precedence (manifest, env file, `--env`) was applied.
  public var variables: [String: String]
  public var host: String
  public var port: Int
  /// The time to wait for the server to accept connections and respond.
  public var startTimeout: Duration

  public init(
    manifest: Manifest, directory: String, environment: PreparedEnvironment, variables: [String: String],
    host: String, port: Int, startTimeout: Duration = .seconds(60)
  ) {
    self.manifest = manifest
    self.directory = directory
    self.environment = environment
    self.variables = variables
    self.host = host
    self.port = port
    self.startTimeout = startTimeout
  }
}

/// Starts, probes and stops `functions-framework` servers as detached process groups.
public struct FunctionServer: Sendable {
  let layout: StateLayout
  let runner: ProcessRunner
  /// The tool's own environment; the function gets `PATH`, locale and proxy settings from it.
  let hostEnvironment: [String: String]
  let clock: any WallClock

  public init(
    layout: StateLayout, runner: ProcessRunner = ProcessRunner(), hostEnvironment: [String: String],
    clock: any WallClock = SystemClock()
  ) {
    self.layout = layout
    self.runner = runner
    self.hostEnvironment = hostEnvironment
    self.clock = clock
  }

  /// Returns the command line that serves the function.
  public func commandLine(for request: LaunchRequest) -> [String] {
    [
      request.environment.python, "-m", "functions_framework",
      "--target", request.manifest.entryPoint,
      "--source", (request.directory as NSString).appendingPathComponent(request.manifest.source),
      "--signature-type", request.manifest.signatureType,
      // functions-framework binds 0.0.0.0 unless given a host.
      "--host", request.host,
      "--port", String(request.port),
    ]
  }

  /// Returns the process environment: the host's basics, what Cloud Functions sets, then the
  /// function's variables.
  public func processEnvironment(for request: LaunchRequest) -> [String: String] {
    var environment: [String: String] = [:]
    for key in [
      "PATH", "LANG", "LC_ALL", "TZ", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
      "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "TMPDIR", "HOME",
    ] {
      if let value = hostEnvironment[key] { environment[key] = value }
    }
    environment["PATH"] = request.environment.binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    environment["VIRTUAL_ENV"] = request.environment.directory
    // Cloud Functions (2nd gen) runtime variables: the function's target and signature, and the
    // Cloud Run service name and revision that host it.
    environment["FUNCTION_TARGET"] = request.manifest.entryPoint
    environment["FUNCTION_SIGNATURE_TYPE"] = request.manifest.signatureType
    environment["K_SERVICE"] = request.manifest.name
    environment["K_REVISION"] = "\(request.manifest.name)-00001-local"
    environment["K_CONFIGURATION"] = request.manifest.name
    environment["PORT"] = String(request.port)
    // Output reaches the log as it is written, and compiled files stay out of the user's directories.
    environment["PYTHONUNBUFFERED"] = "1"
    environment["PYTHONPYCACHEPREFIX"] = layout.bytecodeDirectory
    // gunicorn (27 and later) puts its control socket in $XDG_RUNTIME_DIR, or else in ~/.gunicorn.
    environment["XDG_RUNTIME_DIR"] = runtimeDirectory(for: request.manifest.name)
    for (key, value) in request.variables { environment[key] = value }
    return environment
  }

  /// Starts the server, waits until it responds over HTTP, and returns the running process.
  /// A server that exits or stays silent is reported with the tail of its log, and nothing is left running.
  public func start(_ request: LaunchRequest) async throws -> RunningProcess {
    layout.removeBytecode(forSourcesIn: request.directory)
    try FileManager.default.createDirectory(
      atPath: layout.bytecodeDirectory, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: runtimeDirectory(for: request.manifest.name), withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    return try await launchDetached(
      name: request.manifest.name, commandLine: commandLine(for: request),
      environment: processEnvironment(for: request), directory: request.directory, host: request.host,
      port: request.port, startTimeout: request.startTimeout, readinessPath: "/robots.txt")
  }

  /// Returns whether an HTTP server responds at `url` with any status.
  func answers(_ url: String) async -> Bool {
    guard let url = URL(string: url) else { return false }
    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 2)
    request.setValue("functions-readiness-probe", forHTTPHeaderField: "User-Agent")
    do {
      let (_, response) = try await HTTPSessions.probe.data(for: request)
      return response is HTTPURLResponse
    } catch {
      return false
    }
  }

  /// Starts `commandLine` in a session of its own with its output appended to the function's log,
  /// waits until `host:port` accepts connections, and returns the running process.
  ///
  /// Readiness is a TCP connect, then, when `readinessPath` is given, an HTTP request to a path the server
  /// answers without calling the user's handler: functions-framework answers `/robots.txt` itself (404)
  /// once its worker runs. The Lambda service needs no request, because it binds only after its first
  /// instance initialised.
  public func launchDetached(
    name: String, commandLine: [String], environment: [String: String], directory: String, host: String,
    port: Int, startTimeout: Duration, readinessPath: String? = nil
  ) async throws -> RunningProcess {
    guard Ports.isFree(port, host: host) else {
      throw RuntimeError.portInUse(host: host, port: port)
    }
    let stateDirectory = layout.stateDirectory(for: name)
    let logFile = layout.logFile(for: name)
    // Failure messages show only what this start wrote, not the output of earlier runs.
    let logOffset = LogFile.size(logFile)
    do {
      try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
      let banner = "--- \(clock.now().rfc3339) starting \(name) on \(host):\(port)\n"
      try appendText(banner, to: logFile)
    } catch {
      throw RuntimeError.io("cannot prepare \(stateDirectory): \(error.localizedDescription)")
    }

    let pid = try runner.start(
      ProcessSpec(
        executable: commandLine[0], arguments: Array(commandLine.dropFirst()), environment: environment,
        workingDirectory: directory, output: .appendToFile(logFile), startsNewSession: true))
    let process = RunningProcess(
      pid: pid, processGroup: pid, startTime: ProcessControl.startTime(of: pid), host: host, port: port,
      startedAt: clock.now())

    let deadline = ContinuousClock.now + startTimeout
    while true {
      if let termination = ProcessRunner.poll(pid) {
        _ = ProcessControl.signalGroup(pid, SIGKILL)
        throw RuntimeError.crashedOnStart(
          name: name, termination: termination, logTail: LogFile.tail(logFile, lines: 15, from: logOffset),
          logFile: logFile)
      }
      if Ports.acceptsConnections(host: host, port: port),
        await readinessPath.asyncAll({ await answers(process.url + $0) })
      {
        // The server has a session of its own, so it keeps running after this process exits.
        return process
      }
      if ContinuousClock.now >= deadline {
        await stop(process, grace: .seconds(2))
        _ = ProcessRunner.poll(pid)
        throw RuntimeError.startTimedOut(
          name: name, seconds: Int(startTimeout.components.seconds),
          logTail: LogFile.tail(logFile, lines: 15, from: logOffset),
          logFile: logFile)
      }
      try? await Task.sleep(for: .milliseconds(5))
    }
  }

  /// Returns the private runtime directory for sockets the server creates.
  func runtimeDirectory(for name: String) -> String {
    layout.stateDirectory(for: name) + "/runtime"
  }

  /// Stops the whole process group: SIGTERM, then SIGKILL when it outlives `grace`.
  /// Returns whether SIGKILL was needed.
  @discardableResult
  public func stop(_ process: RunningProcess, grace: Duration = .seconds(5)) async -> Bool {
    // A PID that now belongs to another program is never signalled. A dead leader can leave workers
    // behind in its group, which are still stopped.
    let leaderIsOurs = process.isAlive
    let pidWasReused = !leaderIsOurs && ProcessControl.isAlive(process.pid)
    guard !pidWasReused, leaderIsOurs || ProcessControl.groupExists(process.processGroup) else {
      return false
    }
    ProcessControl.signalGroup(process.processGroup, SIGTERM)
    let deadline = ContinuousClock.now + grace
    while ContinuousClock.now < deadline {
      _ = ProcessRunner.poll(process.pid)
      if !ProcessControl.groupExists(process.processGroup) { return false }
      try? await Task.sleep(for: .milliseconds(20))
    }
    ProcessControl.signalGroup(process.processGroup, SIGKILL)
    for _ in 0..<50 where ProcessControl.groupExists(process.processGroup) {
      _ = ProcessRunner.poll(process.pid)
      try? await Task.sleep(for: .milliseconds(20))
    }
    return true
  }

  /// Writes a stop marker into the function's log, matching the banner `launchDetached` writes.
  public func noteStopped(name: String) {
    try? appendText("--- \(clock.now().rfc3339) stopped \(name)\n", to: layout.logFile(for: name))
  }

  private func appendText(_ text: String, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
  }
}

/// URL sessions without caches, cookies or proxies, for loopback requests.
public enum HTTPSessions {
  /// A session for short readiness probes.
  public static let probe = makeSession(timeout: 2)

  /// Returns a session that talks directly to local servers.
  public static func makeSession(timeout: TimeInterval) -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.connectionProxyDictionary = [:]
    configuration.httpCookieStorage = nil
    configuration.urlCache = nil
    configuration.httpShouldSetCookies = false
    return URLSession(configuration: configuration)
  }
}

extension Optional {
  /// Returns true for nil, otherwise whether `check` holds for the wrapped value.
  fileprivate func asyncAll(_ check: (Wrapped) async -> Bool) async -> Bool {
    guard let value = self else { return true }
    return await check(value)
  }
}
