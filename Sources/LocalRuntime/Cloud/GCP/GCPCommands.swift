import Foundation
import FunctionsCore

/// The project and region one gcloud call runs in, after the fallbacks are applied.
public struct GCPScope: Sendable, Equatable {
  public var project: String
  public var region: String
}

/// Labels that mark a cloud function as deployed by `functions`. Label values allow only lowercase
/// letters, digits, `-` and `_`, at most 63 characters (Resource Manager "Labels" requirements).
public enum GCPLabels {
  public static let managedBy = "managed-by"
  public static let managedByValue = "functions"
  public static let registryName = "functions-name"
  public static let fingerprint = "functions-fingerprint"
  /// The number of hex digits of the source fingerprint stored in the label.
  public static let fingerprintLength = 16

  /// Returns `name` as a label value: lowercase, other characters as `_`, cut to 63 characters.
  public static func value(_ name: String) -> String {
    let mapped = name.lowercased().map { character -> Character in
      character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
        ? character : "_"
    }
    return String(String(mapped).prefix(63))
  }
}

/// Builders of the `gcloud` argument vectors, kept free of side effects so they can be tested and printed.
public enum GCPCommands {
  /// Returns the `gcloud functions deploy` command for a function.
  ///
  /// - Parameters:
  ///   - environmentFile: The private YAML file with the environment variables, or nil when there are none.
  ///   - ignoreFile: The generated ignore file, or nil when the function has its own `.gcloudignore`.
  ///   - clearsEnvironment: Adds `--clear-env-vars`, so variables removed from the manifest go away too.
  static func deploy(
    cloudName: String, registryName: String, manifest: Manifest, directory: String, scope: GCPScope,
    fingerprint: String, environmentFile: String?, ignoreFile: String?, clearsEnvironment: Bool
  ) -> CloudCommand {
    var arguments = [
      "gcloud", "functions", "deploy", cloudName, "--gen2", "--project=\(scope.project)",
      "--region=\(scope.region)", "--runtime=\(manifest.runtime)", "--source=\(directory)",
      "--entry-point=\(manifest.entryPoint)",
    ]
    switch manifest.trigger {
    case .http: arguments.append("--trigger-http")
    case .pubsub(let topic): arguments.append("--trigger-topic=\(topic)")
    // The manifest reader accepts `event` for AWS only.
    case .event: break
    }
    if let memory = manifest.gcp.memory { arguments.append("--memory=\(memory)") }
    if let timeout = manifest.gcp.timeoutSeconds { arguments.append("--timeout=\(timeout)s") }
    if let environmentFile {
      arguments.append("--env-vars-file=\(environmentFile)")
    } else if clearsEnvironment {
      arguments.append("--clear-env-vars")
    }
    if let ignoreFile { arguments.append("--ignore-file=\(ignoreFile)") }
    let labels = [
      "\(GCPLabels.managedBy)=\(GCPLabels.managedByValue)",
      "\(GCPLabels.registryName)=\(GCPLabels.value(registryName))",
      "\(GCPLabels.fingerprint)=\(fingerprint.prefix(GCPLabels.fingerprintLength))",
    ]
    arguments.append("--update-labels=" + labels.joined(separator: ","))
    if manifest.gcp.allowUnauthenticated { arguments.append("--allow-unauthenticated") }
    arguments += ["--quiet", "--format=json"]
    return CloudCommand(arguments: arguments)
  }

  static func describe(cloudName: String, scope: GCPScope) -> CloudCommand {
    CloudCommand(arguments: [
      "gcloud", "functions", "describe", cloudName, "--gen2", "--project=\(scope.project)",
      "--region=\(scope.region)", "--quiet", "--format=json",
    ])
  }

  /// Lists managed functions in one region, or in every region when `region` is nil. gcloud applies the
  /// label filter itself, after it has read the whole list.
  static func list(project: String, region: String?) -> CloudCommand {
    CloudCommand(arguments: [
      "gcloud", "functions", "list", "--v2", "--project=\(project)", "--regions=\(region ?? "-")",
      "--filter=labels.\(GCPLabels.managedBy)=\(GCPLabels.managedByValue)", "--quiet", "--format=json",
    ])
  }

  static func delete(cloudName: String, scope: GCPScope) -> CloudCommand {
    CloudCommand(arguments: [
      "gcloud", "functions", "delete", cloudName, "--gen2", "--project=\(scope.project)",
      "--region=\(scope.region)", "--quiet", "--format=json",
    ])
  }

  /// Reads the newest `limit` log entries, newest first, from `startTime` (RFC 3339) on.
  static func readLogs(cloudName: String, scope: GCPScope, limit: Int, startTime: String?) -> CloudCommand {
    var arguments = [
      "gcloud", "functions", "logs", "read", cloudName, "--gen2", "--project=\(scope.project)",
      "--region=\(scope.region)", "--limit=\(limit)",
    ]
    if let startTime { arguments.append("--start-time=\(startTime)") }
    arguments += ["--quiet", "--format=json"]
    return CloudCommand(arguments: arguments)
  }

  /// Reads the project and `functions/region` that gcloud's own configuration and environment set.
  static let configuration = CloudCommand(arguments: ["gcloud", "config", "list", "--format=json"])

  /// Returns the environment variables as a YAML mapping of double-quoted strings, which gcloud's
  /// `--env-vars-file` reads. JSON string syntax is valid YAML, so the values need no other escaping.
  static func environmentFileText(_ environment: [String: String]) -> String {
    environment.keys.sorted().map { name in
      "\(jsonString(name)): \(jsonString(environment[name] ?? ""))\n"
    }.joined()
  }

  private static func jsonString(_ text: String) -> String {
    let data =
      (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data()
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
  }
}
