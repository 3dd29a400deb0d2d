import Foundation
import Testing

@testable import Basics

/// Request parsing as seen by a handler: targets, header fields, bodies and connection reuse.
extension HTTPServerTests {
  @Test(
    "request target kept raw",
    arguments: [
      ("/a%20b/c?x=1&x=2", "/a%20b/c", "x=1&x=2" as String?),
      ("/empty?", "/empty", ""),
      ("/plain", "/plain", nil),
      ("/%E2%82%AC/%2F/?q=%26&q=&q", "/%E2%82%AC/%2F/", "q=%26&q=&q"),
    ])
  func rawTarget(target: String, path: String, rawQuery: String?) async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 200 OK")
      let request = try #require(recorder.requests.first)
      #expect(request.method == "GET")
      #expect(request.target == target)
      #expect(request.path == path)
      #expect(request.rawQuery == rawQuery)
      #expect(request.version == "HTTP/1.1")
      #expect(request.remoteAddress == "127.0.0.1")
    }
  }

  @Test("header case, order and duplicates kept")
  func headerFields() async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(
        "GET / HTTP/1.1\r\nhost: h\r\nX-Repeated: 1\r\nx-lower: a\r\nX-REPEATED: 2\r\nCookie: c=1\r\n"
          + "X-Spaces:   padded value \t\r\n\r\n")
      _ = try await client.readResponse()
      let request = try #require(recorder.requests.first)
      #expect(
        request.headers.map(\.name) == ["host", "X-Repeated", "x-lower", "X-REPEATED", "Cookie", "X-Spaces"])
      #expect(request.headers.map(\.value) == ["h", "1", "a", "2", "c=1", "padded value"])
      #expect(request.headers(named: "x-repeated") == ["1", "2"])
      #expect(request.header("HOST") == "h")
    }
  }

  @Test("keep-alive serves sequential requests")
  func keepAlive() async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      for index in 1...3 {
        try await client.send("POST /n/\(index) HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n\(index)")
        let response = try await client.readResponse()
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.header("Connection") == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "POST /n/\(index) \(index)")
      }
      #expect(recorder.requests.map(\.target) == ["/n/1", "/n/2", "/n/3"])
    }
  }

  @Test("pipelined requests answered in order")
  func pipelined() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(
        "GET /first HTTP/1.1\r\nHost: h\r\n\r\nPOST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
          + "\r\nGET /third HTTP/1.1\r\nHost: h\r\n\r\n")
      let bodies = [
        try await client.readResponse(), try await client.readResponse(), try await client.readResponse(),
      ].map { String(decoding: $0.body, as: UTF8.self) }
      #expect(bodies == ["GET /first ", "POST /second hi", "GET /third "])
    }
  }

  @Test("Connection close ends connection")
  func connectionClose() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 200 OK")
      #expect(response.header("Connection") == nil)
      #expect(try await client.readToEnd().isEmpty)
    }
  }

  @Test("HTTP/1.0 closes without keep-alive")
  func http10() async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let closing = try await RawClient.connect(to: server)
      try await closing.send("GET /old HTTP/1.0\r\n\r\n")
      let first = try await closing.readResponse()
      #expect(first.statusLine == "HTTP/1.1 200 OK")
      #expect(first.header("Connection") == nil)
      #expect(try await closing.readToEnd().isEmpty)

      let keeping = try await RawClient.connect(to: server)
      for _ in 1...2 {
        try await keeping.send("GET /kept HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        let response = try await keeping.readResponse()
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.header("Connection") == "keep-alive")
      }
      #expect(recorder.requests.map(\.version) == ["HTTP/1.0", "HTTP/1.0", "HTTP/1.0"])
    }
  }

  @Test("chunked body decoded")
  func chunkedBody() async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhel")
      try await client.send("lo\r\n1\r\n \r\nA\r\nchunked!!!\r\n0\r\nX-Trailer: t\r\n\r\n")
      let response = try await client.readResponse()
      #expect(String(decoding: response.body, as: UTF8.self) == "POST /c hello chunked!!!")
      let request = try #require(recorder.requests.first)
      #expect(request.header("X-Trailer") == nil)

      // The connection stays usable after the trailer section.
      try await client.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(try await client.readResponse().statusLine == "HTTP/1.1 200 OK")
    }
  }

  @Test("100 Continue sent before body")
  func expectContinue() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
      let interim = try await client.readHead()
      #expect(interim.statusLine == "HTTP/1.1 100 Continue")
      #expect(interim.headerLines.isEmpty)
      try await client.send("data")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 200 OK")
      #expect(String(decoding: response.body, as: UTF8.self) == "PUT /e data")
    }
  }

}
