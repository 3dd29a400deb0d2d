import Foundation

/// The request line and header section of a request, parsed but not yet interpreted.
struct HTTPRequestHead {
  var method: String
  var target: String
  var version: String
  var headers: [(name: String, value: String)]

  /// Returns every value of the header field `name`, compared case-insensitively.
  func values(_ name: String) -> [String] {
    headers.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
  }

  /// Returns the comma-separated elements of every `name` field, trimmed and lowercased, empty ones skipped.
  func listElements(_ name: String) -> [String] {
    values(name).flatMap { $0.split(separator: ",") }
      .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
      .filter { !$0.isEmpty }
  }
}

/// The framing that sets the length of a request body (RFC 9112 §6.3).
enum HTTPBodyFraming: Equatable {
  case none
  case length(Int)
  case chunked
}

/// A request the server rejects: it sends the status, then closes the connection.
enum HTTPRequestError: Error, Equatable {
  /// 400: the request line, a header field or the framing is invalid, as the text describes.
  case malformed(String)
  /// 431: the request line and header fields are longer than the limit, in bytes.
  case headerTooLarge(limit: Int)
  /// 413: the body is longer than the limit, in bytes.
  case bodyTooLarge(limit: Int)
  /// 501: a transfer coding other than `chunked`.
  case unsupportedTransferCoding(String)
  /// 505: a protocol version other than HTTP/1.0 and HTTP/1.1.
  case unsupportedVersion(String)

  var status: Int {
    switch self {
    case .malformed: 400
    case .headerTooLarge: 431
    case .bodyTooLarge: 413
    case .unsupportedTransferCoding: 501
    case .unsupportedVersion: 505
    }
  }

  /// A one-line explanation for the response body.
  var message: String {
    switch self {
    case .malformed(let reason): "Bad request: \(reason)."
    case .headerTooLarge(let limit):
      "The request line and headers are larger than the limit of \(limit) bytes."
    case .bodyTooLarge(let limit): "The request body is larger than the limit of \(limit) bytes."
    case .unsupportedTransferCoding(let coding):
      "Transfer-Encoding \"\(coding)\" is not supported. Send the body with Content-Length or chunked."
    case .unsupportedVersion(let version): "\(version) is not supported. Use HTTP/1.1 or HTTP/1.0."
    }
  }
}

/// Parsing of HTTP/1.1 request heads and chunk-size lines (RFC 9112).
enum HTTPRequestParser {
  private static let carriageReturn: UInt8 = 13
  private static let lineFeed: UInt8 = 10

  /// Returns where the header section that starts at `start` ends: `headEnd` is the index of the final
  /// empty line and `bodyStart` the index after it. Returns nil when the empty line has not arrived yet.
  ///
  /// A line may end with CRLF or, as RFC 9112 §2.2 allows a recipient to accept, with a bare LF.
  static func findHeadEnd(in bytes: [UInt8], from start: Int) -> (headEnd: Int, bodyStart: Int)? {
    var index = start
    while let lineEnd = bytes[index...].firstIndex(of: lineFeed) {
      let next = lineEnd + 1
      if next < bytes.count, bytes[next] == lineFeed {
        return (next, next + 1)
      }
      if next + 1 < bytes.count, bytes[next] == carriageReturn, bytes[next + 1] == lineFeed {
        return (next, next + 2)
      }
      index = next
    }
    return nil
  }

