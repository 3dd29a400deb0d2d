import Basics
import Foundation

/// Deployment failures. Each message names the value that failed and the command or setting that fixes it.
public enum CloudError: Error, CustomStringConvertible, Sendable {
  /// The provider's CLI is not on `PATH`.
  case cliMissing(program: String, installHint: String)
  /// The CLI found no credentials; `fix` is the command that sets them up.
  case notLoggedIn(program: String, message: String, fix: String)
  case regionMissing(program: String, fix: String)
  /// A CLI command failed; the message is the CLI's own.
  case commandFailed(command: CloudCommand, result: ProcessResult)
  /// A cloud function of that name exists but does not carry the managed-by tag or label.
  case notManaged(cloudName: String, provider: String)
  case roleMissing(role: String)
  case bucketMissing(bucket: String, message: String)
  case packageTooLarge(byteCount: Int, limit: Int)
  case packaging(String)
  case dependencyInstallFailed(ProcessResult)
  /// The CLI printed something this tool cannot read.
  case unexpectedOutput(command: CloudCommand, reason: String)
  case timedOut(String)
  /// Any other failure, with its full message.
  case failed(String)

  public var description: String {
    switch self {
    case .cliMissing(let program, let installHint):
      return
        "the '\(program)' command was not found on PATH; \(installHint), then check with 'functions doctor'"
    case .notLoggedIn(let program, let message, let fix):
      return "\(program) has no usable credentials (\(message)); run '\(fix)'"
    case .regionMissing(let program, let fix):
      return
        "no region is set for \(program); pass --region, set it in function.json or settings.json, or run '\(fix)'"
    case .commandFailed(let command, let result):
      let message = Self.cliMessage(result)
      return "\(command.redactedText) failed with \(result.termination)"
        + (message.isEmpty ? "" : ":\n    " + message)
    case .notManaged(let cloudName, let provider):
      return "the \(provider) function '\(cloudName)' exists but was not deployed by functions (it has no "
        + "managed-by=functions tag); pass --adopt to take it over, or choose another name"
    case .roleMissing(let role):
      return
        "the execution role '\(role)' was not found; create it in IAM, or set \"aws.role\" in function.json to "
        + "an existing role's ARN"
    case .bucketMissing(let bucket, let message):
      return
        "the deployment bucket '\(bucket)' cannot be used (\(message)); create it with 'aws s3 mb s3://\(bucket)' "
        + "or set \"aws.deploymentBucket\" to an existing bucket"
    case .packageTooLarge(let byteCount, let limit):
      return "the package is \(byteCount) bytes, over Lambda's direct upload limit of \(limit) bytes; set "
        + "\"aws.deploymentBucket\" in function.json (or \"awsDeploymentBucket\" in settings.json) to upload through S3"
    case .packaging(let message):
      return message
    case .dependencyInstallFailed(let result):
      let tail = result.tail(lines: 12).map { "    " + $0 }.joined(separator: "\n")
      return
        "pip failed to install the dependencies for Lambda (\(result.termination)); its last lines:\n\(tail)\n"
        + "Lambda packages take only binary wheels (--only-binary=:all:): pin versions that publish manylinux wheels."
    case .unexpectedOutput(let command, let reason):
      return "cannot read the output of \(command.redactedText): \(reason)"
    case .timedOut(let message), .failed(let message):
      return message
    }
  }

  /// Returns the CLI's own error text: the last lines of its standard error, or of all its output.
  static func cliMessage(_ result: ProcessResult) -> String {
    let lines = result.errorOutput.split(whereSeparator: \.isNewline).map(String.init)
    let chosen = lines.isEmpty ? result.tail(lines: 6) : Array(lines.suffix(6))
    return chosen.joined(separator: "\n    ")
  }
}

extension CloudCommand {
  /// The command as shell text, each secret position shown as `***`.
  public var redactedText: String {
    arguments.enumerated().map {
      secretPositions.contains($0.offset) ? "***" : ShellQuoting.quote($0.element)
    }
    .joined(separator: " ")
  }
}
