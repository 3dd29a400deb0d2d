import Basics
import Foundation
import FunctionsCore

/// How the Lambda service starts each runtime instance as a container instead of a host process.
///
/// The container shares the host's network namespace (`--network host`), so the runtime client reaches
/// the instance's Runtime API on 127.0.0.1 exactly as a host process does, and the API stays bound to
/// loopback. Each instance is one `docker run --rm --init` whose stop also removes the container by name.
/// The runtime writes its output into a FIFO in the state directory (see `ContainerOutput`), so an
/// invocation's log tail contains every line printed before the response, as on the process backend.
///
/// NOTE: an image that runs as a user other than root sends its output through dockerd and the CLI
/// instead, so a line printed just before the response can miss that invocation's log tail.
/// NOTE: the REPORT line's "Max Memory Used" reads the peak memory of the docker CLI process, not of the
/// container, because the launcher measures the process it started.
public struct LambdaContainer: Codable, Sendable, Equatable {
  public var image: String
  public var fingerprint: String
  /// The folder for the instances' env files, inside the function's state directory.
  public var stateDirectory: String
  /// The host file that the image's `/var/task/bootstrap` was copied from, for a custom runtime with a
  /// generated Dockerfile; nil otherwise.
  public var bootstrapSource: String?

  public init(image: String, fingerprint: String, stateDirectory: String, bootstrapSource: String? = nil) {
    self.image = image
    self.fingerprint = fingerprint
    self.stateDirectory = stateDirectory
    self.bootstrapSource = bootstrapSource
  }

  /// Makes the container settings for `image`, built from the function in `directory`.
  public init(image: BuiltImage, manifest: Manifest, directory: String, stateDirectory: String) {
    let hasGeneratedBootstrap = manifest.runtimeFamily == .custom && !image.usesOwnDockerfile
    self.init(
      image: image.reference, fingerprint: image.fingerprint, stateDirectory: stateDirectory,
      bootstrapSource: hasGeneratedBootstrap
        ? (directory as NSString).appendingPathComponent("bootstrap") : nil)
  }

  /// Returns Lambda's error when the image's `bootstrap` is missing or not executable, as the process
  /// backend reports it, but with the path inside the container.
  ///
  /// The image was built from the host file at its fingerprint, so the host file is checked. A container
  /// whose command cannot run only exits (the docker CLI returns 126 or 127), which the service would
  /// report as `Runtime.ExitError`.
  func bootstrapFailure() -> LaunchFailure? {
    guard let bootstrapSource else { return nil }
    let taskRoot = GeneratedDockerfile.codeDirectory(for: .aws)
    return LambdaFunctionConfiguration.bootstrapFailure(
      at: bootstrapSource, reportedAs: "\(taskRoot)/bootstrap")
  }

  /// Returns the container name of an instance; the service's PID keeps names unique across restarts.
  func containerName(function: String, instanceID: Int) -> String {
    "functions-\(function)-\(getpid())-\(instanceID)"
  }

  /// Returns the `docker run` process that starts an instance with the runtime's variables, and the FIFO
  /// that receives the runtime's output, or nil when the output stays on the CLI.
  func processSpec(
    function: String, instanceID: Int, runtimeEnvironment: [String: String], hostEnvironment: [String: String]
  ) throws(LaunchFailure) -> (spec: ProcessSpec, containerName: String, output: OutputFIFO?) {
    let name = containerName(function: function, instanceID: instanceID)
    var variables = runtimeEnvironment
    let taskRoot = GeneratedDockerfile.codeDirectory(for: .aws)
    variables["LAMBDA_TASK_ROOT"] = taskRoot
    variables["LAMBDA_RUNTIME_DIR"] = taskRoot
    let envFile: String
    do {
      envFile = try ContainerEnvironment.write(variables, to: "\(stateDirectory)/\(name).env")
    } catch {
      throw .spawnFailed("\(error)")
    }
    let docker = DockerCLI(environment: hostEnvironment)
    let redirection: ContainerOutput?
    do {
      redirection = try ContainerOutput.forImage(image, docker: docker)
    } catch {
      throw .spawnFailed("\(error)")
    }
    var arguments = [
      "run", "--rm", "--init", "--pull=never", "--network", "host", "--name", name, "--env-file", envFile,
    ]
    arguments += docker.labelArguments(functionName: function, fingerprint: fingerprint)
    var fifo: OutputFIFO?
    if let redirection {
      let output = try OutputFIFO(path: outputPath(containerName: name))
      fifo = output
      arguments += redirection.runOptions(hostPath: output.path)
    }
    arguments.append(image)
    if let redirection { arguments += redirection.commandArguments(appends: false) }
    let spec = ProcessSpec(
      executable: docker.executable, arguments: arguments, environment: docker.cliEnvironment,
      workingDirectory: stateDirectory)
    return (spec, name, fifo)
  }

  /// Returns the path of an instance's output FIFO.
  func outputPath(containerName: String) -> String {
    "\(stateDirectory)/\(containerName).output"
  }

  /// Removes the env files and output FIFOs of earlier instances, which a stopped service can leave
  /// behind because it ends before its background removals do. Call it only while no instance runs.
  func removeInstanceFiles(function: String) {
    let prefix = "functions-\(function)-"
    for file in (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []
    where file.hasPrefix(prefix) && (file.hasSuffix(".env") || file.hasSuffix(".output")) {
      try? FileManager.default.removeItem(atPath: stateDirectory + "/" + file)
    }
  }

  /// Removes an instance's container, env file and output FIFO in the background. A container that is
  /// already gone is no error.
  func remove(containerName: String, hostEnvironment: [String: String]) {
    let envFile = "\(stateDirectory)/\(containerName).env"
    let outputFIFO = outputPath(containerName: containerName)
    Thread.detachNewThread {
      let docker = DockerCLI(environment: hostEnvironment)
      _ = try? docker.run(["rm", "--force", containerName], timeout: .seconds(30))
      try? FileManager.default.removeItem(atPath: envFile)
      // The tool's descriptors stay valid after the FIFO's name is gone.
      unlink(outputFIFO)
    }
  }
}
