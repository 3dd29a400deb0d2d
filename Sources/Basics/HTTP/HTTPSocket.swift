import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking TCP socket: the listener or one accepted connection of an `HTTPServer`.
///
/// The value only names the descriptor. Its creator closes it once. Other threads shut a socket down only
/// under a lock that keeps the descriptor open meanwhile.
struct HTTPSocket: Sendable {
  let descriptor: Int32

  /// Creates a socket bound to `host:port` with `SO_REUSEADDR` and listening, and returns it with the
  /// bound port (the kernel picks one when `port` is 0).
  static func listen(host: String, port: Int) throws(HTTPServerError) -> (HTTPSocket, Int) {
    guard (0...65_535).contains(port) else { throw .invalidPort(port) }
    guard let address = SocketAddress(host: host, port: port) else { throw .invalidHost(host) }

    let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw .socketFailed(operation: "socket", errno: errno) }
    let listener = HTTPSocket(descriptor: descriptor)
    var enabled: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enabled, socklen_t(MemoryLayout<Int32>.size))

    let bound = address.withSockaddr { bind(descriptor, $0, $1) }
    guard bound == 0 else {
      let code = errno
      listener.close()
      if code == EADDRINUSE { throw .portInUse(host: host, port: port) }
      throw .bindFailed(host: host, port: port, errno: code)
    }
    guard Glibc.listen(descriptor, SOMAXCONN) == 0 else {
      let code = errno
      listener.close()
      throw .socketFailed(operation: "listen", errno: code)
    }
    let boundPort = SocketAddress.local(of: descriptor)?.port ?? port
    return (listener, boundPort)
  }

  /// Connects to `host:port` (a numeric address, so no DNS lookup happens) with `TCP_NODELAY` and the idle
  /// timeout set, or returns nil when the connection is refused or cannot be made.
  static func connect(host: String, port: Int, idleTimeout: Duration) -> HTTPSocket? {
    guard let address = SocketAddress(host: host, port: port) else { return nil }
    let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    let connection = HTTPSocket(descriptor: descriptor)
    guard address.withSockaddr({ Glibc.connect(descriptor, $0, $1) }) == 0 else {
      connection.close()
      return nil
    }
    var enabled: Int32 = 1
    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enabled, socklen_t(MemoryLayout<Int32>.size))
    connection.setTimeouts(idleTimeout)
    return connection
  }

  /// Waits for a connection and returns it with `TCP_NODELAY` and the idle timeout set, or returns the
  /// `errno` of the failed `accept`.
  func accept(idleTimeout: Duration) -> Result<HTTPSocket, HTTPSocketError> {
    let accepted = Glibc.accept(descriptor, nil, nil)
    guard accepted >= 0 else { return .failure(HTTPSocketError(code: errno)) }
    // Glibc hides accept4 (which sets this atomically) behind _GNU_SOURCE. A child spawned in between
    // could inherit the descriptor, but the process runner closes inherited descriptors in children anyway.
    _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
    let connection = HTTPSocket(descriptor: accepted)
    // Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold small writes back: one
    // awslambdaric 4.2.2 (libcurl) invocation round trip on loopback took 88 ms instead of 1.37 ms.
    var enabled: Int32 = 1
    setsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &enabled, socklen_t(MemoryLayout<Int32>.size))
    connection.setTimeouts(idleTimeout)
    return .success(connection)
  }

  /// Sets the receive and send timeouts, so a blocked `recv` or `send` fails with `EAGAIN` after `timeout`.
  func setTimeouts(_ timeout: Duration) {
    let seconds = max(timeout, .milliseconds(1)).components
    var value = timeval(
      tv_sec: Int(seconds.seconds), tv_usec: Int(seconds.attoseconds / 1_000_000_000_000))
    let size = socklen_t(MemoryLayout<timeval>.size)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
  }

  /// Returns whether `TCP_NODELAY` is set, read back with `getsockopt`.
  var isNoDelayEnabled: Bool {
    var value: Int32 = 0
    var size = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &size) == 0 else { return false }
    return value != 0
  }

  /// Whether the peer has closed its side or reset the connection, checked without blocking and without
  /// consuming input. Buffered input, such as a pipelined request, hides a close that follows it.
  var isClosedByPeer: Bool {
    var descriptors = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptors, 1, 0) > 0 else { return false }
    var byte: UInt8 = 0
    let peeked = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    if peeked == 0 { return true }
    return peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
  }

  /// The peer's IP address in text form, or an empty string when it cannot be read.
  var remoteAddress: String {
    SocketAddress.remote(of: descriptor)?.host ?? ""
  }

  /// Reads up to `count` bytes into `buffer`: returns 0 at end of stream, or the error (`EAGAIN` when the
  /// timeout passed). Retries on `EINTR`.
  func receive(into buffer: UnsafeMutableRawPointer, count: Int) -> Result<Int, HTTPSocketError> {
    while true {
      let received = recv(descriptor, buffer, count, 0)
      if received >= 0 { return .success(received) }
      if errno == EINTR { continue }
      return .failure(HTTPSocketError(code: errno))
    }
  }

  /// Writes all of `head` then all of `body`, with one `sendmsg` call unless the kernel takes less.
  ///
  /// `MSG_NOSIGNAL` turns a write to a closed connection into `EPIPE` instead of a `SIGPIPE` that would end
  /// the process.
  func send(_ head: [UInt8], _ body: Data = Data()) -> Result<Void, HTTPSocketError> {
    let total = head.count + body.count
    var sent = 0
    return head.withUnsafeBytes { headBytes in
      body.withUnsafeBytes { bodyBytes in
        while sent < total {
          var parts: [iovec] = []
          if sent < headBytes.count {
            parts.append(
              iovec(
                iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress! + sent),
                iov_len: headBytes.count - sent))
          }
          let bodyOffset = max(0, sent - headBytes.count)
          if bodyOffset < bodyBytes.count {
            parts.append(
              iovec(
                iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress! + bodyOffset),
                iov_len: bodyBytes.count - bodyOffset))
          }
          let written = parts.withUnsafeMutableBufferPointer { vectors in
            var message = msghdr()
            message.msg_iov = vectors.baseAddress
            message.msg_iovlen = vectors.count
            return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
          }
          if written < 0 {
            if errno == EINTR { continue }
            return .failure(HTTPSocketError(code: errno))
          }
          sent += written
        }
        return .success(())
      }
    }
  }

  /// Stops further sends and receives in both directions, which wakes a thread blocked in `accept`,
  /// `recv` or `send` on this socket. The descriptor stays open.
  func shutdown() {
    _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
  }

  /// Stops sending only: the peer reads the end of the stream after the bytes already sent.
  func shutdownSending() {
    _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
  }

  func close() {
    _ = Glibc.close(descriptor)
  }
}

