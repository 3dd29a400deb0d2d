import Foundation

/// Parsing of `gcloud ... --format=json` output into `CloudFunction` values.
///
/// Field names follow the Cloud Functions v2 REST reference, resource `projects.locations.functions`
/// (`Function`: `name`, `state`, `updateTime`, `labels`, `url`, `buildConfig`, `serviceConfig`,
/// `eventTrigger`).
enum GCPFunctionParser {
  /// Returns the function in one `describe` or `deploy` output.
  static func function(fromJSON text: String, commandLine: [String]) throws(GCPError) -> CloudFunction {
    guard let object = jsonValue(text, commandLine: commandLine) as? [String: Any] else {
      throw .invalidOutput(commandLine: commandLine, detail: "expected a JSON object")
    }
    return function(from: object)
  }

  /// Returns the functions in a `list` output.
  static func functions(fromJSON text: String, commandLine: [String]) throws(GCPError) -> [CloudFunction] {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    // gcloud prints nothing at all for an empty list in some versions.
    if trimmed.isEmpty { return [] }
    guard let array = jsonValue(trimmed, commandLine: commandLine) as? [[String: Any]] else {
      throw .invalidOutput(commandLine: commandLine, detail: "expected a JSON array of objects")
    }
    return array.map(function(from:))
  }

  static func function(from object: [String: Any]) -> CloudFunction {
    let resourceName = object["name"] as? String ?? ""
    let parts = resourceName.split(separator: "/").map(String.init)
    // projects/P/locations/R/functions/NAME
    let cloudName = parts.last ?? resourceName
    let region = parts.count >= 4 && parts[2] == "locations" ? parts[3] : nil
    let labels = object["labels"] as? [String: String] ?? [:]
    let build = object["buildConfig"] as? [String: Any] ?? [:]
    let service = object["serviceConfig"] as? [String: Any] ?? [:]
    let isManaged = labels[GCPLabels.managedBy] == GCPLabels.managedByValue

    var details: [(key: String, value: String)] = []
    if let runtime = build["runtime"] as? String { details.append(("runtime", runtime)) }
    if let entryPoint = build["entryPoint"] as? String { details.append(("entryPoint", entryPoint)) }
    if let trigger = object["eventTrigger"] as? [String: Any] {
      let topic = (trigger["pubsubTopic"] as? String).map { " " + $0 } ?? ""
      details.append(("trigger", "\(trigger["eventType"] as? String ?? "event")\(topic)"))
    } else {
      details.append(("trigger", "http"))
    }
    if let memory = service["availableMemory"] as? String { details.append(("memory", memory)) }
    if let timeout = service["timeoutSeconds"] { details.append(("timeout", "\(timeout)s")) }
    if let variables = service["environmentVariables"] as? [String: String], !variables.isEmpty {
      details.append(("environment", variables.keys.sorted().joined(separator: ", ")))
    }
    if let environment = object["environment"] as? String { details.append(("generation", environment)) }

    return CloudFunction(
      cloudName: cloudName,
      registryName: isManaged ? labels[GCPLabels.registryName] ?? cloudName : nil,
      region: region,
      url: service["uri"] as? String ?? object["url"] as? String,
      state: object["state"] as? String ?? "STATE_UNSPECIFIED",
      codeFingerprint: labels[GCPLabels.fingerprint],
      updateTime: object["updateTime"] as? String,
      details: details)
  }

  /// The deployed settings that a deploy compares with the manifest.
  struct DeployedSettings: Equatable {
    var runtime: String?
    var entryPoint: String?
    var topic: String?
    var memory: String?
    var timeoutSeconds: Int?
    var environment: [String: String]
  }

  static func settings(from object: [String: Any]) -> DeployedSettings {
    let build = object["buildConfig"] as? [String: Any] ?? [:]
    let service = object["serviceConfig"] as? [String: Any] ?? [:]
    let trigger = object["eventTrigger"] as? [String: Any]
    let topic = (trigger?["pubsubTopic"] as? String)?.split(separator: "/").last.map(String.init)
    return DeployedSettings(
      runtime: build["runtime"] as? String, entryPoint: build["entryPoint"] as? String, topic: topic,
      memory: service["availableMemory"] as? String,
      timeoutSeconds: (service["timeoutSeconds"] as? NSNumber)?.intValue,
      environment: service["environmentVariables"] as? [String: String] ?? [:])
  }

  /// One line of `gcloud functions logs read --format=json` output (`time_utc`, `level`, `name`, `log`).
  struct LogEntry: Equatable {
    var time: String
    var level: String
    var text: String

    var line: String { "\(time) \(level) \(text)" }
  }

  /// Returns the entries oldest first, although gcloud prints them newest first.
  static func logEntries(fromJSON text: String, commandLine: [String]) throws(GCPError) -> [LogEntry] {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return [] }
    guard let array = jsonValue(trimmed, commandLine: commandLine) as? [[String: Any]] else {
      throw .invalidOutput(commandLine: commandLine, detail: "expected a JSON array of log entries")
    }
    return array.map { entry in
      LogEntry(
        time: entry["time_utc"] as? String ?? "", level: entry["level"] as? String ?? "",
        text: entry["log"] as? String ?? "")
    }.reversed()
  }

  private static func jsonValue(_ text: String, commandLine: [String]) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8))
  }
}
