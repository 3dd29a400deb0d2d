import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A listening TCP socket that a supervisor keeps open while the servers it hands the socket to come and
/// go. Connections that arrive while no server runs wait in the kernel's accept queue.
public final class SharedListener: Sendable {
  public let descriptor: Int32
  public let port: Int

  /// Binds `host:port` with `SO_REUSEADDR` and listens.
  public init(host: String, port: Int) throws(HTTPServerError) {
    let (socket, boundPort) = try HTTPSocket.listen(host: host, port: port)
    descriptor = socket.descriptor
    self.port = boundPort
  }

  public func close() {
    _ = Glibc.close(descriptor)
  }

  /// Responds to every connection with the same plain-text response until the returned loop stops, for
  /// the time when no server can run. Each connection's request head is read, so the client sees the
  /// response instead of a reset, and then the connection closes.
  public func answerEveryRequest(status: Int, reason: String, body: String) -> AcceptLoop {
    let response = Self.plainTextResponse(status: status, reason: reason, body: body)
    return AcceptLoop(listener: descriptor, idleTimeout: .seconds(1)) { connection in
      Self.answer(connection, with: response)
    }
  }

  /// Relays every connection, byte for byte in both directions, to the server at `host:port` until the
  /// returned loop stops. Connections relayed by then continue until either side closes. When the server
  /// refuses a connection, the client gets 502.
  public func relayEveryConnection(toHost host: String, port: Int) -> AcceptLoop {
    let refused = Self.plainTextResponse(
      status: 502, reason: "Bad Gateway", body: "the server at \(host):\(port) refused the connection\n")
    return AcceptLoop(listener: descriptor, idleTimeout: .seconds(3600)) { connection in
      Thread.detachNewThread {
        if ByteRelay.relay(connection, toHost: host, port: port) {
          connection.close()
        } else {
          Self.answer(connection, with: refused)
        }
      }
    }
  }

  /// Returns a complete response with a plain-text body that closes the connection.
  private static func plainTextResponse(status: Int, reason: String, body: String) -> [UInt8] {
    let bodyBytes = Array(body.utf8)
    let head =
      "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
      + "Content-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
    return Array(head.utf8) + bodyBytes
  }

  /// Reads the request head (until a blank line, 64 KiB or the one-second timeout), then responds.
  private static func answer(_ connection: HTTPSocket, with response: [UInt8]) {
    defer { connection.close() }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while received.count < 65_536 {
      let result = buffer.withUnsafeMutableBytes {
        connection.receive(into: $0.baseAddress!, count: $0.count)
      }
      guard case .success(let count) = result, count > 0 else { break }
      received += buffer[0..<count]
      if received.containsBlankLine { break }
    }
    _ = connection.send(response)
    connection.shutdownSending()
  }
}

/// A thread that accepts connections on a listening socket and hands each to a handler, until it stops.
/// Connections that arrive after the stop wait in the kernel's accept queue for the next loop or server that accepts.
public final class AcceptLoop: @unchecked Sendable {
  private let wakeDescriptors: (read: Int32, write: Int32)
  private let finished = DispatchSemaphore(value: 0)

  init(listener: Int32, idleTimeout: Duration, handle: @escaping @Sendable (HTTPSocket) -> Void) {
    let wake = makeWakePipe() ?? (-1, -1)
    wakeDescriptors = wake
    let finished = self.finished
    Thread.detachNewThread {
      defer { finished.signal() }
      while true {
        var descriptors = [
          pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
          pollfd(fd: wake.0, events: Int16(POLLIN), revents: 0),
        ]
        guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { return }
        if descriptors[1].revents != 0 { return }
        guard descriptors[0].revents & Int16(POLLIN) != 0 else { continue }
        guard
          case .success(let connection) = HTTPSocket(descriptor: listener).accept(idleTimeout: idleTimeout)
        else { continue }
        handle(connection)
      }
    }
  }

  /// Stops accepting and returns once the thread stopped; later connections wait in the queue.
  public func stop() {
    var byte: UInt8 = 1
    _ = write(wakeDescriptors.write, &byte, 1)
    finished.wait()
    Glibc.close(wakeDescriptors.read)
    Glibc.close(wakeDescriptors.write)
  }
}

extension [UInt8] {
  /// Whether the bytes contain CR LF CR LF, the end of an HTTP head.
  fileprivate var containsBlankLine: Bool {
    guard count >= 4 else { return false }
    for start in 0...(count - 4)
    where self[start] == 13 && self[start + 1] == 10 && self[start + 2] == 13 && self[start + 3] == 10 {
      return true
    }
    return false
  }
}
