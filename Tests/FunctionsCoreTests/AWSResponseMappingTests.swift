import Foundation
import Testing

@testable import FunctionsCore

/// What a handler result should map to: a response, or a malformed-result failure.
enum AWSExpectedResponse: Sendable, Equatable {
  /// Status, headers as `name: value` lines in order, and the body as UTF-8 text.
  case response(Int, [String], String)
  case malformed

  init(_ result: Result<GatewayResponse, GatewayFailure>) {
    switch result {
    case .success(let response):
      self = .response(
        response.status, response.headers.map { "\($0.name): \($0.value)" },
        String(decoding: response.body, as: UTF8.self))
    case .failure(.malformedResult):
      self = .malformed
    case .failure:
      self = .response(0, ["unexpected failure"], "")
    }
  }
}

/// One rule of the result mapping table.
struct AWSResultRule: Sendable, CustomTestStringConvertible {
  let rule: String
  let source: String
  let eventSource: AWSHTTPEventSource
  let result: String
  let expected: AWSExpectedResponse

  var testDescription: String { "\(eventSource.rawValue): \(rule)" }
}

@Suite("Result to response mapping")
struct AWSResponseMappingTests {
  static let json = "content-type: application/json"

  static let httpAPIRules: [AWSResultRule] = [
    AWSResultRule(
      rule: "bare string inferred", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #""Hello from Lambda!""#, expected: .response(200, [json], #""Hello from Lambda!""#)),
    AWSResultRule(
      rule: "object without statusCode inferred", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{ "message": "Hello from Lambda!" }"#,
      expected: .response(200, [json], #"{ "message": "Hello from Lambda!" }"#)),
    AWSResultRule(
      rule: "body field without statusCode is data", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"body":"x","headers":{"a":"b"}}"#,
      expected: .response(200, [json], #"{"body":"x","headers":{"a":"b"}}"#)),
    AWSResultRule(
      rule: "number inferred", source: AWSDocs.httpAPI, eventSource: .httpAPI, result: "42",
      expected: .response(200, [json], "42")),
    AWSResultRule(
      rule: "null inferred", source: AWSDocs.httpAPI + " (valid JSON without statusCode)",
      eventSource: .httpAPI,
      result: "null", expected: .response(200, [json], "null")),
    AWSResultRule(
      rule: "custom status, headers and body", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":201,"headers":{"X-B":"2","Content-Type":"text/plain"},"body":"created"}"#,
      expected: .response(201, ["Content-Type: text/plain", "X-B: 2"], "created")),
    AWSResultRule(
      rule: "each cookie becomes set-cookie", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":""}"#,
      expected: .response(200, ["set-cookie: a=1; Path=/", "set-cookie: b=2"], "")),
    AWSResultRule(
      rule: "base64 body decoded", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}"#, expected: .response(200, [], "hi")),
    AWSResultRule(
      rule: "missing body is empty", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":204}"#, expected: .response(204, [], "")),
    AWSResultRule(
      rule: "null body is empty", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":404,"body":null,"headers":null}"#, expected: .response(404, [], "")),
    AWSResultRule(
      rule: "multiValueHeaders ignored in 2.0", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"multiValueHeaders":{"X-A":["1"]}}"#, expected: .response(200, [], "")),
    AWSResultRule(
      rule: "numeric header value written as text", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"headers":{"X-Count":3,"X-Flag":true}}"#,
      expected: .response(200, ["X-Count: 3", "X-Flag: true"], "")),
    AWSResultRule(
      rule: "invalid JSON is malformed", source: AWSDocs.httpAPITroubleshooting, eventSource: .httpAPI,
      result: "not json", expected: .malformed),
    AWSResultRule(
      rule: "empty result is malformed", source: AWSDocs.httpAPITroubleshooting, eventSource: .httpAPI,
      result: "", expected: .malformed),
    AWSResultRule(
      rule: "string statusCode is malformed", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":"200"}"#, expected: .malformed),
    AWSResultRule(
      rule: "boolean statusCode is malformed", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":true}"#, expected: .malformed),
    AWSResultRule(
      rule: "out-of-range statusCode is malformed", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":42}"#, expected: .malformed),
    AWSResultRule(
      rule: "object body is malformed", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"body":{"a":1}}"#, expected: .malformed),
    AWSResultRule(
      rule: "cookies must be strings", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"cookies":[1]}"#, expected: .malformed),
    AWSResultRule(
      rule: "invalid base64 body is malformed", source: AWSDocs.httpAPI, eventSource: .httpAPI,
      result: #"{"statusCode":200,"isBase64Encoded":true,"body":"@@@"}"#, expected: .malformed),
  ]

  static let functionURLRules: [AWSResultRule] = [
    AWSResultRule(
      rule: "string keeps its quotes", source: AWSDocs.functionURL + " (client sees content-length 15)",
      eventSource: .functionURL, result: #""Hello, world!""#,
      expected: .response(200, [json], #""Hello, world!""#)),
    AWSResultRule(
      rule: "JSON object passed through", source: AWSDocs.functionURL, eventSource: .functionURL,
      result: "{\n  \"message\": \"Hello, world!\"\n}",
      expected: .response(200, [json], "{\n  \"message\": \"Hello, world!\"\n}")),
    AWSResultRule(
      rule: "custom response", source: AWSDocs.functionURL, eventSource: .functionURL,
      result:
        #"{"statusCode":201,"headers":{"Content-Type":"application/json","My-Custom-Header":"Custom Value"},"body":"{ \"message\": \"Hello, world!\" }","isBase64Encoded":false}"#,
      expected: .response(
        201, ["Content-Type: application/json", "My-Custom-Header: Custom Value"],
        #"{ "message": "Hello, world!" }"#)),
    AWSResultRule(
      rule: "cookies become set-cookie headers", source: AWSDocs.functionURL, eventSource: .functionURL,
      result:
        #"{"statusCode":201,"cookies":["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT","Cookie_2=Value2; Max-Age=78000"]}"#,
      expected: .response(
        201,
        [
          "set-cookie: Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT",
          "set-cookie: Cookie_2=Value2; Max-Age=78000",
        ],
        "")),
    AWSResultRule(
      rule: "invalid JSON is malformed", source: AWSDocs.functionURL, eventSource: .functionURL,
      result: "{", expected: .malformed),
  ]

  static let restAPIRules: [AWSResultRule] = [
    AWSResultRule(
      rule: "status, headers and body", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"headers":{"Content-Type":"*/*"},"body":"Hello, jane!"}"#,
      expected: .response(200, ["Content-Type: */*"], "Hello, jane!")),
    AWSResultRule(
      rule: "headers may be left out", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":400,"body":"Missing parameters"}"#,
      expected: .response(400, [], "Missing parameters")),
    AWSResultRule(
      rule: "multi-value headers each sent", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":""}"#,
      expected: .response(200, ["Set-Cookie: a=1", "Set-Cookie: b=2"], "")),
    AWSResultRule(
      rule: "multi-value headers win over headers", source: AWSDocs.restOutput, eventSource: .restAPI,
      result:
        #"{"statusCode":200,"headers":{"X-A":"single","X-B":"b"},"multiValueHeaders":{"X-A":["m1","m2"]}}"#,
      expected: .response(200, ["X-A: m1", "X-A: m2", "X-B: b"], "")),
    AWSResultRule(
      rule: "base64 body decoded", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"isBase64Encoded":true,"body":"iVBORw=="}"#,
      expected: .response(200, [], String(decoding: Data([0x89, 0x50, 0x4E, 0x47]), as: UTF8.self))),
    AWSResultRule(
      rule: "isBase64Encoded false keeps text", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"isBase64Encoded":false,"body":"aGk="}"#,
      expected: .response(200, [], "aGk=")),
    AWSResultRule(
      rule: "missing body is empty", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":204}"#, expected: .response(204, [], "")),
    AWSResultRule(
      rule: "missing statusCode is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"body":"hello"}"#, expected: .malformed),
    AWSResultRule(
      rule: "bare string is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #""Hello""#, expected: .malformed),
    AWSResultRule(
      rule: "null is malformed", source: AWSDocs.restOutput, eventSource: .restAPI, result: "null",
      expected: .malformed),
    AWSResultRule(
      rule: "object body is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"body":{"a":1}}"#, expected: .malformed),
    AWSResultRule(
      rule: "header array is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"headers":{"X-A":["1"]}}"#, expected: .malformed),
    AWSResultRule(
      rule: "multi-value header string is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"multiValueHeaders":{"X-A":"1"}}"#, expected: .malformed),
    AWSResultRule(
      rule: "string isBase64Encoded is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: #"{"statusCode":200,"isBase64Encoded":"true","body":""}"#, expected: .malformed),
    AWSResultRule(
      rule: "invalid JSON is malformed", source: AWSDocs.restOutput, eventSource: .restAPI,
      result: "{\"statusCode\":", expected: .malformed),
  ]

  @Test("rule", arguments: httpAPIRules + functionURLRules + restAPIRules)
  func rule(_ rule: AWSResultRule) {
    let result = APIGatewayEvents.makeResponse(fromResult: Data(rule.result.utf8), source: rule.eventSource)
    #expect(AWSExpectedResponse(result) == rule.expected, "\(rule.source)")
  }

  @Test("inferred body keeps the exact bytes")
  func inferredBodyBytes() throws {
    let result = Data("  [1, 2]\n".utf8)
    let response = try APIGatewayEvents.makeResponse(fromResult: result, source: .httpAPI).get()
    #expect(response.body == result)
  }

  @Test("malformed result names the field")
  func malformedReason() {
    let result = APIGatewayEvents.makeResponse(fromResult: Data(#"{"body":"x"}"#.utf8), source: .restAPI)
    guard case .failure(let failure) = result else {
      Issue.record("expected a failure, got \(result)")
      return
    }
    #expect(failure == .malformedResult("statusCode is missing"))
  }

  @Test("binary body round trip")
  func binaryBody() throws {
    let bytes = Data((0...255).map(UInt8.init))
    let result = #"{"statusCode":200,"isBase64Encoded":true,"body":"\#(bytes.base64EncodedString())"}"#
    for source in AWSHTTPEventSource.allCases {
      let response = try APIGatewayEvents.makeResponse(fromResult: Data(result.utf8), source: source).get()
      #expect(response.body == bytes, "\(source)")
    }
  }
}
