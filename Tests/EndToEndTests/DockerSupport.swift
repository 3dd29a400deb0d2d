import Basics
import Foundation
import Testing

/// What the docker-backend tests need: a reachable daemon and a local base image, never pulled.
///
/// CI provides both (`.ci/run`). A developer without Docker sets `FUNCTIONS_SKIP_DOCKER_TESTS=1`, and the
/// docker cases then return without checking anything; without it, a missing daemon or image fails the
/// test with the reason.
enum DockerTestEnvironment {
  /// The base image the tests configure for Python, Node.js and custom runtimes: Debian bookworm with
  /// python3, nodejs and curl, from scripts/base-image.sh. `FUNCTIONS_TEST_BASE_IMAGE` changes it.
  static let baseImage =
    ProcessInfo.processInfo.environment["FUNCTIONS_TEST_BASE_IMAGE"] ?? "functions-test/base:bookworm"

  static var isSkipped: Bool { ProcessInfo.processInfo.environment["FUNCTIONS_SKIP_DOCKER_TESTS"] == "1" }

  /// Nil when the daemon responds and the base image exists, otherwise why the docker cases cannot run.
  static let unavailableReason: String? = {
    let environment = ProcessInfo.processInfo.environment
    let host = environment["DOCKER_HOST"] ?? "unix:///var/run/docker.sock"
    let advice =
      "start dockerd and set DOCKER_HOST (.ci/run shows how), or set FUNCTIONS_SKIP_DOCKER_TESTS=1 to skip"
    guard
      let version = try? ProcessRunner().run(
        ProcessSpec(
          executable: "docker", arguments: ["version", "--format", "{{.Server.Version}}"],
          environment: environment), timeout: .seconds(15))
    else {
      return "the docker CLI was not found on PATH; \(advice)"
    }
    guard version.termination.isSuccess else {
      return "no Docker daemon is reachable at \(host) (\(version.tail(lines: 1).joined())); \(advice)"
    }
    let image = try? ProcessRunner().run(
      ProcessSpec(
        executable: "docker", arguments: ["image", "inspect", baseImage], environment: environment),
      timeout: .seconds(15))
    guard image?.termination.isSuccess == true else {
      return "the base image \(baseImage) is missing; build it with scripts/base-image.sh, "
        + "or set FUNCTIONS_SKIP_DOCKER_TESTS=1 to skip"
    }
    return nil
  }()

  /// Returns false when the docker cases should not run; records a failure when they should but cannot.
  static func isReady() -> Bool {
    if isSkipped { return false }
    if let unavailableReason {
      Issue.record("docker backend tests cannot run: \(unavailableReason)")
      return false
    }
    return true
  }
}

/// The local backends the end-to-end suites run on.
enum TestBackend: String, CaseIterable, CustomTestStringConvertible {
  case process
  case docker

  var testDescription: String { rawValue }
}

extension Sandbox {
  /// Makes `backend` the default for every function in this sandbox, with the tests' base image for
  /// every runtime. Returns false when the docker cases are skipped.
  func use(_ backend: TestBackend) throws -> Bool {
    guard backend == .docker else { return true }
    guard DockerTestEnvironment.isReady() else { return false }
    let image = DockerTestEnvironment.baseImage
    let settings: [String: Any] = [
      "backend": "docker", "dockerBaseImages": ["python": image, "node": image, "custom": image],
    ]
    try FileManager.default.createDirectory(atPath: home + "/config", withIntermediateDirectories: true)
    try JSONSerialization.data(withJSONObject: settings).write(
      to: URL(fileURLWithPath: home + "/config/settings.json"))
    return true
  }

  /// Runs the docker CLI with this sandbox's environment.
  func docker(_ arguments: [String]) throws -> ProcessResult {
    try ProcessRunner().run(
      ProcessSpec(executable: "docker", arguments: arguments, environment: environment), timeout: .seconds(60)
    )
  }

  /// Returns the IDs of containers that this sandbox's registry created for `name`.
  func containers(of name: String) throws -> [String] {
    try docker(["ps", "--all", "--quiet"] + ownLabelFilters(name)).output
      .split(whereSeparator: \.isNewline).map(String.init)
  }

  /// Returns the IDs of images that this sandbox's registry built for `name`.
  func images(of name: String) throws -> [String] {
    try docker(["image", "ls", "--quiet"] + ownLabelFilters(name)).output
      .split(whereSeparator: \.isNewline).map(String.init)
  }

  /// Returns the `--filter` arguments for the labels of this registry's objects of `name`.
  private func ownLabelFilters(_ name: String) -> [String] {
    [
      "--filter", "label=managed-by=functions", "--filter", "label=functions-name=\(name)", "--filter",
      "label=functions-state=\(home)/state",
    ]
  }
}
