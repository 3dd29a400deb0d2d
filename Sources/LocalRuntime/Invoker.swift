import Basics
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// An HTTP request to a running function.
public struct InvocationRequest: Sendable {
  public var method: String
  /// The path, starting with `/`; it may carry its own query string.
  public var path: String
  /// Query parameters added after any query in `path`, percent-encoded here.
  public var query: [(String, String?)]
  public var headers: [(String, String)]
  public var body: Data?
  public var timeout: TimeInterval

  public init(
    method: String, path: String = "/", query: [(String, String?)] = [], headers: [(String, String)] = [],
    body: Data? = nil, timeout: TimeInterval = 60
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
    self.timeout = timeout
  }

  /// Returns the full URL on the function's base URL.
  public func url(base: String) -> URL? {
    var path = self.path.hasPrefix("/") ? self.path : "/" + self.path
    if !query.isEmpty {
      let encoded = query.map { key, value in
        value.map { "\(Self.encode(key))=\(Self.encode($0))" } ?? Self.encode(key)
      }
      path += (path.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }
    return URL(string: base + path)
  }

  static func encode(_ text: String) -> String {
    var allowed = CharacterSet.urlQueryAllowed
    allowed.remove(charactersIn: "&=+;#")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}

/// A function's HTTP response.
public struct InvocationResponse: Sendable {
  public let statusCode: Int
  public let headers: [(String, String)]
  public let body: Data
  public let httpVersion: String = "HTTP/1.1"

  public var isSuccess: Bool { (200..<300).contains(statusCode) }

  /// Returns the first value of a header, compared case-insensitively.
  public func header(_ name: String) -> String? {
    headers.first { $0.0.equalsIgnoringASCIICase(name) }?.1
  }

  /// The `errorType` and `errorMessage` of a Lambda Invoke API response that has `X-Amz-Function-Error`,
  /// or nil for a successful invocation.
  public var lambdaFunctionError: (type: String, message: String)? {
    guard header("X-Amz-Function-Error") != nil else { return nil }
    let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    let type = (object?["errorType"] as? String) ?? "Unhandled"
    let message = (object?["errorMessage"] as? String) ?? String(decoding: body, as: UTF8.self)
    return (type, message)
  }

  /// The status line and headers as `-i` shows them.
  public var head: String {
    var lines = ["\(httpVersion) \(statusCode) \(Self.reasonPhrase(statusCode))"]
    lines += headers.sorted { $0.0.lowercased() < $1.0.lowercased() }.map { "\($0.0): \($0.1)" }
    return lines.joined(separator: "\n") + "\n\n"
  }

  /// Returns the reason phrase of common status codes (RFC 9110, section 15).
  static func reasonPhrase(_ code: Int) -> String {
    let phrases = [
      200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
      304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
      405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large",
      415: "Unsupported Media Type",
      429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
      504: "Gateway Timeout",
    ]
    return phrases[code] ?? ""
  }
}

/// Invocation failures.
public enum InvocationError: Error, CustomStringConvertible, Sendable {
  case invalidURL(String)
  case transport(url: String, reason: String)

  public var description: String {
    switch self {
    case .invalidURL(let url): "invalid URL \(url); check --path and --query"
    case .transport(let url, let reason): "the request to \(url) failed: \(reason)"
    }
  }
}

/// Sends HTTP requests to local functions through URLSession.
///
/// NOTE: URLSession on Linux (swift-corelibs-foundation with libcurl, Swift 6.3) spins while it waits for a
/// response: a 2 s wait cost 1.3 s of system CPU here, where curl costs none. On a two-core machine that
/// slows the function being invoked.
public struct Invoker: Sendable {
  public init() {}

  public func send(_ request: InvocationRequest, to baseURL: String) async throws -> InvocationResponse {
    guard let url = request.url(base: baseURL) else {
      throw InvocationError.invalidURL(baseURL + request.path)
    }
    var urlRequest = URLRequest(
      url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout)
    urlRequest.httpMethod = request.method
    urlRequest.setValue("functions", forHTTPHeaderField: "User-Agent")
    for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
    urlRequest.httpBody = request.body
    let session = HTTPSessions.makeSession(timeout: request.timeout)
    defer { session.finishTasksAndInvalidate() }
    do {
      let (data, response) = try await session.data(for: urlRequest)
      guard let http = response as? HTTPURLResponse else {
        throw InvocationError.transport(url: url.absoluteString, reason: "the response was not HTTP")
      }
      let headers = http.allHeaderFields.compactMap { key, value -> (String, String)? in
        guard let name = key as? String else { return nil }
        return (name, "\(value)")
      }
      return InvocationResponse(statusCode: http.statusCode, headers: headers, body: data)
    } catch let error as InvocationError {
      throw error
    } catch let error as URLError where error.code == .timedOut {
      throw InvocationError.transport(
        url: url.absoluteString,
        reason: "no response within \(Int(request.timeout)) s; raise --timeout if the function needs longer")
    } catch let error as URLError where error.code == .cannotConnectToHost {
      throw InvocationError.transport(url: url.absoluteString, reason: "nothing accepts connections there")
    } catch {
      throw InvocationError.transport(url: url.absoluteString, reason: error.localizedDescription)
    }
  }
}
