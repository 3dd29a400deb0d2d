import Basics
import Foundation
import Testing

@Suite("CompactJSON")
struct CompactJSONTests {
  @Test("round trip keeps every value")
  func roundTrip() throws {
    let object: [String: Any] = [
      "quote": "say \"hi\"", "backslash": #"C:\path"#, "control": "tab\tnew\nline\u{01}",
      "unicode": "Zoë ✓ 日本",
      "int": 42, "negative": -7, "bool": true, "false": false, "null": NSNull(), "double": 1.5,
      "nested": ["list": [1, "two", ["three": 3]] as [Any]] as [String: Any],
    ]
    let data = try #require(CompactJSON.data(object))
    let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(parsed["quote"] as? String == "say \"hi\"")
    #expect(parsed["backslash"] as? String == #"C:\path"#)
    #expect(parsed["control"] as? String == "tab\tnew\nline\u{01}")
    #expect(parsed["unicode"] as? String == "Zoë ✓ 日本")
    #expect(parsed["int"] as? Int == 42)
    #expect(parsed["negative"] as? Int == -7)
    #expect(parsed["bool"] as? Bool == true)
    #expect(parsed["false"] as? Bool == false)
    #expect(parsed["null"] is NSNull)
    #expect(parsed["double"] as? Double == 1.5)
    let nested = try #require(parsed["nested"] as? [String: Any])
    let list = try #require(nested["list"] as? [Any])
    #expect(list.count == 3)
    #expect((list[2] as? [String: Any])?["three"] as? Int == 3)
  }

  @Test("booleans stay booleans")
  func booleansAreNotNumbers() throws {
    let text = String(
      decoding: try #require(CompactJSON.data(["a": true, "b": 1] as [String: Any])), as: UTF8.self)
    #expect(text.contains("\"a\":true"))
    #expect(text.contains("\"b\":1"))
  }

  @Test("values JSON cannot hold are rejected")
  func rejectsUnsupported() {
    #expect(CompactJSON.data(["date": Date()]) == nil)
    #expect(CompactJSON.data(["nan": Double.nan]) == nil)
  }
}
