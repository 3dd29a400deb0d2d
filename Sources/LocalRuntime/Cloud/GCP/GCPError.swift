import Basics
import Foundation

/// Failures of deploying and managing Google Cloud Functions through `gcloud`.
public enum GCPError: Error, CustomStringConvertible, Sendable, Equatable {
  case gcloudMissing
  case missingProject
  case missingRegion
  case reservedVariable(name: String, reason: String)
  /// The cloud function exists but carries no `managed-by=functions` label.
  case unmanagedFunction(name: String, project: String, region: String)
  /// The cloud function carries the labels of another registered function.
  case managedByAnother(name: String, registryName: String)
  case functionNotFound(name: String, project: String, region: String)
  /// `gcloud` exited with a failure. `message` contains its own `ERROR:` lines.
  case commandFailed(commandLine: [String], status: String, message: String)
  /// `gcloud` succeeded but printed something that is not the expected JSON.
  case invalidOutput(commandLine: [String], detail: String)
  case io(String)

  public var description: String {
    switch self {
    case .gcloudMissing:
      return "gcloud was not found on PATH. Install the Google Cloud CLI (Debian package google-cloud-cli, "
        + "or https://cloud.google.com/sdk/docs/install), log in with 'gcloud auth login', and run "
        + "'functions doctor' to check it."
    case .missingProject:
      return "no Google Cloud project is set. Pass --project, set \"gcp.project\" in function.json, or run "
        + "'gcloud config set project PROJECT_ID'."
    case .missingRegion:
      return "no Cloud Functions region is set. Pass --region, set \"gcp.region\" in function.json, or run "
        + "'gcloud config set functions/region REGION' (for example us-central1)."
    case .reservedVariable(let name, let reason):
      return "environment variable \(name) cannot be deployed to Cloud Functions: \(reason). Rename it in "
        + "function.json."
    case .unmanagedFunction(let name, let project, let region):
      return "the cloud function \(name) in project \(project), region \(region) was not deployed by "
        + "functions (it has no managed-by=functions label), so it was left unchanged. Deploy with --adopt "
        + "to take it over."
    case .managedByAnother(let name, let registryName):
      return "the cloud function \(name) was deployed by functions for the registered function "
        + "\(registryName), so it was left unchanged. Deploy with --adopt to take it over."
    case .functionNotFound(let name, let project, let region):
      return "the cloud function \(name) was not found in project \(project), region \(region)."
    case .commandFailed(let commandLine, let status, let message):
      var text = "\(ShellQuoting.join(commandLine)) failed with \(status)"
      if !message.isEmpty {
        text += ":\n" + message.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
      }
      return text
    case .invalidOutput(let commandLine, let detail):
      return "\(ShellQuoting.join(commandLine)) printed output that is not the expected JSON: \(detail)"
    case .io(let message):
      return message
    }
  }

  /// Returns gcloud's own error text from its standard error: the `ERROR:` line and the lines after it,
  /// or the last lines when there is no such line.
  static func gcloudMessage(_ result: ProcessResult) -> String {
    let lines = result.errorOutput.split(separator: "\n").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    if let start = lines.firstIndex(where: { $0.hasPrefix("ERROR:") }) {
      return lines[start...].prefix(12).joined(separator: "\n")
    }
    return result.tail(lines: 8).joined(separator: "\n")
  }
}
