import Basics
import Foundation
import FunctionsCore

#if canImport(Glibc)
  import Glibc
#endif

/// The settings `functions run --watch` hands to the background process that supervises a Google Cloud
/// function's functions-framework server. Written with mode 0600, because they include the function's
/// variables.
public struct FrameworkServiceConfig: Codable, Sendable {
  public var name: String
  public var manifestPath: String
  public var directory: String
  /// The function's own variables after precedence (manifest, env file, `--env`) was applied.
  public var variables: [String: String]
  public var host: String
  public var port: Int
  public var logFile: String
  public var startTimeoutSeconds: Int
  /// The backend the server runs on: a host process, or a container built from the function's image.
  public var backend: Backend

  public init(
    name: String, manifestPath: String, directory: String, variables: [String: String], host: String,
    port: Int, logFile: String, startTimeoutSeconds: Int, backend: Backend = .process
  ) {
    self.name = name
    self.manifestPath = manifestPath
    self.directory = directory
    self.variables = variables
    self.host = host
    self.port = port
    self.logFile = logFile
    self.startTimeoutSeconds = startTimeoutSeconds
    self.backend = backend
  }

  public static func path(in layout: StateLayout, name: String) -> String {
    layout.stateDirectory(for: name) + "/framework.json"
  }

  public func write(to path: String) throws {
    try AtomicFile.write(try JSONFormat.encoder().encode(self), to: path, permissions: 0o600)
  }

  public static func read(from path: String) throws -> FrameworkServiceConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RuntimeError.io("cannot read \(path); start the function with 'functions run --watch'")
    }
    return try JSONFormat.decoder().decode(FrameworkServiceConfig.self, from: data)
  }
}

/// Runs a watched Google Cloud function until SIGTERM or SIGINT: the body of the hidden
/// `functions serve-framework` command.
public enum FrameworkServiceRunner {
  public static func run(configPath: String, hostEnvironment: [String: String]) async throws {
    let config = try FrameworkServiceConfig.read(from: configPath)
    let layout = StateLayout(environment: hostEnvironment)
    let supervisor: any WatchedFrameworkServer
    do {
      switch config.backend {
      case .process:
        supervisor = try FrameworkSupervisor(config: config, layout: layout, hostEnvironment: hostEnvironment)
      case .docker:
        supervisor = try FrameworkContainerSupervisor(
          config: config, layout: layout, hostEnvironment: hostEnvironment)
      }
    } catch {
      ServiceLog.error("\(error)")
      throw ExitWithoutMessage()
    }
    // The watch begins before the first start, so a change saved while the server starts is not missed.
    let watch: SourceWatch
    do {
      watch = try SourceWatch(directory: config.directory) { change in await supervisor.reload(change) }
    } catch {
      ServiceLog.error("\(error)")
      await supervisor.shutDown()
      throw ExitWithoutMessage()
    }
    if let failure = await supervisor.startServer() {
      ServiceLog.error("\(config.name) failed to start: \(failure)")
      watch.stop()
      await supervisor.shutDown()
      throw ExitWithoutMessage()
    }
    ServiceLog.info("watching \(config.directory) for changes")
    watch.beginReloading()
    await waitForTerminationSignal()
    ServiceLog.info("stopping \(config.name)")
    watch.stop()
    await supervisor.shutDown()
  }
}

/// A supervisor that keeps a watched Google Cloud function serving on its port across restarts.
protocol WatchedFrameworkServer: Actor {
  /// Starts a server for the current code and waits until it responds. Returns nil on success, otherwise
  /// why it failed; the details are in the log.
  func startServer() async -> String?
  /// Restarts the server after a change.
  func reload(_ change: SourceChange) async
  /// Stops the server and closes the port.
  func shutDown() async
  /// Returns false once `pid` is no longer the running server, after reporting an unexpected exit.
  func checkStillRunning(_ pid: pid_t) -> Bool
}

extension WatchedFrameworkServer {
  /// Checks every 100 ms that the server `pid` still runs, so one that exits between changes is reported
  /// and requests get an error response instead of waiting or failing.
  func monitor(_ pid: pid_t) {
    Task {
      while true {
        try? await Task.sleep(for: .milliseconds(100))
        guard self.checkStillRunning(pid) else { return }
      }
    }
  }
}

