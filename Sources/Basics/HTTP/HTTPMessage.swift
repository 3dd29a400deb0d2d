import Foundation

/// An HTTP/1.x request as it arrived, with the target, headers and body kept as sent.
public struct HTTPRequest: Sendable {
  /// The method as sent, such as `GET`. Methods are case-sensitive (RFC 9110 §9.1).
  public var method: String
  /// The raw request-target, such as `/a%20b/c?x=1&x=2`, with no percent-decoding.
  public var target: String
  /// The raw path part of `target`: the text before the first `?`, not decoded.
  ///
  /// For an absolute-form target (`http://host/a?b`) it is the path after the authority, or `/`
  /// when there is none. For `*` (`OPTIONS *`) and an authority-form target it is the whole target.
  public var path: String
  /// The raw text after the first `?`: nil when the target has no `?`, empty for a trailing `?`.
  public var rawQuery: String?
  /// The protocol version, `HTTP/1.1` or `HTTP/1.0`.
  public var version: String
  /// The header fields in wire order, with the names' original case and repeated fields kept.
  public var headers: [(name: String, value: String)]
  /// The body after chunked decoding, empty when the request has none.
  public var body: Data
  /// The client's IP address, such as `127.0.0.1` or `::1`.
  public var remoteAddress: String

  /// Creates a request from its parts, splitting `target` into `path` and `rawQuery`.
  public init(
    method: String, target: String, version: String = "HTTP/1.1",
    headers: [(name: String, value: String)] = [], body: Data = Data(), remoteAddress: String = "127.0.0.1"
  ) {
    self.method = method
    self.target = target
    let parts = HTTPRequestTarget.split(target)
    self.path = parts.path
    self.rawQuery = parts.rawQuery
    self.version = version
    self.headers = headers
    self.body = body
    self.remoteAddress = remoteAddress
  }

  /// Returns the first value of the header field `name`, compared case-insensitively.
  public func header(_ name: String) -> String? {
    headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
  }

  /// Returns every value of the header field `name` in wire order, compared case-insensitively.
  public func headers(named name: String) -> [String] {
    headers.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
  }
}

/// An HTTP response from a handler, written with its headers in order and their case kept.
public struct HTTPResponse: Sendable {
  /// The status code, such as 200.
  public var status: Int
  /// The header fields in the order they are written, with repeated names (several `Set-Cookie`) kept.
  public var headers: [(name: String, value: String)]
  /// The body, which the server does not send for HEAD requests or 204 and 304 statuses.
  public var body: Data

  public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// Makes a response with `Content-Type: application/json` followed by `headers`.
  public static func json(_ status: Int, _ body: Data, headers: [(String, String)] = []) -> HTTPResponse {
    let fields =
      [(name: "Content-Type", value: "application/json")] + headers.map { (name: $0.0, value: $0.1) }
    return HTTPResponse(status: status, headers: fields, body: body)
  }

  /// Makes a response with `Content-Type: text/plain; charset=utf-8` and `body` as UTF-8.
  public static func text(_ status: Int, _ body: String) -> HTTPResponse {
    HTTPResponse(
      status: status, headers: [(name: "Content-Type", value: "text/plain; charset=utf-8")],
      body: Data(body.utf8))
  }

  /// Returns the first value of the header field `name`, compared case-insensitively.
  public func header(_ name: String) -> String? {
    headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
  }
}

/// Splitting of a raw request-target into its path and query, with no decoding.
enum HTTPRequestTarget {
  static func split(_ target: String) -> (path: String, rawQuery: String?) {
    var pathAndQuery = Substring(target)
    if let schemeEnd = target.range(of: "://"), !target.hasPrefix("/") {
      // Absolute form (RFC 9112 §3.2.2): the path starts at the first "/" after the authority.
      let afterScheme = target[schemeEnd.upperBound...]
      if let pathStart = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
        pathAndQuery = afterScheme[pathStart...]
      } else {
        pathAndQuery = "/"
      }
    }
    guard let questionMark = pathAndQuery.firstIndex(of: "?") else {
      return (String(pathAndQuery), nil)
    }
    var path = String(pathAndQuery[..<questionMark])
    if path.isEmpty { path = "/" }
    return (path, String(pathAndQuery[pathAndQuery.index(after: questionMark)...]))
  }
}
