import Basics
import Foundation
import Testing

@testable import FunctionsCore

/// One rule of the sample event table: the value expected at `path` in a generated event.
struct AWSSampleRule: Sendable, CustomTestStringConvertible {
  let rule: String
  let source: String
  let kind: SampleEvents.Kind
  var options = SampleEvents.Options()
  let path: String
  let expected: AWSJSON

  var testDescription: String { "\(kind.rawValue): \(rule)" }
}

@Suite("Sample events")
struct AWSSampleEventTests {
  /// 2019-03-01T01:23:45Z, the time of the Lambda Developer Guide's scheduled event example.
  static let clock = FixedClock(Date(timeIntervalSince1970: 1_551_403_425))

  static func options(_ change: (inout SampleEvents.Options) -> Void) -> SampleEvents.Options {
    var options = SampleEvents.Options()
    change(&options)
    return options
  }

  static let rules: [AWSSampleRule] = [
    // SQS
    AWSSampleRule(
      rule: "event source", source: AWSDocs.sqs, kind: .sqs, path: "Records.0.eventSource",
      expected: "aws:sqs"),
    AWSSampleRule(
      rule: "message body option", source: AWSDocs.sqs, kind: .sqs, options: options { $0.body = "test" },
      path: "Records.0.body", expected: "test"),
    AWSSampleRule(
      rule: "body falls back to message", source: AWSDocs.sqs, kind: .sqs,
      options: options { $0.message = "hi" },
      path: "Records.0.body", expected: "hi"),
    AWSSampleRule(
      rule: "MD5 of body", source: AWSDocs.sqs, kind: .sqs, options: options { $0.body = "test" },
      path: "Records.0.md5OfBody", expected: "098f6bcd4621d373cade4e832627b4f6"),
    AWSSampleRule(
      rule: "queue ARN", source: AWSDocs.sqs, kind: .sqs,
      options: options {
        $0.queue = "my-queue"
        $0.region = "us-east-2"
      },
      path: "Records.0.eventSourceARN", expected: "arn:aws:sqs:us-east-2:123456789012:my-queue"),
    AWSSampleRule(
      rule: "region", source: AWSDocs.sqs, kind: .sqs, options: options { $0.region = "us-east-2" },
      path: "Records.0.awsRegion", expected: "us-east-2"),
    AWSSampleRule(
      rule: "sent timestamp in milliseconds", source: AWSDocs.sqs, kind: .sqs,
      path: "Records.0.attributes.SentTimestamp", expected: "1551403425000"),
    AWSSampleRule(
      rule: "receive count", source: AWSDocs.sqs, kind: .sqs,
      path: "Records.0.attributes.ApproximateReceiveCount",
      expected: "1"),
    AWSSampleRule(
      rule: "message attributes empty", source: AWSDocs.sqs, kind: .sqs, path: "Records.0.messageAttributes",
      expected: [:]),
    // SNS
    AWSSampleRule(
      rule: "event source", source: AWSDocs.sns, kind: .sns, path: "Records.0.EventSource",
      expected: "aws:sns"),
    AWSSampleRule(
      rule: "event version", source: AWSDocs.sns, kind: .sns, path: "Records.0.EventVersion", expected: "1.0"),
    AWSSampleRule(
      rule: "message option", source: AWSDocs.sns, kind: .sns,
      options: options { $0.message = "Hello from SNS!" },
      path: "Records.0.Sns.Message", expected: "Hello from SNS!"),
    AWSSampleRule(
      rule: "subject option", source: AWSDocs.sns, kind: .sns, options: options { $0.subject = "TestInvoke" },
      path: "Records.0.Sns.Subject", expected: "TestInvoke"),
    AWSSampleRule(
      rule: "topic ARN", source: AWSDocs.sns, kind: .sns,
      options: options {
        $0.topic = "sns-lambda"
        $0.region = "us-east-2"
      },
      path: "Records.0.Sns.TopicArn", expected: "arn:aws:sns:us-east-2:123456789012:sns-lambda"),
    AWSSampleRule(
      rule: "notification type", source: AWSDocs.sns, kind: .sns, path: "Records.0.Sns.Type",
      expected: "Notification"),
    AWSSampleRule(
      rule: "timestamp with milliseconds", source: AWSDocs.sns, kind: .sns, path: "Records.0.Sns.Timestamp",
      expected: "2019-03-01T01:23:45.000Z"),
    // S3
    AWSSampleRule(
      rule: "event source", source: AWSDocs.s3, kind: .s3, path: "Records.0.eventSource", expected: "aws:s3"),
    AWSSampleRule(
      rule: "event name", source: AWSDocs.s3, kind: .s3, path: "Records.0.eventName",
      expected: "ObjectCreated:Put"),
    AWSSampleRule(
      rule: "event version", source: AWSDocs.s3, kind: .s3, path: "Records.0.eventVersion", expected: "2.1"),
    AWSSampleRule(
      rule: "schema version", source: AWSDocs.s3, kind: .s3, path: "Records.0.s3.s3SchemaVersion",
      expected: "1.0"),
    AWSSampleRule(
      rule: "key option", source: AWSDocs.s3, kind: .s3, options: options { $0.key = "HappyFace.jpg" },
      path: "Records.0.s3.object.key", expected: "HappyFace.jpg"),
    AWSSampleRule(
      rule: "key URL-encoded", source: AWSDocs.s3 + " (red flower.jpg becomes red+flower.jpg)", kind: .s3,
      options: options { $0.key = "photos/red flower.jpg" }, path: "Records.0.s3.object.key",
      expected: "photos/red+flower.jpg"),
    AWSSampleRule(
      rule: "reserved key characters escaped", source: AWSDocs.s3, kind: .s3,
      options: options { $0.key = "logs/dt=2019-03-01/a+b.txt" }, path: "Records.0.s3.object.key",
      expected: "logs/dt%3D2019-03-01/a%2Bb.txt"),
    AWSSampleRule(
      rule: "empty object eTag", source: AWSDocs.s3, kind: .s3, path: "Records.0.s3.object.eTag",
      expected: "d41d8cd98f00b204e9800998ecf8427e"),
    AWSSampleRule(
      rule: "object size from content", source: AWSDocs.s3, kind: .s3, options: options { $0.body = "test" },
      path: "Records.0.s3.object.size", expected: 4),
    AWSSampleRule(
      rule: "eTag from content", source: AWSDocs.s3, kind: .s3, options: options { $0.body = "test" },
      path: "Records.0.s3.object.eTag", expected: "098f6bcd4621d373cade4e832627b4f6"),
    AWSSampleRule(
      rule: "event time", source: AWSDocs.s3, kind: .s3, path: "Records.0.eventTime",
      expected: "2019-03-01T01:23:45.000Z"),
    // EventBridge
    AWSSampleRule(
      rule: "version 0", source: AWSDocs.eventBridge, kind: .eventbridge, path: "version", expected: "0"),
    AWSSampleRule(
      rule: "source option", source: AWSDocs.eventBridge, kind: .eventbridge,
      options: options { $0.eventSource = "aws.rds" }, path: "source", expected: "aws.rds"),
    AWSSampleRule(
      rule: "detail-type option", source: AWSDocs.eventBridge, kind: .eventbridge,
      options: options { $0.detailType = "RDS DB Instance Event" }, path: "detail-type",
      expected: "RDS DB Instance Event"),
    AWSSampleRule(
      rule: "detail JSON option", source: AWSDocs.eventBridge, kind: .eventbridge,
      options: options { $0.detail = #"{"SourceType":"DB_INSTANCE","EventCategories":["backup"]}"# },
      path: "detail", expected: ["SourceType": "DB_INSTANCE", "EventCategories": ["backup"]]),
    AWSSampleRule(
      rule: "detail text wrapped", source: AWSDocs.eventBridge + " (detail is an object)", kind: .eventbridge,
      options: options { $0.detail = "not json" }, path: "detail", expected: ["message": "not json"]),
    AWSSampleRule(
      rule: "time in whole seconds", source: AWSDocs.eventBridge, kind: .eventbridge, path: "time",
      expected: "2019-03-01T01:23:45Z"),
    AWSSampleRule(
      rule: "account", source: AWSDocs.eventBridge, kind: .eventbridge, path: "account",
      expected: "123456789012"),
    // Scheduled event
    AWSSampleRule(
      rule: "source", source: AWSDocs.eventBridge, kind: .schedule, path: "source", expected: "aws.events"),
    AWSSampleRule(
      rule: "detail type", source: AWSDocs.eventBridge, kind: .schedule, path: "detail-type",
      expected: "Scheduled Event"),
    AWSSampleRule(
      rule: "empty detail", source: AWSDocs.eventBridge, kind: .schedule, path: "detail", expected: [:]),
    AWSSampleRule(
      rule: "rule ARN resource", source: AWSDocs.eventBridge, kind: .schedule,
      options: options {
        $0.ruleName = "my-schedule"
        $0.region = "us-east-2"
      },
      path: "resources", expected: ["arn:aws:events:us-east-2:123456789012:rule/my-schedule"]),
    AWSSampleRule(
      rule: "time", source: AWSDocs.eventBridge, kind: .schedule, path: "time",
      expected: "2019-03-01T01:23:45Z"),
    // HTTP kinds reuse the gateway translation.
    AWSSampleRule(
      rule: "path and query options", source: AWSDocs.httpAPI, kind: .httpAPI,
      options: options {
        $0.path = "/orders/42"
        $0.query = "expand=items&expand=customer"
      },
      path: "queryStringParameters.expand", expected: "items,customer"),
    AWSSampleRule(
      rule: "method option", source: AWSDocs.httpAPI, kind: .httpAPI,
      options: options { $0.method = "DELETE" },
      path: "requestContext.http.method", expected: "DELETE"),
    AWSSampleRule(
      rule: "body gets a JSON content type", source: AWSDocs.httpAPI, kind: .httpAPI,
      options: options { $0.body = #"{"a":1}"# }, path: "headers.content-type", expected: "application/json"),
    AWSSampleRule(
      rule: "route pattern option", source: AWSDocs.restInput, kind: .restAPI,
      options: options {
        $0.path = "/users/7"
        $0.routePattern = "/users/{id}"
      },
      path: "pathParameters", expected: ["id": "7"]),
    AWSSampleRule(
      rule: "REST headers option", source: AWSDocs.restInput, kind: .restAPI,
      options: options { $0.headers = [("X-Trace", "a"), ("X-Trace", "b")] },
      path: "multiValueHeaders.X-Trace", expected: ["a", "b"]),
  ]

  @Test("rule", arguments: rules)
  func rule(_ rule: AWSSampleRule) {
    let event = AWSJSON(data: SampleEvents.generate(rule.kind, options: rule.options, clock: Self.clock))
    #expect(event[rule.path] == rule.expected, "\(rule.source)")
  }

  @Test("bucket name and ARN")
  func bucket() {
    var options = SampleEvents.Options()
    options.bucket = "mybucket"
    let event = AWSJSON(data: SampleEvents.generate(.s3, options: options, clock: Self.clock))
    // Source: the S3 event message structure's ObjectCreated:Put example.
    #expect(event["Records.0.s3.bucket.name"] == "mybucket")
    #expect(event["Records.0.s3.bucket.arn"] == "arn:aws:s3:::mybucket")
  }

  @Test("function URL host name")
  func functionURLHost() throws {
    var options = SampleEvents.Options()
    options.region = "us-west-2"
    let event = AWSJSON(data: SampleEvents.generate(.functionURL, options: options, clock: Self.clock))
    // Source: Invoking Lambda function URLs, `<url-id>.lambda-url.<region>.on.aws`.
    guard case .string(let domain) = event["requestContext.domainName"],
      case .string(let urlID) = event["requestContext.apiId"]
    else {
      Issue.record("domainName or apiId missing")
      return
    }
    #expect(domain == "\(urlID).lambda-url.us-west-2.on.aws")
    #expect(urlID.count == 32)
    #expect(event["requestContext.domainPrefix"] == .string(urlID))
  }

  @Test("same inputs give the same document", arguments: SampleEvents.Kind.allCases)
  func deterministic(kind: SampleEvents.Kind) {
    let first = SampleEvents.generate(kind, options: SampleEvents.Options(), clock: Self.clock)
    let second = SampleEvents.generate(kind, options: SampleEvents.Options(), clock: Self.clock)
    #expect(first == second)
  }

  @Test("a later time changes the IDs")
  func laterTime() {
    let later = FixedClock(Self.clock.date.addingTimeInterval(60))
    let first = AWSJSON(data: SampleEvents.generate(.sqs, options: SampleEvents.Options(), clock: Self.clock))
    let second = AWSJSON(data: SampleEvents.generate(.sqs, options: SampleEvents.Options(), clock: later))
    #expect(first["Records.0.messageId"] != second["Records.0.messageId"])
  }

  @Test("pretty JSON with sorted keys", arguments: SampleEvents.Kind.allCases)
  func prettySorted(kind: SampleEvents.Kind) throws {
    let data = SampleEvents.generate(kind, options: SampleEvents.Options(), clock: Self.clock)
    let text = try #require(String(data: data, encoding: .utf8))
    #expect(text.hasSuffix("}\n"))
    #expect(text.contains("\n  \""))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let sorted = try JSONSerialization.data(
      withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    #expect(String(decoding: sorted, as: UTF8.self) + "\n" == text)
  }

  @Test("subject null without subject")
  func subjectNull() {
    let event = AWSJSON(data: SampleEvents.generate(.sns, options: SampleEvents.Options(), clock: Self.clock))
    #expect(event["Records.0.Sns.Subject"] == nil)
  }

  @Test("every kind generates an object", arguments: SampleEvents.Kind.allCases)
  func everyKind(kind: SampleEvents.Kind) {
    let event = AWSJSON(data: SampleEvents.generate(kind, options: SampleEvents.Options(), clock: Self.clock))
    guard case .object(let map) = event else {
      Issue.record("not a JSON object")
      return
    }
    #expect(!map.isEmpty)
  }

  @Test("message IDs are UUIDs")
  func messageIDs() {
    let event = AWSJSON(data: SampleEvents.generate(.sqs, options: SampleEvents.Options(), clock: Self.clock))
    guard case .string(let id) = event["Records.0.messageId"] else {
      Issue.record("messageId missing")
      return
    }
    #expect(UUID(uuidString: id) != nil)
  }
}
