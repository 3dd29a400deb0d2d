import Foundation
import Testing

@testable import Basics

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
  private func bytes(_ text: String) -> ArraySlice<UInt8> { ArraySlice(Array(text.utf8)) }

  @Test(
    "head end found after CRLF or LF",
    arguments: [
      ("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY", 25, 27),
      ("GET / HTTP/1.1\nHost: a\n\nBODY", 23, 24),
      ("GET / HTTP/1.1\r\n\r\n", 16, 18),
    ])
  func headEnd(text: String, headEnd: Int, bodyStart: Int) throws {
    let found = try #require(HTTPRequestParser.findHeadEnd(in: Array(text.utf8), from: 0))
    #expect(found.headEnd == headEnd)
    #expect(found.bodyStart == bodyStart)
  }

  @Test(
    "head end not found in a partial head",
    arguments: [
      "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r", "GET / HTTP/1.1", "",
    ])
  func partialHead(text: String) {
    #expect(HTTPRequestParser.findHeadEnd(in: Array(text.utf8), from: 0) == nil)
  }

  @Test("request line parsed as sent")
  func requestLine() throws {
    let head = try HTTPRequestParser.parseRequestLine(bytes("PATCH /a%20b/c?x=1&x=2 HTTP/1.0"))
    #expect(head.method == "PATCH")
    #expect(head.target == "/a%20b/c?x=1&x=2")
    #expect(head.version == "HTTP/1.0")
  }

  @Test("raw UTF-8 target accepted")
  func utf8Target() throws {
    let head = try HTTPRequestParser.parseRequestLine(bytes("GET /caf\u{E9} HTTP/1.1"))
    #expect(head.target == "/caf\u{E9}")
  }

  @Test(
    "invalid request lines rejected with 400",
    arguments: [
      "GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "G(T / HTTP/1.1", " / HTTP/1.1", "GET /a\u{7F} HTTP/1.1",
      "GET / HTTPS/1.1", "GET / http/1.1", "GET / HTTP/1.10", "GET\t/ HTTP/1.1",
    ])
  func invalidRequestLine(line: String) {
    let error = #expect(throws: HTTPRequestError.self) { try HTTPRequestParser.parseRequestLine(bytes(line)) }
    #expect(error?.status == 400)
  }

  @Test("other HTTP versions rejected with 505", arguments: ["HTTP/2.0", "HTTP/0.9", "HTTP/2", "HTTP/1.2"])
  func unsupportedVersion(version: String) {
    #expect(throws: HTTPRequestError.unsupportedVersion(version)) {
      try HTTPRequestParser.parseRequestLine(bytes("GET / \(version)"))
    }
  }

  @Test(
    "header field name and value split",
    arguments: [
      ("X-Name: value", "X-Name", "value"),
      ("x-name:value", "x-name", "value"),
      ("X-Name: \t padded \t", "X-Name", "padded"),
      ("X-Empty:", "X-Empty", ""),
      ("X-Colon: a:b: c", "X-Colon", "a:b: c"),
      ("X-Tab: a\tb", "X-Tab", "a\tb"),
      ("X-UTF8: caf\u{E9}", "X-UTF8", "caf\u{E9}"),
    ])
  func field(line: String, name: String, value: String) throws {
    let field = try HTTPRequestParser.parseField(bytes(line))
    #expect(field.name == name)
    #expect(field.value == value)
  }

  @Test("non-UTF-8 value read as ISO-8859-1")
  func latin1Value() throws {
    let line = Array("X-Latin: caf".utf8) + [0xE9]
    let field = try HTTPRequestParser.parseField(ArraySlice(line))
    #expect(field.value == "caf\u{E9}")
  }

  @Test(
    "invalid header lines rejected",
    arguments: [
      "X-Name value", "X-Name : value", " X-Folded: value", "\tX-Folded: value", ": value", "X Name: value",
      "X-Control: a\u{01}b", "X-Delete: a\u{7F}",
    ])
  func invalidField(line: String) {
    #expect(throws: HTTPRequestError.self) { try HTTPRequestParser.parseField(bytes(line)) }
  }

  @Test("head keeps field order and case")
  func headFields() throws {
    let text = "GET / HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nx-a: 2\r\nX-B: 3\r\n"
    let head = try HTTPRequestParser.parseHead(bytes(text))
    #expect(head.headers.map(\.name) == ["Host", "X-B", "x-a", "X-B"])
    #expect(head.headers.map(\.value) == ["h", "1", "2", "3"])
    #expect(head.values("x-b") == ["1", "3"])
  }

  @Test(
    "Host required once in HTTP/1.1",
    arguments: [
      ("GET / HTTP/1.1\r\n", false),
      ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n", false),
      ("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n", false),
      ("GET / HTTP/1.0\r\n", true),
      ("GET / HTTP/1.1\r\nhost: a\r\n", true),
    ])
  func host(text: String, isValid: Bool) {
    let head = try? HTTPRequestParser.parseHead(bytes(text))
    #expect((head != nil) == isValid)
  }

  @Test("bare CR in a head rejected")
  func bareCarriageReturn() {
    #expect(throws: HTTPRequestError.self) {
      try HTTPRequestParser.parseHead(bytes("GET / HTTP/1.1\r\nHost: a\rX-B: 1\r\n"))
    }
  }

  private func framing(_ fields: [(String, String)], maxBodyBytes: Int = 1000) throws(HTTPRequestError)
    -> HTTPBodyFraming
  {
    let head = HTTPRequestHead(
      method: "POST", target: "/", version: "HTTP/1.1", headers: fields.map { (name: $0.0, value: $0.1) })
    return try HTTPRequestParser.bodyFraming(of: head, maxBodyBytes: maxBodyBytes)
  }

  @Test("body framing read from headers")
  func bodyFraming() throws {
    #expect(try framing([]) == HTTPBodyFraming.none)
    #expect(try framing([("Content-Length", "0")]) == HTTPBodyFraming.none)
    #expect(try framing([("content-length", "12")]) == .length(12))
    #expect(try framing([("Content-Length", "12"), ("Content-Length", "12")]) == .length(12))
    #expect(try framing([("Content-Length", "12, 12")]) == .length(12))
    #expect(try framing([("Content-Length", "1000")]) == .length(1000))
    #expect(try framing([("Transfer-Encoding", "chunked")]) == .chunked)
    #expect(try framing([("transfer-encoding", "Chunked")]) == .chunked)
  }

  @Test(
    "invalid body framing rejected",
    arguments: [
      (
        [("Content-Length", "12"), ("Transfer-Encoding", "chunked")],
        HTTPRequestError.malformed(
          "the request has both Content-Length and Transfer-Encoding")
      ),
      (
        [("Content-Length", "12"), ("Content-Length", "13")],
        .malformed("Content-Length is not one decimal number")
      ),
      ([("Content-Length", "-1")], .malformed("Content-Length is not one decimal number")),
      ([("Content-Length", "+1")], .malformed("Content-Length is not one decimal number")),
      ([("Content-Length", "0x10")], .malformed("Content-Length is not one decimal number")),
      ([("Content-Length", "")], .malformed("Content-Length is not one decimal number")),
      ([("Content-Length", "1001")], .bodyTooLarge(limit: 1000)),
      ([("Content-Length", "99999999999999999999999")], .bodyTooLarge(limit: 1000)),
      ([("Transfer-Encoding", "gzip")], .unsupportedTransferCoding("gzip")),
      ([("Transfer-Encoding", "gzip, chunked")], .unsupportedTransferCoding("gzip")),
      (
        [("Transfer-Encoding", "chunked, chunked")],
        .malformed(
          "Transfer-Encoding lists chunked 2 times, or is empty")
      ),
      ([("Transfer-Encoding", "")], .malformed("Transfer-Encoding lists chunked 0 times, or is empty")),
    ])
  func invalidFraming(fields: [(String, String)], expected: HTTPRequestError) {
    #expect(throws: expected) { try framing(fields) }
  }

  @Test(
    "chunk sizes parsed as hexadecimal",
    arguments: [
      ("0", 0), ("a", 10), ("FF", 255), ("1f;name=value", 31), ("10 ; ext", 16), ("00000001", 1),
    ])
  func chunkSize(line: String, size: Int) throws {
    #expect(try HTTPRequestParser.parseChunkSize(bytes(line)) == size)
  }

  @Test("invalid chunk sizes rejected", arguments: ["", ";ext", "-1", "+1", "1 2", "g", "1000000000000000"])
  func invalidChunkSize(line: String) {
    #expect(throws: HTTPRequestError.self) { try HTTPRequestParser.parseChunkSize(bytes(line)) }
  }
}
