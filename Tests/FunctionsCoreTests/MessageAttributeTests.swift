import Basics
import Foundation
import Testing

@testable import FunctionsCore

/// String message attributes in SNS and SQS events.
@Suite("Message attributes")
struct MessageAttributeTests {
  private func firstRecord(_ kind: SampleEvents.Kind, _ attributes: [String: String]) throws -> [String: Any]
  {
    var options = SampleEvents.Options()
    options.messageAttributes = attributes
    let data = SampleEvents.generate(
      kind, options: options, clock: FixedClock(Date(timeIntervalSince1970: 0)))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let records = try #require(object["Records"] as? [[String: Any]])
    return try #require(records.first)
  }

  /// Shape from the example event in "Using Lambda with Amazon SQS" (Lambda Developer Guide).
  @Test("SQS record carries attributes")
  func sqsRecord() throws {
    let record = try firstRecord(.sqs, ["color": "blue"])
    let attributes = try #require(record["messageAttributes"] as? [String: [String: Any]])
    let color = try #require(attributes["color"])
    #expect(color["stringValue"] as? String == "blue")
    #expect(color["dataType"] as? String == "String")
    #expect((color["stringListValues"] as? [Any])?.isEmpty == true)
    #expect((color["binaryListValues"] as? [Any])?.isEmpty == true)
    #expect(record["md5OfMessageAttributes"] as? String != nil)
  }

  @Test("SQS record without attributes")
  func sqsWithoutAttributes() throws {
    let record = try firstRecord(.sqs, [:])
    #expect((record["messageAttributes"] as? [String: Any])?.isEmpty == true)
    #expect(record["md5OfMessageAttributes"] == nil)
  }

  /// Expected digests computed with moto 5.2.1 (`moto.sqs.models.Message.attribute_md5`), an independent
  /// implementation of "Calculating the MD5 message digest for message attributes" (Amazon SQS
  /// Developer Guide).
  @Test(
    "SQS attribute digest matches moto",
    arguments: [
      (["size": "XL", "color": "blue"], "f6be7b54c04b0e6367d4db1323a66b62"),
      (["Attribute1": "AttributeValue1"], "479b97e37cf50bbb6be9b4aecd470f6c"),
    ])
  func sqsDigest(_ attributes: [String: String], _ expected: String) {
    #expect(MD5.hexDigest(of: SampleRecords.sqsAttributeDigestInput(attributes)) == expected)
  }

  /// Shape from the example event in "Using Lambda with Amazon SNS" (Lambda Developer Guide).
  @Test("SNS notification carries attributes")
  func snsNotification() throws {
    let record = try firstRecord(.sns, ["color": "blue"])
    let notification = try #require(record["Sns"] as? [String: Any])
    let attributes = try #require(notification["MessageAttributes"] as? [String: [String: String]])
    #expect(attributes["color"] == ["Type": "String", "Value": "blue"])
  }
}
