import Basics
import Foundation

/// A reason a manifest could not be read. Each case names the file and, where there is one, the key path.
public enum ManifestError: Error, Equatable, CustomStringConvertible, Sendable {
  case notFound(path: String)
  case unreadable(path: String, reason: String)
  case malformedJSON(path: String, reason: String)
  case missingKey(path: String, keyPath: String, hint: String)
  case invalidValue(path: String, keyPath: String, found: String, expected: String)
  case unsupportedVersion(path: String, found: Int)
  case topLevelNotObject(path: String, found: String)

  public var description: String {
    switch self {
    case .notFound(let path):
      return
        "\(path) was not found; create it with 'functions new' or adopt the directory with 'functions add'"
    case .unreadable(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .malformedJSON(let path, let reason):
      return "\(path) is not valid JSON: \(reason)"
    case .missingKey(let path, let keyPath, let hint):
      return "\(path): missing key '\(keyPath)'; \(hint)"
    case .invalidValue(let path, let keyPath, let found, let expected):
      return "\(path): invalid value \(found) for '\(keyPath)'; expected \(expected)"
    case .topLevelNotObject(let path, let found):
      return "\(path): the top level must be a JSON object, not \(found)"
    case .unsupportedVersion(let path, let found):
      return
        "\(path): manifest version \(found) is not supported by this version of functions "
        + "(it reads version \(Manifest.currentVersion)); upgrade functions or rewrite the file"
    }
  }
}

/// A manifest with the warnings found while reading it.
public struct LoadedManifest: Sendable {
  public let manifest: Manifest
  /// The absolute path of `function.json`.
  public let path: String
  /// Non-fatal findings such as unknown keys.
  public let warnings: [String]

  /// The function's directory.
  public var directory: String { (path as NSString).deletingLastPathComponent }
}

/// Reads and validates `function.json`.
public enum ManifestReader {
  static let knownTopLevelKeys: Set<String> = [
    "version", "name", "provider", "runtime", "entryPoint", "handler", "source", "trigger", "environment",
    "envFile", "gcp", "aws", "scripts", "watch", "backend",
  ]
  static let knownAWSKeys: Set<String> = [
    "region", "memorySize", "timeout", "architecture", "eventSource", "maxConcurrency", "subscriptions",
    "role", "functionUrlAuth", "deploymentBucket",
  ]
  static let knownGoogleCloudKeys: Set<String> = [
    "region", "project", "memory", "timeout", "allowUnauthenticated",
  ]
  static let knownTriggerKeys: Set<String> = ["type", "topic"]
  /// Memory sizes Cloud Functions (2nd gen) accepts (gcloud functions deploy --memory).
  public static let googleCloudMemorySizes = [
    "128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi", "8Gi", "16Gi", "32Gi",
  ]
  /// Cloud Functions (2nd gen) allows up to 3600 s for HTTP functions (gcloud functions deploy --timeout).
  public static let googleCloudTimeoutRange = 1...3600

  /// Reads the manifest in `directory`.
  public static func load(directory: String) throws(ManifestError) -> LoadedManifest {
    try load(path: (directory as NSString).appendingPathComponent(Manifest.fileName))
  }

  /// Reads the manifest at `path`.
  public static func load(path: String) throws(ManifestError) -> LoadedManifest {
    guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
    }
    let (manifest, warnings) = try parse(data, path: path)
    return LoadedManifest(manifest: manifest, path: path, warnings: warnings)
  }

  /// Parses manifest text; `path` is used only in messages.
  public static func parse(_ data: Data, path: String) throws(ManifestError) -> (Manifest, [String]) {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw .malformedJSON(path: path, reason: JSONErrorText.describe(error, in: data))
    }
    guard let root = object as? [String: Any] else {
      throw .topLevelNotObject(path: path, found: describe(object))
    }
    var warnings: [String] = []
    let reader = KeyReader(path: path)

    let version = try reader.integer(root, "version", required: true) ?? Manifest.currentVersion
    guard version == Manifest.currentVersion else { throw .unsupportedVersion(path: path, found: version) }

