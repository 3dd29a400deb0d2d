import Foundation

/// Turns a `JSONSerialization` error into a short reason with a line and column.
public enum JSONErrorText {
  /// Returns "line L, column C: reason" when the error carries a byte offset, otherwise its description.
  public static func describe(_ error: Error, in data: Data) -> String {
    let nsError = error as NSError
    let reason = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    // Apple's Foundation stores the offset in userInfo; swift-corelibs-foundation only writes it into
    // the message as "around character N".
    var offset = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int
    var cleanReason = reason
    if offset == nil, let range = reason.range(of: #" around character (\d+)"#, options: .regularExpression) {
      offset = Int(reason[range].filter(\.isNumber))
      cleanReason.removeSubrange(range)
    }
    guard let offset else { return reason }
    let (line, column) = position(ofByte: offset, in: data)
    if cleanReason.hasSuffix(".") { cleanReason.removeLast() }
    return "line \(line), column \(column): \(cleanReason.prefix(1).lowercased() + cleanReason.dropFirst())"
  }

  /// Returns the one-based line and column of a byte offset.
  public static func position(ofByte offset: Int, in data: Data) -> (Int, Int) {
    var line = 1
    var column = 1
    for byte in data.prefix(offset) {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }
}
