import Basics
import Foundation
import FunctionsCore

/// AWS Lambda through the `aws` CLI.
public struct AWSProvider: CloudProvider {
  public let provider = Provider.aws
  /// The tag that marks a function as deployed by this tool, and the tag with its registry name.
  public static let managedTag = (key: "managed-by", value: "functions")
  public static let nameTag = "functions-name"
  /// The role created once when a manifest names none.
  public static let basicRoleName = "functions-lambda-basic-execution"
  /// AWS's managed policy that lets a function write its logs to CloudWatch Logs.
  public static let basicPolicyARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
  /// Lambda's quota for a .zip package uploaded directly: 50 MB (Lambda quotas page).
  public static let directUploadLimit = 50 * 1024 * 1024

  let cli: AWSCLI
  let packager: LambdaPackager
  /// The bucket from settings, used when the manifest names none.
  let defaultBucket: String?
  let uploadLimit: Int
  let progress: @Sendable (String) -> Void

  public init(
    cli: AWSCLI, packager: LambdaPackager, defaultBucket: String? = nil,
    uploadLimit: Int = AWSProvider.directUploadLimit,
    progress: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.cli = cli
    self.packager = packager
    self.defaultBucket = defaultBucket
    self.uploadLimit = uploadLimit
    self.progress = progress
  }

  public func describe(cloudName: String, target: CloudTarget) throws -> CloudFunction? {
    guard let response = try cli.jsonIfFound(getFunction(cloudName, target: target)) else { return nil }
    var function = Self.cloudFunction(
      configuration: response["Configuration"] as? [String: Any] ?? [:],
      tags: response["Tags"] as? [String: String] ?? [:])
    if let url = try cli.jsonIfFound(
      cli.command("lambda", "get-function-url-config", ["--function-name", cloudName], target: target))
    {
      function.url = url["FunctionUrl"] as? String
      if let auth = url["AuthType"] as? String { function.details.append((key: "url auth", value: auth)) }
    }
    return function
  }

  public func list(target: CloudTarget) throws -> [CloudFunction] {
    let response = try cli.json(cli.command("lambda", "list-functions", [], target: target))
    var functions: [CloudFunction] = []
    // ListFunctions returns no tags, so each function's tags take one ListTags call.
    for configuration in response["Functions"] as? [[String: Any]] ?? [] {
      guard let arn = configuration["FunctionArn"] as? String else { continue }
      let tags = try cli.json(cli.command("lambda", "list-tags", ["--resource", arn], target: target))
      let tagMap = tags["Tags"] as? [String: String] ?? [:]
      guard tagMap[Self.managedTag.key] == Self.managedTag.value else { continue }
      functions.append(Self.cloudFunction(configuration: configuration, tags: tagMap))
    }
    return functions.sorted { $0.cloudName < $1.cloudName }
  }

  public func delete(cloudName: String, target: CloudTarget) throws {
    // Deleting a function also deletes its function URL configuration (Lambda DeleteFunction).
    try cli.json(cli.command("lambda", "delete-function", ["--function-name", cloudName], target: target))
  }

  public func logs(cloudName: String, target: CloudTarget, follow: Bool, since: Int?) throws {
    // aws-cli v1 has no `logs tail`, so this polls FilterLogEvents from the start time on.
    let group = "/aws/lambda/\(cloudName)"
    var startTime = Int64((Date().timeIntervalSince1970 - Double(since ?? 600)) * 1000)
    var seen = Set<String>()
    while true {
      let command = cli.command(
        "logs", "filter-log-events", ["--log-group-name", group, "--start-time", String(startTime)],
        target: target)
      let response = try cli.jsonIfFound(command)
      if response == nil && !follow {
        throw CloudError.failed(
          "the log group \(group) does not exist yet; Lambda creates it on the function's first invocation")
      }
      for event in response?["events"] as? [[String: Any]] ?? [] {
        let id = event["eventId"] as? String ?? UUID().uuidString
        guard seen.insert(id).inserted else { continue }
        let message = (event["message"] as? String ?? "").trimmingCharacters(in: .newlines)
        StandardOutput.line(message)
        if let timestamp = (event["timestamp"] as? NSNumber)?.int64Value {
          startTime = max(startTime, timestamp)
        }
      }
      guard follow else { return }
      Thread.sleep(forTimeInterval: 2)
    }
  }

