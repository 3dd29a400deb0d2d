import Foundation

/// One `name=value` pair of a query string, decoded, in the order it appeared.
struct QueryParameter: Equatable, Sendable {
  var name: String
  var value: String
}

/// Splitting and decoding of the URL parts that the event builders share.
enum RequestParts {
  /// Splits a raw query string into decoded parameters.
  ///
  /// The query is read as `application/x-www-form-urlencoded`: `+` is a space and `%XX` escapes are
  /// decoded; API Gateway delivers `?sort=-+createdAt` as `"- createdAt"`. A pair without `=` has an
  /// empty value, and empty pairs (`a=1&&b=2`) are skipped.
  static func queryParameters(_ rawQuery: String?) -> [QueryParameter] {
    guard let rawQuery, !rawQuery.isEmpty else { return [] }
    var parameters: [QueryParameter] = []
    for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = formDecode(parts[0])
      let value = parts.count > 1 ? formDecode(parts[1]) : ""
      parameters.append(QueryParameter(name: name, value: value))
    }
    return parameters
  }

  /// Decodes a form-encoded component: `+` becomes a space, then `%XX` escapes are decoded.
  static func formDecode(_ text: Substring) -> String {
    percentDecode(text.replacingOccurrences(of: "+", with: " "))
  }

  /// Decodes `%XX` escapes and leaves `+` alone, as in a path segment.
  ///
  /// Text whose escapes do not form valid UTF-8 (such as a lone `%` or `%FF`) is returned unchanged.
  static func percentDecode(_ text: String) -> String {
    text.removingPercentEncoding ?? text
  }

  /// Groups values by header name, compared case-insensitively, keeping the first spelling of each
  /// name and the wire order of the names and of the values (RFC 9110 §5.1: field names are
  /// case-insensitive).
  static func groupedHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, values: [String])]
  {
    var groups: [(name: String, values: [String])] = []
    var indexByLowercasedName: [String: Int] = [:]
    for header in headers {
      let key = header.name.lowercased()
      if let index = indexByLowercasedName[key] {
        groups[index].values.append(header.value)
      } else {
        indexByLowercasedName[key] = groups.count
        groups.append((header.name, [header.value]))
      }
    }
    return groups
  }

  /// Splits `Cookie` header values into single cookies: `a=1; b=2` becomes `["a=1", "b=2"]`.
  static func cookies(fromHeaderValues values: [String]) -> [String] {
    values.flatMap { value in
      value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
  }

  /// Formats `date` as API Gateway writes `requestContext.time`, such as `12/Mar/2020:19:03:58 +0000`.
  static func gatewayTime(_ date: Date) -> String {
    // Formatted with gmtime_r: a DateFormatter costs an ICU set-up on every request on Linux.
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let day = "\(twoDigits(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900)"
    return "\(day):\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) +0000"
  }

  /// Milliseconds since the Unix epoch, as in `timeEpoch` and `requestTimeEpoch`.
  static func epochMilliseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
  }
}

/// A body as an event carries it: either text or base64 text with `isBase64Encoded` set.
struct EventBody {
  /// The `body` value; nil when the request has no body.
  var text: String?
  var isBase64Encoded: Bool

  /// Encodes `body` for an HTTP API or function URL event.
  ///
  /// Text media types (`text/*`, JSON, XML, JavaScript) arrive as text. Every other content type,
  /// form posts included, arrives base64-encoded, and so does any body that is not valid UTF-8. A
  /// body without a content type is sent as text when it is valid UTF-8.
  // NOTE: AWS documents only that binary content types arrive base64-encoded, not which types count as
  // text; this list is an assumption, kept narrow so that unknown types keep every byte.
  static func forPayloadVersion2(_ body: Data, contentType: String?) -> EventBody {
    if body.isEmpty { return EventBody(text: nil, isBase64Encoded: false) }
    let isTextType = contentType.map(MediaType.isText) ?? true
    if isTextType, let text = String(data: body, encoding: .utf8) {
      return EventBody(text: text, isBase64Encoded: false)
    }
    return EventBody(text: body.base64EncodedString(), isBase64Encoded: true)
  }

  /// Encodes `body` for a REST API event.
  ///
  /// A REST API base64-encodes a body only when its content type matches one of the API's binary
  /// media types. Any other body reaches the function as UTF-8 text.
  // NOTE: A deployed REST API would damage bytes that are not valid UTF-8 when no binary media type
  // matches. Here such a body is base64-encoded, so the function still gets every byte.
  static func forRESTAPI(_ body: Data, contentType: String?, binaryMediaTypes: [String]) -> EventBody {
    if body.isEmpty { return EventBody(text: nil, isBase64Encoded: false) }
    let isBinaryType = contentType.map { MediaType.matches($0, anyOf: binaryMediaTypes) } ?? false
    if !isBinaryType, let text = String(data: body, encoding: .utf8) {
      return EventBody(text: text, isBase64Encoded: false)
    }
    return EventBody(text: body.base64EncodedString(), isBase64Encoded: true)
  }
}

/// Media type checks on `Content-Type` values.
enum MediaType {
  /// Returns the type and subtype of a `Content-Type` value, lower-cased and without parameters.
  static func essence(_ contentType: String) -> String {
    let beforeParameters = contentType.split(separator: ";", maxSplits: 1).first ?? ""
    return beforeParameters.trimmingCharacters(in: .whitespaces).lowercased()
  }

  /// Returns whether a content type is text: `text/*`, JSON, XML or JavaScript, including the `+json`
  /// and `+xml` suffixes of types such as `application/problem+json`.
  static func isText(_ contentType: String) -> Bool {
    let type = essence(contentType)
    if type.hasPrefix("text/") { return true }
    if type.hasSuffix("+json") || type.hasSuffix("+xml") { return true }
    return ["application/json", "application/xml", "application/javascript", "application/x-javascript"]
      .contains(type)
  }

  /// Returns whether a content type matches one of `patterns`, where `*/*` matches anything and
  /// `image/*` matches any image type.
  static func matches(_ contentType: String, anyOf patterns: [String]) -> Bool {
    let type = essence(contentType)
    let parts = type.split(separator: "/", maxSplits: 1).map(String.init)
    for pattern in patterns.map(essence) {
      if pattern == "*/*" || pattern == type { return true }
      if pattern.hasSuffix("/*"), let major = parts.first, pattern == major + "/*" { return true }
    }
    return false
  }
}