    guard let name = try reader.string(root, "name", hint: "add \"name\": \"my-function\"") else {
      throw .missingKey(path: path, keyPath: "name", hint: "add \"name\": \"my-function\"")
    }
    if let violation = FunctionName.violation(in: name) {
      throw .invalidValue(
        path: path, keyPath: "name", found: quoted(name),
        expected: "a valid function name (\(violation))")
    }

    let providerText = try reader.string(root, "provider") ?? Provider.gcp.rawValue
    guard let provider = Provider(rawValue: providerText) else {
      throw .invalidValue(
        path: path, keyPath: "provider", found: quoted(providerText),
        expected: "one of " + Provider.allCases.map(\.rawValue).joined(separator: ", "))
    }

    let defaultRuntime = provider == .aws ? Runtimes.defaultAWSRuntime : Runtimes.defaultRuntime
    let runtime = try reader.string(root, "runtime") ?? defaultRuntime
    let supported = Runtimes.supported(for: provider)
    guard supported.contains(runtime) else {
      throw .invalidValue(
        path: path, keyPath: "runtime", found: quoted(runtime),
        expected: "one of " + supported.joined(separator: ", "))
    }

    let entryPoint: String
    switch provider {
    case .gcp:
      let entryHint = "add \"entryPoint\": the name of the Python function to call"
      guard let value = try reader.string(root, "entryPoint", hint: entryHint) else {
        throw .missingKey(path: path, keyPath: "entryPoint", hint: entryHint + caseHint(root, "entryPoint"))
      }
      guard isPythonIdentifier(value) else {
        throw .invalidValue(
          path: path, keyPath: "entryPoint", found: quoted(value), expected: "a Python function name")
      }
      entryPoint = value
    case .aws:
      // The handler's form is left to the runtime client, which reports a malformed one as Lambda does.
      let hint = "add \"handler\": the module and function, such as \"app.handler\""
      guard let value = try reader.string(root, "handler"), !value.isEmpty else {
        let otherKey = root["entryPoint"] != nil ? " ('entryPoint' is the Google Cloud key)" : ""
        throw .missingKey(path: path, keyPath: "handler", hint: hint + caseHint(root, "handler") + otherKey)
      }
      entryPoint = value
    }
    let source = try reader.string(root, "source") ?? "main.py"

    let trigger = try readTrigger(root, provider: provider, reader: reader, warnings: &warnings)
    let environment = try reader.stringMap(root, "environment")
    let envFile = try reader.string(root, "envFile")
    let gcp = try readGoogleCloud(root, reader: reader, warnings: &warnings)
    if case .pubsub = trigger, let timeout = gcp.timeoutSeconds, timeout > 540 {
      // Cloud Functions (2nd gen) allows at most 540 s for event-driven functions.
      throw .invalidValue(
        path: path, keyPath: "gcp.timeout", found: String(timeout),
        expected: "a number of seconds from 1 to 540 for a Pub/Sub function")
    }
    let aws = try readAWS(root, reader: reader, warnings: &warnings)

