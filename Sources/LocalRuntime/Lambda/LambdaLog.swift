import Basics
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Writes the service's own messages to its standard error, which `functions run` points at the
/// function's log, so `functions logs` shows them next to the runtime's output.
enum ServiceLog {
  /// Writes an informational line; standard error is unbuffered, so it lands in the log in order.
  static func info(_ message: String) {
    FileHandle.standardError.write(Data("functions: \(message)\n".utf8))
  }

  static func error(_ message: String) {
    FileHandle.standardError.write(Data("functions: error: \(message)\n".utf8))
  }

  /// Writes the steps of a build that a background service runs; a build's other events stay out of
  /// the log.
  @Sendable static func buildStep(_ event: BuildEvent) {
    if case .step(let text) = event { info(text) }
  }
}

/// Appends lines to a function's log file from any thread.
final class LogWriter: Sendable {
  private let handle: Mutex<FileHandle?>

  init(path: String) {
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = FileHandle(forWritingAtPath: path)
    _ = try? handle?.seekToEnd()
    self.handle = Mutex(handle)
  }

  func write(_ data: Data) {
    handle.withLock { handle in
      _ = try? handle?.seekToEnd()
      try? handle?.write(contentsOf: data)
    }
  }

  func line(_ text: String) {
    write(Data((text + "\n").utf8))
  }
}

/// Reads a runtime's merged stdout and stderr, copies it to the function's log, and keeps the lines
/// written while an invocation runs so the Invoke API can return them (`LogType: Tail`).
final class OutputCollector: Sendable {
  private struct Capture {
    var isActive = false
    var data = Data()
    var isReading = false
    var isClosed = false
  }

  private let descriptor: Int32
  private let writer: LogWriter
  private let capture = Mutex(Capture())

  init(descriptor: Int32, writer: LogWriter) {
    self.descriptor = descriptor
    self.writer = writer
  }

  func start() {
    let descriptor = self.descriptor
    Thread.detachNewThread { [self] in
      var buffer = [UInt8](repeating: 0, count: 65536)
      var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      while true {
        // Wait for data first and mark the read as in progress before taking the bytes out of the pipe, so
        // `waitUntilDrained` never finds an empty pipe while bytes are on their way to the capture.
        if poll(&readable, 1, -1) < 0 {
          if errno == EINTR { continue }
          break
        }
        capture.withLock { $0.isReading = true }
        let count = read(descriptor, &buffer, buffer.count)
        if count < 0 && errno == EINTR {
          capture.withLock { $0.isReading = false }
          continue
        }
        if count <= 0 {
          capture.withLock { $0.isReading = false }
          break
        }
        let data = Data(buffer[0..<count])
        writer.write(data)
        capture.withLock { state in
          if state.isActive { state.data.append(data) }
          state.isReading = false
        }
      }
      close(descriptor)
      capture.withLock { $0.isClosed = true }
    }
  }

  /// Starts keeping output for an invocation.
  func beginCapture() {
    capture.withLock { state in
      state.isActive = true
      state.data = Data()
    }
  }

  /// Stops keeping output and returns what was written since `beginCapture()`.
  ///
  /// A runtime prints and then posts its response, so the last lines can still be in the pipe when the
  /// response arrives. This waits up to 50 ms for the pipe to drain first.
  func endCapture() -> Data {
    waitUntilDrained(limit: .milliseconds(50))
    return capture.withLock { state in
      state.isActive = false
      defer { state.data = Data() }
      return state.data
    }
  }

  /// Waits until the pipe contains no unread bytes and the reader is idle, or the pipe is closed.
  func waitUntilDrained(limit: Duration = .seconds(1)) {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      let (isReading, isClosed) = capture.withLock { ($0.isReading, $0.isClosed) }
      if isClosed { return }
      var available: Int32 = 0
      let queried = ioctl(descriptor, UInt(FIONREAD), &available)
      if queried == 0 && available == 0 && !isReading { return }
      usleep(500)
    }
  }
}
