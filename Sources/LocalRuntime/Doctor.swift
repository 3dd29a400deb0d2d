import Basics
import Foundation
import FunctionsCore

/// One component the tool can use, and what the doctor found.
public struct ComponentCheck: Sendable, Codable, Equatable {
  public let name: String
  public let isRequired: Bool
  public let isAvailable: Bool
  /// The version found, or the problem.
  public let detail: String
  /// The features the component enables.
  public let purpose: String
  /// How to install it when missing.
  public let installHint: String
}

/// Checks the programs the tool can drive.
public struct Doctor: Sendable {
  let runner: ProcessRunner
  let environment: [String: String]

  public init(runner: ProcessRunner = ProcessRunner(), environment: [String: String]) {
    self.runner = runner
    self.environment = environment
  }

  /// Runs every check concurrently and returns them in a fixed order.
  public func checkAll() async -> [ComponentCheck] {
    let checks: [@Sendable () -> ComponentCheck] = [
      checkPython, checkDocker, checkGoogleCloud, checkPubSubEmulator, checkAWS, checkGit, checkNode,
    ]
    return await withTaskGroup(of: (Int, ComponentCheck).self) { group in
      for (index, check) in checks.enumerated() {
        group.addTask { (index, check()) }
      }
      var results: [(Int, ComponentCheck)] = []
      for await result in group { results.append(result) }
      return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
  }

  func checkPython() -> ComponentCheck {
    let purpose = "runs Python functions locally (functions-framework, awslambdaric, venv, pip)"
    let hint =
      "install Python 3.10 or newer with venv and pip (Debian: apt-get install python3 python3-venv python3-pip)"
    func result(_ available: Bool, _ detail: String) -> ComponentCheck {
      ComponentCheck(
        name: "python3", isRequired: true, isAvailable: available, detail: detail, purpose: purpose,
        installHint: hint)
    }
    guard let python = PythonLocator(runner: runner, environment: environment).probe("python3") else {
      return result(false, "not found on PATH")
    }
    let modules = run(python.path, ["-c", "import venv, ensurepip"])
    guard modules?.termination.isSuccess == true else {
      return result(
        false, "Python \(python.version) at \(python.path), but the venv module or ensurepip is missing")
    }
    let pip = run(python.path, ["-m", "pip", "--version"])
    guard pip?.termination.isSuccess == true else {
      return result(false, "Python \(python.version) at \(python.path), but pip is missing")
    }
    let pipVersion = pip?.output.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
    return result(true, "Python \(python.version) at \(python.path), venv, pip \(pipVersion)")
  }

  func checkDocker() -> ComponentCheck {
    let base = (
      name: "docker", purpose: "runs functions in containers with '--backend docker' (optional)",
      hint: "install Docker Engine (Debian: apt-get install docker.io) and start dockerd"
    )
    guard let client = run("docker", ["--version"]), client.termination.isSuccess else {
      return ComponentCheck(
        name: base.name, isRequired: false, isAvailable: false, detail: "not found on PATH",
        purpose: base.purpose,
        installHint: base.hint)
    }
    let clientVersion = client.output.trimmingCharacters(in: .whitespacesAndNewlines)
    let server = run("docker", ["version", "--format", "{{.Server.Version}}"], timeout: .seconds(5))
    if let server, server.termination.isSuccess {
      let version = server.output.trimmingCharacters(in: .whitespacesAndNewlines)
      return ComponentCheck(
        name: base.name, isRequired: false, isAvailable: true, detail: "\(clientVersion); daemon \(version)",
        purpose: base.purpose, installHint: base.hint)
    }
    return ComponentCheck(
      name: base.name, isRequired: false, isAvailable: false,
      detail: "\(clientVersion), but no Docker daemon is reachable", purpose: base.purpose,
      installHint: "start the Docker daemon (dockerd) or set DOCKER_HOST")
  }

  func checkGoogleCloud() -> ComponentCheck {
    // gcloud probes the Compute Engine metadata server on every run with a DNS lookup. The version needs
    // no network, so the probe goes to a closed loopback port instead.
    versionCheck(
      "gcloud", ["--version"],
      extraEnvironment: ["GCE_METADATA_ROOT": "127.0.0.1:9", "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false"],
      purpose: "deploying to Google Cloud Functions (functions deploy, functions gcp)",
      hint: "install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)")
  }

  func checkPubSubEmulator() -> ComponentCheck {
    let purpose = "functions emulator pubsub (a local Pub/Sub that Google's client libraries can publish to)"
    let emulator = PubSubEmulator(layout: StateLayout(environment: environment), hostEnvironment: environment)
    guard let launcher = emulator.launcher() else {
      return ComponentCheck(
        name: "pubsub", isRequired: false, isAvailable: false, detail: "not installed",
        purpose: purpose,
        installHint: "gcloud components install pubsub-emulator, or Debian's google-cloud-cli-pubsub-emulator"
      )
    }
    guard ExecutableLookup.find("java", environment: environment) != nil else {
      return ComponentCheck(
        name: "pubsub", isRequired: false, isAvailable: false,
        detail: "\(launcher), but java is not on PATH", purpose: purpose,
        installHint: "install Java 11 or later (Debian: apt-get install openjdk-17-jre-headless)")
    }
    return ComponentCheck(
      name: "pubsub", isRequired: false, isAvailable: true, detail: launcher, purpose: purpose,
      installHint: "")
  }

  func checkAWS() -> ComponentCheck {
    versionCheck(
      "aws", ["--version"],
      purpose: "deploying to AWS Lambda (functions deploy, functions aws, invoke --remote) and calling local "
        + "AWS functions with 'aws lambda invoke --endpoint-url'",
      hint: "install the AWS CLI (pip install awscli, or https://aws.amazon.com/cli/)")
  }

  func checkGit() -> ComponentCheck {
    versionCheck(
      "git", ["--version"],
      purpose:
        "functions and templates from git repositories (functions add URL, new --template URL, update)",
      hint: "install git (Debian: apt-get install git)")
  }

  func checkNode() -> ComponentCheck {
    versionCheck(
      "node", ["--version"], purpose: "runs Node.js (nodejs20.x) AWS functions",
      hint: "install Node.js 20 (Debian: apt-get install nodejs)")
  }

  private func versionCheck(
    _ name: String, _ arguments: [String], extraEnvironment: [String: String] = [:], purpose: String,
    hint: String
  ) -> ComponentCheck {
    guard let result = run(name, arguments, extraEnvironment: extraEnvironment, timeout: .seconds(20)) else {
      return ComponentCheck(
        name: name, isRequired: false, isAvailable: false, detail: "not found on PATH", purpose: purpose,
        installHint: hint)
    }
    let firstLine = (result.output + result.errorOutput).split(separator: "\n").first.map(String.init) ?? ""
    guard result.termination.isSuccess else {
      return ComponentCheck(
        name: name, isRequired: false, isAvailable: false,
        detail: "found, but '\(name) \(arguments.joined(separator: " "))' failed (\(result.termination))",
        purpose: purpose, installHint: hint)
    }
    return ComponentCheck(
      name: name, isRequired: false, isAvailable: true, detail: firstLine, purpose: purpose, installHint: hint
    )
  }

  private func run(
    _ executable: String, _ arguments: [String], extraEnvironment: [String: String] = [:],
    timeout: Duration = .seconds(10)
  ) -> ProcessResult? {
    var environment = self.environment
    for (key, value) in extraEnvironment { environment[key] = value }
    return try? runner.run(
      ProcessSpec(executable: executable, arguments: arguments, environment: environment), timeout: timeout)
  }
}