    for key in root.keys.sorted() where !knownTopLevelKeys.contains(key) {
      warnings.append("\(path): unknown key '\(key)' is ignored")
    }
    var manifest = Manifest(
      name: name, provider: provider, runtime: runtime, entryPoint: entryPoint, source: source,
      trigger: trigger, environment: environment, envFile: envFile, gcp: gcp, aws: aws)
    manifest.scripts = try reader.stringMap(root, "scripts")
    manifest.watch = try reader.boolean(root, "watch") ?? false
    if let backend = try reader.string(root, "backend") {
      guard let value = Backend(rawValue: backend) else {
        throw .invalidValue(
          path: path, keyPath: "backend", found: quoted(backend),
          expected: "one of " + Backend.allCases.map(\.rawValue).joined(separator: ", "))
      }
      manifest.backend = value
    }
    return (manifest, warnings)
  }

  private static func readTrigger(
    _ root: [String: Any], provider: Provider, reader: KeyReader, warnings: inout [String]
  ) throws(ManifestError) -> Trigger {
    guard let value = root["trigger"] else { return .http }
    guard let trigger = value as? [String: Any] else {
      throw .invalidValue(
        path: reader.path, keyPath: "trigger", found: describe(value),
        expected: "an object such as {\"type\": \"http\"}")
    }
    for key in trigger.keys.sorted() where !knownTriggerKeys.contains(key) {
      warnings.append("\(reader.path): unknown key 'trigger.\(key)' is ignored")
    }
    let type = try reader.string(trigger, "type", prefix: "trigger.") ?? "http"
    switch (type, provider) {
    case ("http", _):
      return .http
    case ("event", .aws):
      return .event
    case ("pubsub", .gcp):
      let hint = "add \"topic\": the Pub/Sub topic that triggers the function"
      guard let topic = try reader.string(trigger, "topic", prefix: "trigger.") else {
        throw .missingKey(path: reader.path, keyPath: "trigger.topic", hint: hint)
      }
      if let violation = PubSubTopic.violation(in: topic) {
        throw .invalidValue(
          path: reader.path, keyPath: "trigger.topic", found: quoted(topic), expected: violation)
      }
      return .pubsub(topic: topic)
    default:
      let allowed = provider == .gcp ? "one of http, pubsub" : "one of http, event"
      throw .invalidValue(path: reader.path, keyPath: "trigger.type", found: quoted(type), expected: allowed)
    }
  }

  private static func readAWS(
    _ root: [String: Any], reader: KeyReader, warnings: inout [String]
  ) throws(ManifestError) -> AWSSettings {
    guard let value = root["aws"] else { return AWSSettings() }
    guard let aws = value as? [String: Any] else {
      throw .invalidValue(path: reader.path, keyPath: "aws", found: describe(value), expected: "an object")
    }
    for key in aws.keys.sorted() where !knownAWSKeys.contains(key) {
      warnings.append("\(reader.path): unknown key 'aws.\(key)' is ignored")
    }
    var settings = AWSSettings()
    settings.region = try reader.string(aws, "region", prefix: "aws.")
    if let memory = try reader.integer(aws, "memorySize", prefix: "aws.") {
      guard AWSSettings.memorySizeRange.contains(memory) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.memorySize", found: String(memory),
          expected: "a size in MB from 128 to 10240")
      }
      settings.memorySize = memory
    }
    if let timeout = try reader.integer(aws, "timeout", prefix: "aws.") {
      guard AWSSettings.timeoutRange.contains(timeout) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.timeout", found: String(timeout),
          expected: "a number of seconds from 1 to 900")
      }
      settings.timeoutSeconds = timeout
    }
    if let architecture = try reader.string(aws, "architecture", prefix: "aws.") {
      guard AWSSettings.architectures.contains(architecture) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.architecture", found: quoted(architecture),
          expected: "one of x86_64, arm64")
      }
      settings.architecture = architecture
    }
    if let source = try reader.string(aws, "eventSource", prefix: "aws.") {
      guard let parsed = AWSHTTPEventSource(rawValue: source) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.eventSource", found: quoted(source),
          expected: "one of " + AWSHTTPEventSource.allCases.map(\.rawValue).joined(separator: ", "))
      }
      settings.httpEventSource = parsed
    }
    if let concurrency = try reader.integer(aws, "maxConcurrency", prefix: "aws.") {
      guard (1...64).contains(concurrency) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.maxConcurrency", found: String(concurrency),
          expected: "a number from 1 to 64")
      }
      settings.maxConcurrency = concurrency
    }
    settings.role = try reader.string(aws, "role", prefix: "aws.")
    if let role = settings.role, role.isEmpty || role.contains(where: \.isWhitespace) {
      throw .invalidValue(
        path: reader.path, keyPath: "aws.role", found: quoted(role), expected: "an IAM role ARN or role name")
    }
    if let auth = try reader.string(aws, "functionUrlAuth", prefix: "aws.") {
      guard let parsed = AWSFunctionURLAuth(rawValue: auth) else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.functionUrlAuth", found: quoted(auth),
          expected: "one of " + AWSFunctionURLAuth.allCases.map(\.rawValue).joined(separator: ", "))
      }
      settings.functionURLAuth = parsed
    }
    settings.deploymentBucket = try reader.string(aws, "deploymentBucket", prefix: "aws.")
    if let bucket = settings.deploymentBucket, let violation = S3BucketName.violation(in: bucket) {
      throw .invalidValue(
        path: reader.path, keyPath: "aws.deploymentBucket", found: quoted(bucket), expected: violation)
    }
    if let value = aws["subscriptions"] {
      guard let list = value as? [[String: Any]] else {
        throw .invalidValue(
          path: reader.path, keyPath: "aws.subscriptions", found: describe(value),
          expected: "an array of objects such as {\"topic\": \"orders\", \"event\": \"sqs\"}")
      }
      for (index, item) in list.enumerated() {
        let prefix = "aws.subscriptions[\(index)]."
        guard let topic = try reader.string(item, "topic", prefix: prefix), !topic.isEmpty else {
          throw .missingKey(path: reader.path, keyPath: prefix + "topic", hint: "add the topic's name")
        }
        let shapeText = try reader.string(item, "event", prefix: prefix) ?? "sns"
        guard let shape = AWSSubscription.EventShape(rawValue: shapeText) else {
          throw .invalidValue(
            path: reader.path, keyPath: prefix + "event", found: quoted(shapeText),
            expected: "one of sns, sqs")
        }
        settings.subscriptions.append(AWSSubscription(topic: topic, event: shape))
      }
    }
    return settings
  }

  private static func readGoogleCloud(
    _ root: [String: Any], reader: KeyReader, warnings: inout [String]
  ) throws(ManifestError) -> GoogleCloudSettings {
    guard let value = root["gcp"] else { return GoogleCloudSettings() }
    guard let gcp = value as? [String: Any] else {
      throw .invalidValue(path: reader.path, keyPath: "gcp", found: describe(value), expected: "an object")
    }
    for key in gcp.keys.sorted() where !knownGoogleCloudKeys.contains(key) {
      warnings.append("\(reader.path): unknown key 'gcp.\(key)' is ignored")
    }
    let memory = try reader.string(gcp, "memory", prefix: "gcp.")
    if let memory, !googleCloudMemorySizes.contains(memory) {
      throw .invalidValue(
        path: reader.path, keyPath: "gcp.memory", found: quoted(memory),
        expected: "one of " + googleCloudMemorySizes.joined(separator: ", "))
    }
    let timeout = try reader.integer(gcp, "timeout", prefix: "gcp.")
    if let timeout, !googleCloudTimeoutRange.contains(timeout) {
      throw .invalidValue(
        path: reader.path, keyPath: "gcp.timeout", found: String(timeout),
        expected: "a number of seconds from 1 to 3600")
    }
    return GoogleCloudSettings(
      region: try reader.string(gcp, "region", prefix: "gcp."),
      project: try reader.string(gcp, "project", prefix: "gcp."),
      memory: memory, timeoutSeconds: timeout,
      allowUnauthenticated: try reader.boolean(gcp, "allowUnauthenticated", prefix: "gcp.") ?? false)
  }

  /// Returns " (found 'entrypoint'; keys are case-sensitive)" when the object has `key` in another case.
  static func caseHint(_ root: [String: Any], _ key: String) -> String {
    guard let near = root.keys.first(where: { $0 != key && $0.lowercased() == key.lowercased() }) else {
      return ""
    }
    return " (found '\(near)'; keys are case-sensitive)"
  }

  static func isPythonIdentifier(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else {
      return false
    }
    return text.unicodeScalars.allSatisfy {
      $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
  }

  static func quoted(_ text: String) -> String { "\"\(text)\"" }

  /// Returns whether a `JSONSerialization` value is `true` or `false`, which it reads as a number of a
  /// distinct class.
  static func isBoolean(_ value: Any) -> Bool {
    String(describing: type(of: value)).contains("Boolean")
  }

  static func describe(_ value: Any) -> String {
    if isBoolean(value), let number = value as? NSNumber { return number.boolValue ? "true" : "false" }
    return switch value {
    case is NSNull: "null"
    case let text as String: quoted(text)
    case is [Any]: "an array"
    case is [String: Any]: "an object"
    default: "\(value)"
    }
  }
}

