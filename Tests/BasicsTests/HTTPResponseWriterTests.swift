import Foundation
import Testing

@testable import Basics

@Suite("HTTPResponseWriter")
struct HTTPResponseWriterTests {
  /// 1994-11-06 08:49:37 UTC, the example date of RFC 9110 §5.6.7.
  private let date = Date(timeIntervalSince1970: 784_111_777)

  private func headText(_ response: HTTPResponse, method: String = "GET", option: String? = nil) -> String {
    let head = HTTPResponseWriter.makeHead(
      for: response, method: method, date: date, connectionOption: option)
    return String(decoding: head.bytes, as: UTF8.self)
  }

  @Test("date formatted as IMF-fixdate")
  func imfFixdate() {
    #expect(HTTPResponseWriter.imfFixdate(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
    #expect(HTTPResponseWriter.imfFixdate(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
    #expect(
      HTTPResponseWriter.imfFixdate(Date(timeIntervalSince1970: 1_709_251_199.9))
        == "Thu, 29 Feb 2024 23:59:59 GMT")
  }

  @Test("head lists handler fields first")
  func headOrder() {
    let response = HTTPResponse(
      status: 200, headers: [("set-cookie", "a=1"), ("X-Mixed-Case", "v"), ("Set-Cookie", "b=2")],
      body: Data("hello".utf8))
    #expect(
      headText(response)
        == "HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nX-Mixed-Case: v\r\nSet-Cookie: b=2\r\n"
        + "Content-Length: 5\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
  }

  @Test("handler Content-Length and Date kept")
  func handlerFieldsKept() {
    let response = HTTPResponse(
      status: 201, headers: [("content-length", "2"), ("date", "x")], body: Data("ok".utf8))
    #expect(headText(response) == "HTTP/1.1 201 Created\r\ncontent-length: 2\r\ndate: x\r\n\r\n")
  }

  @Test(
    "no Content-Length or body for HEAD, 204 and 304",
    arguments: [
      ("HEAD", 200, "HTTP/1.1 200 OK"), ("GET", 204, "HTTP/1.1 204 No Content"),
      ("GET", 304, "HTTP/1.1 304 Not Modified"),
    ])
  func noBody(method: String, status: Int, statusLine: String) {
    let response = HTTPResponse(status: status, body: Data("ignored".utf8))
    let head = HTTPResponseWriter.makeHead(for: response, method: method, date: date)
    #expect(!head.includesBody)
    #expect(
      String(decoding: head.bytes, as: UTF8.self)
        == "\(statusLine)\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
  }

  @Test("mismatched Content-Length marks framing unsound")
  func framingMismatch() {
    let response = HTTPResponse(status: 200, headers: [("Content-Length", "3")], body: Data("four".utf8))
    #expect(!HTTPResponseWriter.makeHead(for: response, method: "GET", date: date).isFramingSound)
    let matching = HTTPResponse(status: 200, headers: [("Content-Length", "4")], body: Data("four".utf8))
    #expect(HTTPResponseWriter.makeHead(for: matching, method: "GET", date: date).isFramingSound)
  }

  @Test("connection option added once")
  func connectionOption() {
    #expect(headText(HTTPResponse(status: 200), option: "close").contains("\r\nConnection: close\r\n"))
    let own = HTTPResponse(status: 200, headers: [("connection", "keep-alive")])
    let text = headText(own, option: "close")
    #expect(text.contains("\r\nconnection: keep-alive\r\n"))
    #expect(!text.contains("Connection: close"))
  }

  @Test("unknown status keeps the space")
  func unknownStatus() {
    #expect(headText(HTTPResponse(status: 299)).hasPrefix("HTTP/1.1 299 \r\n"))
    #expect(HTTPResponseWriter.reasonPhrase(for: 413) == "Content Too Large")
    #expect(HTTPResponseWriter.reasonPhrase(for: 431) == "Request Header Fields Too Large")
  }

  @Test(
    "unwritable responses detected",
    arguments: [
      (
        HTTPResponse(status: 200, headers: [("X-Split", "a\r\nInjected: 1")]),
        "the value of X-Split contains CR, LF or NUL"
      ),
      (
        HTTPResponse(status: 200, headers: [("Bad Name", "v")]), "the header name \"Bad Name\" is not a token"
      ),
      (HTTPResponse(status: 200, headers: [("", "v")]), "the header name \"\" is not a token"),
      (HTTPResponse(status: 100), "the status 100 is not a final three-digit status code"),
      (HTTPResponse(status: 1000), "the status 1000 is not a final three-digit status code"),
    ])
  func unwritable(response: HTTPResponse, reason: String) {
    #expect(HTTPResponseWriter.reasonNotWritable(response) == reason)
  }

  @Test("valid response passes the check")
  func writable() {
    let response = HTTPResponse(status: 599, headers: [("X-Unicode", "caf\u{E9}"), ("X-Empty", "")])
    #expect(HTTPResponseWriter.reasonNotWritable(response) == nil)
  }
}
