import Foundation
import Testing

@testable import FunctionsCore

@Suite("REST API event (Lambda proxy integration)")
struct AWSRESTAPIEventTests {
  /// The request from the input format section's example, sent to the API without its stage prefix.
  static let example = AWSFixtures.request(
    "POST", "/hello/world?name=me",
    headers: [("Content-Type", "application/json"), ("headerName", "headerValue")],
    body: Data("{\r\n\t\"a\": 1\r\n}".utf8))
  static let get = AWSFixtures.request("GET", "/hello/world")

  static let rules: [AWSEventRule] = [
    AWSEventRule(
      rule: "greedy proxy resource by default", source: AWSDocs.restInput, request: example,
      path: "resource", expected: "/{proxy+}"),
    AWSEventRule(
      rule: "proxy parameter is the path", source: AWSDocs.restInput, request: example,
      path: "pathParameters", expected: ["proxy": "hello/world"]),
    AWSEventRule(
      rule: "root path is the root resource",
      source: AWSDocs.restProxy + " (a {proxy+} resource needs a child path)",
      request: AWSFixtures.request("GET", "/"), path: "resource", expected: "/"),
    AWSEventRule(
      rule: "root path has null path parameters", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/"), path: "pathParameters", expected: nil),
    AWSEventRule(
      rule: "route pattern sets the resource", source: AWSDocs.restProxy,
      request: AWSFixtures.request("GET", "/produce/fruit/apple"),
      context: AWSFixtures.context(routePattern: "/{department}/{category}/{product}"),
      path: "resource", expected: "/{department}/{category}/{product}"),
    AWSEventRule(
      rule: "path variables from the route", source: AWSDocs.restProxy,
      request: AWSFixtures.request("GET", "/produce/fruit/apple"),
      context: AWSFixtures.context(routePattern: "/{department}/{category}/{product}"),
      path: "pathParameters", expected: ["department": "produce", "category": "fruit", "product": "apple"]),
    AWSEventRule(
      rule: "greedy variable under a parent", source: AWSDocs.restProxy,
      request: AWSFixtures.request("PUT", "/produce/vegetables/carrot"),
      context: AWSFixtures.context(routePattern: "/produce/{proxy+}"),
      path: "pathParameters.proxy", expected: "vegetables/carrot"),
    AWSEventRule(
      rule: "path as requested", source: AWSDocs.restInput, request: example, path: "path",
      expected: "/hello/world"),
    AWSEventRule(
      rule: "path keeps percent-encoding",
      source: AWSDocs.restInput + " (the example has no escapes; deployed REST APIs keep them)",
      request: AWSFixtures.request("GET", "/a%20b"), path: "path", expected: "/a%20b"),
    AWSEventRule(
      rule: "HTTP method", source: AWSDocs.restInput, request: example, path: "httpMethod", expected: "POST"),
    AWSEventRule(
      rule: "header names kept as sent", source: AWSDocs.restInput, request: example,
      path: "headers", expected: ["Content-Type": "application/json", "headerName": "headerValue"]),
    AWSEventRule(
      rule: "underscores in header names kept", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x", headers: [("X_Custom_Header", "1")]),
      path: "headers.X_Custom_Header", expected: "1"),
    AWSEventRule(
      rule: "single-value headers keep the last value", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x", headers: [("Accept", "text/html"), ("Accept", "*/*")]),
      path: "headers.Accept", expected: "*/*"),
    AWSEventRule(
      rule: "multi-value headers keep every value", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x", headers: [("Accept", "text/html"), ("Accept", "*/*")]),
      path: "multiValueHeaders.Accept", expected: ["text/html", "*/*"]),
    AWSEventRule(
      rule: "single header listed in multi-value headers", source: AWSDocs.restInput, request: example,
      path: "multiValueHeaders.headerName", expected: ["headerValue"]),
    AWSEventRule(
      rule: "cookie header kept", source: AWSDocs.restProxy + " (the request is passed as-is)",
      request: AWSFixtures.request("GET", "/x", headers: [("Cookie", "a=1; b=2")]),
      path: "headers.Cookie", expected: "a=1; b=2"),
    AWSEventRule(
      rule: "no cookies field", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x", headers: [("Cookie", "a=1")]), path: "cookies",
      expected: .absent),
    AWSEventRule(
      rule: "query parameter keeps the last value", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x?name=me&multivalueName=you&multivalueName=me"),
      path: "queryStringParameters", expected: ["name": "me", "multivalueName": "me"]),
    AWSEventRule(
      rule: "multi-value query keeps every value", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x?name=me&multivalueName=you&multivalueName=me"),
      path: "multiValueQueryStringParameters", expected: ["name": ["me"], "multivalueName": ["you", "me"]]),
    AWSEventRule(
      rule: "query plus sign decoded as space",
      source: AWSDocs.restInput + " (a deployed REST API delivers ?sort=-+createdAt as \"- createdAt\")",
      request: AWSFixtures.request("GET", "/x?sort=-+createdAt"), path: "queryStringParameters.sort",
      expected: "- createdAt"),
    AWSEventRule(
      rule: "query parameters null without query",
      source: AWSDocs.restInput + " (absent maps are null, as pathParameters and stageVariables in "
        + AWSDocs.httpAPI + ", format 1.0)",
      request: get, path: "queryStringParameters", expected: nil),
    AWSEventRule(
      rule: "multi-value query null without query", source: AWSDocs.restInput, request: get,
      path: "multiValueQueryStringParameters", expected: nil),
    AWSEventRule(
      rule: "stage variables null", source: AWSDocs.httpAPI + ", format 1.0 example", request: get,
      path: "stageVariables", expected: nil),
    AWSEventRule(
      rule: "body as sent", source: AWSDocs.restInput, request: example, path: "body",
      expected: "{\r\n\t\"a\": 1\r\n}"),
    AWSEventRule(
      rule: "text body not encoded", source: AWSDocs.restInput, request: example, path: "isBase64Encoded",
      expected: false),
    AWSEventRule(
      rule: "body null without body", source: AWSDocs.restInput, request: get, path: "body", expected: nil),
    AWSEventRule(
      rule: "form body stays text",
      source: AWSDocs.restBinary + " (without binary media types payloads are text)",
      request: AWSFixtures.request(
        "POST", "/x", headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: Data("a=1&b=2".utf8)),
      path: "body", expected: "a=1&b=2"),
    AWSEventRule(
      rule: "binary media type base64-encoded", source: AWSDocs.restBinary,
      request: AWSFixtures.request(
        "POST", "/x", headers: [("Content-Type", "image/png")], body: Data("abc".utf8)),
      context: AWSFixtures.context(binaryMediaTypes: ["image/png"]), path: "body", expected: "YWJj"),
    AWSEventRule(
      rule: "binary media type flagged", source: AWSDocs.restBinary,
      request: AWSFixtures.request(
        "POST", "/x", headers: [("Content-Type", "image/png")], body: Data("abc".utf8)),
      context: AWSFixtures.context(binaryMediaTypes: ["*/*"]), path: "isBase64Encoded", expected: true),
    AWSEventRule(
      rule: "no version field", source: AWSDocs.restInput, request: get, path: "version", expected: .absent),
    AWSEventRule(
      rule: "source IP in identity", source: AWSDocs.restInput, request: example,
      path: "requestContext.identity.sourceIp", expected: "192.0.2.7"),
    AWSEventRule(
      rule: "user agent in identity", source: AWSDocs.restInput,
      request: AWSFixtures.request("GET", "/x", userAgent: "PostmanRuntime/2.4.5"),
      path: "requestContext.identity.userAgent", expected: "PostmanRuntime/2.4.5"),
    AWSEventRule(
      rule: "caller identity null without authorization", source: AWSDocs.restInput, request: get,
      path: "requestContext.identity.caller", expected: nil),
    AWSEventRule(
      rule: "stage Prod by default",
      source: "AWS SAM creates a Prod stage for its implicit REST API (not an API Gateway rule)",
      request: get, path: "requestContext.stage", expected: "Prod"),
    AWSEventRule(
      rule: "named stage", source: AWSDocs.restInput, request: get,
      context: AWSFixtures.context(stage: "testStage"),
      path: "requestContext.stage", expected: "testStage"),
    AWSEventRule(
      rule: "resource path in context", source: AWSDocs.restInput, request: example,
      path: "requestContext.resourcePath", expected: "/{proxy+}"),
    AWSEventRule(
      rule: "HTTP method in context", source: AWSDocs.restInput, request: example,
      path: "requestContext.httpMethod", expected: "POST"),
    AWSEventRule(
      rule: "protocol in context", source: AWSDocs.restInput + " (AWS_IAM example)", request: get,
      path: "requestContext.protocol", expected: "HTTP/1.1"),
    AWSEventRule(
      rule: "request time in context", source: AWSDocs.restInput + " (AWS_IAM example)", request: get,
      path: "requestContext.requestTime", expected: "04/Mar/2020:19:03:58 +0000"),
    AWSEventRule(
      rule: "request epoch in context", source: AWSDocs.restInput + " (AWS_IAM example)", request: get,
      path: "requestContext.requestTimeEpoch", expected: 1_583_348_638_390),
    AWSEventRule(
      rule: "request ID in context", source: AWSDocs.restInput, request: get,
      path: "requestContext.requestId", expected: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
    AWSEventRule(
      rule: "API ID in context", source: AWSDocs.restInput, request: get,
      path: "requestContext.apiId", expected: "a1b2c3d4e5"),
    AWSEventRule(
      rule: "account ID in context", source: AWSDocs.restInput, request: get,
      path: "requestContext.accountId", expected: "123456789012"),
  ]

  @Test("rule", arguments: rules)
  func rule(_ rule: AWSEventRule) {
    let event = AWSFixtures.event(rule.request, .restAPI, rule.context)
    #expect(event[rule.path] == rule.expected, "\(rule.source)")
  }

  @Test("user agent null when absent")
  func userAgentNull() {
    let event = AWSFixtures.event(Self.get, .restAPI)
    #expect(event["requestContext.identity.userAgent"] == nil)
  }

  @Test("headers null without headers")
  func headersNull() {
    let event = AWSFixtures.event(Self.get, .restAPI)
    #expect(event["headers"] == nil)
    #expect(event["multiValueHeaders"] == nil)
  }

  @Test("header names grouped case-insensitively")
  func headerGrouping() {
    // Field names are case-insensitive (RFC 9110 §5.1); the first spelling names the group.
    let request = AWSFixtures.request("GET", "/x", headers: [("X-Trace", "1"), ("x-trace", "2")])
    let event = AWSFixtures.event(request, .restAPI)
    #expect(event["multiValueHeaders"] == ["X-Trace": ["1", "2"]])
    #expect(event["headers"] == ["X-Trace": "2"])
  }

  @Test("derived context identifiers are stable")
  func derivedIdentifiers() {
    let first = AWSFixtures.event(Self.example, .restAPI)["requestContext"]
    let second = AWSFixtures.event(Self.example, .restAPI)["requestContext"]
    #expect(first["extendedRequestId"] == second["extendedRequestId"])
    #expect(first["resourceId"] == second["resourceId"])
    guard case .string(let resourceID) = first["resourceId"] else {
      Issue.record("resourceId is not a string")
      return
    }
    #expect(resourceID.count == 6)
  }
}
