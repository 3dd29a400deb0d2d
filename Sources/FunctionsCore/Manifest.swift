import Basics
import Foundation

/// The cloud a function targets.
public enum Provider: String, Sendable, CaseIterable, Codable {
  case gcp
}

/// What starts a function.
public enum Trigger: Equatable, Sendable {
  case http
  case pubsub(topic: String)

  /// The trigger's kind as written in the manifest and shown by `list`.
  public var kind: String {
    switch self {
    case .http: "http"
    case .pubsub: "pubsub"
    }
  }

  /// A short form for tables: `http` or `pubsub:orders`.
  public var summary: String {
    switch self {
    case .http: "http"
    case .pubsub(let topic): "pubsub:\(topic)"
    }
  }
}

/// Google Cloud Functions settings used when deploying.
public struct GoogleCloudSettings: Equatable, Sendable {
  public var region: String?
  public var project: String?
  /// Memory in Cloud Functions' notation, such as `256Mi` or `1Gi`.
  public var memory: String?
  /// The request timeout in seconds.
  public var timeoutSeconds: Int?

  public init(region: String? = nil, project: String? = nil, memory: String? = nil, timeoutSeconds: Int? = nil) {
    self.region = region
    self.project = project
    self.memory = memory
    self.timeoutSeconds = timeoutSeconds
  }
}

/// The contents of `function.json`: everything the tool needs to build, run and deploy one function.
public struct Manifest: Equatable, Sendable {
  /// The manifest format this version of the tool writes and reads.
  public static let currentVersion = 1
  public static let fileName = "function.json"

  public var name: String
  public var provider: Provider
  public var runtime: String
  public var entryPoint: String
  public var source: String
  public var trigger: Trigger
  public var environment: [String: String]
  public var envFile: String?
  public var gcp: GoogleCloudSettings

  public init(
    name: String, provider: Provider = .gcp, runtime: String = Runtimes.defaultRuntime,
    entryPoint: String, source: String = "main.py", trigger: Trigger, environment: [String: String] = [:],
    envFile: String? = nil, gcp: GoogleCloudSettings = GoogleCloudSettings()
  ) {
    self.name = name
    self.provider = provider
    self.runtime = runtime
    self.entryPoint = entryPoint
    self.source = source
    self.trigger = trigger
    self.environment = environment
    self.envFile = envFile
    self.gcp = gcp
  }

  /// The `functions-framework` signature type for this trigger.
  public var signatureType: String {
    switch trigger {
    case .http: "http"
    case .pubsub: "cloudevent"
    }
  }

  /// Returns the manifest as a JSON object, with absent optional settings left out.
  public func jsonObject() -> [String: Any] {
    var trigger: [String: Any] = ["type": self.trigger.kind]
    if case .pubsub(let topic) = self.trigger { trigger["topic"] = topic }
    var gcp: [String: Any] = [:]
    if let region = self.gcp.region { gcp["region"] = region }
    if let project = self.gcp.project { gcp["project"] = project }
    if let memory = self.gcp.memory { gcp["memory"] = memory }
    if let timeout = self.gcp.timeoutSeconds { gcp["timeout"] = timeout }
    var object: [String: Any] = [
      "version": Manifest.currentVersion,
      "name": name,
      "provider": provider.rawValue,
      "runtime": runtime,
      "entryPoint": entryPoint,
      "source": source,
      "trigger": trigger,
      "environment": environment,
    ]
    if let envFile { object["envFile"] = envFile }
    if !gcp.isEmpty { object["gcp"] = gcp }
    return object
  }

  /// Returns the manifest as sorted, pretty JSON text.
  public func jsonText() -> String {
    // The object holds only strings, numbers and dictionaries, which JSONSerialization always accepts.
    (try? JSONFormat.text(object: jsonObject())) ?? "{}\n"
  }
}

/// The runtimes the tool can run locally, by provider.
public enum Runtimes {
  public static let defaultRuntime = "python312"
  public static let googleCloudPython = ["python310", "python311", "python312", "python313"]

  /// Returns the Python version (`3.12`) of a Google Cloud runtime identifier (`python312`).
  public static func pythonVersion(of runtime: String) -> String? {
    guard runtime.hasPrefix("python") else { return nil }
    let digits = runtime.dropFirst("python".count)
    guard digits.count >= 2, digits.allSatisfy(\.isNumber) else { return nil }
    return "\(digits.first!).\(digits.dropFirst())"
  }
}
