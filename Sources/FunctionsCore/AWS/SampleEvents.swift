import Basics
import Foundation

/// Sample Lambda events for `functions event generate aws KIND`, in the shapes the Lambda Developer
/// Guide shows for each event source, with the fields people usually change taken from `Options`.
///
/// The same options and clock always give the same document: IDs are derived from the inputs.
public enum SampleEvents {
  /// The event sources a sample can imitate.
  public enum Kind: String, CaseIterable, Sendable {
    case httpAPI = "http-api"
    case restAPI = "rest-api"
    case functionURL = "function-url"
    case sqs
    case sns
    case s3
    case eventbridge
    case schedule
  }

  /// The values a user can set in a sample event. Each kind reads only the options it uses.
  public struct Options: Sendable {
    /// The HTTP method of an HTTP event.
    public var method: String = "GET"
    /// The request path of an HTTP event, percent-encoded as it would appear in the URL.
    public var path: String = "/"
    /// The raw query string of an HTTP event, without the `?`, or nil for none.
    public var query: String?
    /// The request headers of an HTTP event, in order.
    public var headers: [(String, String)] = [("Accept", "*/*"), ("User-Agent", "curl/8.5.0")]
    /// The HTTP request body, the SQS message body or the S3 object content, or nil for none.
    ///
    /// An HTTP event with a body and no `Content-Type` header gets `Content-Type: application/json`.
    public var body: String?
    /// The route template of an HTTP API or REST API event, such as `/users/{id}`.
    public var routePattern: String?
    /// The bucket of an S3 event.
    public var bucket: String = "example-bucket"
    /// The object key of an S3 event, unencoded. The event carries it URL-encoded.
    public var key: String = "uploads/example.txt"
    /// The SNS message, and the SQS message body when `body` is nil.
    public var message: String = "Hello from functions!"
    /// String message attributes of an SNS or SQS message, such as `--attribute` values of `publish`.
    public var messageAttributes: [String: String] = [:]
    /// The SNS subject, or nil to send the message without one.
    public var subject: String?
    /// The SQS queue name.
    public var queue: String = "example-queue"
    /// The SNS topic name.
    public var topic: String = "example-topic"
    /// The EventBridge `source`.
    public var eventSource: String = "com.example.orders"
    /// The EventBridge `detail-type`.
    public var detailType: String = "Order Placed"
    /// The EventBridge `detail` as JSON object text. Text that is not a JSON object is sent as
    /// `{"message": text}`.
    public var detail: String = #"{"orderId":"1234"}"#
    /// The name of the EventBridge rule behind a schedule event.
    public var ruleName: String = "example-schedule"
    /// The AWS Region.
    public var region: String = "us-east-1"
    /// The AWS account ID.
    public var accountID: String = "123456789012"
    /// The function name, from which the sample API ID and function URL ID are derived.
    public var functionName: String = "example-function"

    public init() {}
  }

  /// Generates the sample event of `kind` as pretty-printed JSON with sorted keys and a final newline,
  /// timed at `clock.now()`.
  public static func generate(_ kind: Kind, options: Options, clock: any WallClock) -> Data {
    let time = clock.now()
    let event: [String: Any] =
      switch kind {
      case .httpAPI: httpEvent(.httpAPI, options: options, time: time)
      case .restAPI: httpEvent(.restAPI, options: options, time: time)
      case .functionURL: httpEvent(.functionURL, options: options, time: time)
      case .sqs: SampleRecords.sqs(options, time: time)
      case .sns: SampleRecords.sns(options, time: time)
      case .s3: SampleRecords.s3(options, time: time)
      case .eventbridge: SampleRecords.eventBridge(options, time: time)
      case .schedule: SampleRecords.schedule(options, time: time)
      }
    let text = (try? JSONFormat.text(object: event)) ?? "{}\n"
    return Data(text.utf8)
  }

  /// Builds an HTTP event with the code the local gateway uses, but with cloud-style host names.
  private static func httpEvent(_ source: AWSHTTPEventSource, options: Options, time: Date) -> [String: Any] {
    var headers = options.headers.map { (name: $0.0, value: $0.1) }
    let hasContentType = headers.contains { $0.name.equalsIgnoringASCIICase("Content-Type") }
    if options.body != nil, !hasContentType {
      headers.append((name: "Content-Type", value: "application/json"))
    }
    let seed = "\(source.rawValue) \(options.method) \(options.path) \(time.timeIntervalSince1970)"
    let request = GatewayRequest(
      method: options.method, rawPath: options.path, rawQuery: options.query, headers: headers,
      body: Data((options.body ?? "").utf8), sourceIP: "203.0.113.10", time: time,
      requestID: StableIdentifiers.uuid(seed))

    let apiID: String
    let domainName: String
    switch source {
    case .functionURL:
      // A function URL ID is 32 lower-case characters: https://<url-id>.lambda-url.<region>.on.aws
      apiID = StableIdentifiers.hex("function-url " + options.functionName, count: 32)
      domainName = "\(apiID).lambda-url.\(options.region).on.aws"
    case .httpAPI, .restAPI:
      apiID = StableIdentifiers.hex("api " + options.functionName, count: 10)
      domainName = "\(apiID).execute-api.\(options.region).amazonaws.com"
    }
    let context = GatewayContext(
      accountID: options.accountID, apiID: apiID, region: options.region, functionName: options.functionName,
      domainName: domainName, routePattern: options.routePattern)
    let data = APIGatewayEvents.makeEvent(request, source: source, context: context)
    return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
  }
}
