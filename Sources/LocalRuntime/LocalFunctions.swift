import Basics
import Foundation
import FunctionsCore

/// Options for starting a function.
public struct StartOptions: Sendable {
  public var host: String
  /// A fixed port, or nil for a free one.
  public var port: Int?
  /// `KEY=VALUE` pairs from `--env`, in order.
  public var overrides: [(String, String)]
  /// An env file from `--env-file`, which must exist.
  public var envFile: String?
  public var startTimeout: Duration
  /// The AWS Region a Lambda function reports (`AWS_REGION`, ARNs).
  public var region: String
  /// Restart the function when its source changes.
  public var watch = false

  public init(
    host: String = "127.0.0.1", port: Int? = nil, overrides: [(String, String)] = [], envFile: String? = nil,
    startTimeout: Duration = .seconds(60), region: String = "us-east-1"
  ) {
    self.region = region
    self.host = host
    self.port = port
    self.overrides = overrides
    self.envFile = envFile
    self.startTimeout = startTimeout
  }
}

/// The result of a build.
public struct BuildOutcome: Sendable {
  /// The Python environment; nil for Node.js and custom runtimes.
  public let environment: PreparedEnvironment?
  /// The Node.js runtime client, for Node.js functions.
  public let nodeBootstrap: String?
  public let manifest: Manifest
  /// The function's image, with the docker backend.
  public var image: BuiltImage? = nil

  /// Whether this build created something new.
  public var didWork: Bool { environment?.wasCreated ?? image?.wasBuilt ?? false }
  /// The location of the build's result, for messages.
  public var location: String {
    environment?.directory ?? nodeBootstrap ?? image?.reference ?? "the function's directory"
  }
}

/// Builds, starts and stops registered functions, keeping the registry in step.
public struct LocalFunctions: Sendable {
  let registry: Registry
  let builder: EnvironmentBuilder
  let server: FunctionServer
  /// The `functions` executable, started again in the background to serve Lambda functions.
  let toolExecutable: String

  public init(registry: Registry, builder: EnvironmentBuilder, server: FunctionServer, toolExecutable: String)
  {
    self.registry = registry
    self.builder = builder
    self.server = server
    self.toolExecutable = toolExecutable
  }

