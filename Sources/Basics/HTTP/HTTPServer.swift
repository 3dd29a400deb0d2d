import Foundation
import Synchronization

/// A small HTTP/1.1 server with one thread per connection, for loopback use by the local runtime.
///
/// Each connection thread reads a request, calls the async handler in a task and blocks until it returns,
/// so a handler may suspend for a long time (a Lambda `GET /next` long-poll) without delaying other
/// connections. Responses go out with one `sendmsg` of head and body on sockets with `TCP_NODELAY`.
public final class HTTPServer: Sendable {
  public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

  /// Limits on what a client may send, and the response for a body over its limit.
  public struct Limits: Sendable {
    /// The maximum size of the request line and header fields together, in bytes. Larger heads get 431.
    public var maxHeaderBytes: Int
    /// The maximum size of a request body after chunked decoding, in bytes. Larger bodies get `bodyTooLarge`.
    public var maxBodyBytes: Int
    /// The time a connection may wait for the next request, or for any read or write, before it is closed.
    public var idleTimeout: Duration
    /// Makes the 413 response from `maxBodyBytes`, so an API can return its own error shape.
    public var bodyTooLarge: @Sendable (_ maxBodyBytes: Int) -> HTTPResponse

    public init(
      maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024,
      idleTimeout: Duration = .seconds(120),
      bodyTooLarge: @escaping @Sendable (_ maxBodyBytes: Int) -> HTTPResponse = Limits.plainBodyTooLarge
    ) {
      self.maxHeaderBytes = maxHeaderBytes
      self.maxBodyBytes = maxBodyBytes
      self.idleTimeout = idleTimeout
      self.bodyTooLarge = bodyTooLarge
    }

    /// A 413 response with a one-line plain-text body that names the limit.
    public static let plainBodyTooLarge: @Sendable (Int) -> HTTPResponse = { limit in
      .text(413, "The request body is larger than the limit of \(limit) bytes.")
    }
  }

  private enum State {
    case idle
    case running(Running)
    case stopped(port: Int)
  }

  private struct Running {
    var listener: HTTPSocket
    var port: Int
    var connections: [Int: HTTPConnectionControl] = [:]
    var nextConnectionID = 0
  }

  /// The numeric address the server listens on, such as `127.0.0.1` or `::1`.
  public let host: String
  public let limits: Limits
  private let requestedPort: Int
  private let clock: any WallClock
  private let log: @Sendable (String) -> Void
  private let handler: Handler
  private let state = Mutex<State>(.idle)
  /// Counts the accept thread and the connection threads, so `stop()` can wait for all of them.
  private let threads = DispatchGroup()

  /// Creates a server that listens only after `start()`.
  ///
  /// - Parameters:
  ///   - host: A numeric IPv4 or IPv6 address. Host names are rejected, so no DNS lookup happens.
  ///   - port: The port to bind, or 0 for one the kernel picks.
  ///   - clock: The source of the `Date` header.
  ///   - log: Receives one line per start, stop, rejected request and socket error.
  public init(
    host: String = "127.0.0.1", port: Int = 0, limits: Limits = Limits(),
    clock: any WallClock = SystemClock(),
    log: @escaping @Sendable (String) -> Void = { _ in }, handler: @escaping Handler
  ) {
    self.host = host
    self.requestedPort = port
    self.limits = limits
    self.clock = clock
    self.log = log
    self.handler = handler
  }

  /// The bound port while running and after `stop()`, or the port given to `init` before `start()`.
  public var port: Int {
    state.withLock {
      switch $0 {
      case .idle: requestedPort
      case .running(let running): running.port
      case .stopped(let port): port
      }
    }
  }

  /// Binds with `SO_REUSEADDR`, listens, starts the accept thread and returns the bound port.
  ///
  /// Throws `HTTPServerError.portInUse` when another socket is bound to the port. Throws `.invalidState`
  /// when the server was started before, because a stopped server cannot start again.
  @discardableResult
  public func start() throws -> Int {
    let listener = try state.withLock { state throws(HTTPServerError) -> HTTPSocket in
      guard case .idle = state else {
        throw .invalidState("it was started before. Create a new server to listen again.")
      }
      let (listener, port) = try HTTPSocket.listen(host: host, port: requestedPort)
      state = .running(Running(listener: listener, port: port))
      threads.enter()
      return listener
    }
    let thread = Thread { [self] in
      acceptConnections(on: listener)
      threads.leave()
    }
    thread.name = "HTTP accept"
    thread.start()
    log("HTTP server listening on \(HTTPServerError.formatAddress(host: host, port: port))")
    return port
  }

