import Foundation
import Synchronization
import Testing

@testable import Basics

@Suite("HTTPServer", .timeLimit(.minutes(2)))
struct HTTPServerTests {}

// MARK: - Test support

/// Servers, clients and recorders for the server tests, nested so their names stay out of the module.
extension HTTPServerTests {
  /// Starts a server on a free loopback port, runs `body`, and stops the server even when `body` throws.
  func withServer(
    host: String = "127.0.0.1", limits: HTTPServer.Limits = HTTPServer.Limits(),
    clock: any WallClock = SystemClock(), log: @escaping @Sendable (String) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler, body: (HTTPServer) async throws -> Void
  ) async throws {
    let server = HTTPServer(host: host, port: 0, limits: limits, clock: clock, log: log, handler: handler)
    try server.start()
    do {
      try await body(server)
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
  }

  /// Polls `condition` every 10 ms and returns whether it became true within `timeout`.
  func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if condition() { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
  }

  /// Records every request and responds 200 with the body `METHOD target ` followed by the request body.
  final class RequestRecorder: Sendable {
    private let recorded = Mutex<[HTTPRequest]>([])

    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    func handler() -> HTTPServer.Handler {
      { request in
        self.recorded.withLock { $0.append(request) }
        var body = Data("\(request.method) \(request.target) ".utf8)
        body.append(request.body)
        return HTTPResponse(status: 200, body: body)
      }
    }
  }

  /// Collects the lines a server logs.
  final class LogRecorder: Sendable {
    private let recorded = Mutex<[String]>([])

    var lines: [String] { recorded.withLock { $0 } }

    @Sendable func record(_ line: String) {
      recorded.withLock { $0.append(line) }
    }
  }

  /// A one-shot signal: handlers wait on it, ignoring cancellation, until a test opens it.
  actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
      guard !isOpen else { return }
      await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
      isOpen = true
      for waiter in waiters { waiter.resume() }
      waiters = []
    }
  }

  /// A response as read by `RawClient`.
  struct RawResponse {
    var statusLine: String
    /// The header lines as received, without their CRLF.
    var headerLines: [String]
    var body = Data()

    /// Returns the first value of the header `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
      for line in headerLines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        if line[..<colon].caseInsensitiveCompare(name) == .orderedSame {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
  }

  enum RawClientError: Error {
    case socketFailed(String, Int32)
    case timedOut
    case closedEarly(received: Int)
    case malformed(String)
  }

  /// Runs blocking `body` on a new thread, so it never holds one of Swift's few cooperative threads while
  /// the server's handler tasks need them.
  static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try body() }) }.start()
    }
  }

  /// A blocking TCP client that sends exact bytes and parses responses, for tests. Every read has a
  /// 10-second timeout. One test uses an instance at a time.
  final class RawClient: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let isClosed = Mutex(false)

    static func connect(to server: HTTPServer) async throws -> RawClient {
      try await connect(host: server.host, port: server.port)
    }

    static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawClient {
      try await HTTPServerTests.onOwnThread { try RawClient(host: host, port: port) }
    }

    /// Connects, blocking the calling thread; `connect` does the same without blocking a cooperative thread.
    init(host: String, port: Int) throws {
      let isIPv6 = host.contains(":")
      descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard descriptor >= 0 else { throw RawClientError.socketFailed("socket", errno) }
      var timeout = timeval(tv_sec: 10, tv_usec: 0)
      setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

      let result: Int32
      if isIPv6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET6, host, &address.sin6_addr)
        result = withUnsafePointer(to: &address) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
          }
        }
      } else {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        result = withUnsafePointer(to: &address) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
          }
        }
      }
      guard result == 0 else {
        let code = errno
        Glibc.close(descriptor)
        throw RawClientError.socketFailed("connect", code)
      }
    }

    deinit { close() }

    func close() {
      let wasClosed = isClosed.withLock { closed in
        defer { closed = true }
        return closed
      }
      if !wasClosed { Glibc.close(descriptor) }
    }

    func send(_ text: String) async throws {
      try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
      try await HTTPServerTests.onOwnThread { try self.sendNow(bytes) }
    }

    /// Reads a status line and header fields, and nothing after them.
    func readHead() async throws -> RawResponse {
      try await HTTPServerTests.onOwnThread { try self.readHeadNow() }
    }

    /// Reads one response, taking the body's length from `Content-Length`, or to the end of the stream
    /// when there is none, and reading no body for HEAD, 1xx, 204 and 304.
    func readResponse(method: String = "GET") async throws -> RawResponse {
      try await HTTPServerTests.onOwnThread { try self.readResponseNow(method: method) }
    }

    /// Reads one response like `readResponse`, blocking the calling thread.
    func readResponseNow(method: String = "GET") throws -> RawResponse {
      var response = try readHeadNow()
      let status = Int(response.statusLine.split(separator: " ")[1]) ?? 0
      if method == "HEAD" || status < 200 || status == 204 || status == 304 { return response }
      if let length = response.header("Content-Length").flatMap(Int.init) {
        while buffer.count < length {
          guard try receive() else { throw RawClientError.closedEarly(received: buffer.count) }
        }
        response.body = Data(buffer.prefix(length))
        buffer.removeFirst(length)
      } else {
        while try receive() {}
        response.body = Data(buffer)
        buffer.removeAll()
      }
      return response
    }

    /// Reads until the server closes the connection and returns the bytes that arrived before the close.
    func readToEnd() async throws -> Data {
      try await HTTPServerTests.onOwnThread {
        while try self.receive() {}
        defer { self.buffer.removeAll() }
        return Data(self.buffer)
      }
    }

    /// Sends all of `bytes`, blocking the calling thread.
    func sendNow(_ bytes: [UInt8]) throws {
      var offset = 0
      while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes {
          Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        guard sent >= 0 else { throw RawClientError.socketFailed("send", errno) }
        offset += sent
      }
    }

    private func readHeadNow() throws -> RawResponse {
      let terminator = Array("\r\n\r\n".utf8)
      while true {
        if let end = buffer.firstRange(of: terminator) {
          let text = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
          buffer.removeFirst(end.upperBound)
          let lines = text.components(separatedBy: "\r\n")
          return RawResponse(statusLine: lines[0], headerLines: Array(lines.dropFirst()))
        }
        guard try receive() else { throw RawClientError.closedEarly(received: buffer.count) }
      }
    }

    /// Appends what arrives to the buffer; returns false at the end of the stream.
    private func receive() throws -> Bool {
      var chunk = [UInt8](repeating: 0, count: 64 * 1024)
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count < 0 {
        if errno == EAGAIN || errno == EWOULDBLOCK { throw RawClientError.timedOut }
        throw RawClientError.socketFailed("recv", errno)
      }
      buffer.append(contentsOf: chunk[..<count])
      return count > 0
    }
  }
}
