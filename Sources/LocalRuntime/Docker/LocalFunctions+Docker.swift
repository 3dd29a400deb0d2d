import Basics
import Foundation
import FunctionsCore

/// The docker backend's part of building, starting and stopping functions.
extension LocalFunctions {
  func dockerCLI() -> DockerCLI {
    DockerCLI(runner: builder.runner, environment: builder.environment)
  }

  /// Returns the image builder with the current settings' base images.
  public func imageBuilder() throws -> DockerImageBuilder {
    try DockerImageBuilder.make(
      layout: builder.layout, environment: builder.environment, runner: builder.runner)
  }

  /// Builds the function's image and records the build, as `build` does for environments.
  func buildImage(
    _ entry: RegistryEntry, manifest: Manifest, force: Bool, marksBuilt: Bool,
    report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> BuildOutcome {
    let image = try imageBuilder().build(
      name: entry.name, manifest: manifest, directory: entry.directory, force: force, report: report)
    let becomesBuilt =
      marksBuilt
      && (entry.state == .new || entry.state == .stopped || entry.state == .crashed && entry.process == nil)
    try registry.updateEntry(named: entry.name) { entry in
      entry.runtime = manifest.runtime
      entry.trigger = manifest.trigger.summary
      // Recorded at build too, so `delete` finds the images of a function that was never started.
      entry.backend = Backend.docker.rawValue
      if becomesBuilt && (entry.state == .new || entry.state == .stopped || entry.state == .crashed) {
        entry.state = .built
      }
    }
    var outcome = BuildOutcome(environment: nil, nodeBootstrap: nil, manifest: manifest)
    outcome.image = image
    return outcome
  }

  /// Starts a Google Cloud function's container with its port published on `options.host`, and waits
  /// until functions-framework responds through it.
  func startContainer(
    _ entry: RegistryEntry, manifest: Manifest, image: BuiltImage, variables: [String: String],
    options: StartOptions, port: Int
  ) async throws -> RunningProcess {
    // A container left by a killed CLI would hold the name and the port.
    if let error = removeContainers(of: entry.name) { throw error }
    let docker = dockerCLI()
    let container = FrameworkContainer(
      docker: docker, functionName: entry.name, manifest: manifest,
      stateDirectory: builder.layout.stateDirectory(for: entry.name))
    try FileManager.default.createDirectory(
      atPath: container.stateDirectory, withIntermediateDirectories: true)
    let commandLine = try container.commandLine(
      image: image, variables: variables, host: options.host, port: port,
      logFile: builder.layout.logFile(for: entry.name))
    // functions-framework handles /robots.txt itself; docker's proxy accepts connections before the
    // server listens, so only an HTTP response shows readiness.
    return try await server.launchDetached(
      name: entry.name, commandLine: commandLine, environment: docker.cliEnvironment,
      directory: container.stateDirectory, host: options.host, port: port, startTimeout: options.startTimeout,
      readinessPath: "/robots.txt")
  }

  /// Returns how the Lambda service starts the function's instances in containers.
  func lambdaContainer(_ entry: RegistryEntry, manifest: Manifest, image: BuiltImage) throws
    -> LambdaContainer
  {
    if let error = removeContainers(of: entry.name) { throw error }
    let container = LambdaContainer(
      image: image, manifest: manifest, directory: entry.directory,
      stateDirectory: builder.layout.stateDirectory(for: entry.name))
    container.removeInstanceFiles(function: entry.name)
    return container
  }

  /// Removes the function's containers, found by label; returns the failure instead of throwing it, so a
  /// stop can record its state first.
  func removeContainers(of name: String) -> Error? {
    do {
      try dockerCLI().removeContainers(functionName: name)
      return nil
    } catch {
      return error
    }
  }

  /// Removes the function's images, found by label, and returns their references. An image that a
  /// container still uses is kept, and reported in the error.
  public func removeImages(of name: String) throws -> [String] {
    let docker = dockerCLI()
    let references = try docker.images(functionName: name).map(\.reference)
    if !references.isEmpty { try docker.checkedRun(["image", "rm"] + references, timeout: .seconds(60)) }
    return references
  }
}
