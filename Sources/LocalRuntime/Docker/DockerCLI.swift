import Basics
import Foundation
import FunctionsCore

/// Failures of the Docker backend, each with the next step for the user.
public enum DockerError: Error, CustomStringConvertible, Sendable {
  case clientMissing
  case daemonUnreachable(host: String, details: String)
  case baseImageMissing(image: String)
  case unsupportedRuntime(runtime: String, provider: Provider)
  case missingNodeModules(directory: String, packages: [String])
  case commandFailed(ProcessResult)
  case io(String)

  public var description: String {
    switch self {
    case .clientMissing:
      return
        "the docker CLI was not found on PATH; install Docker Engine (Debian: apt-get install docker.io) "
        + "or use '--backend process'"
    case .daemonUnreachable(let host, let details):
      return "no Docker daemon is reachable at \(host) (\(details)); start dockerd or set DOCKER_HOST, "
        + "check with 'functions doctor', or use '--backend process'"
    case .baseImageMissing(let image):
      return "the base image \(image) is not in the local Docker image store, and functions never pulls; "
        + "pull it with 'docker pull \(image)', or name a local image in settings.json under "
        + "\"dockerBaseImages\""
    case .unsupportedRuntime(let runtime, let provider):
      return "the docker backend generates no Dockerfile for \(runtime) on \(provider.rawValue), only for "
        + "Python on Google Cloud and for Python, Node.js and custom runtimes on AWS Lambda; add a "
        + "Dockerfile to the function's directory, or use '--backend process'"
    case .missingNodeModules(let directory, let packages):
      let list = packages.map { "'\($0)'" }.joined(separator: ", ")
      return "package.json lists dependencies that are not in \(directory)/node_modules: \(list); the image "
        + "gets that folder as it is, so run 'npm install --omit=dev' (or 'npm ci --omit=dev') there and "
        + "build again"
    case .commandFailed(let result):
      let tail = result.tail(lines: 15).map { "    " + $0 }.joined(separator: "\n")
      return "'\(ShellQuoting.join(result.commandLine))' failed (\(result.termination)); its last lines:\n"
        + tail
    case .io(let message):
      return message
    }
  }
}

/// Runs the `docker` CLI with the tool's environment, so `DOCKER_HOST` and `DOCKER_CONFIG` apply.
public struct DockerCLI: Sendable {
  /// The label every image and container the tool creates carries, as `managed-by=functions`.
  public static let managedByLabel = "managed-by=functions"
  /// The label key that stores the registry name.
  public static let nameLabel = "functions-name"
  /// The label key that stores the first 16 hex digits of the image's source fingerprint.
  public static let fingerprintLabel = "functions-fingerprint"
  /// The label key that stores the state directory of the registry that owns the image or container, so
  /// two `FUNCTIONS_HOME`s with a function of the same name never touch each other's containers.
  public static let stateLabel = "functions-state"

  let runner: ProcessRunner
  let environment: [String: String]
  public let executable: String

  public init(runner: ProcessRunner = ProcessRunner(), environment: [String: String]) {
    self.runner = runner
    self.environment = environment
    executable = environment["FUNCTIONS_DOCKER"] ?? "docker"
  }

  /// The label that marks what this registry created: `functions-state=STATE_DIRECTORY`.
  public var ownerLabel: String {
    "\(Self.stateLabel)=\(StateLayout(environment: environment).stateDirectory)"
  }

  /// The first 8 hex digits of the SHA-256 of the registry's state folder, for image tags.
  public var ownerTag: String {
    String(SHA256.hexDigest(of: StateLayout(environment: environment).stateDirectory).prefix(8))
  }

  /// The labels every image and container of a function carries, as `--label` arguments; the fingerprint
  /// label is added when one is given.
  public func labelArguments(functionName: String, fingerprint: String? = nil) -> [String] {
    var labels = [Self.managedByLabel, "\(Self.nameLabel)=\(functionName)", ownerLabel]
    if let fingerprint { labels.append("\(Self.fingerprintLabel)=\(fingerprint)") }
    return labels.flatMap { ["--label", $0] }
  }

  /// The daemon address for messages.
  var host: String { environment["DOCKER_HOST"] ?? "unix:///var/run/docker.sock" }

  /// The environment the CLI gets: the tool's own. The legacy builder is chosen because it runs a whole
  /// build with `--network none` and needs no buildx plugin.
  var cliEnvironment: [String: String] {
    var environment = self.environment
    environment["DOCKER_BUILDKIT"] = "0"
    environment["DOCKER_CLI_HINTS"] = "false"
    return environment
  }

  /// Runs `docker ARGUMENTS` and returns its result; a daemon that cannot be reached is reported as such.
  public func run(
    _ arguments: [String], timeout: Duration? = .seconds(120), onLine: (@Sendable (String) -> Void)? = nil
  ) throws -> ProcessResult {
    let result: ProcessResult
    do {
      result = try runner.run(
        ProcessSpec(executable: executable, arguments: arguments, environment: cliEnvironment),
        timeout: timeout, onLine: onLine)
    } catch ProcessError.executableNotFound {
      throw DockerError.clientMissing
    }
    if !result.termination.isSuccess, let details = Self.unreachableDetails(result) {
      throw DockerError.daemonUnreachable(host: host, details: details)
    }
    return result
  }

