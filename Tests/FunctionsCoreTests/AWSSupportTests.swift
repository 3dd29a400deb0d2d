import Foundation
import Testing

@testable import FunctionsCore

/// The documentation pages the AWS tables cite, each named by its guide and title.
enum AWSDocs {
  static let httpAPI =
    "API Gateway Developer Guide: Working with AWS Lambda proxy integrations for HTTP APIs"
  static let httpAPIRoutes = "API Gateway Developer Guide: Create routes for HTTP APIs in API Gateway"
  static let httpAPITroubleshooting =
    "API Gateway Developer Guide: Troubleshooting issues with HTTP API Lambda integrations"
  static let apiGatewayQuotas = "API Gateway Developer Guide: Amazon API Gateway quotas and important notes"
  static let restProxy = "API Gateway Developer Guide: Set up Lambda proxy integrations in API Gateway"
  static let restInput = restProxy + ", Input format of a Lambda function for proxy integration"
  static let restOutput = restProxy + ", Output format of a Lambda function for proxy integration"
  static let restBinary = "API Gateway Developer Guide: Support binary payloads in API Gateway"
  static let gatewayResponseTypes = "API Gateway Developer Guide: Gateway response types"
  static let functionURL = "Lambda Developer Guide: Invoking Lambda function URLs"
  static let functionURLThrottling =
    "Lambda Developer Guide: Creating and managing Lambda function URLs, Throttling function URLs"
  static let lambdaAPIGatewayErrors = "Lambda Developer Guide: Handling Lambda errors with an API Gateway API"
  static let lambdaQuotas = "Lambda Developer Guide: Lambda quotas"
  static let sqs = "Lambda Developer Guide: Using Lambda with Amazon SQS"
  static let sns = "Lambda Developer Guide: Using Lambda with Amazon SNS"
  static let s3 =
    "Amazon S3 User Guide: Event message structure (linked from Lambda Developer Guide: Using Lambda with Amazon S3)"
  static let eventBridge = "Lambda Developer Guide: Using Lambda with Amazon EventBridge (CloudWatch Events)"
}

/// A JSON value read back from `JSONSerialization`, with `absent` for a key that is not there.
indirect enum AWSJSON: Equatable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
  case absent
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([AWSJSON])
  case object([String: AWSJSON])

  init(any value: Any) {
    switch value {
    case is NSNull: self = .null
    case let text as String: self = .string(text)
    case let list as [Any]: self = .array(list.map(AWSJSON.init(any:)))
    case let map as [String: Any]: self = .object(map.mapValues(AWSJSON.init(any:)))
    case let number as NSNumber:
      self = String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
    default: self = .string("\(value)")
    }
  }

  /// Parses JSON text; invalid text gives `.absent`.
  init(data: Data) {
    guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
      self = .absent
      return
    }
    self.init(any: value)
  }

  init(stringLiteral value: String) { self = .string(value) }
  init(integerLiteral value: Int) { self = .number(Double(value)) }
  init(booleanLiteral value: Bool) { self = .bool(value) }
  init(arrayLiteral elements: AWSJSON...) { self = .array(elements) }
  init(dictionaryLiteral elements: (String, AWSJSON)...) {
    self = .object(Dictionary(elements) { _, last in last })
  }
  init(nilLiteral: ()) { self = .null }

  /// The value at a dotted path such as `requestContext.http.method` or `Records.0.body`.
  subscript(path: String) -> AWSJSON {
    var current = self
    for component in path.split(separator: ".") {
      switch current {
      case .object(let map): current = map[String(component)] ?? .absent
      case .array(let list):
        guard let index = Int(component), list.indices.contains(index) else { return .absent }
        current = list[index]
      default: return .absent
      }
    }
    return current
  }

  var description: String {
    switch self {
    case .absent: "(absent)"
    case .null: "null"
    case .bool(let flag): "\(flag)"
    case .number(let number): number == number.rounded() ? "\(Int64(number))" : "\(number)"
    case .string(let text): "\"\(text)\""
    case .array(let list): "[" + list.map(\.description).joined(separator: ", ") + "]"
    case .object(let map):
      "{" + map.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
  }
}

/// Request and context builders shared by the AWS event tables.
enum AWSFixtures {
  /// 2020-03-04T19:03:58.390Z, the `timeEpoch` of the HTTP API page's example event.
  static let time = Date(timeIntervalSince1970: 1_583_348_638.390)

  /// Makes a request for `target` (a path and an optional query), as the gateway would pass it on.
  static func request(
    _ method: String = "GET", _ target: String, headers: [(String, String)] = [], body: Data = Data(),
    userAgent: String? = nil
  ) -> GatewayRequest {
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    return GatewayRequest(
      method: method, rawPath: String(parts[0]), rawQuery: parts.count > 1 ? String(parts[1]) : nil,
      headers: headers.map { (name: $0.0, value: $0.1) }, body: body, sourceIP: "192.0.2.7",
      userAgent: userAgent, time: time, requestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
  }

  static func context(
    routePattern: String? = nil, stage: String? = nil, binaryMediaTypes: [String] = []
  ) -> GatewayContext {
    GatewayContext(
      apiID: "a1b2c3d4e5", stage: stage, region: "us-east-1", functionName: "orders",
      domainName: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", routePattern: routePattern,
      binaryMediaTypes: binaryMediaTypes)
  }

  /// Makes the event `source` sends for `request` and parses it back.
  static func event(
    _ request: GatewayRequest, _ source: AWSHTTPEventSource, _ context: GatewayContext = context()
  ) -> AWSJSON {
    AWSJSON(data: APIGatewayEvents.makeEvent(request, source: source, context: context))
  }
}

/// One rule of an event table: the value expected at `path` in the event made from `request`.
struct AWSEventRule: Sendable, CustomTestStringConvertible {
  let rule: String
  let source: String
  let request: GatewayRequest
  var context: GatewayContext = AWSFixtures.context()
  let path: String
  let expected: AWSJSON

