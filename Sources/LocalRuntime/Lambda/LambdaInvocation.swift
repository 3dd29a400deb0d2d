import Basics
import Foundation

/// One invocation on its way to a runtime instance.
public struct LambdaInvocation: Sendable {
  public let requestID: String
  public let payload: Data
  /// The deadline in milliseconds since the epoch (`Lambda-Runtime-Deadline-Ms`), set again when the
  /// runtime receives the invocation, because the timeout counts from then.
  public var deadlineMilliseconds: Int64
  public let invokedFunctionARN: String
  public let traceID: String
  /// The base64 client context from the Invoke API's `X-Amz-Client-Context`, passed on unchanged.
  public let clientContext: String?

  public init(
    requestID: String, payload: Data, deadlineMilliseconds: Int64, invokedFunctionARN: String,
    traceID: String,
    clientContext: String? = nil
  ) {
    self.requestID = requestID
    self.payload = payload
    self.deadlineMilliseconds = deadlineMilliseconds
    self.invokedFunctionARN = invokedFunctionARN
    self.traceID = traceID
    self.clientContext = clientContext
  }

  /// Returns a new lowercase UUID, the form Lambda uses for request IDs.
  public static func makeRequestID() -> String { UUID().uuidString.lowercased() }

  /// Returns an X-Ray trace header in the form Lambda passes to runtimes
  /// (`Root=1-{8 hex epoch seconds}-{24 hex};Parent={16 hex};Sampled=0`).
  public static func makeTraceID(now: Date) -> String {
    let seconds = String(Int(now.timeIntervalSince1970), radix: 16)
    let random = (0..<24).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    let parent = (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    return "Root=1-\(seconds)-\(random);Parent=\(parent);Sampled=0"
  }
}

/// The way an invocation ended.
public enum InvocationOutcome: Sendable, Equatable {
  /// The runtime posted a response.
  case success(Data)
  /// The function failed: the runtime posted an error, the instance timed out, crashed, or failed to
  /// initialise. `document` is the JSON error document Lambda returns with `X-Amz-Function-Error`.
  case functionError(document: Data, errorType: String)

  /// Makes a failure with Lambda's `{"errorType", "errorMessage"}` document.
  static func failure(type: String, message: String) -> InvocationOutcome {
    let object = ["errorType": type, "errorMessage": message]
    let document = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return .functionError(document: document, errorType: type)
  }

  /// The `errorType` and `errorMessage` of a failure, for one-line reports.
  public var errorSummary: (type: String, message: String)? {
    guard case .functionError(let document, let errorType) = self else { return nil }
    let object = (try? JSONSerialization.jsonObject(with: document)) as? [String: Any]
    let type = (object?["errorType"] as? String) ?? errorType
    let message = (object?["errorMessage"] as? String) ?? String(decoding: document, as: UTF8.self)
    return (type, message)
  }
}

/// The result of an invocation together with the log lines the runtime wrote during it.
public struct InvocationResult: Sendable {
  public let outcome: InvocationOutcome
  public let requestID: String
  /// The invocation's log, from `START` to `REPORT`.
  public let log: String
}

/// Lambda's limits, from the Lambda quotas page.
public enum LambdaLimits {
  /// Synchronous invocation request and response payloads: 6 MB, which Lambda states as 6291456 bytes.
  public static let synchronousPayloadBytes = 6_291_456
  /// Asynchronous (`Event`) invocation payloads: 1 MB (Lambda API reference, Invoke).
  public static let asynchronousPayloadBytes = 1_048_576
  /// `X-Amz-Log-Result` carries the last 4 KB of the invocation's log.
  public static let logTailBytes = 4096
}
