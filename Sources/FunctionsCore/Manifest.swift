import Basics
import Foundation

/// The cloud a function targets.
public enum Provider: String, Sendable, CaseIterable, Codable {
  case gcp
  case aws
}

/// The event source that starts a function.
public enum Trigger: Equatable, Sendable {
  case http
  case pubsub(topic: String)
  /// Any other event, delivered through the Lambda Invoke API (AWS only).
  case event

  /// The trigger's kind as written in the manifest and shown by `list`.
  public var kind: String {
    switch self {
    case .http: "http"
    case .pubsub: "pubsub"
    case .event: "event"
    }
  }

  /// A short form for tables: `http` or `pubsub:orders`.
  public var summary: String {
    switch self {
    case .http: "http"
    case .pubsub(let topic): "pubsub:\(topic)"
    case .event: "event"
    }
  }
}

/// A local topic subscription of an AWS function: `{"topic": "orders", "event": "sqs"}`.
public struct AWSSubscription: Equatable, Sendable {
  public enum EventShape: String, Sendable, CaseIterable {
    case sns
    case sqs
  }

  public var topic: String
  public var event: EventShape

  public init(topic: String, event: EventShape) {
    self.topic = topic
    self.event = event
  }
}

/// AWS Lambda settings, with Lambda's defaults.
public struct AWSSettings: Equatable, Sendable {
  /// Lambda's default memory size in MB (CreateFunction `MemorySize`).
  public static let defaultMemorySize = 128
  /// Lambda's default timeout in seconds (CreateFunction `Timeout`).
  public static let defaultTimeoutSeconds = 3
  /// Lambda allows 128 to 10,240 MB.
  public static let memorySizeRange = 128...10_240
  /// Lambda allows 1 to 900 seconds.
  public static let timeoutRange = 1...900
  public static let architectures = ["x86_64", "arm64"]
  /// How many instances run at once locally before requests queue.
  public static let defaultMaxConcurrency = 4

  public var region: String?
  public var memorySize: Int
  public var timeoutSeconds: Int
  public var architecture: String
  /// For HTTP functions: which service's event the local gateway sends.
  public var httpEventSource: AWSHTTPEventSource
  public var maxConcurrency: Int
  /// Topics whose `functions publish` messages reach the function, each as an SNS or SQS event.
  public var subscriptions: [AWSSubscription] = []
  /// The execution role for deploys: an IAM role ARN or name. Nil uses a role with the basic execution
  /// policy that `functions` creates once per account.
  public var role: String?
  /// The callers an HTTP function's function URL accepts.
  public var functionURLAuth: AWSFunctionURLAuth = .awsIAM
  /// The S3 bucket that packages over Lambda's direct upload limit go through.
  public var deploymentBucket: String?

  public init(
    region: String? = nil, memorySize: Int = AWSSettings.defaultMemorySize,
    timeoutSeconds: Int = AWSSettings.defaultTimeoutSeconds, architecture: String = "x86_64",
    httpEventSource: AWSHTTPEventSource = .httpAPI, maxConcurrency: Int = AWSSettings.defaultMaxConcurrency
  ) {
    self.region = region
    self.memorySize = memorySize
    self.timeoutSeconds = timeoutSeconds
    self.architecture = architecture
    self.httpEventSource = httpEventSource
    self.maxConcurrency = maxConcurrency
  }
}

/// A function URL's auth type (Lambda CreateFunctionUrlConfig `AuthType`).
public enum AWSFunctionURLAuth: String, Sendable, CaseIterable {
  /// Callers sign requests with SigV4 and need `lambda:InvokeFunctionUrl` permission.
  case awsIAM = "AWS_IAM"
  /// Anyone with the URL can call the function.
  case none = "NONE"
}

/// Google Cloud Functions settings used when deploying.
public struct GoogleCloudSettings: Equatable, Sendable {
  public var region: String?
  public var project: String?
  /// Memory in Cloud Functions' notation, such as `256Mi` or `1Gi`.
  public var memory: String?
  /// The request timeout in seconds.
  public var timeoutSeconds: Int?
  /// Lets anyone call the deployed HTTP function without an identity token (`allUsers` gets the invoker
  /// role). False by default, as in Cloud Functions.
  public var allowUnauthenticated: Bool

