import Basics
import Foundation
import FunctionsCore

/// The variables and the `docker run` command line of a Google Cloud function's functions-framework
/// container, for a plain `run` and for the supervisor of a watched function.
struct FrameworkContainer: Sendable {
  let docker: DockerCLI
  let functionName: String
  let manifest: Manifest
  /// The function's state folder, where the env file is written.
  let stateDirectory: String

  /// Returns the variables Cloud Functions (2nd gen) sets, as the process backend sets them, then `variables`.
  func containerVariables(_ variables: [String: String]) -> [String: String] {
    var containerVariables = [
      "FUNCTION_TARGET": manifest.entryPoint, "FUNCTION_SIGNATURE_TYPE": manifest.signatureType,
      "K_SERVICE": manifest.name, "K_REVISION": "\(manifest.name)-00001-local",
      "K_CONFIGURATION": manifest.name, "PORT": String(GeneratedDockerfile.containerPort),
      "PYTHONUNBUFFERED": "1",
    ]
    for (key, value) in variables { containerVariables[key] = value }
    return containerVariables
  }

  /// Writes the env file and returns the `docker run` command line that serves the image on
  /// `host:port`, with the container named `containerName(port:)`.
  ///
  /// The function appends its output to `logFile` itself, as a process does, so `invoke` finds the lines
  /// that a function printed before it responded (see `ContainerOutput`). The CLI's own output goes to the
  /// same file.
  func commandLine(
    image: BuiltImage, variables: [String: String], host: String, port: Int, logFile: String
  ) throws -> [String] {
    let envFile = try ContainerEnvironment.write(
      containerVariables(variables), to: stateDirectory + "/container.env")
    var commandLine = [
      docker.executable, "run", "--rm", "--init", "--pull=never", "--name", containerName(port: port),
      "--env-file", envFile, "--publish", "\(host):\(port):\(GeneratedDockerfile.containerPort)",
    ]
    commandLine += docker.labelArguments(functionName: functionName, fingerprint: image.fingerprint)
    let redirection = try ContainerOutput.forImage(image.reference, docker: docker)
    if let redirection {
      if !FileManager.default.fileExists(atPath: logFile) {
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
      }
      commandLine += redirection.runOptions(hostPath: logFile)
    }
    commandLine.append(image.reference)
    if let redirection { commandLine += redirection.commandArguments(appends: true) }
    return commandLine
  }

  /// Returns the container's name. The published port keeps it unique while an old and a new container
  /// overlap.
  func containerName(port: Int) -> String {
    "functions-\(functionName)-\(port)"
  }
}