/// Reads typed values from a JSON object and reports the key path of a wrong type.
struct KeyReader {
  let path: String

  func string(_ object: [String: Any], _ key: String, prefix: String = "", hint: String? = nil)
    throws(ManifestError) -> String?
  {
    guard let value = object[key], !(value is NSNull) else { return nil }
    guard let text = value as? String else {
      throw .invalidValue(
        path: path, keyPath: prefix + key, found: ManifestReader.describe(value), expected: "a string")
    }
    return text
  }

  func boolean(_ object: [String: Any], _ key: String, prefix: String = "") throws(ManifestError) -> Bool? {
    guard let value = object[key], !(value is NSNull) else { return nil }
    guard ManifestReader.isBoolean(value), let flag = value as? Bool else {
      throw .invalidValue(
        path: path, keyPath: prefix + key, found: ManifestReader.describe(value), expected: "true or false")
    }
    return flag
  }

  func integer(_ object: [String: Any], _ key: String, prefix: String = "", required: Bool = false)
    throws(ManifestError) -> Int?
  {
    guard let value = object[key], !(value is NSNull) else {
      if required {
        throw .missingKey(
          path: path, keyPath: prefix + key, hint: "add \"\(key)\": \(Manifest.currentVersion)")
      }
      return nil
    }
    guard let number = value as? NSNumber, !ManifestReader.isBoolean(value),
      number.doubleValue == number.doubleValue.rounded()
    else {
      throw .invalidValue(
        path: path, keyPath: prefix + key, found: ManifestReader.describe(value), expected: "an integer")
    }
    return number.intValue
  }

