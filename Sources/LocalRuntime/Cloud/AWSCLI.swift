import Basics
import Foundation

/// Runs the `aws` CLI with the account scope of a `CloudTarget` and reads its JSON output.
///
/// `--region` and `--profile` are passed only when the target sets them, and `--endpoint-url` only when
/// the settings or the environment give one, so the CLI's own configuration applies otherwise.
public struct AWSCLI: Sendable {
  /// The environment variable that names an endpoint for every AWS call. aws-cli 1.45.11 (botocore
  /// 1.43.11) also reads it by itself; the tool passes it as `--endpoint-url` so older CLIs obey it too.
  public static let endpointVariable = "AWS_ENDPOINT_URL"

  let runner: ProcessRunner
  let environment: [String: String]
  public let endpointURL: String?
  /// Receives every command before it runs, for `--verbose` output.
  let log: @Sendable (String) -> Void

  public init(
    runner: ProcessRunner = ProcessRunner(), environment: [String: String], endpointURL: String? = nil,
    log: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.runner = runner
    self.environment = environment
    self.endpointURL = endpointURL ?? environment[Self.endpointVariable].flatMap { $0.isEmpty ? nil : $0 }
    self.log = log
  }

  /// The install hint when `aws` is missing.
  public static let installHint =
    "install the AWS CLI (pip install awscli, or see the AWS CLI user guide's installation page)"

  /// Returns the full argument vector for a service operation, with the target's options.
  public func command(
    _ service: String, _ operation: String, _ arguments: [String], target: CloudTarget,
    secretPositions: Set<Int> = []
  ) -> CloudCommand {
    var vector = ["aws", service, operation] + arguments
    // The positions in `secretPositions` count from the first of `arguments`.
    let secrets = Set(secretPositions.map { $0 + 3 })
    if let region = target.region { vector += ["--region", region] }
    if let profile = target.profile { vector += ["--profile", profile] }
    if let endpointURL { vector += ["--endpoint-url", endpointURL] }
    vector += ["--output", "json"]
    return CloudCommand(arguments: vector, secretPositions: secrets)
  }

  /// Runs a command and returns its result whatever its exit status, after checking for the errors every
  /// command shares: a missing CLI, no credentials, no region.
  public func run(_ command: CloudCommand) throws -> ProcessResult {
    log(command.redactedText)
    var childEnvironment = environment
    // A pager would wait for a terminal that is not there.
    childEnvironment["AWS_PAGER"] = ""
    let result: ProcessResult
    do {
      result = try runner.run(
        ProcessSpec(
          executable: command.arguments[0], arguments: Array(command.arguments.dropFirst()),
          environment: childEnvironment),
        timeout: .seconds(600))
    } catch ProcessError.executableNotFound {
      throw CloudError.cliMissing(program: "aws", installHint: Self.installHint)
    }
    if !result.termination.isSuccess {
      try Self.checkAccount(result, command: command)
    }
    return result
  }

  /// Runs a command that must succeed and returns its JSON output (an empty object for no output).
  @discardableResult
  public func json(_ command: CloudCommand) throws -> [String: Any] {
    let result = try run(command)
    guard result.termination.isSuccess else {
      throw CloudError.commandFailed(command: command, result: result)
    }
    return try Self.parse(result.output, command: command)
  }

  /// Runs a read that may find nothing: returns nil when the CLI reports `ResourceNotFoundException`,
  /// `NoSuchEntity` (IAM) or a 404.
  public func jsonIfFound(_ command: CloudCommand) throws -> [String: Any]? {
    let result = try run(command)
    if result.termination.isSuccess { return try Self.parse(result.output, command: command) }
    if Self.isNotFound(result) { return nil }
    throw CloudError.commandFailed(command: command, result: result)
  }

  static func isNotFound(_ result: ProcessResult) -> Bool {
    let text = result.errorOutput
    return text.contains("(ResourceNotFoundException)") || text.contains("(NoSuchEntity)")
      || text.contains("(404)") || text.contains("(NoSuchBucket)")
  }

  static func parse(_ output: String, command: CloudCommand) throws -> [String: Any] {
    let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return [:] }
    guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
      throw CloudError.unexpectedOutput(command: command, reason: "not a JSON object: \(trimmed.prefix(200))")
    }
    return object
  }

  /// Turns the CLI's messages for missing credentials, region or profile into errors with their fix.
  static func checkAccount(_ result: ProcessResult, command: CloudCommand) throws {
    let text = result.errorOutput
    let profile = command.arguments.firstIndex(of: "--profile").map { command.arguments[$0 + 1] }
    let configure = profile.map { "aws configure --profile \($0)" } ?? "aws configure"
    if text.contains("Unable to locate credentials") || text.contains("(UnrecognizedClientException)")
      || text.contains("(InvalidClientTokenId)") || text.contains("(ExpiredToken")
    {
      throw CloudError.notLoggedIn(program: "aws", message: CloudError.cliMessage(result), fix: configure)
    }
    if text.contains("You must specify a region") {
      throw CloudError.regionMissing(program: "aws", fix: configure + " set region REGION")
    }
    if text.contains("could not be found"), let profile, text.contains(profile) {
      throw CloudError.notLoggedIn(
        program: "aws", message: "the profile '\(profile)' is not configured", fix: configure)
    }
  }
}
