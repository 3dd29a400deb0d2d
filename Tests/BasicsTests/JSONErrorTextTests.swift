import Foundation
import Testing

@testable import Basics

private func parseError(_ text: String) throws -> Error {
  do {
    _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
  } catch {
    return error
  }
  Issue.record("\(text.debugDescription) parsed without an error")
  throw CancellationError()
}

@Suite("JSONErrorText")
struct JSONErrorTextTests {
  @Test(
    "position of a byte offset",
    arguments: [
      ("abc", 0, 1, 1),
      ("abc", 2, 1, 3),
      ("a\nb", 2, 2, 1),
      ("a\nbc", 3, 2, 2),
      ("\n\n\nx", 3, 4, 1),
      // `é` is two bytes and one column.
      ("é x", 3, 1, 3),
      ("abc", 10, 1, 4),
    ]
  )
  func position(text: String, offset: Int, line: Int, column: Int) {
    let (foundLine, foundColumn) = JSONErrorText.position(ofByte: offset, in: Data(text.utf8))
    #expect(foundLine == line)
    #expect(foundColumn == column)
  }

  @Test(
    "parse errors on this platform",
    arguments: [
      ("{\n  \"a\": 1,\n  oops\n}", "line 3, column 3: invalid value"),
      ("{\"a\" 1}", "line 1, column 6: invalid value"),
      ("{\"é\": x}", "line 1, column 7: invalid value"),
      ("not json", "line 1, column 2: invalid value"),
    ]
  )
  func parseErrors(text: String, expected: String) throws {
    let error = try parseError(text)
    #expect(JSONErrorText.describe(error, in: Data(text.utf8)) == expected)
  }

  /// Apple's Foundation puts the byte offset in `userInfo` instead of the message.
  @Test("offset from userInfo")
  func offsetFromUserInfo() {
    let data = Data("{\n  x\n}".utf8)
    let error = NSError(
      domain: NSCocoaErrorDomain, code: 3840,
      userInfo: [NSDebugDescriptionErrorKey: "Invalid value.", "NSJSONSerializationErrorIndex": 4])

    #expect(JSONErrorText.describe(error, in: data) == "line 2, column 3: invalid value")
  }

  @Test("error without offset keeps its reason")
  func errorWithoutOffset() {
    let error = NSError(
      domain: NSCocoaErrorDomain, code: 3840,
      userInfo: [NSDebugDescriptionErrorKey: "Unexpected end of file during JSON parse."])

    #expect(
      JSONErrorText.describe(error, in: Data("[1,".utf8)) == "Unexpected end of file during JSON parse.")
  }
}
