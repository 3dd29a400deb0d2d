import Foundation
import Testing

@testable import Basics

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Responses on the wire, large bodies, URLSession as a client, and socket options.
extension HTTPServerTests {
  @Test("HEAD, 204 and 304 without body")
  func responsesWithoutBody() async throws {
    try await withServer { request in
      let body = Data("should not be sent".utf8)
      switch request.path {
      case "/204": return HTTPResponse(status: 204, body: body)
      case "/304": return HTTPResponse(status: 304, body: body)
      default: return HTTPResponse(status: 200, body: body)
      }
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("HEAD /head HTTP/1.1\r\nHost: h\r\n\r\n")
      let head = try await client.readResponse(method: "HEAD")
      #expect(head.statusLine == "HTTP/1.1 200 OK")
      #expect(head.header("Content-Length") == nil)

      try await client.send("GET /204 HTTP/1.1\r\nHost: h\r\n\r\n")
      let noContent = try await client.readResponse(method: "GET")
      #expect(noContent.statusLine == "HTTP/1.1 204 No Content")
      #expect(noContent.header("Content-Length") == nil)

      try await client.send("GET /304 HTTP/1.1\r\nHost: h\r\n\r\n")
      let notModified = try await client.readResponse(method: "GET")
      #expect(notModified.statusLine == "HTTP/1.1 304 Not Modified")

      // Had a body been sent, its bytes would be read here in place of the next status line.
      try await client.send("GET /last HTTP/1.1\r\nHost: h\r\n\r\n")
      let last = try await client.readResponse()
      #expect(last.statusLine == "HTTP/1.1 200 OK")
      #expect(last.body == Data("should not be sent".utf8))
    }
  }

  @Test("response headers kept in order")
  func responseHeaders() async throws {
    let clock = FixedClock(Date(timeIntervalSince1970: 784_111_777))
    try await withServer(clock: clock) { _ in
      HTTPResponse(
        status: 200,
        headers: [
          ("Set-Cookie", "a=1; Path=/"), ("x-custom", "v"), ("Set-Cookie", "b=2"), ("Set-Cookie", "c=3"),
        ],
        body: Data("ok".utf8))
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
      let response = try await client.readResponse()
      #expect(
        response.headerLines == [
          "Set-Cookie: a=1; Path=/", "x-custom: v", "Set-Cookie: b=2", "Set-Cookie: c=3", "Content-Length: 2",
          "Date: Sun, 06 Nov 1994 08:49:37 GMT",
        ])
    }
  }

  @Test("invalid handler response becomes 500")
  func invalidHandlerResponse() async throws {
    let log = LogRecorder()
    try await withServer(log: log.record) { _ in
      HTTPResponse(status: 200, headers: [("X-Split", "a\r\nInjected: yes")])
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET /bad HTTP/1.1\r\nHost: h\r\n\r\n")
      let response = try await client.readResponse()
      #expect(response.statusLine == "HTTP/1.1 500 Internal Server Error")
      #expect(response.header("Injected") == nil)
      #expect(log.lines.contains { $0.contains("GET /bad") && $0.contains("X-Split") })
    }
  }

  @Test("8 MiB body round trip")
  func largeBody() async throws {
    let payload = Data((0..<(8 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
    try await withServer { request in
      HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: request.body)
    } body: { server in
      let client = try await RawClient.connect(to: server)
      let head = Array("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(payload.count)\r\n\r\n".utf8)
      try await client.send(head + Array(payload))
      let response = try await client.readResponse()
      #expect(response.header("Content-Length") == "\(payload.count)")
      #expect(response.body == payload)
    }
  }

  @Test("URLSession requests served")
  func urlSession() async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let configuration = URLSessionConfiguration.ephemeral
      configuration.connectionProxyDictionary = [:]
      let session = URLSession(configuration: configuration)
      defer { session.finishTasksAndInvalidate() }

      let getURL = try #require(URL(string: "http://127.0.0.1:\(server.port)/a%20b?x=1&x=2"))
      let (getBody, getResponse) = try await session.data(from: getURL)
      let get = try #require(getResponse as? HTTPURLResponse)
      #expect(get.statusCode == 200)
      #expect(String(decoding: getBody, as: UTF8.self) == "GET /a%20b?x=1&x=2 ")

      var post = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(server.port)/upload")))
      post.httpMethod = "POST"
      post.httpBody = Data(repeating: 0x41, count: 100_000)
      post.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
      let (postBody, postResponse) = try await session.data(for: post)
      #expect((postResponse as? HTTPURLResponse)?.statusCode == 200)
      #expect(postBody.count == "POST /upload ".utf8.count + 100_000)

      let recorded = recorder.requests
      #expect(recorded.count == 2)
      #expect(recorded.last?.body.count == 100_000)
      #expect(recorded.last?.header("content-type") == "application/octet-stream")
    }
  }

  @Test("accepted sockets have TCP_NODELAY")
  func noDelay() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
      _ = try await client.readResponse()
      #expect(server.noDelayOfOpenConnections() == [true])
    }
  }
}