  var testDescription: String { rule }
}

@Suite("MD5")
struct AWSMD5Tests {
  @Test(
    "digest of known inputs",
    arguments: [
      ("", "d41d8cd98f00b204e9800998ecf8427e", AWSDocs.s3 + " (eTag of the empty example object)"),
      ("test", "098f6bcd4621d373cade4e832627b4f6", AWSDocs.sqs + " (md5OfBody of body \"test\")"),
      ("abc", "900150983cd24fb0d6963f7d28e17f72", "RFC 1321, appendix A.5"),
      ("message digest", "f96b697d7cb7938d525a2f31aaf161d0", "RFC 1321, appendix A.5"),
      (
        String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a",
        "RFC 1321, appendix A.5 (two blocks)"
      ),
    ]
  )
  func digest(input: String, expected: String, source: String) {
    #expect(MD5.hexDigest(of: input) == expected, "\(source)")
  }
}

@Suite("Request parts")
struct AWSRequestPartsTests {
  @Test(
    "query parsing",
    arguments: [
      ("a=1&b=2", [QueryParameter(name: "a", value: "1"), QueryParameter(name: "b", value: "2")]),
      ("q=a+b", [QueryParameter(name: "q", value: "a b")]),
      ("q=a%2Bb", [QueryParameter(name: "q", value: "a+b")]),
      ("flag", [QueryParameter(name: "flag", value: "")]),
      ("a=1&&b=", [QueryParameter(name: "a", value: "1"), QueryParameter(name: "b", value: "")]),
      ("x=1=2", [QueryParameter(name: "x", value: "1=2")]),
      ("bad=%zz", [QueryParameter(name: "bad", value: "%zz")]),
      ("", []),
    ]
  )
  func queryParsing(raw: String, expected: [QueryParameter]) {
    #expect(RequestParts.queryParameters(raw) == expected)
  }

  @Test("no query gives no parameters")
  func noQuery() {
    #expect(RequestParts.queryParameters(nil).isEmpty)
  }

  @Test(
    "route matching",
    arguments: [
      ("/users/{id}", "/users/42", ["id=42"]),
      ("/users/{id}", "/users/42/", ["id=42"]),
      ("/users/{id}", "/users/a%20b", ["id=a b"]),
      ("/users/{id}", "/users/a+b", ["id=a+b"]),
      ("/users/{id}/orders/{order}", "/users/7/orders/9", ["id=7", "order=9"]),
      ("/{proxy+}", "/a/b/c", ["proxy=a/b/c"]),
      ("/files/{path+}", "/files/x/y.txt", ["path=x/y.txt"]),
      ("ANY /{proxy+}", "/a", ["proxy=a"]),
      ("/health", "/health", []),
    ]
  )
  func routeMatches(template: String, path: String, expected: [String]) {
    let parameters = RoutePattern(template).match(path)
    #expect(parameters?.map { "\($0.name)=\($0.value)" } == expected)
  }

  @Test(
    "route mismatches",
    arguments: [
      ("/users/{id}", "/users"),
      ("/users/{id}", "/users/1/2"),
      ("/users/{id}", "/accounts/1"),
      ("/{proxy+}", "/"),
      ("/files/{path+}", "/files"),
    ]
  )
  func routeMismatches(template: String, path: String) {
    #expect(RoutePattern(template).match(path) == nil)
  }

  @Test(
    "text media types",
    arguments: [
      ("text/plain", true), ("text/html; charset=utf-8", true), ("application/json", true),
      ("Application/JSON; charset=UTF-8", true), ("application/problem+json", true),
      ("application/xml", true), ("image/svg+xml", true), ("application/javascript", true),
      ("application/octet-stream", false), ("image/png", false),
      ("application/x-www-form-urlencoded", false), ("multipart/form-data; boundary=x", false),
    ]
  )
  func textMediaTypes(contentType: String, isText: Bool) {
    #expect(MediaType.isText(contentType) == isText)
  }

  @Test(
    "binary media type patterns",
    arguments: [
      ("image/png", ["image/png"], true), ("image/png", ["image/*"], true), ("image/png", ["*/*"], true),
      ("IMAGE/PNG; q=1", ["image/png"], true), ("image/png", ["image/jpeg"], false),
      ("application/json", ["image/*"], false), ("image/png", [], false),
    ]
  )
  func binaryPatterns(contentType: String, patterns: [String], matches: Bool) {
    #expect(MediaType.matches(contentType, anyOf: patterns) == matches)
  }

  @Test("gateway time format")
  func gatewayTime() {
    #expect(RequestParts.gatewayTime(AWSFixtures.time) == "04/Mar/2020:19:03:58 +0000")
    #expect(RequestParts.epochMilliseconds(AWSFixtures.time) == 1_583_348_638_390)
  }

  @Test("stable identifiers")
  func stableIdentifiers() {
    let uuid = StableIdentifiers.uuid("seed")
    #expect(uuid == StableIdentifiers.uuid("seed"))
    #expect(uuid != StableIdentifiers.uuid("other seed"))
    #expect(uuid.count == 36)
    #expect(Array(uuid)[14] == "4")
    #expect("89ab".contains(Array(uuid)[19]))
    #expect(StableIdentifiers.hex("seed", count: 10).count == 10)
    #expect(StableIdentifiers.base64("seed", byteCount: 11).count == 16)
  }
}
