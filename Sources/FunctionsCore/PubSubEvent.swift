import Basics
import Foundation

/// A Pub/Sub message delivered to a function the way Eventarc delivers it to Cloud Functions (2nd gen):
/// a binary-mode CloudEvent (CloudEvents HTTP protocol binding 1.0: attributes in `ce-*` headers, data in
/// the body) of type `google.cloud.pubsub.topic.v1.messagePublished`, whose data is a
/// `MessagePublishedData` document (google-cloudevents, `google/events/cloud/pubsub/v1/data.proto`).
public struct PubSubEvent: Sendable {
  public static let eventType = "google.cloud.pubsub.topic.v1.messagePublished"

  public var project: String
  public var topic: String
  public var region: String
  public var functionName: String
  public var data: Data
  public var attributes: [String: String]
  public var messageID: String
  public var publishTime: Date

  public init(
    project: String, topic: String, region: String, functionName: String, data: Data,
    attributes: [String: String], messageID: String, publishTime: Date
  ) {
    self.project = project
    self.topic = topic
    self.region = region
    self.functionName = functionName
    self.data = data
    self.attributes = attributes
    self.messageID = messageID
    self.publishTime = publishTime
  }

  /// The CloudEvent source: the topic's full resource name on the Pub/Sub service.
  public var source: String { "//pubsub.googleapis.com/projects/\(project)/topics/\(topic)" }

  /// The subscription Eventarc creates for a trigger, named after the region and function.
  public var subscription: String {
    "projects/\(project)/subscriptions/eventarc-\(region)-\(functionName)-sub-000"
  }

  /// The HTTP headers of the binary-mode CloudEvent.
  public var headers: [(String, String)] {
    [
      ("Content-Type", "application/json"),
      ("ce-id", messageID),
      ("ce-source", source),
      ("ce-specversion", "1.0"),
      ("ce-type", Self.eventType),
      ("ce-time", publishTime.rfc3339),
    ]
  }

  /// Returns the HTTP body: the message (with both the camelCase and snake_case ID and time fields that Pub/Sub
  /// push sends) and the subscription.
  public func body() -> Data {
    let time = publishTime.rfc3339
    var message: [String: Any] = [
      "data": data.base64EncodedString(),
      "messageId": messageID,
      "message_id": messageID,
      "publishTime": time,
      "publish_time": time,
    ]
    if !attributes.isEmpty { message["attributes"] = attributes }
    let object: [String: Any] = ["message": message, "subscription": subscription]
    return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
  }
}
