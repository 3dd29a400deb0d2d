import Basics
import Foundation

/// The translation between HTTP requests and the Lambda events that API Gateway and function URLs
/// send, and back from the function's result to an HTTP response. Pure functions: no I/O, no clock.
public enum APIGatewayEvents {
  /// Lambda's limit for a synchronous invocation's request and response payloads: 6 MB (Lambda
  /// quotas), which Lambda's error message states as 6291456 bytes.
  public static let maximumPayloadBytes = 6_291_456

  /// Returns how long `source` waits for the function before it sends its timeout response, or nil
  /// when only the function's own timeout applies.
  ///
  /// API Gateway quotas: an HTTP API waits at most 30 seconds, and a REST API's integration timeout
  /// defaults to its maximum of 29 seconds. A function URL has no limit of its own.
  public static func integrationTimeout(for source: AWSHTTPEventSource) -> Duration? {
    switch source {
    case .httpAPI: .seconds(30)
    case .restAPI: .seconds(29)
    case .functionURL: nil
    }
  }

  /// Makes the JSON event document that `source` sends to the function for `request`.
  ///
  /// The JSON has no insignificant whitespace. Its keys are not sorted, because sorting goes through ICU
  /// collation on Linux, and it is written without `JSONSerialization`'s bridging; both were the largest
  /// costs of a gateway request.
  public static func makeEvent(
    _ request: GatewayRequest, source: AWSHTTPEventSource, context: GatewayContext
  ) -> Data {
    let event: [String: Any] =
      switch source {
      case .httpAPI, .functionURL: PayloadVersion2Event.make(request, source: source, context: context)
      case .restAPI: RESTAPIEvent.make(request, context: context)
      }
    return CompactJSON.data(event)
      ?? (try? JSONSerialization.data(withJSONObject: event, options: [.withoutEscapingSlashes])) ?? Data()
  }

  /// Maps the JSON the handler returned to the response `source` sends, or to the failure that
  /// `failureResponse(_:source:)` turns into the service's error response.
  public static func makeResponse(
    fromResult result: Data, source: AWSHTTPEventSource
  ) -> Result<GatewayResponse, GatewayFailure> {
    switch source {
    case .restAPI: LambdaResultMapping.restAPIResponse(result)
    case .httpAPI, .functionURL: LambdaResultMapping.payloadVersion2Response(result)
    }
  }

  /// Makes the response `source` sends when an invocation fails in the way `failure` describes.
  public static func failureResponse(_ failure: GatewayFailure, source: AWSHTTPEventSource) -> GatewayResponse
  {
    GatewayFailureResponses.response(failure, source: source)
  }
}
