import Foundation

/// The responses each service sends when an invocation gives it no usable result.
///
/// AWS documents the statuses and some of the bodies. The other bodies are those that deployed APIs
/// and function URLs were seen to send, and a comment at each one states where it comes from.
enum GatewayFailureResponses {
  static func response(_ failure: GatewayFailure, source: AWSHTTPEventSource) -> GatewayResponse {
    switch source {
    case .restAPI: restAPI(failure)
    case .httpAPI: httpAPI(failure)
    case .functionURL: functionURL(failure)
    }
  }

  /// REST API responses, whose bodies have a space after the colon.
  ///
  /// "Handling Lambda errors with an API Gateway API" (Lambda Developer Guide): a function error or a
  /// result in the wrong format gives 502, and an invocation Lambda rejects (such as a throttled one)
  /// gives 500, both with `{"message": "Internal server error"}`. "Gateway response types" (API Gateway
  /// Developer Guide): `INTEGRATION_TIMEOUT` is 504 and `REQUEST_TOO_LARGE` is 413.
  private static func restAPI(_ failure: GatewayFailure) -> GatewayResponse {
    switch failure {
    case .handlerError, .malformedResult:
      json(502, #"{"message": "Internal server error"}"#)
    case .tooManyRequests:
      json(500, #"{"message": "Internal server error"}"#)
    case .timeout:
      // The message text is the one deployed REST APIs send, because the page lists only the status.
      json(504, #"{"message": "Endpoint request timed out"}"#)
    case .payloadTooLarge:
      // The message text is the one a deployed REST API sent for a request over Lambda's 6 MB limit.
      json(413, #"{"message": "Request Too Long"}"#)
    }
  }

  /// HTTP API responses, whose bodies are compact JSON.
  ///
  /// "Troubleshooting issues with HTTP API Lambda integrations" (API Gateway Developer Guide) names
  /// `{"message":"Internal Server Error"}` for a function error or a result in the wrong format.
  private static func httpAPI(_ failure: GatewayFailure) -> GatewayResponse {
    switch failure {
    case .handlerError, .malformedResult, .tooManyRequests:
      json(500, #"{"message":"Internal Server Error"}"#)
    case .timeout:
      // Deployed HTTP APIs return 503 when the 30-second integration timeout passes. AWS does not
      // document this status.
      json(503, #"{"message":"Service Unavailable"}"#)
    case .payloadTooLarge:
      // NOTE: The 413 status follows the REST API's REQUEST_TOO_LARGE response. This body is assumed,
      // because AWS documents none.
      json(413, #"{"message":"Request Entity Too Large"}"#)
    }
  }

  /// Function URL responses.
  ///
  /// "Creating and managing Lambda function URLs" (Lambda Developer Guide, section "Throttling function
  /// URLs") documents 429 when the function is at its reserved concurrency. A function error, a
  /// malformed result and a timeout (a function URL has no timeout of its own, so it is the
  /// function's) give 502 with the text `Internal Server Error`, as deployed function URLs send.
  private static func functionURL(_ failure: GatewayFailure) -> GatewayResponse {
    switch failure {
    case .handlerError, .malformedResult, .timeout:
      GatewayResponse(
        status: 502, headers: [(name: "content-type", value: "text/plain; charset=utf-8")],
        body: Data("Internal Server Error".utf8))
    case .tooManyRequests:
      // NOTE: Only the status is documented. This body is the one Lambda's Invoke API sends with a
      // TooManyRequestsException, assumed to reach function URL clients unchanged.
      json(
        429,
        #"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#,
        errorType: "TooManyRequestsException")
    case .payloadTooLarge:
      // The Lambda Invoke error that a deployed function URL returns for a request over 6 MB.
      json(
        413, #"{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"#,
        errorType: "RequestEntityTooLargeException")
    }
  }

  private static func json(_ status: Int, _ body: String, errorType: String? = nil) -> GatewayResponse {
    var headers = [(name: "content-type", value: "application/json")]
    if let errorType { headers.append((name: "x-amzn-ErrorType", value: errorType)) }
    return GatewayResponse(status: status, headers: headers, body: Data(body.utf8))
  }
}
