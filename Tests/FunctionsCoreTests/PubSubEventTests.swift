import Basics
import Foundation
import Testing

@testable import FunctionsCore

/// Makes a Pub/Sub event published at a fixed time, 2023-11-14T22:13:20.250Z.
private func makeEvent(data: String = "Ada", attributes: [String: String] = [:]) -> PubSubEvent {
  let clock = FixedClock(Date(timeIntervalSince1970: 1_700_000_000.25))
  return PubSubEvent(
    project: "demo-project", topic: "orders", region: "us-central1", functionName: "hello",
    data: Data(data.utf8), attributes: attributes, messageID: "4242424242", publishTime: clock.now())
}

/// Returns the `message` object of the event's body.
private func message(of event: PubSubEvent) throws -> [String: Any] {
  let body = try JSONSerialization.jsonObject(with: event.body()) as? [String: Any]
  return try #require(body?["message"] as? [String: Any])
}

@Suite("PubSubEvent")
struct PubSubEventTests {
  /// CloudEvents HTTP Protocol Binding 1.0, section 3.1 (binary content mode): each context attribute
  /// is a header named after it with the `ce-` prefix, and `Content-Type` carries `datacontenttype`.
  @Test("binary-mode CloudEvent headers")
  func headers() {
    let headers = makeEvent().headers
    let byName = Dictionary(
      headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })

    #expect(headers.count == byName.count, "a header name appears twice")
    #expect(byName["content-type"] == "application/json")
    #expect(byName["ce-id"] == "4242424242")
    #expect(byName["ce-source"] == "//pubsub.googleapis.com/projects/demo-project/topics/orders")
    #expect(byName["ce-specversion"] == "1.0")
    #expect(byName["ce-type"] == "google.cloud.pubsub.topic.v1.messagePublished")
    #expect(byName["ce-time"] == "2023-11-14T22:13:20.250Z")
  }

  /// CloudEvents HTTP Protocol Binding 1.0, section 3.1.1: in binary mode a `ce-datacontenttype` header
  /// must not be present, because `Content-Type` carries that attribute.
  @Test("no ce-datacontenttype header")
  func noDataContentTypeHeader() {
    let names = makeEvent().headers.map { $0.0.lowercased() }
    #expect(!names.contains("ce-datacontenttype"))
  }

  /// google-cloudevents, `google.events.cloud.pubsub.v1.MessagePublishedData`: `message` is a Pub/Sub
  /// message whose `data` is base64, and `subscription` is a full subscription name.
  @Test("body data is base64")
  func bodyDataIsBase64() throws {
    let message = try message(of: makeEvent(data: "Hello, Ada!"))
    let encoded = try #require(message["data"] as? String)

    #expect(encoded == "SGVsbG8sIEFkYSE=")
    #expect(Data(base64Encoded: encoded) == Data("Hello, Ada!".utf8))
  }

  /// Pub/Sub push delivery sends both spellings of the ID and time fields: `messageId` and
  /// `message_id`, `publishTime` and `publish_time`, the time in RFC 3339 UTC.
  @Test("body ID and time in both spellings")
  func bodyIDAndTime() throws {
    let message = try message(of: makeEvent())

    #expect(message["messageId"] as? String == "4242424242")
    #expect(message["message_id"] as? String == "4242424242")
    #expect(message["publishTime"] as? String == "2023-11-14T22:13:20.250Z")
    #expect(message["publish_time"] as? String == "2023-11-14T22:13:20.250Z")
  }

  @Test("attributes only when set")
  func attributesOnlyWhenSet() throws {
    let withAttributes = try message(of: makeEvent(attributes: ["origin": "checkout", "priority": "high"]))
    let withoutAttributes = try message(of: makeEvent())

    #expect(withAttributes["attributes"] as? [String: String] == ["origin": "checkout", "priority": "high"])
    #expect(withoutAttributes["attributes"] == nil)
  }

  @Test("body names the subscription")
  func bodySubscription() throws {
    let event = makeEvent()
    let body = try #require(try JSONSerialization.jsonObject(with: event.body()) as? [String: Any])

    #expect(
      body["subscription"] as? String
        == "projects/demo-project/subscriptions/eventarc-us-central1-hello-sub-000")
    #expect(Set(body.keys) == ["message", "subscription"])
  }

  @Test("empty data encodes as empty string")
  func emptyData() throws {
    let message = try message(of: makeEvent(data: ""))
    #expect(message["data"] as? String == "")
  }
}
