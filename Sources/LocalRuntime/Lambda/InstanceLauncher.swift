import Basics
import Foundation
import FunctionsCore
import Synchronization

/// Everything needed to start instances of one Lambda function.
public struct LambdaFunctionConfiguration: Sendable {
  public var name: String
  public var manifest: Manifest
  public var directory: String
  /// The prepared Python environment, for Python runtimes.
  public var environmentDirectory: String?
  /// The Node.js bootstrap script, for Node.js runtimes.
  public var nodeBootstrap: String?
  /// The function's own variables after precedence was applied.
  public var variables: [String: String]
  public var region: String
  public var accountID: String = "123456789012"
  public var logFile: String
  /// The folder Python writes compiled files to, instead of the source folder.
  public var bytecodeDirectory: String?
  /// The tool's environment, for `PATH`, locale and proxy settings.
  public var hostEnvironment: [String: String]
  /// The image each instance runs in with the docker backend; nil runs instances as host processes.
  public var container: LambdaContainer?

  public init(
    name: String, manifest: Manifest, directory: String, environmentDirectory: String?,
    nodeBootstrap: String?,
    variables: [String: String], region: String, logFile: String, hostEnvironment: [String: String]
  ) {
    self.name = name
    self.manifest = manifest
    self.directory = directory
    self.environmentDirectory = environmentDirectory
    self.nodeBootstrap = nodeBootstrap
    self.variables = variables
    self.region = region
    self.logFile = logFile
    self.hostEnvironment = hostEnvironment
  }

  public var functionARN: String { "arn:aws:lambda:\(region):\(accountID):function:\(name)" }
  public var timeout: Duration { .seconds(manifest.aws.timeoutSeconds) }
  public var logGroup: String { "/aws/lambda/\(name)" }

  /// Returns the command line that starts the runtime, or the error Lambda reports when it cannot start.
  func commandLine() -> Result<[String], LaunchFailure> {
    switch manifest.runtimeFamily {
    case .python:
      guard let environmentDirectory else { return .failure(.notBuilt) }
      return .success(["\(environmentDirectory)/bin/python", "-m", "awslambdaric", manifest.handler])
    case .node:
      guard let nodeBootstrap else { return .failure(.notBuilt) }
      guard let node = ExecutableLookup.find("node", environment: hostEnvironment) else {
        return .failure(.missingNode)
      }
      return .success([node, nodeBootstrap])
    case .custom:
      let bootstrap = (directory as NSString).appendingPathComponent("bootstrap")
      if let failure = Self.bootstrapFailure(at: bootstrap, reportedAs: bootstrap) {
        return .failure(failure)
      }
      return .success([bootstrap])
    }
  }

