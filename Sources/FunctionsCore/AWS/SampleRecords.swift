import Basics
import Foundation

/// The non-HTTP sample events, each shaped after the example event on its Lambda Developer Guide page.
enum SampleRecords {
  /// Makes an SQS event with one message ("Using Lambda with Amazon SQS").
  static func sqs(_ options: SampleEvents.Options, time: Date) -> [String: Any] {
    let body = options.body ?? options.message
    let seed = "sqs \(options.queue) \(body) \(time.timeIntervalSince1970)"
    let sentTimestamp = String(RequestParts.epochMilliseconds(time))
    var record: [String: Any] = [
      "messageId": StableIdentifiers.uuid(seed),
      "receiptHandle": "AQEB" + StableIdentifiers.base64("receipt " + seed, byteCount: 30),
      "body": body,
      "attributes": [
        "ApproximateReceiveCount": "1",
        "SentTimestamp": sentTimestamp,
        "SenderId": "AIDA" + StableIdentifiers.hex("sender " + options.accountID, count: 17, uppercase: true),
        "ApproximateFirstReceiveTimestamp": sentTimestamp,
      ],
      "messageAttributes": options.messageAttributes.mapValues { value in
        ["stringValue": value, "stringListValues": [], "binaryListValues": [], "dataType": "String"]
      },
      "md5OfBody": MD5.hexDigest(of: body),
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:\(options.region):\(options.accountID):\(options.queue)",
      "awsRegion": options.region,
    ]
    if !options.messageAttributes.isEmpty {
      record["md5OfMessageAttributes"] = MD5.hexDigest(of: sqsAttributeDigestInput(options.messageAttributes))
    }
    return ["Records": [record]]
  }