  /// Runs `docker ARGUMENTS` and throws when it fails.
  @discardableResult
  public func checkedRun(
    _ arguments: [String], timeout: Duration? = .seconds(120), onLine: (@Sendable (String) -> Void)? = nil
  ) throws -> ProcessResult {
    let result = try run(arguments, timeout: timeout, onLine: onLine)
    guard result.termination.isSuccess else { throw DockerError.commandFailed(result) }
    return result
  }

  /// Returns the daemon's version, or throws the advice for an unreachable daemon.
  public func daemonVersion() throws -> String {
    let result = try checkedRun(["version", "--format", "{{.Server.Version}}"], timeout: .seconds(10))
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Returns the image's ID, or nil when the local image store has no such image.
  public func imageID(_ reference: String) throws -> String? {
    let result = try run(["image", "inspect", "--format", "{{.Id}}", reference], timeout: .seconds(30))
    guard result.termination.isSuccess else { return nil }
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Returns the IDs of containers, running or not, that this registry created for the function.
  public func containerIDs(functionName: String) throws -> [String] {
    let result = try checkedRun(
      [
        "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=\(Self.managedByLabel)",
        "--filter", "label=\(ownerLabel)", "--filter", "label=\(Self.nameLabel)=\(functionName)",
      ], timeout: .seconds(30))
    return result.output.split(whereSeparator: \.isNewline).map(String.init)
  }

  /// A container the tool created, found by its labels.
  public struct ManagedContainer: Sendable, Equatable {
    public let id: String
    /// The registry name in the container's name label.
    public let functionName: String
    /// Docker's state word: `running`, `exited`, `created`, …
    public let state: String
  }

  /// Returns every container, running or not, that this registry created.
  public func managedContainers() throws -> [ManagedContainer] {
    let result = try checkedRun(
      [
        "ps", "--all", "--no-trunc", "--filter", "label=\(Self.managedByLabel)", "--filter",
        "label=\(ownerLabel)",
        "--format", "{{.ID}}\t{{.Label \"\(Self.nameLabel)\"}}\t{{.State}}",
      ], timeout: .seconds(30))
    return result.output.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 3 else { return nil }
      return ManagedContainer(id: fields[0], functionName: fields[1], state: fields[2])
    }
  }

  /// Removes containers by ID.
  public func removeContainers(ids: [String]) throws {
    guard !ids.isEmpty else { return }
    try checkedRun(["rm", "--force"] + ids, timeout: .seconds(60))
  }

  /// Removes the function's containers, found by label, and returns how many there were.
  @discardableResult
  public func removeContainers(functionName: String) throws -> Int {
    let identifiers = try containerIDs(functionName: functionName)
    guard !identifiers.isEmpty else { return 0 }
    try checkedRun(["rm", "--force"] + identifiers, timeout: .seconds(60))
    return identifiers.count
  }

  /// An image this registry built, found by its labels.
  public struct ManagedImage: Sendable, Equatable {
    public let id: String
    /// `functions/NAME:TAG`.
    public let reference: String
    /// The registry name in the image's name label.
    public let functionName: String
  }

  /// Returns every image that this registry built. `docker image ls` cannot print labels, so the names
  /// come from one `docker image inspect` of all of them.
  public func managedImages() throws -> [ManagedImage] {
    let listed = try checkedRun(
      [
        "image", "ls", "--no-trunc", "--filter", "label=\(Self.managedByLabel)", "--filter",
        "label=\(ownerLabel)", "--format", "{{.ID}}\t{{.Repository}}:{{.Tag}}",
      ], timeout: .seconds(30))
    let images = listed.output.split(whereSeparator: \.isNewline).compactMap { line -> (String, String)? in
      let fields = line.split(separator: "\t").map(String.init)
      return fields.count == 2 ? (fields[0], fields[1]) : nil
    }
    guard !images.isEmpty else { return [] }
    let inspected = try checkedRun(
      ["image", "inspect", "--format", "{{.Id}}\t{{index .Config.Labels \"\(Self.nameLabel)\"}}"]
        + Set(images.map(\.0)).sorted(), timeout: .seconds(30))
    var names: [String: String] = [:]
    for line in inspected.output.split(whereSeparator: \.isNewline) {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      if fields.count == 2 { names[fields[0]] = fields[1] }
    }
    return images.map { id, reference in
      ManagedImage(id: id, reference: reference, functionName: names[id] ?? "")
    }
  }

  /// Returns `ID TAG` pairs of the images this registry built for the function, found by label.
  public func images(functionName: String) throws -> [(id: String, reference: String)] {
    let result = try checkedRun(
      [
        "image", "ls", "--filter", "label=\(Self.managedByLabel)", "--filter", "label=\(ownerLabel)",
        "--filter", "label=\(Self.nameLabel)=\(functionName)", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}",
      ], timeout: .seconds(30))
    return result.output.split(whereSeparator: \.isNewline).compactMap { line in
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      return parts.count == 2 ? (id: parts[0], reference: parts[1]) : nil
    }
  }

  /// Returns why a failed command could not reach the daemon, or nil when it failed for another reason.
  static func unreachableDetails(_ result: ProcessResult) -> String? {
    let text = result.errorOutput
    let markers = [
      "Cannot connect to the Docker daemon", "Is the docker daemon running", "error during connect",
      "permission denied while trying to connect",
    ]
    guard markers.contains(where: { text.contains($0) }) else { return nil }
    return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no details"
  }
}