/// An `errno` value from a socket call.
struct HTTPSocketError: Error {
  let code: Int32

  /// Whether the call failed because its timeout passed.
  var isTimeout: Bool { code == EAGAIN || code == EWOULDBLOCK }
}

/// An IPv4 or IPv6 socket address.
private enum SocketAddress {
  case v4(sockaddr_in)
  case v6(sockaddr_in6)

  /// Parses a numeric host (`127.0.0.1`, `::1`). Host names are not resolved, so no DNS lookup happens.
  init?(host: String, port: Int) {
    if host.contains(":") {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_port = in_port_t(UInt16(port).bigEndian)
      guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { return nil }
      self = .v6(address)
    } else {
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
      self = .v4(address)
    }
  }

  static func local(of descriptor: Int32) -> SocketAddress? {
    read { getsockname(descriptor, $0, $1) }
  }

  static func remote(of descriptor: Int32) -> SocketAddress? {
    read { getpeername(descriptor, $0, $1) }
  }

  private static func read(
    _ call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
  ) -> SocketAddress? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, &length) }
    }
    guard result == 0 else { return nil }
    let family = Int32(storage.ss_family)
    return withUnsafePointer(to: &storage) { pointer -> SocketAddress? in
      switch family {
      case AF_INET:
        return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { .v4($0.pointee) }
      case AF_INET6:
        return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { .v6($0.pointee) }
      default:
        return nil
      }
    }
  }

  var family: Int32 {
    switch self {
    case .v4: AF_INET
    case .v6: AF_INET6
    }
  }

  var port: Int {
    switch self {
    case .v4(let address): Int(UInt16(bigEndian: address.sin_port))
    case .v6(let address): Int(UInt16(bigEndian: address.sin6_port))
    }
  }

  var host: String {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    switch self {
    case .v4(var address):
      inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
    case .v6(var address):
      inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
    }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    switch self {
    case .v4(var address):
      withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    case .v6(var address):
      withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    }
  }
}
