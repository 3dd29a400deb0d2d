import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Copies the bytes of one client connection to a server connection and back, on the calling thread,
/// until both directions have ended.
///
/// The relay does not parse HTTP, so keep-alive, streaming and upgrades pass through unchanged. When one
/// side stops sending, the relay stops sending to the other side (a half close), so a client that shuts
/// down its sending side after the request still reads the whole response.
enum ByteRelay {
  /// The maximum number of bytes read from one side before they are written to the other.
  static let chunkSize = 65_536

  /// Relays until both directions end, then closes the server connection. Returns false, without
  /// reading from `client`, when the server refuses the connection. The caller closes `client`.
  static func relay(_ client: HTTPSocket, toHost host: String, port: Int) -> Bool {
    guard let server = HTTPSocket.connect(host: host, port: port, idleTimeout: .seconds(3600)) else {
      return false
    }
    defer { server.close() }

    // Index 0 reads from the client and writes to the server; index 1 the other way.
    let sources = [client, server]
    let destinations = [server, client]
    var isOpen = [true, true]
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    while isOpen[0] || isOpen[1] {
      var descriptors = (0..<2).map { side in
        pollfd(fd: isOpen[side] ? sources[side].descriptor : -1, events: Int16(POLLIN), revents: 0)
      }
      guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { return true }
      for side in 0..<2 where isOpen[side] && descriptors[side].revents != 0 {
        let received = buffer.withUnsafeMutableBytes {
          sources[side].receive(into: $0.baseAddress!, count: $0.count)
        }
        guard case .success(let count) = received, count > 0 else {
          // The end of this direction's stream, or an error: pass the end on and keep the other way open.
          isOpen[side] = false
          destinations[side].shutdownSending()
          if case .failure = received { return true }
          continue
        }
        guard case .success = destinations[side].send(Array(buffer[0..<count])) else { return true }
      }
    }
    return true
  }
}
