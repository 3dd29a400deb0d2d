import Foundation
import Testing

@testable import Basics

/// Requests that the server rejects itself with an error status before it closes the connection.
extension HTTPServerTests {
  private static let smallLimits = HTTPServer.Limits(maxHeaderBytes: 1024, maxBodyBytes: 100)

  @Test(
    "invalid requests rejected with exact status",
    arguments: [
      ("GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      ("GET /\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      ("GET / HTTP/1.1\r\nHost: h\r\n Folded: x\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      ("GET / HTTP/1.1\r\nBad Name: x\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      ("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        "HTTP/1.1 400 Bad Request"
      ),
      ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", "HTTP/1.1 400 Bad Request"),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 400 Bad Request"
      ),
      ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 400 Bad Request"),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 400 Bad Request"
      ),
      ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented"),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP/1.1 501 Not Implemented"
      ),
      ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"),
      (
        "GET / HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n",
        "HTTP/1.1 431 Request Header Fields Too Large"
      ),
      ("GET /\(String(repeating: "a", count: 2000))", "HTTP/1.1 431 Request Header Fields Too Large"),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n\(String(repeating: "b", count: 101))",
        "HTTP/1.1 413 Content Too Large"
      ),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n\(String(repeating: "c", count: 64))\r\n"
          + "40\r\n\(String(repeating: "c", count: 64))\r\n0\r\n\r\n", "HTTP/1.1 413 Content Too Large"
      ),
      (
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: \(String(repeating: "t", count: 2000))\r\n\r\n",
        "HTTP/1.1 431 Request Header Fields Too Large"
      ),
    ])
  func rejected(request: String, statusLine: String) async throws {
    let recorder = RequestRecorder()
    try await withServer(limits: Self.smallLimits, handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(request)
      let response = try await client.readResponse()
      #expect(response.statusLine == statusLine)
      #expect(response.header("Connection") == "close")
      #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
      #expect(response.header("Content-Length") == "\(response.body.count)")
      #expect(response.header("Date") != nil)
      #expect(!response.body.isEmpty)
      #expect(try await client.readToEnd().isEmpty)
      #expect(recorder.requests.isEmpty)
    }
  }

  @Test("413 body names the limit")
  func bodyTooLargeText() async throws {
    try await withServer(limits: Self.smallLimits, handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 413 Content Too Large")
      #expect(
        String(decoding: response.body, as: UTF8.self)
          == "The request body is larger than the limit of 100 bytes.")
    }
  }

  @Test("413 response made by the limits closure")
  func bodyTooLargeCustom() async throws {
    var limits = Self.smallLimits
    limits.bodyTooLarge = { limit in
      let message = "Request must be smaller than \(limit) bytes for the InvokeFunction operation"
      return .json(
        413, Data(#"{"Type":"User","message":"\#(message)"}"#.utf8),
        headers: [("x-amzn-ErrorType", "RequestEntityTooLargeException")])
    }
    try await withServer(limits: limits, handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("POST /invocations HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 413 Content Too Large")
      #expect(response.header("x-amzn-ErrorType") == "RequestEntityTooLargeException")
      #expect(response.header("Connection") == "close")
      #expect(
        String(decoding: response.body, as: UTF8.self)
          == #"{"Type":"User","message":"Request must be smaller than 100 bytes for the InvokeFunction operation"}"#
      )
    }
  }

  @Test("oversized Expect body gets 413")
  func expectTooLarge() async throws {
    try await withServer(limits: Self.smallLimits, handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(
        "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 413 Content Too Large")
      #expect(try await client.readToEnd().isEmpty)
    }
  }

  @Test("body at the limit accepted")
  func bodyAtLimit() async throws {
    let recorder = RequestRecorder()
    try await withServer(limits: Self.smallLimits, handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n\(String(repeating: "d", count: 100))")
      #expect(try await client.readResponse().statusLine == "HTTP/1.1 200 OK")
      try await client.send(
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n\(String(repeating: "e", count: 100))\r\n0\r\n\r\n"
      )
      #expect(try await client.readResponse().statusLine == "HTTP/1.1 200 OK")
      #expect(recorder.requests.map(\.body.count) == [100, 100])
    }
  }

  @Test("rejections logged with the reason")
  func rejectionLogged() async throws {
    let log = LogRecorder()
    try await withServer(log: log.record, handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET / HTTP/1.1\r\n\r\n")
      _ = try await client.readResponse()
      #expect(
        log.lines.contains(
          "HTTP request from 127.0.0.1 rejected with 400: Bad request: the HTTP/1.1 request has no Host header field."
        ))
    }
  }
}