extension SharedListener {
  /// Responds to every request with 500 and why the watched function `name` is not running, until the
  /// returned loop stops.
  func answerWhileNotRunning(name: String, failure: String) -> AcceptLoop {
    answerEveryRequest(
      status: 500, reason: "Internal Server Error",
      body: "\(name) is not running: \(failure.withoutFinalPeriod). See 'functions logs \(name)'.\n")
  }
}

/// Keeps a functions-framework server running on one listening socket and restarts it after a change.
///
/// The supervisor owns the socket and hands it to each server as descriptor 3 with `LISTEN_FDS=1`, which
/// gunicorn (inside functions-framework) accepts as systemd socket activation. Connections that arrive
/// while the server restarts wait in the accept queue and reach the new server. While the code cannot
/// start, the supervisor responds to every request with 500 and the reason, and records the function as
/// crashed.
actor FrameworkSupervisor: WatchedFrameworkServer {
  let config: FrameworkServiceConfig
  let listener: SharedListener
  let server: FunctionServer
  let builder: EnvironmentBuilder
  let state: WatchedState
  let runner = ProcessRunner()
  private var manifest: Manifest
  private var child: pid_t?
  private var fallback: AcceptLoop?

  init(config: FrameworkServiceConfig, layout: StateLayout, hostEnvironment: [String: String]) throws {
    self.config = config
    manifest = try ManifestReader.load(path: config.manifestPath).manifest
    listener = try SharedListener(host: config.host, port: config.port)
    server = FunctionServer(layout: layout, hostEnvironment: hostEnvironment)
    builder = EnvironmentBuilder(layout: layout, environment: hostEnvironment)
    state = WatchedState(layout: layout, name: config.name)
  }

  func startServer() async -> String? {
    let fingerprint = builder.fingerprint(for: manifest, directory: config.directory)
    guard let environment = builder.existing(fingerprint: fingerprint) else {
      return "the environment for the current requirements is not built"
    }

    let request = LaunchRequest(
      manifest: manifest, directory: config.directory, environment: environment, variables: config.variables,
      host: config.host, port: listener.port, startTimeout: .seconds(config.startTimeoutSeconds))
    server.layout.removeBytecode(forSourcesIn: config.directory)

    var processEnvironment = server.processEnvironment(for: request)
    processEnvironment["LISTEN_FDS"] = "1"
    // gunicorn takes the socket only when LISTEN_PID is its own PID, which the shell has before `exec`.
    var spec = ProcessSpec(
      executable: "/bin/sh",
      arguments: ["-c", "export LISTEN_PID=$$; exec \"$0\" \"$@\""] + server.commandLine(for: request),
      environment: processEnvironment, workingDirectory: config.directory,
      output: .appendToFile(config.logFile))
    spec.listeningSocket = listener.descriptor

    let pid: pid_t
    do {
      try FileManager.default.createDirectory(
        atPath: server.runtimeDirectory(for: config.name), withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      pid = try runner.start(spec)
    } catch {
      return "\(error)"
    }

    child = pid
    let failure = await waitUntilReady(pid)
    if failure == nil { monitor(pid) }
    return failure
  }

  func checkStillRunning(_ pid: pid_t) -> Bool {
    guard child == pid else { return false }
    guard let termination = ProcessRunner.poll(pid) else { return true }
    child = nil
    let failure = "functions-framework exited (\(termination))"
    ServiceLog.error("\(config.name): \(failure); save a change to start it again")
    answerWithFailure(failure)
    return false
  }

  private func answerWithFailure(_ failure: String) {
    fallback = listener.answerWhileNotRunning(name: config.name, failure: failure)
    state.record(.crashed)
  }

  /// Sends a request that the framework handles itself (`/robots.txt`) and waits for any response, while
  /// checking that the server still runs.
  private func waitUntilReady(_ pid: pid_t) async -> String? {
    switch ReadinessProbe.waitForResponse(
      host: config.host, port: listener.port, pid: pid, timeout: .seconds(config.startTimeoutSeconds))
    {
    case .responded:
      return nil
    case .exited(let termination):
      child = nil
      return "functions-framework exited (\(termination)) before it served a request"
    case .timedOut:
      await stopServer()
      return "functions-framework did not respond within \(config.startTimeoutSeconds) s"
    }
  }

  /// Stops the server and its workers with SIGKILL, because gunicorn's graceful stop takes about 240 ms
  /// (measured with functions-framework 3.x and gunicorn 27), most of a restart. Requests the old server
  /// already accepted fail; requests that arrive later wait in the accept queue for the new server.
  func stopServer() async {
    guard let pid = child else { return }
    child = nil
    let workers = ProcessControl.descendants(of: pid)
    kill(pid, SIGKILL)
    for worker in workers { kill(worker, SIGKILL) }
    _ = ProcessRunner.wait(for: pid)
  }

  /// Restarts the server after a change; builds the environment first when the requirements changed.
  func reload(_ change: SourceChange) async {
    let began = ContinuousClock.now
    fallback?.stop()
    fallback = nil
    await stopServer()
    // Logged once the old server is gone, so a request sent after this line waits for the new one.
    ServiceLog.info("\(change.summary) changed; restarting")
    var failure: String?
    do {
      if change.changesManifest {
        manifest = try ManifestReader.load(path: config.manifestPath).manifest
      }
      if change.changesRequirements {
        _ = try builder.prepare(
          manifest: manifest, directory: config.directory,
          report: ServiceLog.buildStep)
      }
      failure = await startServer()
    } catch {
      failure = "\(error)"
    }
    if let failure {
      ServiceLog.error(
        "\(config.name) failed to start after the change: \(failure.withoutFinalPeriod); fix it and save again"
      )
      answerWithFailure(failure)
      return
    }
    ServiceLog.info(
      "restarted \(config.name) in \((ContinuousClock.now - began).wholeMilliseconds) ms")
    state.record(.running)
  }

  func shutDown() async {
    fallback?.stop()
    fallback = nil
    await stopServer()
    listener.close()
  }
}

/// One HTTP request to a path the framework handles without calling the function, on a connection that
/// may wait in the accept queue until a server takes it.
final class ReadinessProbe: @unchecked Sendable {
  private var descriptor: Int32 = -1
  private let host: String
  private let port: Int

  init(host: String, port: Int) {
    self.host = host == "0.0.0.0" ? "127.0.0.1" : host
    self.port = port
  }

  /// How waiting for a server's first response ended.
  enum Outcome {
    case responded
    case exited(ProcessTermination)
    case timedOut
  }

  /// Probes `host:port` until a response arrives, the server process `pid` exits, or `timeout` passes.
  static func waitForResponse(host: String, port: Int, pid: pid_t, timeout: Duration) -> Outcome {
    let deadline = ContinuousClock.now + timeout
    let probe = ReadinessProbe(host: host, port: port)
    defer { probe.close() }
    while ContinuousClock.now < deadline {
      if let termination = ProcessRunner.poll(pid) { return .exited(termination) }
      if probe.hasResponse(waitingUpTo: 20) { return .responded }
    }
    return .timedOut
  }

  /// Returns whether response bytes arrived within `milliseconds`, connecting and sending first if needed.
  /// A connection that the old server closed is opened again.
  func hasResponse(waitingUpTo milliseconds: Int32) -> Bool {
    if descriptor < 0 { connectAndSend() }
    guard descriptor >= 0 else {
      usleep(UInt32(milliseconds) * 1000)
      return false
    }
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, milliseconds) > 0 else { return false }
    var byte: UInt8 = 0
    if recv(descriptor, &byte, 1, Int32(MSG_PEEK)) > 0 { return true }
    // The connection closed without a response: try again on a new one.
    close()
    return false
  }

  private func connectAndSend() {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socketDescriptor >= 0 else { return }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
      Glibc.close(socketDescriptor)
      return
    }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    let request = Array(
      "GET /robots.txt HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: functions-readiness-probe\r\n\r\n"
        .utf8)
    guard connected == 0, send(socketDescriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count
    else {
      Glibc.close(socketDescriptor)
      return
    }
    descriptor = socketDescriptor
  }

  func close() {
    if descriptor >= 0 { Glibc.close(descriptor) }
    descriptor = -1
  }
}
