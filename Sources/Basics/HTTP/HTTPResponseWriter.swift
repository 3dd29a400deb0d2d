import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Serialization of response heads: the status line, the handler's header fields in order, and the few
/// fields the server adds.
enum HTTPResponseWriter {
  /// The interim response sent before reading a body that the client announced with
  /// `Expect: 100-continue` (RFC 9110 §10.1.1).
  static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

  /// A serialized response head and how to send the rest.
  struct Head {
    var bytes: [UInt8]
    /// Whether the body follows the head. It does not for HEAD requests and 1xx, 204 and 304 statuses.
    var includesBody: Bool
    /// False when a handler's `Content-Length` differs from its body, so the next request could not be
    /// found on this connection.
    var isFramingSound: Bool
  }

  /// Serializes the head of `response` to `method`.
  ///
  /// Adds `Content-Length` unless the handler set it or `Transfer-Encoding`, or no body is sent. Adds
  /// `Date` unless the handler set it, and `Connection: <connectionOption>` when it is given and the
  /// handler set no `Connection` field. Never changes the handler's fields.
  static func makeHead(
    for response: HTTPResponse, method: String, date: Date, connectionOption: String? = nil
  ) -> Head {
    let status = response.status
    let hasNoContent = (100..<200).contains(status) || status == 204 || status == 304
    let includesBody = method != "HEAD" && !hasNoContent

    var text = "HTTP/1.1 \(status) \(reasonPhrase(for: status))\r\n"
    var hasContentLength = false
    var hasTransferEncoding = false
    var hasDate = false
    var hasConnection = false
    var isFramingSound = true
    for field in response.headers {
      text += "\(field.name): \(field.value)\r\n"
      switch field.name.lowercased() {
      case "content-length":
        hasContentLength = true
        if includesBody && Int(field.value.trimmingCharacters(in: .whitespaces)) != response.body.count {
          isFramingSound = false
        }
      case "transfer-encoding": hasTransferEncoding = true
      case "date": hasDate = true
      case "connection": hasConnection = true
      default: break
      }
    }
    if includesBody && !hasContentLength && !hasTransferEncoding {
      text += "Content-Length: \(response.body.count)\r\n"
    }
    if !hasDate {
      text += "Date: \(imfFixdate(date))\r\n"
    }
    if let connectionOption, !hasConnection {
      text += "Connection: \(connectionOption)\r\n"
    }
    text += "\r\n"
    return Head(bytes: Array(text.utf8), includesBody: includesBody, isFramingSound: isFramingSound)
  }

  /// Returns why `response` cannot be written as is: a status outside 200...999 (1xx responses are not
  /// supported), a header name that is not a token, or a CR, LF or NUL in a value. Returns nil when valid.
  static func reasonNotWritable(_ response: HTTPResponse) -> String? {
    for field in response.headers {
      guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPRequestParser.isTokenCharacter) else {
        return "the header name \"\(field.name)\" is not a token"
      }
      if field.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
        return "the value of \(field.name) contains CR, LF or NUL"
      }
    }
    guard (200...999).contains(response.status) else {
      return "the status \(response.status) is not a final three-digit status code"
    }
    return nil
  }

  /// Formats `date` as an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7).
  static func imfFixdate(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(weekdays[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
      + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):"
      + "\(twoDigits(parts.tm_sec)) GMT"
  }

  /// Returns the reason phrase registered for `status` (RFC 9110 §15), or an empty phrase, which the
  /// status line allows, for codes without one.
  static func reasonPhrase(for status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 101: "Switching Protocols"
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 203: "Non-Authoritative Information"
    case 204: "No Content"
    case 205: "Reset Content"
    case 206: "Partial Content"
    case 300: "Multiple Choices"
    case 301: "Moved Permanently"
    case 302: "Found"
    case 303: "See Other"
    case 304: "Not Modified"
    case 307: "Temporary Redirect"
    case 308: "Permanent Redirect"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 402: "Payment Required"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 406: "Not Acceptable"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 410: "Gone"
    case 411: "Length Required"
    case 412: "Precondition Failed"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 416: "Range Not Satisfiable"
    case 417: "Expectation Failed"
    case 422: "Unprocessable Content"
    case 426: "Upgrade Required"
    case 428: "Precondition Required"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    case 505: "HTTP Version Not Supported"
    default: ""
    }
  }
}
