import Basics
import Foundation

/// The AWS services that turn an HTTP request into a Lambda event, each with its own event shape.
public enum AWSHTTPEventSource: String, Sendable, CaseIterable {
  /// API Gateway HTTP API with payload format version 2.0.
  case httpAPI = "http-api"
  /// API Gateway REST API with a Lambda proxy integration (payload format version 1.0).
  case restAPI = "rest-api"
  /// A Lambda function URL, whose event follows payload format version 2.0.
  case functionURL = "function-url"
}

/// An HTTP request as the gateway received it, before any translation into an event.
public struct GatewayRequest: Sendable {
  /// The method as sent, such as `GET`.
  public var method: String
  /// The path as received, with its percent-encoding kept, such as `/a%20b`.
  public var rawPath: String
  /// The text after the first `?`: nil when the URL had no `?`, empty for a trailing `?`.
  public var rawQuery: String?
  /// The header fields in wire order, with their original case and repeated fields kept.
  public var headers: [(name: String, value: String)]
  /// The body, empty when the request has none.
  public var body: Data
  /// The IP address of the client's TCP connection.
  public var sourceIP: String
  /// The `User-Agent` value; nil means the first `User-Agent` header, if any.
  public var userAgent: String?
  /// The time the request arrived.
  public var time: Date
  /// The request ID the gateway assigns, also sent to the function as `requestContext.requestId`.
  public var requestID: String
  /// The protocol version from the request line, such as `HTTP/1.1`.
  public var httpVersion: String

  public init(
    method: String, rawPath: String, rawQuery: String? = nil, headers: [(name: String, value: String)] = [],
    body: Data = Data(), sourceIP: String = "127.0.0.1", userAgent: String? = nil, time: Date,
    requestID: String, httpVersion: String = "HTTP/1.1"
  ) {
    self.method = method
    self.rawPath = rawPath
    self.rawQuery = rawQuery
    self.headers = headers
    self.body = body
    self.sourceIP = sourceIP
    self.userAgent = userAgent
    self.time = time
    self.requestID = requestID
    self.httpVersion = httpVersion
  }

  /// The user agent the event reports: `userAgent`, or else the first `User-Agent` header.
  var effectiveUserAgent: String? {
    userAgent ?? headers.first { $0.name.equalsIgnoringASCIICase("User-Agent") }?.value
  }

  /// The first `Content-Type` value, if any.
  var contentType: String? {
    headers.first { $0.name.equalsIgnoringASCIICase("Content-Type") }?.value
  }
}

/// The values the service itself fills in an event's `requestContext`, fixed for one API or function URL.
public struct GatewayContext: Sendable {
  /// The AWS account that owns the API or function. The default is the placeholder AWS uses in examples.
  public var accountID: String
  /// The API ID, or for a function URL the URL ID.
  public var apiID: String
  /// The stage name, where nil means `$default` for an HTTP API and `Prod` for a REST API.
  ///
  /// `Prod` is the stage AWS SAM gives the REST API it creates for a function's `Api` events, so local
  /// events match those of a function deployed with SAM's defaults. Function URLs always report
  /// `$default`.
  public var stage: String?
  /// The AWS Region, such as `us-east-1`.
  public var region: String
  /// The function that handles the requests.
  public var functionName: String
  /// The host name reported as `requestContext.domainName`, whose first label is the `domainPrefix`.
  public var domainName: String
  /// The route template that path parameters come from, such as `/users/{id}` or `/{proxy+}`.
  ///
  /// Nil means the `$default` route for an HTTP API, and for a REST API the `/{proxy+}` resource (or
  /// `/` for the root path). Function URLs have no routes and ignore it.
  ///
  /// A leading method and space, as in `ANY /{proxy+}`, sets the method part of an HTTP API route key.
  /// Without one, the route key uses the request's method.
  public var routePattern: String?
  /// Media types a REST API treats as binary (its `binaryMediaTypes` setting), such as `image/png` or
  /// `*/*`. HTTP APIs and function URLs ignore this list.
  public var binaryMediaTypes: [String]

  public init(
    accountID: String = "123456789012", apiID: String, stage: String? = nil, region: String,
    functionName: String, domainName: String = "localhost", routePattern: String? = nil,
    binaryMediaTypes: [String] = []
  ) {
    self.accountID = accountID
    self.apiID = apiID
    self.stage = stage
    self.region = region
    self.functionName = functionName
    self.domainName = domainName
    self.routePattern = routePattern
    self.binaryMediaTypes = binaryMediaTypes
  }

  /// Returns the stage an event from `source` reports.
  func stageName(for source: AWSHTTPEventSource) -> String {
    switch source {
    case .httpAPI: stage ?? "$default"
    case .restAPI: stage ?? "Prod"
    case .functionURL: "$default"
    }
  }

  /// The first label of `domainName`, such as `abc123` for `abc123.execute-api.us-east-1.amazonaws.com`.
  var domainPrefix: String {
    String(domainName.split(separator: ".", maxSplits: 1).first ?? Substring(domainName))
  }
}

/// The HTTP response the gateway sends back to the client.
public struct GatewayResponse: Sendable {
  /// The status code, such as 200.
  public var status: Int
  /// The header fields in the order they are written; several `Set-Cookie` fields are kept apart.
  public var headers: [(name: String, value: String)]
  /// The body bytes, already base64-decoded when the function marked its body as encoded.
  public var body: Data

  public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// Returns every value of the header field `name` in order, compared case-insensitively.
  public func headers(named name: String) -> [String] {
    headers.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
  }
}

/// The reason an invocation behind a gateway produced no usable result.
public enum GatewayFailure: Error, Equatable, Sendable, CustomStringConvertible {
  /// The function raised an error, reported through the Runtime API's invocation error call.
  case handlerError(errorType: String, errorMessage: String)
  /// The invocation ran past the gateway's or the function's time limit.
  case timeout
  /// The function returned a result the source cannot map to an HTTP response, for the reason given.
  case malformedResult(String)
  /// The request event exceeds Lambda's 6 MB limit for a synchronous invocation payload.
  case payloadTooLarge
  /// Lambda rejected the invocation because the function is at its concurrency limit.
  case tooManyRequests

  public var description: String {
    switch self {
    case .handlerError(let errorType, let errorMessage): "the function raised \(errorType): \(errorMessage)"
    case .timeout: "the invocation timed out"
    case .malformedResult(let reason): "the function returned a malformed result: \(reason)"
    case .payloadTooLarge: "the request payload exceeds the Lambda invocation limit"
    case .tooManyRequests: "the function is at its concurrency limit"
    }
  }
}