  func stringMap(_ object: [String: Any], _ key: String) throws(ManifestError) -> [String: String] {
    guard let value = object[key], !(value is NSNull) else { return [:] }
    guard let map = value as? [String: Any] else {
      throw .invalidValue(
        path: path, keyPath: key, found: ManifestReader.describe(value), expected: "an object of strings")
    }
    var result: [String: String] = [:]
    for (name, entry) in map {
      guard let text = entry as? String else {
        throw .invalidValue(
          path: path, keyPath: "\(key).\(name)", found: ManifestReader.describe(entry),
          expected: "a string (quote numbers and booleans)")
      }
      result[name] = text
    }
    return result
  }
}

/// Pub/Sub topic ID rules (Pub/Sub resource names: 3 to 255 characters, starting with a letter, then
/// letters, digits, and `- _ . ~ + %`, not starting with `goog`).
public enum PubSubTopic {
  public static func violation(in topic: String) -> String? {
    guard (3...255).contains(topic.count) else { return "a topic ID of 3 to 255 characters" }
    guard let first = topic.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first)
    else { return "a topic ID that starts with a letter" }
    if topic.lowercased().hasPrefix("goog") { return "a topic ID that does not start with 'goog'" }
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~+%"))
    guard topic.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
      return "a topic ID of letters, digits and - _ . ~ + %"
    }
    return nil
  }
}

/// S3 bucket naming rules (Amazon S3 user guide, "General purpose bucket naming rules"): 3 to 63
/// characters of lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit.
public enum S3BucketName {
  public static func violation(in name: String) -> String? {
    guard (3...63).contains(name.count) else { return "a bucket name of 3 to 63 characters" }
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
    guard name.allSatisfy({ allowed.contains($0) }) else {
      return "a bucket name of lowercase letters, digits, '.' and '-'"
    }
    guard let first = name.first, let last = name.last, first.isLetter || first.isNumber,
      last.isLetter || last.isNumber
    else { return "a bucket name that starts and ends with a letter or digit" }
    return nil
  }
}
