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
    DockerImageBuilder(
      docker: dockerCLI(), layout: builder.layout, settings: try Settings.load(layout: builder.layout),
      runner: builder.runner, environment: builder.environment)
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
    let stateDirectory = builder.layout.stateDirectory(for: entry.name)
    // The variables Cloud Functions (2nd gen) sets, as the process backend sets them, then the function's.
    var containerVariables = [
      "FUNCTION_TARGET": manifest.entryPoint, "FUNCTION_SIGNATURE_TYPE": manifest.signatureType,
      "K_SERVICE": manifest.name, "K_REVISION": "\(manifest.name)-00001-local",
      "K_CONFIGURATION": manifest.name, "PORT": String(GeneratedDockerfile.containerPort),
      "PYTHONUNBUFFERED": "1",
    ]
    for (key, value) in variables { containerVariables[key] = value }
    let envFile = try ContainerEnvironment.write(containerVariables, to: stateDirectory + "/container.env")

    let docker = dockerCLI()
    var commandLine = [
      docker.executable, "run", "--rm", "--init", "--pull=never", "--name", "functions-\(entry.name)-\(port)",
      "--env-file", envFile, "--publish", "\(options.host):\(port):\(GeneratedDockerfile.containerPort)",
    ]
    commandLine += docker.labelArguments(functionName: entry.name, fingerprint: image.fingerprint)
    // The function appends to the log file itself, as a process does, so `invoke` finds the lines that a
    // Pub/Sub function printed before it responded. The CLI's own output is appended to the same file.
    let redirection = try ContainerOutput.forImage(image.reference, docker: docker)
    if let redirection {
      let logFile = builder.layout.logFile(for: entry.name)
      try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
      if !FileManager.default.fileExists(atPath: logFile) {
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
      }
      commandLine += redirection.runOptions(hostPath: logFile)
    }
    commandLine.append(image.reference)
    if let redirection { commandLine += redirection.commandArguments(appends: true) }
    // functions-framework handles /robots.txt itself; docker's proxy accepts connections before the
    // server listens, so only an HTTP response shows readiness.
    return try await server.launchDetached(
      name: entry.name, commandLine: commandLine, environment: docker.cliEnvironment,
      directory: stateDirectory, host: options.host, port: port, startTimeout: options.startTimeout,
      readinessPath: "/robots.txt")
  }

  /// Returns how the Lambda service starts the function's instances in containers.
  func lambdaContainer(_ entry: RegistryEntry, image: BuiltImage) throws -> LambdaContainer {
    if let error = removeContainers(of: entry.name) { throw error }
    let container = LambdaContainer(
      image: image.reference, fingerprint: image.fingerprint,
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
