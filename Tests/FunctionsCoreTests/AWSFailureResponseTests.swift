import Foundation
import Testing

@testable import FunctionsCore

/// One rule of the failure table: the status and body a source sends for a failure.
struct AWSFailureRule: Sendable, CustomTestStringConvertible {
  let rule: String
  let source: String
  let eventSource: AWSHTTPEventSource
  let failure: GatewayFailure
  let status: Int
  let body: String

  var testDescription: String { "\(eventSource.rawValue): \(rule)" }
}

@Suite("Failure responses")
struct AWSFailureResponseTests {
  static let handlerError = GatewayFailure.handlerError(errorType: "ValueError", errorMessage: "bad input")

  static let rules: [AWSFailureRule] = [
    // REST API
    AWSFailureRule(
      rule: "handler error", source: AWSDocs.lambdaAPIGatewayErrors, eventSource: .restAPI,
      failure: handlerError, status: 502, body: #"{"message": "Internal server error"}"#),
    AWSFailureRule(
      rule: "malformed result", source: AWSDocs.lambdaAPIGatewayErrors + "; " + AWSDocs.restOutput,
      eventSource: .restAPI, failure: .malformedResult("statusCode is missing"), status: 502,
      body: #"{"message": "Internal server error"}"#),
    AWSFailureRule(
      rule: "throttled invocation",
      source: AWSDocs.lambdaAPIGatewayErrors + " (Lambda rejects the invocation)",
      eventSource: .restAPI, failure: .tooManyRequests, status: 500,
      body: #"{"message": "Internal server error"}"#),
    AWSFailureRule(
      rule: "timeout",
      source: AWSDocs.gatewayResponseTypes + " (INTEGRATION_TIMEOUT; message as deployed APIs send it)",
      eventSource: .restAPI, failure: .timeout, status: 504,
      body: #"{"message": "Endpoint request timed out"}"#),
    AWSFailureRule(
      rule: "payload too large",
      source: AWSDocs.gatewayResponseTypes + " (REQUEST_TOO_LARGE; message as a deployed API sent it)",
      eventSource: .restAPI, failure: .payloadTooLarge, status: 413, body: #"{"message": "Request Too Long"}"#
    ),
    // HTTP API
    AWSFailureRule(
      rule: "handler error", source: AWSDocs.httpAPITroubleshooting, eventSource: .httpAPI,
      failure: handlerError, status: 500, body: #"{"message":"Internal Server Error"}"#),
    AWSFailureRule(
      rule: "malformed result", source: AWSDocs.httpAPITroubleshooting, eventSource: .httpAPI,
      failure: .malformedResult("statusCode is missing"), status: 500,
      body: #"{"message":"Internal Server Error"}"#),
    AWSFailureRule(
      rule: "throttled invocation",
      source: AWSDocs.lambdaAPIGatewayErrors + "; " + AWSDocs.httpAPITroubleshooting,
      eventSource: .httpAPI, failure: .tooManyRequests, status: 500,
      body: #"{"message":"Internal Server Error"}"#),
    AWSFailureRule(
      rule: "timeout",
      source: AWSDocs.apiGatewayQuotas + " (30 s HTTP API integration timeout; 503 as deployed APIs send it)",
      eventSource: .httpAPI, failure: .timeout, status: 503, body: #"{"message":"Service Unavailable"}"#),
    AWSFailureRule(
      rule: "payload too large", source: AWSDocs.lambdaQuotas + " (6 MB synchronous payload)",
      eventSource: .httpAPI, failure: .payloadTooLarge, status: 413,
      body: #"{"message":"Request Entity Too Large"}"#),
    // Function URL
    AWSFailureRule(
      rule: "handler error", source: AWSDocs.functionURL + " (502 as deployed function URLs send it)",
      eventSource: .functionURL, failure: handlerError, status: 502, body: "Internal Server Error"),
    AWSFailureRule(
      rule: "malformed result", source: AWSDocs.functionURL, eventSource: .functionURL,
      failure: .malformedResult("statusCode is not an HTTP status code"), status: 502,
      body: "Internal Server Error"),
    AWSFailureRule(
      rule: "timeout", source: AWSDocs.lambdaQuotas + " (the function's own timeout is the only one)",
      eventSource: .functionURL, failure: .timeout, status: 502, body: "Internal Server Error"),
    AWSFailureRule(
      rule: "throttled invocation", source: AWSDocs.functionURLThrottling, eventSource: .functionURL,
      failure: .tooManyRequests, status: 429,
      body:
        #"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#
    ),
    AWSFailureRule(
      rule: "payload too large", source: AWSDocs.lambdaQuotas + " (6 MB synchronous payload)",
      eventSource: .functionURL, failure: .payloadTooLarge, status: 413,
      body: #"{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"#),
  ]

  @Test("rule", arguments: rules)
  func rule(_ rule: AWSFailureRule) {
    let response = APIGatewayEvents.failureResponse(rule.failure, source: rule.eventSource)
    #expect(response.status == rule.status, "\(rule.source)")
    #expect(String(decoding: response.body, as: UTF8.self) == rule.body, "\(rule.source)")
  }

  @Test("every failure has a content type", arguments: AWSHTTPEventSource.allCases)
  func contentType(source: AWSHTTPEventSource) {
    let failures: [GatewayFailure] = [
      Self.handlerError, .timeout, .malformedResult("x"), .payloadTooLarge, .tooManyRequests,
    ]
    for failure in failures {
      let response = APIGatewayEvents.failureResponse(failure, source: source)
      #expect(response.headers(named: "Content-Type").count == 1, "\(failure)")
    }
  }

  @Test("JSON bodies parse", arguments: AWSHTTPEventSource.allCases)
  func jsonBodies(source: AWSHTTPEventSource) {
    let failures: [GatewayFailure] = [
      Self.handlerError, .timeout, .malformedResult("x"), .payloadTooLarge, .tooManyRequests,
    ]
    for failure in failures {
      let response = APIGatewayEvents.failureResponse(failure, source: source)
      guard response.headers(named: "Content-Type") == ["application/json"] else { continue }
      #expect(AWSJSON(data: response.body) != .absent, "\(failure)")
    }
  }

  @Test("payload limit matches the Lambda quota")
  func payloadLimit() {
    // Lambda quotas: 6 MB for a synchronous invocation's request and response.
    #expect(APIGatewayEvents.maximumPayloadBytes == 6 * 1024 * 1024)
  }

  @Test(
    "integration timeouts",
    arguments: [
      (
        AWSHTTPEventSource.httpAPI, Duration?.some(.seconds(30)),
        AWSDocs.apiGatewayQuotas + ", HTTP API quotas"
      ),
      (.restAPI, .some(.seconds(29)), AWSDocs.apiGatewayQuotas + ", REST API quotas (50 ms to 29 s)"),
      (.functionURL, nil, AWSDocs.lambdaQuotas + " (only the function timeout, up to 900 s)"),
    ]
  )
  func integrationTimeout(source: AWSHTTPEventSource, expected: Duration?, reference: String) {
    #expect(APIGatewayEvents.integrationTimeout(for: source) == expected, "\(reference)")
  }

  @Test("failure descriptions name the cause")
  func descriptions() {
    #expect(Self.handlerError.description == "the function raised ValueError: bad input")
    #expect(
      GatewayFailure.malformedResult("body is not a string").description.hasSuffix("body is not a string"))
  }
}
