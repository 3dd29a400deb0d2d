import Foundation
import Testing

@testable import FunctionsCore

@Suite("Function URL event")
struct AWSFunctionURLEventTests {
  static let urlContext = GatewayContext(
    apiID: "33anwqw8fj", stage: "dev", region: "us-west-2", functionName: "orders",
    domainName: "33anwqw8fj.lambda-url.us-west-2.on.aws", routePattern: "/users/{id}")
  static let post = AWSFixtures.request(
    "POST", "/example/test/demo?parameter1=value1&parameter1=value2&parameter2=value",
    headers: [
      ("Header1", "value1"), ("Header2", "value1"), ("Header2", "value2"),
      ("Cookie", "Cookie_1=Value_1; Cookie_2=Value_2"), ("Content-Type", "application/json"),
      ("User-Agent", "agent"),
    ],
    body: Data(#"{"key1": "value1", "key2": "value2"}"#.utf8))
  static let get = AWSFixtures.request("GET", "/users/7")

  static let rules: [AWSEventRule] = [
    AWSEventRule(
      rule: "version is 2.0", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "version", expected: "2.0"),
    AWSEventRule(
      rule: "route key $default even with a route", source: AWSDocs.functionURL, request: get,
      context: urlContext, path: "routeKey", expected: "$default"),
    AWSEventRule(
      rule: "context route key $default", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.routeKey", expected: "$default"),
    AWSEventRule(
      rule: "stage $default even when set", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.stage", expected: "$default"),
    AWSEventRule(
      rule: "raw path", source: AWSDocs.functionURL, request: post, context: urlContext, path: "rawPath",
      expected: "/example/test/demo"),
    AWSEventRule(
      rule: "raw path keeps percent-encoding", source: AWSDocs.functionURL,
      request: AWSFixtures.request("GET", "/a%2Fb"), context: urlContext, path: "rawPath", expected: "/a%2Fb"),
    AWSEventRule(
      rule: "raw query string", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "rawQueryString", expected: "parameter1=value1&parameter1=value2&parameter2=value"),
    AWSEventRule(
      rule: "cookies array", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "cookies", expected: ["Cookie_1=Value_1", "Cookie_2=Value_2"]),
    AWSEventRule(
      rule: "headers lower-cased and joined", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "headers",
      expected: [
        "header1": "value1", "header2": "value1,value2", "content-type": "application/json",
        "user-agent": "agent",
      ]),
    AWSEventRule(
      rule: "query parameters joined", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "queryStringParameters", expected: ["parameter1": "value1,value2", "parameter2": "value"]),
    AWSEventRule(
      rule: "single query parameter", source: AWSDocs.functionURL,
      request: AWSFixtures.request("GET", "/example?name=Jane"), context: urlContext,
      path: "queryStringParameters", expected: ["name": "Jane"]),
    AWSEventRule(
      rule: "path parameters left out", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "pathParameters", expected: .absent),
    AWSEventRule(
      rule: "stage variables left out", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "stageVariables", expected: .absent),
    AWSEventRule(
      rule: "authentication null", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.authentication", expected: nil),
    AWSEventRule(
      rule: "authorizer null without AWS_IAM", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.authorizer", expected: nil),
    AWSEventRule(
      rule: "domain name and prefix", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.domainPrefix", expected: "33anwqw8fj"),
    AWSEventRule(
      rule: "API ID is the URL ID", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.apiId", expected: "33anwqw8fj"),
    AWSEventRule(
      rule: "HTTP details", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "requestContext.http",
      expected: [
        "method": "POST", "path": "/example/test/demo", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.7",
        "userAgent": "agent",
      ]),
    AWSEventRule(
      rule: "JSON body as text", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "body", expected: #"{"key1": "value1", "key2": "value2"}"#),
    AWSEventRule(
      rule: "text body not encoded", source: AWSDocs.functionURL, request: post, context: urlContext,
      path: "isBase64Encoded", expected: false),
    AWSEventRule(
      rule: "binary body base64-encoded", source: AWSDocs.functionURL,
      request: AWSFixtures.request(
        "PUT", "/upload", headers: [("Content-Type", "application/zip")],
        body: Data([0x50, 0x4B, 0x03, 0x04])),
      context: urlContext, path: "body", expected: "UEsDBA=="),
    AWSEventRule(
      rule: "form post base64-encoded", source: AWSDocs.functionURL + " (form data is not a text type)",
      request: AWSFixtures.request(
        "POST", "/form", headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: Data("a=1".utf8)),
      context: urlContext, path: "isBase64Encoded", expected: true),
    AWSEventRule(
      rule: "time and epoch", source: AWSDocs.functionURL, request: get, context: urlContext,
      path: "requestContext.timeEpoch", expected: 1_583_348_638_390),
  ]

  @Test("rule", arguments: rules)
  func rule(_ rule: AWSEventRule) {
    let event = AWSFixtures.event(rule.request, .functionURL, rule.context)
    #expect(event[rule.path] == rule.expected, "\(rule.source)")
  }

  @Test("same schema as the HTTP API apart from routes")
  func sameSchemaAsHTTPAPI() {
    let context = GatewayContext(apiID: "abc", region: "us-east-1", functionName: "f")
    let url = AWSFixtures.event(Self.post, .functionURL, context)
    let api = AWSFixtures.event(Self.post, .httpAPI, context)
    for key in ["version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "body"] {
      #expect(url[key] == api[key], "\(key)")
    }
  }
}