  public init(
    region: String? = nil, project: String? = nil, memory: String? = nil, timeoutSeconds: Int? = nil,
    allowUnauthenticated: Bool = false
  ) {
    self.region = region
    self.project = project
    self.memory = memory
    self.timeoutSeconds = timeoutSeconds
    self.allowUnauthenticated = allowUnauthenticated
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
  public var aws: AWSSettings
  /// Named shell commands (`"test": "pytest -q"`), run by `functions script`; `preNAME` and `postNAME`
  /// run around the command NAME (`prebuild`, `postrun`, …).
  public var scripts: [String: String] = [:]
  /// Whether `functions run` restarts the function when its source changes, as `--watch` does.
  public var watch = false
  /// The local execution backend; nil leaves the choice to the settings.
  public var backend: Backend?

  public init(
    name: String, provider: Provider = .gcp, runtime: String = Runtimes.defaultRuntime,
    entryPoint: String, source: String = "main.py", trigger: Trigger, environment: [String: String] = [:],
    envFile: String? = nil, gcp: GoogleCloudSettings = GoogleCloudSettings(), aws: AWSSettings = AWSSettings()
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
    self.aws = aws
  }

  /// The `functions-framework` signature type for this trigger.
  public var signatureType: String {
    switch trigger {
    case .http: "http"
    case .pubsub, .event: "cloudevent"
    }
  }

  /// The AWS handler (`app.handler`); stored as the entry point.
  public var handler: String { entryPoint }

  /// The runtime family, which decides how the function is built and started.
  public var runtimeFamily: RuntimeFamily { Runtimes.family(of: runtime) }

  /// Returns the manifest as a JSON object, with absent optional settings left out.
  public func jsonObject() -> [String: Any] {
    var trigger: [String: Any] = ["type": self.trigger.kind]
    if case .pubsub(let topic) = self.trigger { trigger["topic"] = topic }
    var gcp: [String: Any] = [:]
    if let region = self.gcp.region { gcp["region"] = region }
    if let project = self.gcp.project { gcp["project"] = project }
    if let memory = self.gcp.memory { gcp["memory"] = memory }
    if let timeout = self.gcp.timeoutSeconds { gcp["timeout"] = timeout }
    if self.gcp.allowUnauthenticated { gcp["allowUnauthenticated"] = true }
    var object: [String: Any] = [
      "version": Manifest.currentVersion,
      "name": name,
      "provider": provider.rawValue,
      "runtime": runtime,
      "trigger": trigger,
    ]
    if !environment.isEmpty { object["environment"] = environment }
    if !scripts.isEmpty { object["scripts"] = scripts }
    if watch { object["watch"] = true }
    if let envFile { object["envFile"] = envFile }
    if let backend { object["backend"] = backend.rawValue }
    switch provider {
    case .gcp:
      object["entryPoint"] = entryPoint
      object["source"] = source
      if !gcp.isEmpty { object["gcp"] = gcp }
    case .aws:
      object["handler"] = entryPoint
      var aws: [String: Any] = [
        "memorySize": self.aws.memorySize, "timeout": self.aws.timeoutSeconds,
        "architecture": self.aws.architecture, "maxConcurrency": self.aws.maxConcurrency,
      ]
      if let region = self.aws.region { aws["region"] = region }
      if let role = self.aws.role { aws["role"] = role }
      if let bucket = self.aws.deploymentBucket { aws["deploymentBucket"] = bucket }
      if self.aws.functionURLAuth != .awsIAM { aws["functionUrlAuth"] = self.aws.functionURLAuth.rawValue }
      if self.trigger == .http { aws["eventSource"] = self.aws.httpEventSource.rawValue }
      if !self.aws.subscriptions.isEmpty {
        aws["subscriptions"] = self.aws.subscriptions.map { ["topic": $0.topic, "event": $0.event.rawValue] }
      }
      object["aws"] = aws
    }
    return object
  }

  /// Returns the manifest as sorted, pretty JSON text.
  public func jsonText() -> String {
    // The object holds only strings, numbers and dictionaries, which JSONSerialization always accepts.
    (try? JSONFormat.text(object: jsonObject())) ?? "{}\n"
  }
}

/// The runtime kind, which decides how a function is built and started locally.
public enum RuntimeFamily: Sendable, Equatable {
  /// Python: an environment with pip; functions-framework (Google Cloud) or awslambdaric (AWS).
  case python
  /// Node.js, run by the bootstrap that ships with the tool.
  case node
  /// An OS-only runtime: the function's own `bootstrap` executable.
  case custom
}

/// The runtimes the tool can run locally, by provider.
public enum Runtimes {
  public static let defaultRuntime = "python312"
  public static let googleCloudPython = ["python310", "python311", "python312", "python313"]
  public static let defaultAWSRuntime = "python3.12"
  /// Lambda runtime identifiers (Lambda runtimes page) that run locally.
  public static let aws = [
    "python3.10", "python3.11", "python3.12", "python3.13", "nodejs20.x", "provided.al2023",
  ]

  public static func supported(for provider: Provider) -> [String] {
    switch provider {
    case .gcp: googleCloudPython
    case .aws: aws
    }
  }

  public static func family(of runtime: String) -> RuntimeFamily {
    if runtime.hasPrefix("nodejs") { return .node }
    if runtime.hasPrefix("provided") { return .custom }
    return .python
  }

  /// Returns the Python version (`3.12`) of a runtime identifier (`python312` or `python3.12`).
  public static func pythonVersion(of runtime: String) -> String? {
    guard runtime.hasPrefix("python") else { return nil }
    let digits = runtime.dropFirst("python".count).filter { $0 != "." }
    guard digits.count >= 2, digits.allSatisfy(\.isNumber) else { return nil }
    return "\(digits.first!).\(digits.dropFirst())"
  }

  /// Returns the Node.js major version (`20`) of a runtime identifier (`nodejs20.x` or `nodejs20`).
  public static func nodeVersion(of runtime: String) -> String? {
    guard runtime.hasPrefix("nodejs") else { return nil }
    var digits = runtime.dropFirst("nodejs".count)
    if digits.hasSuffix(".x") { digits = digits.dropLast(2) }
    guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
    return String(digits)
  }
}