  /// Returns the bytes SQS hashes for `MD5OfMessageAttributes` ("Calculating the MD5 message digest for
  /// message attributes", Amazon SQS Developer Guide): for each attribute in name order, the name, the data
  /// type, transport type 1 (string) and the value, each but the transport type preceded by its length as
  /// a four-byte big-endian integer.
  static func sqsAttributeDigestInput(_ attributes: [String: String]) -> Data {
    var bytes = Data()
    func append(_ text: String) {
      let utf8 = Data(text.utf8)
      withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
      bytes.append(utf8)
    }
    for name in attributes.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
      append(name)
      append("String")
      bytes.append(1)
      append(attributes[name] ?? "")
    }
    return bytes
  }

  /// Makes an SNS event with one notification ("Using Lambda with Amazon SNS").
  static func sns(_ options: SampleEvents.Options, time: Date) -> [String: Any] {
    let seed = "sns \(options.topic) \(options.message) \(time.timeIntervalSince1970)"
    let topicARN = "arn:aws:sns:\(options.region):\(options.accountID):\(options.topic)"
    let subscriptionARN = topicARN + ":" + StableIdentifiers.uuid("subscription " + topicARN)
    let host = "https://sns.\(options.region).amazonaws.com"
    let notification: [String: Any] = [
      "SignatureVersion": "1",
      "Timestamp": time.rfc3339,
      "Signature": StableIdentifiers.base64("signature " + seed, byteCount: 32),
      "SigningCertUrl":
        "\(host)/SimpleNotificationService-\(StableIdentifiers.hex("certificate", count: 32)).pem",
      "MessageId": StableIdentifiers.uuid(seed),
      "Message": options.message,
      "MessageAttributes": options.messageAttributes.mapValues { ["Type": "String", "Value": $0] },
      "Type": "Notification",
      "UnsubscribeUrl": "\(host)/?Action=Unsubscribe&SubscriptionArn=\(subscriptionARN)",
      "TopicArn": topicARN,
      "Subject": options.subject ?? NSNull(),
    ]
    let record: [String: Any] = [
      "EventVersion": "1.0",
      "EventSubscriptionArn": subscriptionARN,
      "EventSource": "aws:sns",
      "Sns": notification,
    ]
    return ["Records": [record]]
  }

  /// Makes an S3 `ObjectCreated:Put` event for one object ("Event message structure" in the Amazon S3
  /// User Guide, which the Lambda Developer Guide's S3 page links to).
  ///
  /// The object's content is `options.body` (empty when nil); its size and eTag, the MD5 digest of a
  /// single-part upload, follow from it.
  static func s3(_ options: SampleEvents.Options, time: Date) -> [String: Any] {
    let content = Data((options.body ?? "").utf8)
    let seed = "s3 \(options.bucket) \(options.key) \(time.timeIntervalSince1970)"
    let object: [String: Any] = [
      "key": s3EventKey(options.key),
      "size": content.count,
      "eTag": MD5.hexDigest(of: content),
      "sequencer": StableIdentifiers.hex("sequencer " + seed, count: 18, uppercase: true),
    ]
    let bucket: [String: Any] = [
      "name": options.bucket,
      "ownerIdentity": [
        "principalId": "A" + StableIdentifiers.hex("owner " + options.accountID, count: 13, uppercase: true)
      ],
      "arn": "arn:aws:s3:::\(options.bucket)",
    ]
    let record: [String: Any] = [
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "awsRegion": options.region,
      "eventTime": time.rfc3339,
      "eventName": "ObjectCreated:Put",
      "userIdentity": [
        "principalId": "AWS:AIDA"
          + StableIdentifiers.hex("user " + options.accountID, count: 17, uppercase: true)
      ],
      "requestParameters": ["sourceIPAddress": "203.0.113.10"],
      "responseElements": [
        "x-amz-request-id": StableIdentifiers.hex("request " + seed, count: 16, uppercase: true),
        "x-amz-id-2": StableIdentifiers.base64("host " + seed, byteCount: 32),
      ],
      "s3": [
        "s3SchemaVersion": "1.0",
        "configurationId": "functions-sample",
        "bucket": bucket,
        "object": object,
      ] as [String: Any],
    ]
    return ["Records": [record]]
  }

  /// Makes a custom EventBridge event ("Using Lambda with Amazon EventBridge").
  static func eventBridge(_ options: SampleEvents.Options, time: Date) -> [String: Any] {
    let seed = "eventbridge \(options.eventSource) \(options.detailType) \(time.timeIntervalSince1970)"
    return [
      "version": "0",
      "id": StableIdentifiers.uuid(seed),
      "detail-type": options.detailType,
      "source": options.eventSource,
      "account": options.accountID,
      "time": eventBridgeTime(time),
      "region": options.region,
      "resources": [String](),
      "detail": detailObject(options.detail),
    ]
  }

  /// Makes the event a scheduled EventBridge rule sends: source `aws.events`, detail type
  /// `Scheduled Event`, the rule's ARN as the one resource and an empty detail.
  static func schedule(_ options: SampleEvents.Options, time: Date) -> [String: Any] {
    let ruleARN = "arn:aws:events:\(options.region):\(options.accountID):rule/\(options.ruleName)"
    return [
      "version": "0",
      "id": StableIdentifiers.uuid("schedule \(ruleARN) \(time.timeIntervalSince1970)"),
      "detail-type": "Scheduled Event",
      "source": "aws.events",
      "account": options.accountID,
      "time": eventBridgeTime(time),
      "region": options.region,
      "resources": [ruleARN],
      "detail": [String: Any](),
    ]
  }

  /// Encodes an object key as S3 event notifications do, as a form value: `red flower.jpg` becomes
  /// `red+flower.jpg`. Unreserved characters and `/` stay as they are.
  static func s3EventKey(_ key: String) -> String {
    var allowed = CharacterSet(
      charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~/")
    allowed.insert(" ")
    let escaped = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
    return escaped.replacingOccurrences(of: " ", with: "+")
  }

  /// Formats `date` in whole seconds, as EventBridge does: `2019-03-01T01:23:45Z`.
  private static func eventBridgeTime(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  private static func detailObject(_ text: String) -> [String: Any] {
    let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8))
    return parsed as? [String: Any] ?? ["message": text]
  }
}
