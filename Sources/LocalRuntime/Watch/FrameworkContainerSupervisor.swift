import Basics
import Foundation
import FunctionsCore

#if canImport(Glibc)
  import Glibc
#endif

/// Keeps a watched Google Cloud function on the docker backend serving on one port, and replaces its
/// container after a change.
///
/// A listening socket cannot be handed into a container, so the supervisor accepts the connections itself
/// and relays each one to the current container, whose port is published on 127.0.0.1 only. During a
/// reload it stops accepting: new connections wait in the accept queue while the image is built again and
/// the new container starts, and reach the new container once it responds. The old container then stops
/// with SIGTERM, so the requests it already had finish. While the code cannot start, every request gets
/// 500 with the reason, and the function is recorded as crashed.
actor FrameworkContainerSupervisor: WatchedFrameworkServer {
  /// One running container and the `docker run` process attached to it.
  struct Container {
    let name: String
    let pid: pid_t
    let port: Int
  }

  /// The address the containers' ports are published on; only the supervisor connects to it.
  static let containerHost = "127.0.0.1"

  let config: FrameworkServiceConfig
  let listener: SharedListener
  let layout: StateLayout
  let hostEnvironment: [String: String]
  let docker: DockerCLI
  let state: WatchedState
  let runner = ProcessRunner()
  private var manifest: Manifest
  private var current: Container?
  private var relay: AcceptLoop?
  private var fallback: AcceptLoop?

  init(config: FrameworkServiceConfig, layout: StateLayout, hostEnvironment: [String: String]) throws {
    self.config = config
    self.layout = layout
    self.hostEnvironment = hostEnvironment
    manifest = try ManifestReader.load(path: config.manifestPath).manifest
    listener = try SharedListener(host: config.host, port: config.port)
    docker = DockerCLI(environment: hostEnvironment)
    state = WatchedState(layout: layout, name: config.name)
  }

  func startServer() async -> String? {
    let image: BuiltImage
    let commandLine: [String]
    guard let port = Ports.findFreePort(host: Self.containerHost) else {
      return "no free port on \(Self.containerHost) for the container"
    }
    let container = FrameworkContainer(
      docker: docker, functionName: config.name, manifest: manifest,
      stateDirectory: layout.stateDirectory(for: config.name))
    let started: Container
    do {
      // An unchanged fingerprint reuses the image, so the first start after `run` builds nothing.
      image = try DockerImageBuilder.make(layout: layout, environment: hostEnvironment).build(
        name: config.name, manifest: manifest, directory: config.directory, force: false,
        report: ServiceLog.buildStep)
      commandLine = try container.commandLine(
        image: image, variables: config.variables, host: Self.containerHost, port: port,
        logFile: config.logFile)
      let pid = try runner.start(
        ProcessSpec(
          executable: commandLine[0], arguments: Array(commandLine.dropFirst()),
          environment: docker.cliEnvironment, workingDirectory: container.stateDirectory,
          output: .appendToFile(config.logFile)))
      started = Container(name: container.containerName(port: port), pid: pid, port: port)
    } catch {
      return "\(error)"
    }

    if let failure = await waitUntilReady(started) {
      retire(started, force: true)
      return failure
    }
    current = started
    relay = listener.relayEveryConnection(toHost: Self.containerHost, port: port)
    monitor(started.pid)
    return nil
  }

  /// Replaces the container after a change. The old one keeps the requests it already has while the new
  /// one starts, and stops once the new one responds or fails.
  func reload(_ change: SourceChange) async {
    let began = ContinuousClock.now
    relay?.stop()
    relay = nil
    fallback?.stop()
    fallback = nil
    let previous = current
    current = nil
    // Logged once new connections wait, so a request sent after this line reaches the new container.
    ServiceLog.info("\(change.summary) changed; restarting in a new container")
    var failure: String?
    do {
      if change.changesManifest {
        manifest = try ManifestReader.load(path: config.manifestPath).manifest
      }
      failure = await startServer()
    } catch {
      failure = "\(error)"
    }
    if let previous { retire(previous, force: false) }
    if let failure {
      ServiceLog.error(
        "\(config.name) failed to start after the change: \(failure.withoutFinalPeriod); fix it and save again"
      )
      answerWithFailure(failure)
      return
    }
    ServiceLog.info(
      "restarted \(config.name) in a new container in \((ContinuousClock.now - began).wholeMilliseconds) ms")
    state.record(.running)
  }

  func shutDown() async {
    relay?.stop()
    relay = nil
    fallback?.stop()
    fallback = nil
    if let container = current {
      current = nil
      _ = try? docker.run(["rm", "--force", container.name], timeout: .seconds(30))
      _ = ProcessRunner.wait(for: container.pid)
    }
    listener.close()
  }

  /// Sends HTTP requests to the container's published port until functions-framework responds, while
  /// checking that the container still runs. Docker's proxy accepts connections before the server
  /// listens, so only a response shows readiness.
  private func waitUntilReady(_ container: Container) async -> String? {
    switch ReadinessProbe.waitForResponse(
      host: Self.containerHost, port: container.port, pid: container.pid,
      timeout: .seconds(config.startTimeoutSeconds))
    {
    case .responded:
      return nil
    case .exited(let termination):
      return "the container exited (\(termination)) before it served a request"
    case .timedOut:
      return "the container did not respond within \(config.startTimeoutSeconds) s"
    }
  }

  /// Stops a container in the background and reaps its `docker run` process. Without `force`, the
  /// container gets SIGTERM and up to five seconds, so gunicorn finishes the requests it accepted.
  private nonisolated func retire(_ container: Container, force: Bool) {
    let docker = self.docker
    Thread.detachNewThread {
      let arguments = force ? ["rm", "--force", container.name] : ["stop", "--time", "5", container.name]
      _ = try? docker.run(arguments, timeout: .seconds(30))
      _ = ProcessRunner.wait(for: container.pid)
    }
  }

  func checkStillRunning(_ pid: pid_t) -> Bool {
    guard current?.pid == pid else { return false }
    guard let termination = ProcessRunner.poll(pid) else { return true }
    current = nil
    relay?.stop()
    relay = nil
    let failure = "the container exited (\(termination))"
    ServiceLog.error("\(config.name): \(failure); save a change to start it again")
    answerWithFailure(failure)
    return false
  }

  private func answerWithFailure(_ failure: String) {
    fallback = listener.answerWhileNotRunning(name: config.name, failure: failure)
    state.record(.crashed)
  }
}