  /// Closes the listener and every connection, cancels the handler tasks that are still running, and
  /// returns when all connection threads have ended.
  ///
  /// NOTE: it does not wait for cancelled handler tasks, because a handler that ignores cancellation would
  /// block it forever. Their responses are dropped.
  public func stop() async {
    let stopping = state.withLock { state -> Running? in
      switch state {
      case .idle:
        state = .stopped(port: requestedPort)
        return nil
      case .running(let running):
        // Shut down under the lock. The descriptor stays open until the close below, after the joins.
        running.listener.shutdown()
        state = .stopped(port: running.port)
        return running
      case .stopped:
        return nil
      }
    }
    let connections = stopping.map { Array($0.connections.values) } ?? []
    for connection in connections {
      connection.stop()
    }
    await withCheckedContinuation { continuation in
      threads.notify(queue: .global()) { continuation.resume() }
    }
    if let stopping {
      stopping.listener.close()
      log("HTTP server on \(HTTPServerError.formatAddress(host: host, port: stopping.port)) stopped")
    }
  }

  /// The number of connections that are open, for tests.
  var openConnectionCount: Int {
    state.withLock {
      guard case .running(let running) = $0 else { return 0 }
      return running.connections.count
    }
  }

  /// Reads `TCP_NODELAY` with `getsockopt` on each open connection's socket, for tests.
  func noDelayOfOpenConnections() -> [Bool] {
    state.withLock {
      guard case .running(let running) = $0 else { return [] }
      return running.connections.values.compactMap { $0.withOpenSocket(\.isNoDelayEnabled) }
    }
  }

  private func acceptConnections(on listener: HTTPSocket) {
    while true {
      switch listener.accept(idleTimeout: limits.idleTimeout) {
      case .success(let socket):
        let control = HTTPConnectionControl(socket: socket)
        guard let connectionID = register(control) else {
          socket.close()
          return
        }
        let thread = Thread { [self] in
          let connection = HTTPConnection(
            control: control, limits: limits, clock: clock, log: log, handler: handler)
          connection.run()
          unregister(connectionID)
          threads.leave()
        }
        thread.name = "HTTP conn \(connectionID)"
        thread.start()

      case .failure(let error):
        guard isRunning else { return }
        switch error.code {
        case EINTR, ECONNABORTED, EPROTO:
          continue
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
          // Out of descriptors or memory: wait for connections to close instead of spinning.
          log(
            "HTTP server on port \(port) cannot accept a connection: \(String(cString: strerror(error.code)))"
          )
          Thread.sleep(forTimeInterval: 0.05)
        default:
          log(
            "HTTP server on port \(port) stopped accepting connections: \(String(cString: strerror(error.code)))"
          )
          return
        }
      }
    }
  }

  private var isRunning: Bool {
    state.withLock {
      if case .running = $0 { return true }
      return false
    }
  }

  /// Adds an accepted connection and counts its thread as started. Returns nil once `stop()` has begun.
  private func register(_ control: HTTPConnectionControl) -> Int? {
    state.withLock {
      guard case .running(var running) = $0 else { return nil }
      let connectionID = running.nextConnectionID
      running.nextConnectionID += 1
      running.connections[connectionID] = control
      $0 = .running(running)
      // Entered under the lock, so a stop() that runs next waits for this thread too.
      threads.enter()
      return connectionID
    }
  }

  private func unregister(_ connectionID: Int) {
    state.withLock {
      guard case .running(var running) = $0 else { return }
      running.connections[connectionID] = nil
      $0 = .running(running)
    }
  }
}

/// Errors from starting an `HTTPServer`.
public enum HTTPServerError: Error, CustomStringConvertible, Equatable, Sendable {
  case portInUse(host: String, port: Int)
  case invalidHost(String)
  case invalidPort(Int)
  case bindFailed(host: String, port: Int, errno: Int32)
  case socketFailed(operation: String, errno: Int32)
  case invalidState(String)

  public var description: String {
    switch self {
    case .portInUse(let host, let port):
      "cannot listen on \(Self.formatAddress(host: host, port: port)) because port \(port) is already in use. "
        + "Stop the program that uses it, or choose another port."
    case .invalidHost(let host):
      "invalid host \"\(host)\". Use a numeric IPv4 or IPv6 address such as 127.0.0.1 or ::1."
    case .invalidPort(let port):
      "invalid port \(port). Use a number from 0 to 65535, where 0 picks a free port."
    case .bindFailed(let host, let port, let code):
      "cannot listen on \(Self.formatAddress(host: host, port: port)): \(String(cString: strerror(code)))"
    case .socketFailed(let operation, let code):
      "\(operation) failed: \(String(cString: strerror(code)))"
    case .invalidState(let reason):
      "cannot start the HTTP server: \(reason)"
    }
  }

  /// Formats `host:port`, with brackets around an IPv6 address (`[::1]:8080`).
  static func formatAddress(host: String, port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}
