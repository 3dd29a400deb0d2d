import Foundation
import Synchronization
import Testing

@testable import Basics

/// Concurrency, disconnects, start and stop.
extension HTTPServerTests {
  @Test("slow handler delays no other connection")
  func slowHandler() async throws {
    // The slow handler stays suspended until the fast response has arrived, so the test cannot pass by
    // timing: a server that served connections one at a time would never send the fast response.
    let gate = Gate()
    let order = Mutex<[String]>([])
    let slowStarted = Mutex(false)
    try await withServer { request in
      if request.path == "/slow" {
        slowStarted.withLock { $0 = true }
        await gate.wait()
      }
      order.withLock { $0.append(request.path) }
      return .text(200, request.path)
    } body: { server in
      let slowClient = try await RawClient.connect(to: server)
      try await slowClient.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(await waitUntil { slowStarted.withLock { $0 } })

      let fastClient = try await RawClient.connect(to: server)
      try await fastClient.send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n")
      let fast = try await fastClient.readResponse()
      #expect(fast.body == Data("/fast".utf8))
      #expect(order.withLock { $0 } == ["/fast"])

      await gate.open()
      let slow = try await slowClient.readResponse()
      #expect(slow.body == Data("/slow".utf8))
      #expect(order.withLock { $0 } == ["/fast", "/slow"])
    }
  }

  @Test("handler runs while cooperative threads are blocked")
  func blockedCooperativePool() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      // One blocking task per core takes every thread of the cooperative pool until the client thread
      // has its response, or for at most 20 s. A server whose handlers need that pool cannot respond.
      let threadCount = ProcessInfo.processInfo.activeProcessorCount
      let blockerCount = Mutex(0)
      let release = DispatchSemaphore(value: 0)
      for _ in 0..<threadCount {
        Task.detached { @Sendable in
          blockerCount.withLock { $0 += 1 }
          HTTPServerTests.block(until: release, timeout: .seconds(20))
        }
      }

      let port = server.port
      let statusLine = try await Self.onOwnThread { () throws -> String in
        defer {
          for _ in 0..<threadCount { release.signal() }
        }
        // The blockers may start late when other tests keep the pool busy, and the check is then weaker.
        for _ in 0..<1000 where blockerCount.withLock({ $0 }) < threadCount {
          usleep(10_000)
        }
        let client = try RawClient(host: "127.0.0.1", port: port)
        try client.sendNow(Array("GET /blocked HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        return try client.readResponseNow().statusLine
      }
      #expect(statusLine == "HTTP/1.1 200 OK")
    }
  }

  /// Blocks the calling thread until `semaphore` is signalled or `timeout` passes.
  private static func block(until semaphore: DispatchSemaphore, timeout: Duration) {
    _ = semaphore.wait(timeout: .now() + .seconds(Int(timeout.components.seconds)))
  }

  @Test(
    "disconnect mid-request ends connection",
    arguments: [
      "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\nonly ten b",
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nfive ",
      "GET /p HTTP/1.1\r\nHost: h\r\nX-Partial: ",
    ])
  func clientDisconnect(partialRequest: String) async throws {
    let recorder = RequestRecorder()
    try await withServer(handler: recorder.handler()) { server in
      let client = try await RawClient.connect(to: server)
      try await client.send(partialRequest)
      #expect(await waitUntil { server.openConnectionCount == 1 })
      client.close()
      #expect(await waitUntil { server.openConnectionCount == 0 })
      #expect(recorder.requests.isEmpty)

      let next = try await RawClient.connect(to: server)
      try await next.send("GET /after HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(try await next.readResponse().statusLine == "HTTP/1.1 200 OK")
    }
  }

  @Test("disconnect while handler runs")
  func disconnectDuringHandler() async throws {
    let gate = Gate()
    let handlerStarted = Mutex(false)
    let handlerEnded = Mutex(false)
    try await withServer { _ in
      handlerStarted.withLock { $0 = true }
      await gate.wait()
      handlerEnded.withLock { $0 = true }
      return .text(200, String(repeating: "x", count: 1_000_000))
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(await waitUntil { handlerStarted.withLock { $0 } })
      client.close()
      await gate.open()
      #expect(await waitUntil { handlerEnded.withLock { $0 } })
      #expect(await waitUntil { server.openConnectionCount == 0 })
    }
  }

  @Test("disconnect cancels suspended handler")
  func disconnectCancelsHandler() async throws {
    let handlerStarted = Mutex(false)
    let wasCancelled = Mutex(false)
    let log = LogRecorder()
    try await withServer(log: log.record) { _ in
      handlerStarted.withLock { $0 = true }
      do {
        try await Task.sleep(for: .seconds(3600))
      } catch {
        wasCancelled.withLock { $0 = true }
      }
      return .text(200, "nobody reads this")
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(await waitUntil { handlerStarted.withLock { $0 } })
      client.close()
      #expect(await waitUntil { wasCancelled.withLock { $0 } })
      #expect(await waitUntil { server.openConnectionCount == 0 })
      #expect(
        log.lines.contains(
          "HTTP client 127.0.0.1 closed the connection during GET /2018-06-01/runtime/invocation/next; "
            + "cancelling the handler"))
    }
  }

  @Test("pipelined request keeps handler running")
  func pipelinedDuringHandler() async throws {
    let secondArrived = Mutex(false)
    try await withServer { request in
      if request.path == "/first" {
        // Long enough for several checks of the socket, while the second request waits in its buffer.
        try? await Task.sleep(for: .milliseconds(600))
        return .text(200, Task.isCancelled ? "cancelled" : "first")
      }
      secondArrived.withLock { $0 = true }
      return .text(200, "second")
    } body: { server in
      let client = try await RawClient.connect(to: server)
      try await client.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n")
      #expect(try await client.readResponse().body == Data("first".utf8))
      #expect(try await client.readResponse().body == Data("second".utf8))
      #expect(secondArrived.withLock { $0 })
    }
  }

