import Foundation

/// Serialises JSON objects built in Swift (`[String: Any]` of strings, numbers, booleans, `NSNull`,
/// arrays and dictionaries) without bridging them to `NSDictionary`, which `JSONSerialization` does on
/// Linux at a cost that dominated each gateway request. Keys keep no particular order.
public enum CompactJSON {
  /// Returns the compact JSON text of `object`, or nil when it contains a value JSON cannot represent.
  public static func data(_ object: Any) -> Data? {
    var output = [UInt8]()
    output.reserveCapacity(1024)
    guard write(object, to: &output) else { return nil }
    return Data(output)
  }

  private static func write(_ value: Any, to output: inout [UInt8]) -> Bool {
    switch value {
    case let text as String:
      writeString(text, to: &output)
    case let number as Int:
      output.append(contentsOf: String(number).utf8)
    case let number as Int64:
      output.append(contentsOf: String(number).utf8)
    case let number as Int32:
      output.append(contentsOf: String(number).utf8)
    case let flag as Bool:
      output.append(contentsOf: (flag ? "true" : "false").utf8)
    case let number as Double:
      guard number.isFinite else { return false }
      output.append(
        contentsOf: (number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)")
          .utf8)
    case is NSNull:
      output.append(contentsOf: "null".utf8)
    case let dictionary as [String: Any]:
      output.append(UInt8(ascii: "{"))
      var isFirst = true
      for (key, element) in dictionary {
        if !isFirst { output.append(UInt8(ascii: ",")) }
        isFirst = false
        writeString(key, to: &output)
        output.append(UInt8(ascii: ":"))
        guard write(element, to: &output) else { return false }
      }
      output.append(UInt8(ascii: "}"))
    case let array as [Any]:
      output.append(UInt8(ascii: "["))
      for (index, element) in array.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        guard write(element, to: &output) else { return false }
      }
      output.append(UInt8(ascii: "]"))
    case let number as NSNumber:
      // Values parsed by JSONSerialization: its booleans are a distinct class.
      if String(describing: type(of: number)).contains("Boolean") {
        output.append(contentsOf: (number.boolValue ? "true" : "false").utf8)
      } else {
        output.append(contentsOf: number.stringValue.utf8)
      }
    default:
      return false
    }
    return true
  }

  private static func writeString(_ text: String, to output: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output.append(contentsOf: [92, 34])
      case UInt8(ascii: "\\"): output.append(contentsOf: [92, 92])
      case 0x0A: output.append(contentsOf: [92, UInt8(ascii: "n")])
      case 0x0D: output.append(contentsOf: [92, UInt8(ascii: "r")])
      case 0x09: output.append(contentsOf: [92, UInt8(ascii: "t")])
      case 0..<0x20:
        output.append(contentsOf: Array("\\u00".utf8))
        output.append(hex[Int(byte >> 4)])
        output.append(hex[Int(byte & 0x0f)])
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}