  /// Prepares the function's environment and records it; `new` and `stopped` functions become `built`.
  /// `marksBuilt` is false when a start follows at once and records the state itself.
  public func build(
    _ entry: RegistryEntry, manifest: Manifest, force: Bool = false, marksBuilt: Bool = true,
    backend: Backend = .process, report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> BuildOutcome {
    if backend == .docker {
      return try buildImage(entry, manifest: manifest, force: force, marksBuilt: marksBuilt, report: report)
    }
    var environment: PreparedEnvironment?
    var nodeBootstrap: String?
    switch manifest.runtimeFamily {
    case .python:
      environment = try builder.prepare(
        manifest: manifest, directory: entry.directory, force: force, report: report)
    case .node:
      nodeBootstrap = try NodeBootstrap.install(in: builder.layout.cacheDirectory + "/runtime")
    case .custom:
      // The bootstrap is checked when an instance starts, where Lambda reports a missing one.
      break
    }
    let becomesBuilt =
      marksBuilt
      && (entry.state == .new || entry.state == .stopped || entry.state == .crashed && entry.process == nil)
    // Each registry update reads and may rewrite the whole document, so skip one that changes nothing.
    let isRecorded =
      entry.environmentFingerprint == environment?.fingerprint && entry.runtime == manifest.runtime
      && entry.trigger == manifest.trigger.summary
    if !isRecorded || becomesBuilt {
      try registry.updateEntry(named: entry.name) { entry in
        entry.environmentFingerprint = environment?.fingerprint
        entry.runtime = manifest.runtime
        entry.trigger = manifest.trigger.summary
        if becomesBuilt && (entry.state == .new || entry.state == .stopped || entry.state == .crashed) {
          entry.state = .built
        }
      }
    }
    return BuildOutcome(environment: environment, nodeBootstrap: nodeBootstrap, manifest: manifest)
  }

  /// Returns the function's variables with precedence, lowest first: manifest, env file, overrides.
  /// The env file is the manifest's `envFile` or `.env` when present; `--env-file` replaces both.
  public func variables(manifest: Manifest, directory: String, options: StartOptions) throws -> [String:
    String]
  {
    var variables = manifest.environment
    let envFile: String?
    if let explicit = options.envFile {
      envFile = explicit
    } else if let named = manifest.envFile {
      envFile = named.hasPrefix("/") ? named : (directory as NSString).appendingPathComponent(named)
    } else {
      let dotEnv = (directory as NSString).appendingPathComponent(".env")
      envFile = FileManager.default.fileExists(atPath: dotEnv) ? dotEnv : nil
    }
    if let envFile {
      for (key, value) in try EnvironmentFile.load(path: envFile) { variables[key] = value }
    }
    for (key, value) in options.overrides { variables[key] = value }
    return variables
  }

  /// Starts the function and records it as running; a failure to start records it as crashed.
  public func start(
    _ entry: RegistryEntry, build: BuildOutcome, options: StartOptions
  ) async throws -> RunningProcess {
    let variables = try variables(manifest: build.manifest, directory: entry.directory, options: options)
    let port: Int
    if let fixed = options.port {
      port = fixed
    } else {
      guard let free = Ports.findFreePort(host: options.host) else {
        throw RuntimeError.noFreePort(host: options.host)
      }
      port = free
    }
    do {
      let process: RunningProcess
      switch build.manifest.provider {
      case .gcp where options.watch:
        process = try await startWatchedFramework(
          entry, variables: variables, options: options, port: port,
          backend: build.image == nil ? .process : .docker)
      case .gcp:
        if let image = build.image {
          process = try await startContainer(
            entry, manifest: build.manifest, image: image, variables: variables, options: options, port: port)
          break
        }
        guard let environment = build.environment else { throw RuntimeError.io("\(entry.name) is not built") }
        let request = LaunchRequest(
          manifest: build.manifest, directory: entry.directory, environment: environment,
          variables: variables,
          host: options.host, port: port, startTimeout: options.startTimeout)
        process = try await server.start(request)
      case .aws:
        process = try await startLambda(
          entry, build: build, variables: variables, options: options, port: port)
      }
      var recorded = process
      recorded.watches = options.watch ? true : nil
      try registry.updateEntry(named: entry.name) { entry in
        entry.state = .running
        entry.process = recorded
        entry.backend = (build.image == nil ? Backend.process : Backend.docker).rawValue
      }
      return recorded
    } catch let error as RuntimeError {
      if case .portInUse = error { throw error }
      try? registry.updateEntry(named: entry.name) { entry in
        entry.state = .crashed
        entry.process = nil
        entry.backend = (build.image == nil ? Backend.process : Backend.docker).rawValue
      }
      throw error
    }
  }

  /// Starts the background process that serves a Lambda function's Invoke API and HTTP gateway.
  private func startLambda(
    _ entry: RegistryEntry, build: BuildOutcome, variables: [String: String], options: StartOptions, port: Int
  ) async throws -> RunningProcess {
    let layout = builder.layout
    let configPath = LambdaServiceConfig.path(in: layout, name: entry.name)
    try FileManager.default.createDirectory(
      atPath: layout.stateDirectory(for: entry.name), withIntermediateDirectories: true)
    var config = LambdaServiceConfig(
      name: entry.name, manifestPath: entry.manifestPath, directory: entry.directory,
      environmentDirectory: build.environment?.directory, nodeBootstrap: build.nodeBootstrap,
      variables: variables,
      region: options.region, host: options.host, port: port, logFile: layout.logFile(for: entry.name))
    config.bytecodeDirectory = layout.bytecodeDirectory
    layout.removeBytecode(forSourcesIn: entry.directory)
    config.watch = options.watch
    if let image = build.image {
      config.container = try lambdaContainer(entry, manifest: build.manifest, image: image)
    }
    try FileManager.default.createDirectory(
      atPath: layout.bytecodeDirectory, withIntermediateDirectories: true)
    try config.write(to: configPath)
    return try await server.launchDetached(
      name: entry.name, commandLine: [toolExecutable, "serve-lambda", configPath],
      environment: server.hostEnvironment, directory: entry.directory, host: options.host, port: port,
      startTimeout: options.startTimeout)
  }

  /// Starts the background process that runs functions-framework, as a host process or in a container,
  /// and restarts it when the source changes.
  private func startWatchedFramework(
    _ entry: RegistryEntry, variables: [String: String], options: StartOptions, port: Int, backend: Backend
  ) async throws -> RunningProcess {
    let layout = builder.layout
    // A container left by a killed supervisor would keep running unseen.
    if backend == .docker, let error = removeContainers(of: entry.name) { throw error }
    try FileManager.default.createDirectory(
      atPath: layout.stateDirectory(for: entry.name), withIntermediateDirectories: true)
    let configPath = FrameworkServiceConfig.path(in: layout, name: entry.name)
    let config = FrameworkServiceConfig(
      name: entry.name, manifestPath: entry.manifestPath, directory: entry.directory, variables: variables,
      host: options.host, port: port, logFile: layout.logFile(for: entry.name),
      startTimeoutSeconds: Int(options.startTimeout.components.seconds), backend: backend)
    try config.write(to: configPath)
    return try await server.launchDetached(
      name: entry.name, commandLine: [toolExecutable, "serve-framework", configPath],
      environment: server.hostEnvironment, directory: entry.directory, host: options.host, port: port,
      startTimeout: options.startTimeout, readinessPath: "/robots.txt")
  }

  /// Stops the function's process group if it runs, and records it as stopped.
  /// Returns false when nothing was running.
  @discardableResult
  public func stop(_ name: String, grace: Duration = .seconds(5)) async throws -> Bool {
    let entry = try registry.entry(named: name)
    var wasRunning = false
    if let process = entry.process {
      wasRunning = process.isAlive
      await server.stop(process, grace: grace)
      if wasRunning { server.noteStopped(name: name) }
    }
    // Containers are found by label, so one whose CLI was killed is removed too.
    let containerError = entry.backend == Backend.docker.rawValue ? removeContainers(of: name) : nil
    try registry.updateEntry(named: name) { entry in
      entry.process = nil
      if entry.state == .running || entry.state == .crashed { entry.state = .stopped }
    }
    if let containerError { throw containerError }
    return wasRunning
  }
}
