import Basics
import Foundation

/// Builds the payload format version 2.0 event that an HTTP API and a function URL send.
///
/// Sources: "Working with AWS Lambda proxy integrations for HTTP APIs" (API Gateway Developer Guide)
/// and "Invoking Lambda function URLs" (Lambda Developer Guide), whose request payloads share this
/// schema.
enum PayloadVersion2Event {
  static func make(_ request: GatewayRequest, source: AWSHTTPEventSource, context: GatewayContext) -> [String:
    Any]
  {
    let isFunctionURL = source == .functionURL
    let route = isFunctionURL ? nil : context.routePattern.map(RoutePattern.init)
    // A function URL has no routes: Lambda sets `routeKey` to `$default` as a placeholder.
    let routeKey = route.map { "\($0.method ?? request.method) \($0.path)" } ?? "$default"

    var event: [String: Any] = [
      "version": "2.0",
      "routeKey": routeKey,
      // NOTE: The HTTP API page calls this field the raw path, and this code keeps it raw. Users of
      // deployed HTTP APIs report that the service percent-decodes it, while function URLs do not.
      "rawPath": request.rawPath,
      "rawQueryString": request.rawQuery ?? "",
      "headers": headers(request.headers),
      "requestContext": requestContext(request, routeKey: routeKey, source: source, context: context),
    ]

    let cookieValues = request.headers.filter { $0.name.equalsIgnoringASCIICase("Cookie") }
    let cookies = RequestParts.cookies(fromHeaderValues: cookieValues.map(\.value))
    if !cookies.isEmpty { event["cookies"] = cookies }

    let parameters = RequestParts.queryParameters(request.rawQuery)
    if !parameters.isEmpty { event["queryStringParameters"] = joinedQueryParameters(parameters) }

    if let route, let pathParameters = route.match(request.rawPath), !pathParameters.isEmpty {
      event["pathParameters"] = Dictionary(pathParameters.map { ($0.name, $0.value) }) { _, last in last }
    }

    let body = EventBody.forPayloadVersion2(request.body, contentType: request.contentType)
    if let text = body.text { event["body"] = text }
    event["isBase64Encoded"] = body.isBase64Encoded
    return event
  }

  /// Header names in lower case, repeated fields joined with commas, and `Cookie` left out because
  /// its values move to `cookies`.
  private static func headers(_ headers: [(name: String, value: String)]) -> [String: String] {
    var result: [String: String] = [:]
    for group in RequestParts.groupedHeaders(headers) {
      let name = group.name.lowercased()
      if name == "cookie" { continue }
      result[name] = group.values.joined(separator: ",")
    }
    return result
  }

  /// Query parameters with repeated names joined by commas, values in the order they appeared.
  private static func joinedQueryParameters(_ parameters: [QueryParameter]) -> [String: String] {
    var result: [String: String] = [:]
    for parameter in parameters {
      if let existing = result[parameter.name] {
        result[parameter.name] = existing + "," + parameter.value
      } else {
        result[parameter.name] = parameter.value
      }
    }
    return result
  }

  private static func requestContext(
    _ request: GatewayRequest, routeKey: String, source: AWSHTTPEventSource, context: GatewayContext
  ) -> [String: Any] {
    var requestContext: [String: Any] = [
      "accountId": context.accountID,
      "apiId": context.apiID,
      "domainName": context.domainName,
      "domainPrefix": context.domainPrefix,
      "http": [
        "method": request.method,
        "path": request.rawPath,
        "protocol": request.httpVersion,
        "sourceIp": request.sourceIP,
        "userAgent": request.effectiveUserAgent ?? "",
      ],
      "requestId": request.requestID,
      "routeKey": routeKey,
      "stage": context.stageName(for: source),
      "time": RequestParts.gatewayTime(request.time),
      "timeEpoch": RequestParts.epochMilliseconds(request.time),
    ]
    if source == .functionURL {
      // Function URLs set `authentication` to null, and `authorizer` to null unless the URL uses
      // the AWS_IAM auth type, which local URLs do not.
      requestContext["authentication"] = NSNull()
      requestContext["authorizer"] = NSNull()
    }
    return requestContext
  }
}
