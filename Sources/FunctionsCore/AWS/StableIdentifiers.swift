import Basics
import Foundation

/// Identifiers derived from a seed text through SHA-256, so the same input always yields the same
/// event. They have the shape of the service's identifiers but no meaning beyond that.
enum StableIdentifiers {
  /// Returns the 32 bytes of the SHA-256 digest of `seed`.
  static func digest(_ seed: String) -> [UInt8] {
    let hex = Array(SHA256.hexDigest(of: seed).utf8)
    return stride(from: 0, to: hex.count, by: 2).map { index in
      UInt8(hexValue(hex[index]) << 4 | hexValue(hex[index + 1]))
    }
  }

  /// A version 4 UUID in lower case, such as `059f36b4-87a3-44ab-83d2-661975830a7d`.
  static func uuid(_ seed: String) -> String {
    var bytes = Array(digest(seed).prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
    bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
    let hex = bytes.map { String(format: "%02x", $0) }.joined()
    let characters = Array(hex)
    let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }
    return groups.joined(separator: "-")
  }

  /// `count` hexadecimal digits (at most 64), in upper case when `uppercase` is set.
  static func hex(_ seed: String, count: Int, uppercase: Bool = false) -> String {
    let text = String(SHA256.hexDigest(of: seed).prefix(count))
    return uppercase ? text.uppercased() : text
  }

  /// Returns the base64 text of the first `byteCount` digest bytes (at most 32).
  static func base64(_ seed: String, byteCount: Int) -> String {
    Data(digest(seed).prefix(byteCount)).base64EncodedString()
  }

  private static func hexValue(_ character: UInt8) -> UInt8 {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    default: 0
    }
  }
}
