import Basics
import Foundation
import Testing

@Suite("HTTPMessage")
struct HTTPMessageTests {
  @Test(
    "target split into raw path and query",
    arguments: [
      ("/a%20b/c?x=1&x=2", "/a%20b/c", "x=1&x=2" as String?),
      ("/p?", "/p", ""),
      ("/p", "/p", nil),
      ("/p?a?b", "/p", "a?b"),
      ("/%3F?q=%3F", "/%3F", "q=%3F"),
      ("*", "*", nil),
      ("http://example.test/x/y?z", "/x/y", "z"),
      ("http://example.test", "/", nil),
      ("http://example.test?z", "/", "z"),
      ("example.test:443", "example.test:443", nil),
    ])
  func targetSplit(target: String, path: String, rawQuery: String?) {
    let request = HTTPRequest(method: "GET", target: target)
    #expect(request.path == path)
    #expect(request.rawQuery == rawQuery)
  }

  @Test("header lookups ignore case and keep order")
  func headerLookup() {
    let request = HTTPRequest(
      method: "GET", target: "/", headers: [("X-A", "1"), ("x-b", "2"), ("x-a", "3")])
    #expect(request.header("x-A") == "1")
    #expect(request.headers(named: "X-a") == ["1", "3"])
    #expect(request.header("missing") == nil)
    #expect(request.headers(named: "missing") == [])
  }

  @Test("json and text set Content-Type")
  func factories() {
    let json = HTTPResponse.json(202, Data("{}".utf8), headers: [("X-Extra", "1")])
    #expect(json.status == 202)
    #expect(json.headers.map(\.name) == ["Content-Type", "X-Extra"])
    #expect(json.header("content-type") == "application/json")
    #expect(json.body == Data("{}".utf8))

    let text = HTTPResponse.text(404, "Not found.")
    #expect(text.header("Content-Type") == "text/plain; charset=utf-8")
    #expect(String(decoding: text.body, as: UTF8.self) == "Not found.")
  }
}