  /// Reads a GetFunction or ListFunctions configuration into the provider-neutral shape.
  static func cloudFunction(configuration: [String: Any], tags: [String: String]) -> CloudFunction {
    let arn = configuration["FunctionArn"] as? String ?? ""
    let arnParts = arn.split(separator: ":", omittingEmptySubsequences: false)
    var details: [(key: String, value: String)] = []
    for (label, key) in [
      ("runtime", "Runtime"), ("handler", "Handler"), ("memory", "MemorySize"), ("timeout", "Timeout"),
      ("role", "Role"), ("code size", "CodeSize"), ("last update", "LastUpdateStatus"),
      ("arn", "FunctionArn"),
    ] {
      if let value = configuration[key] { details.append((key: label, value: "\(value)")) }
    }
    if let architectures = configuration["Architectures"] as? [String] {
      details.insert(
        (key: "architecture", value: architectures.joined(separator: ",")), at: min(2, details.count))
    }
    let managed = tags[managedTag.key] == managedTag.value
    return CloudFunction(
      cloudName: configuration["FunctionName"] as? String ?? "",
      registryName: managed ? tags[nameTag] : nil,
      region: arnParts.count > 3 ? String(arnParts[3]) : nil,
      state: configuration["State"] as? String ?? "Active",
      codeFingerprint: configuration["CodeSha256"] as? String,
      updateTime: configuration["LastModified"] as? String,
      details: details)
  }

  func getFunction(_ cloudName: String, target: CloudTarget) -> CloudCommand {
    cli.command("lambda", "get-function", ["--function-name", cloudName], target: target)
  }
}

/// The result of a remote invocation.
public struct RemoteInvocation: Sendable {
  public let statusCode: Int
  /// Lambda's `FunctionError` (`Unhandled`, `Handled`), nil when the function returned normally.
  public let functionError: String?
  public let payload: Data
  /// The last 4 KB of the execution log, when Lambda returned it.
  public let log: String?

  public init(statusCode: Int, functionError: String?, payload: Data, log: String?) {
    self.statusCode = statusCode
    self.functionError = functionError
    self.payload = payload
    self.log = log
  }
}

/// Providers that can invoke a deployed function with an event.
public protocol RemoteInvoking: Sendable {
  func invoke(cloudName: String, target: CloudTarget, payload: Data) throws -> RemoteInvocation
}

extension AWSProvider: RemoteInvoking {
  /// Calls the Lambda Invoke API through `aws lambda invoke`, with the log tail.
  public func invoke(cloudName: String, target: CloudTarget, payload: Data) throws -> RemoteInvocation {
    let directory = NSTemporaryDirectory() + "functions-invoke-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let input = directory + "/payload.json"
    let output = directory + "/response.json"
    try payload.write(to: URL(fileURLWithPath: input))
    // aws-cli v1 sends a `fileb://` payload as raw bytes.
    let command = cli.command(
      "lambda", "invoke",
      ["--function-name", cloudName, "--payload", "fileb://" + input, "--log-type", "Tail", output],
      target: target)
    let response = try cli.json(command)
    let log = (response["LogResult"] as? String).flatMap { Data(base64Encoded: $0) }.map {
      String(decoding: $0, as: UTF8.self)
    }
    return RemoteInvocation(
      statusCode: (response["StatusCode"] as? NSNumber)?.intValue ?? 0,
      functionError: response["FunctionError"] as? String,
      payload: FileManager.default.contents(atPath: output) ?? Data(), log: log)
  }
}
