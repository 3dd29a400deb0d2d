import Basics
import Foundation
import FunctionsCore

/// The settings `functions run` hands to the background process that serves a Lambda function. They are
/// written to the function's state directory with mode 0600, because they include the function's variables.
public struct LambdaServiceConfig: Codable, Sendable {
  public var name: String
  public var manifestPath: String
  public var directory: String
  public var environmentDirectory: String?
  public var nodeBootstrap: String?
  public var variables: [String: String]
  public var region: String
  public var host: String
  public var port: Int
  public var logFile: String
  public var bytecodeDirectory: String?
  /// Whether to reload the function when its source changes.
  public var watch: Bool?
  /// The image instances run in with the docker backend; nil runs them as host processes.
  public var container: LambdaContainer?

  public init(
    name: String, manifestPath: String, directory: String, environmentDirectory: String?,
    nodeBootstrap: String?,
    variables: [String: String], region: String, host: String, port: Int, logFile: String
  ) {
    self.name = name
    self.manifestPath = manifestPath
    self.directory = directory
    self.environmentDirectory = environmentDirectory
    self.nodeBootstrap = nodeBootstrap
    self.variables = variables
    self.region = region
    self.host = host
    self.port = port
    self.logFile = logFile
  }

  public static func path(in layout: StateLayout, name: String) -> String {
    layout.stateDirectory(for: name) + "/service.json"
  }

  public func write(to path: String) throws {
    try AtomicFile.write(try JSONFormat.encoder().encode(self), to: path, permissions: 0o600)
  }

  public static func read(from path: String) throws -> LambdaServiceConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RuntimeError.io("cannot read \(path); start the function with 'functions run'")
    }
    return try JSONFormat.decoder().decode(LambdaServiceConfig.self, from: data)
  }
}

/// Runs a Lambda function's local endpoint in the foreground until SIGTERM or SIGINT: the body of the
/// hidden `functions serve-lambda` command that `functions run` starts in the background.
public enum LambdaServiceRunner {
  public static func run(configPath: String, hostEnvironment: [String: String]) async throws {
    let config = try LambdaServiceConfig.read(from: configPath)
    let manifest = try ManifestReader.load(path: config.manifestPath).manifest
    var configuration = LambdaFunctionConfiguration(
      name: config.name, manifest: manifest, directory: config.directory,
      environmentDirectory: config.environmentDirectory, nodeBootstrap: config.nodeBootstrap,
      variables: config.variables, region: config.region, logFile: config.logFile,
      hostEnvironment: hostEnvironment)
    configuration.bytecodeDirectory = config.bytecodeDirectory
    configuration.container = config.container
    let service = LambdaService(configuration: configuration, host: config.host, port: config.port)
    // The watch begins before the first instance starts, so a change saved meanwhile is not missed.
    var watch: SourceWatch?
    if config.watch == true {
      let reloader = LambdaReloader(
        service: service, configuration: configuration, manifestPath: config.manifestPath,
        layout: StateLayout(environment: hostEnvironment), hostEnvironment: hostEnvironment)
      do {
        watch = try SourceWatch(directory: config.directory) { change in await reloader.reload(change) }
      } catch {
        ServiceLog.error("\(error)")
        throw ExitWithoutMessage()
      }
    }
    let port: Int
    do {
      port = try await service.start()
    } catch {
      ServiceLog.error("\(error)")
      watch?.stop()
      throw ExitWithoutMessage()
    }
    ServiceLog.info(
      "Lambda endpoint for \(config.name) listening on \(config.host):\(port) (Invoke API and HTTP gateway)")
    if let watch {
      ServiceLog.info("watching \(config.directory) for changes")
      watch.beginReloading()
    }

    await waitForTerminationSignal()
    ServiceLog.info("stopping \(config.name)")
    watch?.stop()
    await service.stop()
  }
}

/// Ends the service with status 1 after it already reported why.
public struct ExitWithoutMessage: Error {}

/// Resumes a continuation once, from whichever signal arrives first.
final class SignalLatch: @unchecked Sendable {
  private let lock = NSLock()
  private var continuation: CheckedContinuation<Void, Never>?
  private var sources: [DispatchSourceSignal] = []

  init(_ continuation: CheckedContinuation<Void, Never>) {
    self.continuation = continuation
  }

  func keep(_ source: DispatchSourceSignal) {
    lock.lock()
    sources.append(source)
    lock.unlock()
  }

  func fire() {
    lock.lock()
    let continuation = self.continuation
    self.continuation = nil
    lock.unlock()
    continuation?.resume()
  }
}

/// Returns when SIGTERM or SIGINT arrives; both are ignored by default from the first call on.
func waitForTerminationSignal() async {
  await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    let resumed = SignalLatch(continuation)
    for number in [SIGTERM, SIGINT] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { resumed.fire() }
      source.resume()
      resumed.keep(source)
    }
  }
}
