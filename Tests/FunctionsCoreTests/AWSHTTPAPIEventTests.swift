import Foundation
import Testing

@testable import FunctionsCore

@Suite("HTTP API event (payload format 2.0)")
struct AWSHTTPAPIEventTests {
  static let get = AWSFixtures.request("GET", "/my/path")

  static let rules: [AWSEventRule] = [
    AWSEventRule(
      rule: "version is 2.0", source: AWSDocs.httpAPI, request: get, path: "version", expected: "2.0"),
    AWSEventRule(
      rule: "route key $default without a route", source: AWSDocs.httpAPI, request: get,
      path: "routeKey", expected: "$default"),
    AWSEventRule(
      rule: "route key is method and path", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("GET", "/pets/6"),
      context: AWSFixtures.context(routePattern: "/pets/{petID}"),
      path: "routeKey", expected: "GET /pets/{petID}"),
    AWSEventRule(
      rule: "route key keeps ANY", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("POST", "/a/b"),
      context: AWSFixtures.context(routePattern: "ANY /{proxy+}"),
      path: "routeKey", expected: "ANY /{proxy+}"),
    AWSEventRule(
      rule: "request context repeats the route key", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/pets/6"),
      context: AWSFixtures.context(routePattern: "/pets/{petID}"),
      path: "requestContext.routeKey", expected: "GET /pets/{petID}"),
    AWSEventRule(
      rule: "raw path keeps percent-encoding", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/a%20b/c%2Fd"), path: "rawPath", expected: "/a%20b/c%2Fd"),
    AWSEventRule(
      rule: "raw query string as sent", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/my/path?parameter1=value1&parameter1=value2&parameter2=value"),
      path: "rawQueryString", expected: "parameter1=value1&parameter1=value2&parameter2=value"),
    AWSEventRule(
      rule: "raw query string keeps escapes", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/s?q=a%20b+c"), path: "rawQueryString", expected: "q=a%20b+c"),
    AWSEventRule(
      rule: "raw query string empty without query", source: AWSDocs.httpAPI, request: get,
      path: "rawQueryString", expected: ""),
    AWSEventRule(
      rule: "repeated parameters joined by commas", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/my/path?parameter1=value1&parameter1=value2&parameter2=value"),
      path: "queryStringParameters",
      expected: ["parameter1": "value1,value2", "parameter2": "value"]),
    AWSEventRule(
      rule: "query parameters decoded", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("GET", "/s?q=a%20b%26c&name=J%C3%BCrgen"), path: "queryStringParameters",
      expected: ["q": "a b&c", "name": "Jürgen"]),
    AWSEventRule(
      rule: "query parameters left out without query", source: AWSDocs.httpAPI, request: get,
      path: "queryStringParameters", expected: .absent),
    AWSEventRule(
      rule: "header names lower-cased",
      source: AWSDocs.httpAPI + " (function URLs share the schema: "
        + AWSDocs.functionURL + ")",
      request: AWSFixtures.request(
        "GET", "/", headers: [("Content-Type", "text/plain"), ("X-Custom_Header", "1")]),
      path: "headers", expected: ["content-type": "text/plain", "x-custom_header": "1"]),
    AWSEventRule(
      rule: "repeated headers joined by commas", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/", headers: [("Header2", "value1"), ("header2", "value2")]),
      path: "headers.header2", expected: "value1,value2"),
    AWSEventRule(
      rule: "cookie header moves to cookies", source: AWSDocs.httpAPI,
      request: AWSFixtures.request(
        "GET", "/", headers: [("Cookie", "cookie1=a; cookie2=b"), ("Accept", "*/*")]),
      path: "cookies", expected: ["cookie1=a", "cookie2=b"]),
    AWSEventRule(
      rule: "cookie header left out of headers", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/", headers: [("Cookie", "cookie1=a"), ("Accept", "*/*")]),
      path: "headers", expected: ["accept": "*/*"]),
    AWSEventRule(
      rule: "several cookie headers combined", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("GET", "/", headers: [("Cookie", "a=1"), ("cookie", "b=2; c=3")]),
      path: "cookies", expected: ["a=1", "b=2", "c=3"]),
    AWSEventRule(
      rule: "cookies left out without cookie header", source: AWSDocs.httpAPI, request: get,
      path: "cookies", expected: .absent),
    AWSEventRule(
      rule: "path parameter from route", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("GET", "/pets/6"),
      context: AWSFixtures.context(routePattern: "/pets/{petID}"),
      path: "pathParameters", expected: ["petID": "6"]),
    AWSEventRule(
      rule: "path parameter decoded", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("GET", "/pets/Chester%20Mall"),
      context: AWSFixtures.context(routePattern: "/pets/{name}"),
      path: "pathParameters.name", expected: "Chester Mall"),
    AWSEventRule(
      rule: "greedy path parameter", source: AWSDocs.httpAPIRoutes,
      request: AWSFixtures.request("GET", "/parent/a/b/c.txt"),
      context: AWSFixtures.context(routePattern: "/parent/{proxy+}"),
      path: "pathParameters", expected: ["proxy": "a/b/c.txt"]),
    AWSEventRule(
      rule: "path parameters left out for $default", source: AWSDocs.httpAPI, request: get,
      path: "pathParameters", expected: .absent),
    AWSEventRule(
      rule: "stage variables left out", source: AWSDocs.httpAPI, request: get,
      path: "stageVariables", expected: .absent),
    AWSEventRule(
      rule: "text body as sent", source: AWSDocs.httpAPI,
      request: AWSFixtures.request(
        "POST", "/", headers: [("Content-Type", "text/plain")], body: Data("Hello from Lambda".utf8)),
      path: "body", expected: "Hello from Lambda"),
    AWSEventRule(
      rule: "JSON body not encoded", source: AWSDocs.httpAPI,
      request: AWSFixtures.request(
        "POST", "/", headers: [("Content-Type", "application/json")], body: Data(#"{"a":1}"#.utf8)),
      path: "isBase64Encoded", expected: false),
    AWSEventRule(
      rule: "binary body base64-encoded",
      source: AWSDocs.functionURL + " (body: binary content is base64-encoded)",
      request: AWSFixtures.request(
        "POST", "/", headers: [("Content-Type", "image/png")], body: Data([0x89, 0x50, 0x4E, 0x47])),
      path: "body", expected: "iVBORw=="),
    AWSEventRule(
      rule: "binary body flagged", source: AWSDocs.functionURL + " (isBase64Encoded)",
      request: AWSFixtures.request(
        "POST", "/", headers: [("Content-Type", "application/octet-stream")], body: Data("abc".utf8)),
      path: "isBase64Encoded", expected: true),
    AWSEventRule(
      rule: "invalid UTF-8 text base64-encoded", source: AWSDocs.functionURL + " (isBase64Encoded)",
      request: AWSFixtures.request(
        "POST", "/", headers: [("Content-Type", "text/plain")], body: Data([0xFF, 0xFE])),
      path: "body", expected: "//4="),
    AWSEventRule(
      rule: "body left out when empty", source: AWSDocs.httpAPI, request: get, path: "body", expected: .absent
    ),
    AWSEventRule(
      rule: "isBase64Encoded false without body", source: AWSDocs.httpAPI, request: get,
      path: "isBase64Encoded", expected: false),
    AWSEventRule(
      rule: "request context HTTP details", source: AWSDocs.httpAPI,
      request: AWSFixtures.request("POST", "/my/path?x=1", headers: [("User-Agent", "agent")]),
      path: "requestContext.http",
      expected: [
        "method": "POST", "path": "/my/path", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.7",
        "userAgent": "agent",
      ]),
    AWSEventRule(
      rule: "request time format", source: AWSDocs.httpAPI, request: get,
      path: "requestContext.time", expected: "04/Mar/2020:19:03:58 +0000"),
    AWSEventRule(
      rule: "request time in epoch milliseconds", source: AWSDocs.httpAPI, request: get,
      path: "requestContext.timeEpoch", expected: 1_583_348_638_390),
    AWSEventRule(
      rule: "stage $default by default", source: AWSDocs.httpAPI, request: get,
      path: "requestContext.stage", expected: "$default"),
    AWSEventRule(
      rule: "named stage", source: AWSDocs.httpAPI, request: get, context: AWSFixtures.context(stage: "dev"),
      path: "requestContext.stage", expected: "dev"),
  ]

  @Test("rule", arguments: rules)
  func rule(_ rule: AWSEventRule) {
    let event = AWSFixtures.event(rule.request, .httpAPI, rule.context)
    #expect(event[rule.path] == rule.expected, "\(rule.source)")
  }

  @Test("request context identifiers")
  func requestContextIdentifiers() {
    let context = AWSFixtures.event(Self.get, .httpAPI)["requestContext"]
    // Source: the HTTP API page's example event.
    #expect(context["accountId"] == "123456789012")
    #expect(context["apiId"] == "a1b2c3d4e5")
    #expect(context["domainName"] == "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com")
    #expect(context["domainPrefix"] == "a1b2c3d4e5")
    #expect(context["requestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    #expect(context["authentication"] == .absent)
  }

  @Test("user agent from header when unset")
  func userAgentFromHeader() {
    let request = AWSFixtures.request("GET", "/", headers: [("user-agent", "curl/8.5.0")])
    #expect(AWSFixtures.event(request, .httpAPI)["requestContext.http.userAgent"] == "curl/8.5.0")
  }

  @Test("event JSON is compact")
  func compactJSON() throws {
    let data = APIGatewayEvents.makeEvent(Self.get, source: .httpAPI, context: AWSFixtures.context())
    let text = try #require(String(data: data, encoding: .utf8))
    #expect(!text.contains("\n"))
    #expect(!text.contains("\": "))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(object["version"] as? String == "2.0")
  }
}