  /// Returns Lambda's error for a custom runtime's `bootstrap` at `path` that is missing or not
  /// executable, naming it as `reportedPath`; nil when it can run.
  static func bootstrapFailure(at path: String, reportedAs reportedPath: String) -> LaunchFailure? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
    else {
      return .missingBootstrap(reportedPath)
    }
    guard FileManager.default.isExecutableFile(atPath: path) else {
      return .bootstrapNotExecutable(reportedPath)
    }
    return nil
  }

  /// Returns the environment Lambda gives a runtime (Lambda developer guide, "Defined runtime environment
  /// variables"), with the function's variables on top.
  func processEnvironment(runtimeAPI: String, instanceID: Int, now: Date) -> [String: String] {
    var environment: [String: String] = [:]
    for key in [
      "PATH", "HOME", "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
      "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
    ] {
      if let value = hostEnvironment[key] { environment[key] = value }
    }
    if let environmentDirectory {
      environment["PATH"] = "\(environmentDirectory)/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
      environment["VIRTUAL_ENV"] = environmentDirectory
    }
    let day = Timestamp.format(now).prefix(10).replacingOccurrences(of: "-", with: "/")
    let streamSuffix = String(format: "%032x", instanceID &* 2_654_435_761 &+ Int(now.timeIntervalSince1970))
    environment["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
    environment["_HANDLER"] = manifest.handler
    environment["LAMBDA_TASK_ROOT"] = directory
    environment["LAMBDA_RUNTIME_DIR"] = directory
    environment["AWS_LAMBDA_FUNCTION_NAME"] = name
    environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = String(manifest.aws.memorySize)
    environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
    environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand"
    environment["AWS_LAMBDA_LOG_GROUP_NAME"] = logGroup
    environment["AWS_LAMBDA_LOG_STREAM_NAME"] = "\(day)/[$LATEST]\(streamSuffix.suffix(32))"
    environment["AWS_REGION"] = region
    environment["AWS_DEFAULT_REGION"] = region
    environment["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(manifest.runtime)"
    environment["LANG"] = "en_US.UTF-8"
    environment["TZ"] = ":UTC"
    environment["PYTHONUNBUFFERED"] = "1"
    // Compiled files go to the tool's cache, not the function's source folder.
    if let bytecodeDirectory { environment["PYTHONPYCACHEPREFIX"] = bytecodeDirectory }
    for (key, value) in variables { environment[key] = value }
    return environment
  }
}

/// The reason an instance could not start, with the error Lambda reports for it.
enum LaunchFailure: Error, Sendable {
  case notBuilt
  case missingNode
  case missingBootstrap(String)
  case bootstrapNotExecutable(String)
  case spawnFailed(String)

  /// The next step for the user, for the log; Lambda's own message (`outcome`) has none.
  var hint: String? {
    switch self {
    case .missingBootstrap: "add an executable file named bootstrap to the function's directory"
    case .bootstrapNotExecutable: "make it executable with 'chmod +x bootstrap'"
    case .notBuilt: "run 'functions build' first"
    case .missingNode, .spawnFailed: nil
    }
  }

  /// Returns the failure as Lambda reports it; without a request ID (at start-up) the prefix is left out.
  func outcome(requestID: String?) -> InvocationOutcome {
    let prefix = requestID.map { "RequestId: \($0) Error: " } ?? ""
    return switch self {
    case .missingBootstrap(let path):
      // Lambda's message for a custom runtime without a bootstrap file.
      .failure(
        type: "Runtime.InvalidEntrypoint",
        message: "\(prefix)Couldn't find valid bootstrap(s): [\(path)]")
    case .bootstrapNotExecutable(let path):
      .failure(
        type: "Runtime.InvalidEntrypoint",
        message: "\(prefix)fork/exec \(path): permission denied")
    case .missingNode:
      .failure(
        type: "Runtime.InvalidEntrypoint",
        message: "\(prefix)node was not found on PATH; install Node.js 20")
    case .notBuilt:
      .failure(
        type: "Runtime.InvalidEntrypoint", message: "\(prefix)the function is not built"
      )
    case .spawnFailed(let reason):
      .failure(type: "Runtime.InvalidEntrypoint", message: "\(prefix)\(reason)")
    }
  }
}

/// A started instance: the runtime process, its Runtime API server and its output.
final class LaunchedInstance: Sendable {
  let instance: RuntimeInstance
  let server: HTTPServer
  let pid: pid_t
  let output: OutputCollector

  init(instance: RuntimeInstance, server: HTTPServer, pid: pid_t, output: OutputCollector) {
    self.instance = instance
    self.server = server
    self.pid = pid
    self.output = output
  }

  /// The peak resident memory of the runtime process in MB (`VmHWM`), as Lambda's REPORT line shows it.
  var maxMemoryUsedMB: Int? {
    // Read with one system call and scanned as bytes: this runs after every invocation.
    let descriptor = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = read(descriptor, &buffer, buffer.count)
    guard count > 0 else { return nil }
    let key = Array("VmHWM:".utf8)
    var index = 0
    while index + key.count < count {
      if buffer[index] == key[0], Array(buffer[index..<(index + key.count)]) == key {
        var position = index + key.count
        var kilobytes = 0
        while position < count, buffer[position] == 32 || buffer[position] == 9 { position += 1 }
        while position < count, (48...57).contains(buffer[position]) {
          kilobytes = kilobytes * 10 + Int(buffer[position] - 48)
          position += 1
        }
        return max(1, kilobytes / 1024)
      }
      index += 1
    }
    return nil
  }
}

/// Starts runtime instances of one function.
struct InstanceLauncher: Sendable {
  let configuration: LambdaFunctionConfiguration
  let logWriter: LogWriter
  let runner = ProcessRunner()

  /// Starts instance `id`; `onExit` runs on a background thread when its process ends.
  func launch(id: Int, onExit: @escaping @Sendable (RuntimeInstance, ProcessTermination) -> Void)
    throws(LaunchFailure)
    -> LaunchedInstance
  {
    var commandLine: [String] = []
    if let container = configuration.container {
      if let failure = container.bootstrapFailure() { throw failure }
    } else {
      switch configuration.commandLine() {
      case .success(let line): commandLine = line
      case .failure(let failure): throw failure
      }
    }
    let container = configuration.container
    let containerName = container?.containerName(function: configuration.name, instanceID: id)
    let hostEnvironment = configuration.hostEnvironment

    let processID = Mutex<pid_t>(0)
    let instance = RuntimeInstance(id: id) { isGraceful in
      let pid = processID.withLock { $0 }
      guard pid > 0 else { return }
      // The runtime may have started children of its own; they share its process group. A graceful
      // stop gives the runtime 200 ms to clean up after SIGTERM, as Lambda's shutdown phase does.
      if isGraceful {
        kill(-pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { kill(-pid, SIGKILL) }
      } else {
        kill(-pid, SIGKILL)
      }
      // Signals reach the docker CLI, not the container, so the container is removed by name as well.
      if let container, let containerName {
        container.remove(containerName: containerName, hostEnvironment: hostEnvironment)
      }
    }
    let api = RuntimeAPI(instance: instance)
    let server = HTTPServer(host: "127.0.0.1", port: 0) { request in await api.handle(request) }
    let port: Int
    do {
      port = try server.start()
    } catch {
      throw .spawnFailed("cannot start the Runtime API: \(error)")
    }

    let environment = configuration.processEnvironment(
      runtimeAPI: "127.0.0.1:\(port)", instanceID: id, now: Date())
    let spec: ProcessSpec
    let outputFIFO: OutputFIFO?
    if let container {
      do {
        let prepared = try container.processSpec(
          function: configuration.name, instanceID: id, runtimeEnvironment: environment,
          hostEnvironment: hostEnvironment)
        spec = prepared.spec
        outputFIFO = prepared.output
      } catch {
        Task { await server.stop() }
        throw error
      }
    } else {
      spec = ProcessSpec(
        executable: commandLine[0], arguments: Array(commandLine.dropFirst()), environment: environment,
        workingDirectory: configuration.directory)
      outputFIFO = nil
    }
    let started: (pid: pid_t, output: Int32)
    do {
      started = try runner.startPiped(spec, ownProcessGroup: true)
    } catch {
      outputFIFO?.discard()
      Task { await server.stop() }
      throw .spawnFailed("\(error)")
    }
    processID.withLock { $0 = started.pid }
    // With a FIFO, the runtime's output arrives there, and the docker CLI's own pipe carries only the
    // CLI's and the init process's messages, which go to the log but not into an invocation's tail.
    let cliOutput = OutputCollector(descriptor: started.output, writer: logWriter)
    cliOutput.start()
    let output: OutputCollector
    if let outputFIFO {
      output = OutputCollector(descriptor: outputFIFO.readDescriptor, writer: logWriter)
      output.start()
    } else {
      output = cliOutput
    }

    let pid = started.pid
    Thread.detachNewThread {
      let termination = ProcessRunner.wait(for: pid)
      if let container, let containerName {
        container.remove(containerName: containerName, hostEnvironment: hostEnvironment)
      }
      outputFIFO?.closeKeeper()
      cliOutput.waitUntilDrained()
      output.waitUntilDrained()
      onExit(instance, termination)
      Task { await server.stop() }
    }
    return LaunchedInstance(instance: instance, server: server, pid: pid, output: output)
  }
}