  /// Splits `bytes` into lines at LF and removes the CR before each LF. A CR anywhere else is invalid.
  static func splitLines(_ bytes: ArraySlice<UInt8>) throws(HTTPRequestError) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    for var line in bytes.split(separator: lineFeed, omittingEmptySubsequences: false) {
      if line.last == carriageReturn { line = line.dropLast() }
      guard !line.contains(carriageReturn) else { throw .malformed("a line contains a bare CR") }
      lines.append(line)
    }
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  /// Parses the request line and header fields in `bytes`, which end before the final empty line.
  static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPRequestError) -> HTTPRequestHead {
    let lines = try splitLines(bytes)
    guard let requestLine = lines.first else { throw .malformed("the request line is missing") }
    var head = try parseRequestLine(requestLine)
    for line in lines.dropFirst() {
      head.headers.append(try parseField(line))
    }

    // RFC 9112 §3.2: an HTTP/1.1 request without Host, or any request with several, gets 400.
    let hostCount = head.values("Host").count
    if hostCount > 1 { throw .malformed("the request has \(hostCount) Host header fields") }
    if hostCount == 0 && head.version == "HTTP/1.1" {
      throw .malformed("the HTTP/1.1 request has no Host header field")
    }
    return head
  }

  /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3).
  static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPRequestError) -> HTTPRequestHead {
    let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
    guard parts.count == 3 else {
      throw .malformed("the request line is not \"METHOD TARGET HTTP/1.1\" with single spaces")
    }
    let (method, target, version) = (parts[0], parts[1], parts[2])

    guard !method.isEmpty, method.allSatisfy(isTokenCharacter) else {
      throw .malformed("the method is not a token")
    }
    // Printable ASCII is valid, and so is UTF-8 that some clients send unencoded. Control characters are not.
    guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 != 0x7F }),
      let targetText = String(validating: target, as: UTF8.self)
    else {
      throw .malformed("the request target is empty or contains invalid characters")
    }
    let versionText = String(decoding: version, as: UTF8.self)
    guard versionText == "HTTP/1.1" || versionText == "HTTP/1.0" else {
      if isVersionSyntax(version) { throw .unsupportedVersion(versionText) }
      throw .malformed("the protocol version is not HTTP/1.1 or HTTP/1.0")
    }
    return HTTPRequestHead(
      method: String(decoding: method, as: UTF8.self), target: targetText, version: versionText, headers: [])
  }

  /// Parses `field-name ":" OWS field-value OWS` (RFC 9112 §5).
  static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPRequestError) -> (name: String, value: String)
  {
    if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
      throw .malformed("a header line starts with whitespace (obsolete line folding)")
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
      throw .malformed("a header line has no colon")
    }
    let name = line[..<colon]
    guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
      throw .malformed("a header name is empty or contains a character that is not allowed, such as a space")
    }
    let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    var value = line[(colon + 1)...]
    while let first = value.first, isWhitespace(first) { value = value.dropFirst() }
    while let last = value.last, isWhitespace(last) { value = value.dropLast() }
    guard value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }) else {
      throw .malformed("the value of \(String(decoding: name, as: UTF8.self)) contains a control character")
    }
    return (String(decoding: name, as: UTF8.self), decodeFieldValue(value))
  }

  /// Decodes a field value as UTF-8, or as ISO-8859-1 when it is not valid UTF-8, so no byte is lost.
  static func decodeFieldValue(_ bytes: ArraySlice<UInt8>) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
  }

  /// Returns how the body of `head` is framed, or throws when the framing is invalid or the declared
  /// length is over `maxBodyBytes`.
  static func bodyFraming(of head: HTTPRequestHead, maxBodyBytes: Int) throws(HTTPRequestError)
    -> HTTPBodyFraming
  {
    let contentLengths = head.values("Content-Length")
    let transferCodings = head.listElements("Transfer-Encoding")

    if !head.values("Transfer-Encoding").isEmpty {
      // RFC 9112 §6.1 allows forwarding such a message, but a server that guesses risks request smuggling.
      guard contentLengths.isEmpty else {
        throw .malformed("the request has both Content-Length and Transfer-Encoding")
      }
      if let other = transferCodings.first(where: { $0 != "chunked" }) {
        throw .unsupportedTransferCoding(other)
      }
      guard transferCodings.count == 1 else {
        throw .malformed("Transfer-Encoding lists chunked \(transferCodings.count) times, or is empty")
      }
      return .chunked
    }

    guard !contentLengths.isEmpty else { return .none }
    // RFC 9110 §8.6: repeated or comma-joined copies of one valid value count as that value.
    let elements = contentLengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
      .map { $0.trimmingCharacters(in: .whitespaces) }
    guard let first = elements.first, elements.allSatisfy({ $0 == first }),
      !first.isEmpty, first.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else {
      throw .malformed("Content-Length is not one decimal number")
    }
    guard let length = Int(first), length <= maxBodyBytes else { throw .bodyTooLarge(limit: maxBodyBytes) }
    return length == 0 ? .none : .length(length)
  }

  /// Parses a chunk-size line, `1*HEXDIG *( BWS ";" chunk-ext )` (RFC 9112 §7.1), ignoring extensions.
  static func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPRequestError) -> Int {
    var sizeText = line.prefix { $0 != UInt8(ascii: ";") }
    while let last = sizeText.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
      sizeText = sizeText.dropLast()
    }
    guard !sizeText.isEmpty, sizeText.count <= 15,
      sizeText.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
      let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16)
    else {
      throw .malformed("a chunk size is not a hexadecimal number of at most 15 digits")
    }
    return size
  }

  /// Returns whether `byte` may appear in a token (RFC 9110 §5.6.2): letters, digits and ``!#$%&'*+-.^_`|~``.
  static func isTokenCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      true
    default:
      Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }
  }

  /// Returns whether `bytes` has the shape `HTTP/DIGIT.DIGIT` (or `HTTP/DIGIT`, as HTTP/2 and HTTP/3 name themselves).
  private static func isVersionSyntax(_ bytes: ArraySlice<UInt8>) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.hasPrefix("HTTP/") else { return false }
    let number = text.dropFirst(5)
    let digits = number.split(separator: ".", omittingEmptySubsequences: false)
    return (1...2).contains(digits.count)
      && digits.allSatisfy { $0.count == 1 && $0.first!.isASCII && $0.first!.isNumber }
  }
}
