import Foundation
import Testing

@testable import Basics

/// A listening socket that outlives its servers: relaying to a server, responding alone, and holding
/// connections in the accept queue between the two.
@Suite("Shared listener", .timeLimit(.minutes(1)))
struct SharedListenerTests {
  typealias RawClient = HTTPServerTests.RawClient

  /// Returns a handler that responds to every request with the server's name, the path and the body's length, so a test can tell
  /// which server a relayed request reached and whether the whole body arrived.
  static func namedHandler(_ name: String) -> HTTPServer.Handler {
    { request in
      HTTPResponse(status: 200, body: Data("\(name) \(request.path) \(request.body.count)".utf8))
    }
  }

  /// Reads one response and returns its body as text.
  static func body(from client: RawClient) async throws -> String {
    String(decoding: try await client.readResponse().body, as: UTF8.self)
  }

  @Test("relays requests and keep-alive to the server")
  func relays() async throws {
    let listener = try SharedListener(host: "127.0.0.1", port: 0)
    defer { listener.close() }
    try await HTTPServerTests().withServer(handler: Self.namedHandler("first")) { server in
      let relay = listener.relayEveryConnection(toHost: "127.0.0.1", port: server.port)
      defer { relay.stop() }
      let client = try await RawClient.connect(port: listener.port)
      try await client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
      #expect(try await Self.body(from: client) == "first /a 0")

      // A second request on the same connection, with a body larger than the relay's 64 KiB chunk.
      let body = [UInt8](repeating: UInt8(ascii: "b"), count: 1_000_000)
      try await client.send(
        Array("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
      #expect(try await Self.body(from: client) == "first /b 1000000")
    }
  }

  @Test("a connection waits between relays and reaches the next server")
  func waitsBetweenServers() async throws {
    let listener = try SharedListener(host: "127.0.0.1", port: 0)
    defer { listener.close() }
    try await HTTPServerTests().withServer(handler: Self.namedHandler("old")) { old in
      let relay = listener.relayEveryConnection(toHost: "127.0.0.1", port: old.port)
      let earlier = try await RawClient.connect(port: listener.port)
      try await earlier.send("GET /earlier HTTP/1.1\r\nHost: x\r\n\r\n")
      #expect(try await Self.body(from: earlier) == "old /earlier 0")
      relay.stop()

      // Accepted by the kernel's queue, but by no relay yet.
      let waiting = try await RawClient.connect(port: listener.port)
      try await waiting.send("GET /waiting HTTP/1.1\r\nHost: x\r\n\r\n")
      // The connection relayed before the stop still reaches the old server.
      try await earlier.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n")
      #expect(try await Self.body(from: earlier) == "old /again 0")

      try await HTTPServerTests().withServer(handler: Self.namedHandler("new")) { new in
        let next = listener.relayEveryConnection(toHost: "127.0.0.1", port: new.port)
        defer { next.stop() }
        let answer = try await Self.body(from: waiting)
        #expect(answer == "new /waiting 0")
      }
    }
  }

  @Test("a refused server gets the client 502")
  func closedServerPort() async throws {
    let listener = try SharedListener(host: "127.0.0.1", port: 0)
    defer { listener.close() }
    // A port that was free a moment ago; nothing listens on it.
    let closedPort = try #require(Ports.findFreePort())
    let relay = listener.relayEveryConnection(toHost: "127.0.0.1", port: closedPort)
    defer { relay.stop() }
    let client = try await RawClient.connect(port: listener.port)
    try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    let response = try await client.readResponse()
    #expect(response.statusLine == "HTTP/1.1 502 Bad Gateway")
    #expect(String(decoding: response.body, as: UTF8.self).contains("refused the connection"))
  }

  @Test("answers every request while no server runs")
  func answersAlone() async throws {
    let listener = try SharedListener(host: "127.0.0.1", port: 0)
    defer { listener.close() }
    let answering = listener.answerEveryRequest(status: 500, reason: "Internal Server Error", body: "down\n")
    defer { answering.stop() }
    let client = try await RawClient.connect(port: listener.port)
    try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    let response = try await client.readResponse()
    #expect(response.statusLine == "HTTP/1.1 500 Internal Server Error")
    #expect(String(decoding: response.body, as: UTF8.self) == "down\n")
  }
}
