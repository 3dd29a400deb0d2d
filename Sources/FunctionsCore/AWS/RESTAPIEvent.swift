import Foundation

/// Builds the event a REST API's Lambda proxy integration sends (payload format version 1.0).
///
/// Source: "Set up Lambda proxy integrations in API Gateway", section "Input format of a Lambda
/// function for proxy integration" (API Gateway Developer Guide).
enum RESTAPIEvent {
  static func make(_ request: GatewayRequest, context: GatewayContext) -> [String: Any] {
    let resource = resourceAndParameters(request.rawPath, routePattern: context.routePattern)
    let body = EventBody.forRESTAPI(
      request.body, contentType: request.contentType, binaryMediaTypes: context.binaryMediaTypes)
    let headerGroups = RequestParts.groupedHeaders(request.headers)
    let parameters = RequestParts.queryParameters(request.rawQuery)
    let pathParameters: Any =
      resource.parameters.map { list in Dictionary(list.map { ($0.name, $0.value) }) { _, last in last } }
      ?? NSNull()

    return [
      "resource": resource.path,
      "path": request.rawPath,
      "httpMethod": request.method,
      // `headers` has one value per name, the last one sent, and `multiValueHeaders` has all of them.
      "headers": orNull(headerGroups.isEmpty, lastValues(headerGroups)),
      "multiValueHeaders": orNull(headerGroups.isEmpty, allValues(headerGroups)),
      "queryStringParameters": orNull(parameters.isEmpty, lastValues(queryGroups(parameters))),
      "multiValueQueryStringParameters": orNull(parameters.isEmpty, allValues(queryGroups(parameters))),
      "pathParameters": pathParameters,
      "stageVariables": NSNull(),
      "requestContext": requestContext(request, resourcePath: resource.path, context: context),
      "body": body.text ?? NSNull(),
      "isBase64Encoded": body.isBase64Encoded,
    ]
  }

  /// Returns the resource template and its path parameters (nil when it has none).
  ///
  /// Without a route pattern, the root path maps to the `/` resource and every other path to the
  /// greedy `/{proxy+}` resource, whose `proxy` parameter is the path without its leading slash.
  private static func resourceAndParameters(
    _ rawPath: String, routePattern: String?
  ) -> (path: String, parameters: [(name: String, value: String)]?) {
    let template = routePattern.map { RoutePattern($0).path }
    let resourcePath = template ?? (rawPath.split(separator: "/").isEmpty ? "/" : "/{proxy+}")
    let parameters = RoutePattern(resourcePath).match(rawPath)
    guard let parameters, !parameters.isEmpty else { return (resourcePath, nil) }
    return (resourcePath, parameters)
  }

  private static func queryGroups(_ parameters: [QueryParameter]) -> [(name: String, values: [String])] {
    var groups: [(name: String, values: [String])] = []
    var indexByName: [String: Int] = [:]
    for parameter in parameters {
      if let index = indexByName[parameter.name] {
        groups[index].values.append(parameter.value)
      } else {
        indexByName[parameter.name] = groups.count
        groups.append((parameter.name, [parameter.value]))
      }
    }
    return groups
  }

  private static func lastValues(_ groups: [(name: String, values: [String])]) -> [String: String] {
    Dictionary(groups.map { ($0.name, $0.values.last ?? "") }) { _, last in last }
  }

  private static func allValues(_ groups: [(name: String, values: [String])]) -> [String: [String]] {
    Dictionary(groups.map { ($0.name, $0.values) }) { first, last in first + last }
  }

  /// `value`, or JSON null when `isAbsent`: the REST API event keeps absent maps as null.
  private static func orNull(_ isAbsent: Bool, _ value: Any) -> Any {
    isAbsent ? NSNull() : value
  }

  private static func requestContext(
    _ request: GatewayRequest, resourcePath: String, context: GatewayContext
  ) -> [String: Any] {
    let userAgent: Any = request.effectiveUserAgent ?? NSNull()
    let identity: [String: Any] = [
      "accessKey": NSNull(),
      "accountId": NSNull(),
      "caller": NSNull(),
      "cognitoAuthenticationProvider": NSNull(),
      "cognitoAuthenticationType": NSNull(),
      "cognitoIdentityId": NSNull(),
      "cognitoIdentityPoolId": NSNull(),
      "principalOrgId": NSNull(),
      "sourceIp": request.sourceIP,
      "user": NSNull(),
      "userAgent": userAgent,
      "userArn": NSNull(),
    ]
    return [
      "accountId": context.accountID,
      "apiId": context.apiID,
      "domainName": context.domainName,
      "domainPrefix": context.domainPrefix,
      "extendedRequestId": StableIdentifiers.base64(
        "extended-request-id " + request.requestID, byteCount: 11),
      "httpMethod": request.method,
      "identity": identity,
      // On the default execute-api host this path starts with the stage name. A local gateway serves
      // the API without that prefix, as a custom domain does, so the path is the one requested.
      "path": request.rawPath,
      "protocol": request.httpVersion,
      "requestId": request.requestID,
      "requestTime": RequestParts.gatewayTime(request.time),
      "requestTimeEpoch": RequestParts.epochMilliseconds(request.time),
      "resourceId": StableIdentifiers.hex("resource " + resourcePath, count: 6),
      "resourcePath": resourcePath,
      "stage": context.stageName(for: .restAPI),
    ]
  }
}
