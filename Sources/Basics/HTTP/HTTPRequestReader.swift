import Foundation

/// Reads requests from one connection through a buffer, within the server's limits.
///
/// Used by one connection thread only.
final class HTTPRequestReader {
  /// The reason a read ended without a request.
  enum Failure: Error {
    /// The request is invalid or over a limit, so the server sends the error's status.
    case rejected(HTTPRequestError)
    /// The client closed the connection, the idle timeout passed, or the socket failed.
    case disconnected
  }

  private static let receiveSize = 64 * 1024
  /// The maximum length of a chunk-size line. Chunk extensions are ignored, and clients rarely send any.
  private static let maxChunkLineBytes = 4096

  private let socket: HTTPSocket
  private let limits: HTTPServer.Limits
  private var buffer: [UInt8] = []
  private var readIndex = 0
  private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: receiveSize, alignment: 1)

  init(socket: HTTPSocket, limits: HTTPServer.Limits) {
    self.socket = socket
    self.limits = limits
  }

  deinit {
    scratch.deallocate()
  }

  /// Reads the next request line and header section. Returns nil when the connection ends, or the idle
  /// timeout passes, before the first byte of a request.
  func readHead() throws(Failure) -> HTTPRequestHead? {
    // The scan position is kept relative to readIndex because receive() may move the buffered bytes.
    var scannedCount = 0
    while true {
      skipEmptyLines()
      let scanStart = readIndex + scannedCount
      if let (headEnd, bodyStart) = HTTPRequestParser.findHeadEnd(in: buffer, from: scanStart) {
        guard headEnd - readIndex <= limits.maxHeaderBytes else {
          throw .rejected(.headerTooLarge(limit: limits.maxHeaderBytes))
        }
        do {
          let head = try HTTPRequestParser.parseHead(buffer[readIndex..<headEnd])
          readIndex = bodyStart
          return head
        } catch {
          throw .rejected(error)
        }
      }
      guard buffer.count - readIndex <= limits.maxHeaderBytes else {
        throw .rejected(.headerTooLarge(limit: limits.maxHeaderBytes))
      }
      // The final LF, or the CR before it, may be among the last bytes, so search them again.
      scannedCount = max(0, buffer.count - 3 - readIndex)
      let hasPartialRequest = buffer.count > readIndex
      guard receive() else {
        if hasPartialRequest { throw .disconnected }
        return nil
      }
    }
  }

  /// Reads the body framed as `framing`, decoding chunks and discarding trailer fields.
  func readBody(_ framing: HTTPBodyFraming) throws(Failure) -> Data {
    switch framing {
    case .none:
      return Data()
    case .length(let length):
      var body = Data(count: length)
      try read(into: &body, at: 0, count: length)
      return body
    case .chunked:
      return try readChunkedBody()
    }
  }

  /// Reads and drops what the client still sends, until it closes, a read waits longer than `timeout`,
  /// or `deadline` passes. Closing a socket with unread input sends a reset, which can destroy an error
  /// response before the client reads it, so the server drains the input first.
  func discardInput(timeout: Duration, until deadline: ContinuousClock.Instant) {
    socket.setTimeouts(timeout)
    while ContinuousClock.now < deadline {
      guard case .success(let count) = socket.receive(into: scratch.baseAddress!, count: scratch.count),
        count > 0
      else { return }
    }
  }

  private func readChunkedBody() throws(Failure) -> Data {
    var body = Data()
    while true {
      let sizeLine = try readLine(
        maxBytes: Self.maxChunkLineBytes, tooLong: .malformed("a chunk-size line is too long"))
      let size: Int
      do {
        size = try HTTPRequestParser.parseChunkSize(sizeLine)
      } catch {
        throw .rejected(error)
      }
      if size == 0 { break }
      guard size <= limits.maxBodyBytes - body.count else {
        throw .rejected(.bodyTooLarge(limit: limits.maxBodyBytes))
      }
      let start = body.count
      body.count += size
      try read(into: &body, at: start, count: size)
      let end = try readLine(maxBytes: 0, tooLong: .malformed("chunk data is not followed by CRLF"))
      guard end.isEmpty else { throw .rejected(.malformed("chunk data is not followed by CRLF")) }
    }

    // Trailer fields end with an empty line (RFC 9112 §7.1.2) and count against the header limit.
    var trailerBytes = 0
    while true {
      let remaining = max(0, limits.maxHeaderBytes - trailerBytes)
      let line = try readLine(maxBytes: remaining, tooLong: .headerTooLarge(limit: limits.maxHeaderBytes))
      if line.isEmpty { return body }
      trailerBytes += line.count + 2
    }
  }

  /// Reads one line and returns it without its CRLF or LF, or throws `tooLong` when no LF arrives within
  /// `maxBytes` bytes.
  private func readLine(maxBytes: Int, tooLong: HTTPRequestError) throws(Failure) -> ArraySlice<UInt8> {
    var scannedCount = 0
    while true {
      if let lineFeed = buffer[(readIndex + scannedCount)...].firstIndex(of: 10) {
        var line = buffer[readIndex..<lineFeed]
        readIndex = lineFeed + 1
        if line.last == 13 { line = line.dropLast() }
        guard line.count <= maxBytes else { throw .rejected(tooLong) }
        return line
      }
      // The extra 2 bytes leave room for a CRLF that has not arrived yet.
      guard buffer.count - readIndex <= maxBytes + 2 else { throw .rejected(tooLong) }
      scannedCount = buffer.count - readIndex
      guard receive() else { throw .disconnected }
    }
  }

  /// Fills `data[offset..<offset + count]`, first from the buffer, then straight from the socket.
  private func read(into data: inout Data, at offset: Int, count: Int) throws(Failure) {
    let buffered = min(count, buffer.count - readIndex)
    if buffered > 0 {
      data.replaceSubrange(offset..<(offset + buffered), with: buffer[readIndex..<(readIndex + buffered)])
      readIndex += buffered
    }
    var filled = offset + buffered
    let end = offset + count
    while filled < end {
      let result = data.withUnsafeMutableBytes { bytes in
        socket.receive(into: bytes.baseAddress! + filled, count: end - filled)
      }
      guard case .success(let received) = result, received > 0 else { throw .disconnected }
      filled += received
    }
  }

  /// Skips empty lines before a request line, because RFC 9112 §2.2 tells a server to ignore them.
  private func skipEmptyLines() {
    while readIndex < buffer.count {
      if buffer[readIndex] == 10 {
        readIndex += 1
      } else if buffer[readIndex] == 13, readIndex + 1 < buffer.count, buffer[readIndex + 1] == 10 {
        readIndex += 2
      } else {
        return
      }
    }
  }

  /// Appends what the socket has to the buffer. Returns false at the end of the stream, on a timeout or
  /// on an error.
  private func receive() -> Bool {
    if readIndex > 0 && (readIndex == buffer.count || readIndex >= Self.receiveSize) {
      buffer.removeFirst(readIndex)
      readIndex = 0
    }
    guard case .success(let count) = socket.receive(into: scratch.baseAddress!, count: scratch.count),
      count > 0
    else { return false }
    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
    return true
  }
}
