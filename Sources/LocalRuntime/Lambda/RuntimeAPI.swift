import Basics
import Foundation

/// The Lambda Runtime API (version 2018-06-01) for one instance, as runtime clients such as awslambdaric
/// and custom `bootstrap` programs expect it (Lambda developer guide, "Using the Lambda runtime API for
/// custom runtimes").
struct RuntimeAPI: Sendable {
  static let prefix = "/2018-06-01/runtime"

  let instance: RuntimeInstance

  func handle(_ request: HTTPRequest) async -> HTTPResponse {
    let path = request.path
    guard path.hasPrefix(Self.prefix) else { return Self.notFound(path) }
    let route = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: true)

    switch (request.method, route.count, route.first, route.last) {
    case ("GET", 2, "invocation", "next"):
      return await next()
    case ("POST", 3, "invocation", "response"):
      return await respond(requestID: String(route[1]), body: request.body)
    case ("POST", 3, "invocation", "error"):
      return await fail(requestID: String(route[1]), request: request)
    case ("POST", 2, "init", "error"):
      let document = Self.errorDocument(
        request.body, typeHeader: request.header("Lambda-Runtime-Function-Error-Type"))
      await instance.failInitialization(document: document)
      // awslambdaric needs exactly 202 here, or it raises before exiting.
      return Self.accepted
    default:
      return Self.notFound(path)
    }
  }

  private func next() async -> HTTPResponse {
    guard let invocation = await instance.nextInvocation() else {
      // The instance is stopping, and the runtime client exits on a status other than 200.
      return HTTPResponse.json(
        500, Data(#"{"errorMessage":"The instance is shutting down","errorType":"Runtime.Stopping"}"#.utf8))
    }
    var headers: [(name: String, value: String)] = [
      ("Content-Type", "application/json"),
      ("Lambda-Runtime-Aws-Request-Id", invocation.requestID),
      ("Lambda-Runtime-Deadline-Ms", String(invocation.deadlineMilliseconds)),
      ("Lambda-Runtime-Invoked-Function-Arn", invocation.invokedFunctionARN),
      ("Lambda-Runtime-Trace-Id", invocation.traceID),
    ]
    if let context = invocation.clientContext { headers.append(("Lambda-Runtime-Client-Context", context)) }
    return HTTPResponse(status: 200, headers: headers, body: invocation.payload)
  }

  private func respond(requestID: String, body: Data) async -> HTTPResponse {
    if body.count > LambdaLimits.synchronousPayloadBytes {
      // Lambda fails the invocation and returns 413 to the runtime.
      let message =
        "Response payload size exceeded maximum allowed payload size (\(LambdaLimits.synchronousPayloadBytes) bytes)."
      _ = await instance.complete(
        requestID: requestID, outcome: .failure(type: "Function.ResponseSizeTooLarge", message: message))
      return HTTPResponse.json(
        413,
        Data(
          #"{"errorMessage":"Exceeded maximum allowed payload size (\#(LambdaLimits.synchronousPayloadBytes) bytes).","errorType":"RequestEntityTooLarge"}"#
            .utf8))
    }
    guard await instance.complete(requestID: requestID, outcome: .success(body)) else {
      return Self.invalidRequestID(requestID)
    }
    return Self.accepted
  }

  private func fail(requestID: String, request: HTTPRequest) async -> HTTPResponse {
    let document = Self.errorDocument(
      request.body, typeHeader: request.header("Lambda-Runtime-Function-Error-Type"))
    let outcome = InvocationOutcome.functionError(
      document: document, errorType: RuntimeInstance.errorType(of: document))
    guard await instance.complete(requestID: requestID, outcome: outcome) else {
      return Self.invalidRequestID(requestID)
    }
    return Self.accepted
  }

  /// Returns the runtime's error document when it is a JSON object, otherwise wraps the text in one.
  static func errorDocument(_ body: Data, typeHeader: String?) -> Data {
    if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], !object.isEmpty {
      return body
    }
    let wrapped: [String: Any] = [
      "errorType": typeHeader ?? "Runtime.Unknown",
      "errorMessage": String(decoding: body, as: UTF8.self),
    ]
    return (try? JSONSerialization.data(withJSONObject: wrapped, options: [.sortedKeys])) ?? body
  }

  static let accepted = HTTPResponse.json(202, Data(#"{"status":"OK"}"#.utf8))

  static func invalidRequestID(_ requestID: String) -> HTTPResponse {
    ServiceLog.error(
      "the runtime posted a result for request \(requestID), which is not running on its instance")
    return HTTPResponse.json(
      400,
      Data(#"{"errorMessage":"Invalid request ID: \#(requestID)","errorType":"InvalidRequestID"}"#.utf8))
  }

  static func notFound(_ path: String) -> HTTPResponse {
    ServiceLog.error("the runtime called an unknown Runtime API path \(path)")
    let body = ["errorMessage": "Unknown Runtime API path \(path)", "errorType": "InvalidRequest"]
    return HTTPResponse.json(404, (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
  }
}