  @Test("idle connection closed after timeout")
  func idleTimeout() async throws {
    let limits = HTTPServer.Limits(idleTimeout: .milliseconds(200))
    try await withServer(limits: limits, handler: RequestRecorder().handler()) { server in
      // No request is sent, because on a loaded machine 200 ms could pass before a request arrives.
      let client = try await RawClient.connect(to: server)
      #expect(try await client.readToEnd().isEmpty)
      #expect(await waitUntil { server.openConnectionCount == 0 })
    }
  }

  @Test("port in use named in the error")
  func portInUse() async throws {
    let first = HTTPServer(handler: RequestRecorder().handler())
    let port = try first.start()
    let second = HTTPServer(port: port, handler: RequestRecorder().handler())
    let error = #expect(throws: HTTPServerError.self) { try second.start() }
    #expect(error == .portInUse(host: "127.0.0.1", port: port))
    #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    #expect(error?.description.contains("port \(port) is already in use") == true)
    await second.stop()
    await first.stop()
  }

  @Test("invalid host, port and restart rejected")
  func invalidStart() async throws {
    let named = HTTPServer(host: "localhost", handler: RequestRecorder().handler())
    #expect(throws: HTTPServerError.invalidHost("localhost")) { try named.start() }

    let outOfRange = HTTPServer(port: 70_000, handler: RequestRecorder().handler())
    #expect(throws: HTTPServerError.invalidPort(70_000)) { try outOfRange.start() }

    let server = HTTPServer(handler: RequestRecorder().handler())
    let port = try server.start()
    #expect(server.port == port)
    #expect(throws: HTTPServerError.self) { try server.start() }
    await server.stop()
    #expect(server.port == port)
    #expect(throws: HTTPServerError.self) { try server.start() }
  }

  @Test("stop before start leaves nothing running")
  func stopBeforeStart() async {
    let server = HTTPServer(port: 0, handler: RequestRecorder().handler())
    await server.stop()
    await server.stop()
    #expect(server.openConnectionCount == 0)
  }

  @Test("stop closes an idle keep-alive connection")
  func stopIdle() async throws {
    let log = LogRecorder()
    let server = HTTPServer(log: log.record, handler: RequestRecorder().handler())
    let port = try server.start()
    let client = try await RawClient.connect(to: server)
    try await client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    _ = try await client.readResponse()
    #expect(server.openConnectionCount == 1)

    await server.stop()
    #expect(try await client.readToEnd().isEmpty)
    #expect(server.openConnectionCount == 0)
    #expect(
      log.lines == [
        "HTTP server listening on 127.0.0.1:\(port)", "HTTP server on 127.0.0.1:\(port) stopped",
      ])

    // Nothing listens on the port any more.
    await #expect(throws: RawClientError.self) { _ = try await RawClient.connect(port: port) }
  }

  @Test("stop with handler ignoring cancellation")
  func stopDuringSuspendedHandler() async throws {
    let gate = Gate()
    let handlerStarted = Mutex(false)
    let server = HTTPServer { _ in
      handlerStarted.withLock { $0 = true }
      await gate.wait()
      return .text(200, "late")
    }
    try server.start()
    let client = try await RawClient.connect(to: server)
    try await client.send("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: h\r\n\r\n")
    #expect(await waitUntil { handlerStarted.withLock { $0 } })

    await server.stop()
    #expect(try await client.readToEnd().isEmpty)
    await gate.open()
  }

  @Test("stop cancels a suspended handler")
  func stopCancelsHandler() async throws {
    let handlerStarted = Mutex(false)
    let wasCancelled = Mutex(false)
    let server = HTTPServer { _ in
      handlerStarted.withLock { $0 = true }
      do {
        try await Task.sleep(for: .seconds(3600))
      } catch {
        wasCancelled.withLock { $0 = true }
      }
      return .text(200, "cancelled")
    }
    try server.start()
    let client = try await RawClient.connect(to: server)
    try await client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    #expect(await waitUntil { handlerStarted.withLock { $0 } })

    await server.stop()
    #expect(await waitUntil { wasCancelled.withLock { $0 } })
    #expect(try await client.readToEnd().isEmpty)
  }

  @Test("many connections served and stopped together")
  func manyConnections() async throws {
    try await withServer(handler: RequestRecorder().handler()) { server in
      var clients: [RawClient] = []
      for index in 0..<20 {
        let client = try await RawClient.connect(to: server)
        try await client.send("GET /\(index) HTTP/1.1\r\nHost: h\r\n\r\n")
        clients.append(client)
      }
      for (index, client) in clients.enumerated() {
        #expect(try await client.readResponse().body == Data("GET /\(index) ".utf8))
      }
      #expect(server.openConnectionCount == 20)
    }
  }

  @Test("IPv6 loopback served", .enabled(if: Ports.findFreePort(host: "::1") != nil))
  func ipv6() async throws {
    let recorder = RequestRecorder()
    try await withServer(host: "::1", handler: recorder.handler()) { server in
      let client = try await RawClient.connect(host: "::1", port: server.port)
      try await client.send("GET /six HTTP/1.1\r\nHost: [::1]\r\n\r\n")
      #expect(try await client.readResponse().statusLine == "HTTP/1.1 200 OK")
      #expect(recorder.requests.first?.remoteAddress == "::1")
    }
  }
}
