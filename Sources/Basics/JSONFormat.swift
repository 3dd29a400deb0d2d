import Foundation

/// JSON encoding with stable output: sorted keys, pretty-printed, slashes unescaped.
public enum JSONFormat {
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(Timestamp.format(date))
    }
    return encoder
  }

  /// Returns a decoder that reads what `encoder()` writes.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let container = try decoder.singleValueContainer()
      let text = try container.decode(String.self)
      guard let date = Timestamp.parse(text) else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "expected an RFC 3339 UTC time such as 2026-01-31T12:00:00Z")
      }
      return date
    }
    return decoder
  }

  /// Encodes a value as sorted, pretty JSON text with a trailing newline.
  public static func text<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try encoder().encode(value), as: UTF8.self) + "\n"
  }

  /// Serialises a `JSONSerialization` object as sorted, pretty JSON text with a trailing newline.
  public static func text(object: Any) throws -> String {
    let data = try JSONSerialization.data(
      withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// RFC 3339 UTC timestamps with whole seconds (`2026-01-31T12:00:00Z`), parsed and formatted without
/// `ISO8601DateFormatter`, which costs about 15 µs a call on Linux and dominates reading a large registry.
public enum Timestamp {
  public static func format(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
      parts.tm_hour, parts.tm_min, parts.tm_sec)
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS` with an optional fraction and a `Z` suffix.
  public static func parse(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
      bytes.last == UInt8(ascii: "Z")
    else { return nil }
    func number(_ range: Range<Int>) -> Int32? {
      var value: Int32 = 0
      for index in range {
        let digit = Int32(bytes[index]) - 48
        guard (0...9).contains(digit) else { return nil }
        value = value * 10 + digit
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
    else { return nil }
    var fraction = 0.0
    if bytes.count > 20 {
      guard bytes[19] == UInt8(ascii: "."), let digits = number(20..<(bytes.count - 1)) else { return nil }
      fraction = Double(digits) / pow(10, Double(bytes.count - 21))
    }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = month - 1
    parts.tm_mday = day
    parts.tm_hour = hour
    parts.tm_min = minute
    parts.tm_sec = second
    return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)) + fraction)
  }
}

extension String {
  /// Compares two ASCII tokens such as HTTP header names, ignoring case. Much cheaper on Linux than
  /// `caseInsensitiveCompare`, which goes through ICU collation.
  public func equalsIgnoringASCIICase(_ other: String) -> Bool {
    let left = utf8
    let right = other.utf8
    guard left.count == right.count else { return false }
    for (a, b) in zip(left, right) where a != b {
      let lowerA = (a >= 65 && a <= 90) ? a + 32 : a
      let lowerB = (b >= 65 && b <= 90) ? b + 32 : b
      if lowerA != lowerB { return false }
    }
    return true
  }
}
