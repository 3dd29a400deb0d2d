import Basics
import Foundation

/// The Lambda Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`), as the AWS CLI and
/// SDKs call it with `--endpoint-url` (Lambda API reference, "Invoke").
struct InvokeAPI: Sendable {
  static let pathPrefix = "/2015-03-31/functions/"

  let pool: InstancePool
  let configuration: LambdaFunctionConfiguration

  static func matches(_ request: HTTPRequest) -> Bool {
    request.path.hasPrefix(pathPrefix) && request.path.hasSuffix("/invocations")
  }

  func handle(_ request: HTTPRequest) async -> HTTPResponse {
    let requestID = LambdaInvocation.makeRequestID()
    guard request.method == "POST" else {
      return Self.error(
        405, type: "InvalidRequestContentException", message: "Invoke takes POST", requestID: requestID)
    }
    let encodedName = request.path.dropFirst(Self.pathPrefix.count).dropLast("/invocations".count)
    let functionName = String(encodedName).removingPercentEncoding ?? String(encodedName)
    let qualifier = Self.queryValue("Qualifier", in: request.rawQuery)
    guard let resolved = resolve(functionName, qualifier: qualifier) else {
      let shown =
        qualifier.map {
          "\(configuration.functionARN.replacingOccurrences(of: configuration.name, with: Self.baseName(functionName))):\($0)"
        }
        ?? configuration.functionARN.replacingOccurrences(
          of: ":function:\(configuration.name)", with: ":function:\(Self.baseName(functionName))")
      return Self.error(
        404, type: "ResourceNotFoundException", message: "Function not found: \(shown)", requestID: requestID)
    }
    _ = resolved

    let invocationType = request.header("X-Amz-Invocation-Type") ?? "RequestResponse"
    let payload = request.body.isEmpty ? Data("{}".utf8) : request.body
    switch invocationType {
    case "RequestResponse", "Event", "DryRun": break
    default:
      return Self.error(
        400, type: "InvalidParameterValueException",
        message: "Invalid invocation type \(invocationType); expected RequestResponse, Event or DryRun",
        requestID: requestID)
    }
    let limit =
      invocationType == "Event" ? LambdaLimits.asynchronousPayloadBytes : LambdaLimits.synchronousPayloadBytes
    guard payload.count <= limit else {
      return Self.error(
        413, type: "RequestEntityTooLargeException",
        message: "Request must be smaller than \(limit) bytes for the InvokeFunction operation",
        requestID: requestID)
    }
    do {
      _ = try JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed])
    } catch {
      return Self.error(
        400, type: "InvalidRequestContentException",
        message: "Could not parse request body into json: \(JSONErrorText.describe(error, in: payload))",
        requestID: requestID)
    }

    if invocationType == "DryRun" {
      return HTTPResponse(status: 204, headers: [("x-amzn-RequestId", requestID)])
    }
    let now = Date()
    let invocation = LambdaInvocation(
      requestID: requestID, payload: payload,
      deadlineMilliseconds: Int64(now.timeIntervalSince1970 * 1000) + Int64(
        configuration.manifest.aws.timeoutSeconds) * 1000,
      invokedFunctionARN: configuration.functionARN, traceID: LambdaInvocation.makeTraceID(now: now),
      clientContext: request.header("X-Amz-Client-Context"))
    if invocationType == "Event" {
      let pool = self.pool
      Task.detached { _ = await pool.invoke(invocation) }
      return HTTPResponse(status: 202, headers: [("x-amzn-RequestId", requestID)])
    }

    let result = await pool.invoke(invocation)
    var headers: [(name: String, value: String)] = [
      ("Content-Type", "application/json"),
      ("x-amzn-RequestId", requestID),
      ("X-Amz-Executed-Version", "$LATEST"),
    ]
    if request.header("X-Amz-Log-Type") == "Tail" {
      let tail = Data(result.log.utf8).suffix(LambdaLimits.logTailBytes)
      headers.append(("X-Amz-Log-Result", Data(tail).base64EncodedString()))
    }
    switch result.outcome {
    case .success(let body):
      return HTTPResponse(status: 200, headers: headers, body: body)
    case .functionError(let document, _):
      headers.append(("X-Amz-Function-Error", "Unhandled"))
      return HTTPResponse(status: 200, headers: headers, body: document)
    }
  }

  /// Accepts the name, the partial ARN (`123456789012:function:NAME`) or the full ARN, with an optional
  /// `:$LATEST` qualifier, as Lambda does.
  private func resolve(_ name: String, qualifier: String?) -> String? {
    var parts = name.split(separator: ":").map(String.init)
    var inlineQualifier: String?
    if parts.count >= 7, parts[0] == "arn" {
      inlineQualifier = parts.count > 7 ? parts[7] : nil
      parts = [parts[6]]
    } else if parts.count >= 3, parts[1] == "function" {
      inlineQualifier = parts.count > 3 ? parts[3] : nil
      parts = [parts[2]]
    } else if parts.count == 2 {
      inlineQualifier = parts[1]
      parts = [parts[0]]
    }
    guard parts.count == 1, parts[0] == configuration.name else { return nil }
    for value in [qualifier, inlineQualifier].compactMap({ $0 }) where value != "$LATEST" {
      return nil
    }
    return parts[0]
  }

  private static func baseName(_ name: String) -> String {
    let parts = name.split(separator: ":").map(String.init)
    if parts.count >= 7, parts[0] == "arn" { return parts[6] }
    if parts.count >= 3, parts[1] == "function" { return parts[2] }
    return parts.first ?? name
  }

  static func queryValue(_ name: String, in rawQuery: String?) -> String? {
    guard let rawQuery else { return nil }
    for pair in rawQuery.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      if parts.first == Substring(name), parts.count == 2 {
        return String(parts[1]).removingPercentEncoding
      }
    }
    return nil
  }

  /// An error in the shape Lambda's API returns: the type in `x-amzn-ErrorType`, and a `Type`/`Message` body.
  static func error(_ status: Int, type: String, message: String, requestID: String) -> HTTPResponse {
    let body: [String: String] = ["Type": "User", "Message": message, "message": message]
    let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    return HTTPResponse.json(
      status, data, headers: [("x-amzn-ErrorType", type), ("x-amzn-RequestId", requestID)])
  }
}
