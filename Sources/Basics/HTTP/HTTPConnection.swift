import Foundation
import Synchronization

/// One accepted connection, served on its own thread: reads a request, waits for the handler, writes the
/// response, and repeats while the connection is kept alive.
final class HTTPConnection {
  /// The maximum time an error response waits for the client to stop sending before the close.
  private static let lingerTime: Duration = .seconds(2)
  /// The interval at which a connection whose handler is running checks whether the client has gone.
  private static let hangUpCheckInterval: Duration = .milliseconds(200)

  private let control: HTTPConnectionControl
  private let reader: HTTPRequestReader
  private let limits: HTTPServer.Limits
  private let clock: any WallClock
  private let log: @Sendable (String) -> Void
  private let handler: HTTPServer.Handler
  private let remoteAddress: String

  init(
    control: HTTPConnectionControl, limits: HTTPServer.Limits, clock: any WallClock,
    log: @escaping @Sendable (String) -> Void, handler: @escaping HTTPServer.Handler
  ) {
    self.control = control
    self.reader = HTTPRequestReader(socket: control.socket, limits: limits)
    self.limits = limits
    self.clock = clock
    self.log = log
    self.handler = handler
    self.remoteAddress = control.socket.remoteAddress
  }

  private var socket: HTTPSocket { control.socket }

  /// Serves requests until the client closes, a request or response has `Connection: close`, an error, or
  /// `stop()`, then closes the socket. Blocks the calling thread, so it must not be a cooperative thread.
  func run() {
    defer { control.closeSocket() }
    while control.isOpen {
      guard serveOneRequest() else { return }
    }
  }

  /// Serves one request. Returns whether the connection stays open for another.
  private func serveOneRequest() -> Bool {
    let head: HTTPRequestHead
    let body: Data
    let framing: HTTPBodyFraming
    do {
      guard let parsedHead = try reader.readHead() else { return false }
      head = parsedHead
      do {
        framing = try HTTPRequestParser.bodyFraming(of: head, maxBodyBytes: limits.maxBodyBytes)
      } catch {
        throw HTTPRequestReader.Failure.rejected(error)
      }
      if framing != .none, head.version == "HTTP/1.1", head.listElements("Expect").contains("100-continue") {
        guard case .success = socket.send(HTTPResponseWriter.continueResponse) else { return false }
      }
      body = try reader.readBody(framing)
    } catch HTTPRequestReader.Failure.rejected(let error) {
      reject(error)
      return false
    } catch {
      return false
    }

    let request = HTTPRequest(
      method: head.method, target: head.target, version: head.version, headers: head.headers, body: body,
      remoteAddress: remoteAddress)
    guard var response = callHandler(request) else { return false }
    if let problem = HTTPResponseWriter.reasonNotWritable(response) {
      log("HTTP handler returned an invalid response to \(head.method) \(head.target): \(problem)")
      response = .text(500, "The handler returned an invalid response: \(problem).")
    }

    let connectionOptions = head.listElements("Connection")
    let responseOptions = response.headers.filter { $0.name.lowercased() == "connection" }
      .flatMap { $0.value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    var keepsAlive: Bool
    if head.version == "HTTP/1.0" {
      // RFC 9112 §6.1: a chunked HTTP/1.0 request may have been framed by guesswork, so close after it.
      keepsAlive = connectionOptions.contains("keep-alive") && framing != .chunked
    } else {
      keepsAlive = !connectionOptions.contains("close")
    }
    keepsAlive = keepsAlive && !responseOptions.contains("close")

    // An HTTP/1.0 client reads to the end of the stream unless the response has `Connection: keep-alive`.
    let added = head.version == "HTTP/1.0" && keepsAlive ? "keep-alive" : nil
    let written = HTTPResponseWriter.makeHead(
      for: response, method: head.method, date: clock.now(), connectionOption: added)
    let result = socket.send(written.bytes, written.includesBody ? response.body : Data())
    guard case .success = result else { return false }
    guard keepsAlive && written.isFramingSound else {
      socket.shutdownSending()
      return false
    }
    return true
  }

  /// Runs the handler in a task and blocks this thread until it returns. Returns nil when `stop()` ended
  /// the wait first.
  ///
  /// The task prefers the call as its executor, so its jobs run here, on the connection thread, while the
  /// thread waits. A handler therefore makes progress even when every cooperative thread is blocked.
  ///
  /// While it waits, it checks the socket every `hangUpCheckInterval`. When the client has closed the
  /// connection it cancels the task, so a long-poll handler learns that no client waits for its response.
  /// NOTE: a client that only half-closes (`shutdown(SHUT_WR)`) after its request looks the same, so its
  /// handler is cancelled too. libcurl and URLSession keep both directions open.
  private func callHandler(_ request: HTTPRequest) -> HTTPResponse? {
    let call = HTTPHandlerCall()
    guard control.beginHandlerCall(call) else { return nil }
    defer {
      control.endHandlerCall()
      call.stopRunningJobs()
    }
    let handler = self.handler
    let task = Task.detached(executorPreference: call) {
      call.finish(await handler(request))
    }
    call.attach(task)

    var isCancelled = false
    var nextHangUpCheck = ContinuousClock.now + Self.hangUpCheckInterval
    while true {
      switch call.runJobs(until: nextHangUpCheck) {
      case .responded(let response): return response
      case .abandoned: return nil
      case nil: break
      }
      guard ContinuousClock.now >= nextHangUpCheck else { continue }
      nextHangUpCheck = ContinuousClock.now + Self.hangUpCheckInterval
      if !isCancelled && control.isOpen && socket.isClosedByPeer {
        log(
          "HTTP client \(remoteAddress) closed the connection during \(request.method) \(request.target); "
            + "cancelling the handler")
        task.cancel()
        isCancelled = true
      }
    }
  }

  /// Sends the error response for `error` with `Connection: close`, then waits briefly for the client to
  /// stop sending before the close.
  private func reject(_ error: HTTPRequestError) {
    log("HTTP request from \(remoteAddress) rejected with \(error.status): \(error.message)")
    var response = HTTPResponse.text(error.status, error.message)
    if case .bodyTooLarge(let limit) = error {
      response = limits.bodyTooLarge(limit)
    }
    let head = HTTPResponseWriter.makeHead(
      for: response, method: "GET", date: clock.now(), connectionOption: "close")
    guard case .success = socket.send(head.bytes, response.body) else { return }
    socket.shutdownSending()
    reader.discardInput(timeout: .milliseconds(500), until: .now + Self.lingerTime)
  }
}

/// The parts of a connection that `HTTPServer.stop()` reaches from another thread: the socket, and the
/// handler call the connection thread may be waiting for.
final class HTTPConnectionControl: Sendable {
  private enum State {
    case open(HTTPHandlerCall?)
    case stopping
    case closed
  }

  let socket: HTTPSocket
  private let state = Mutex<State>(.open(nil))

  init(socket: HTTPSocket) {
    self.socket = socket
  }

  var isOpen: Bool {
    state.withLock {
      if case .open = $0 { return true }
      return false
    }
  }

  /// Records the call the connection thread is about to wait for. Returns false after `stop()`.
  func beginHandlerCall(_ call: HTTPHandlerCall) -> Bool {
    state.withLock {
      guard case .open = $0 else { return false }
      $0 = .open(call)
      return true
    }
  }

  func endHandlerCall() {
    state.withLock {
      if case .open = $0 { $0 = .open(nil) }
    }
  }

  /// Shuts the socket down and abandons the handler call, which wakes the connection thread wherever it
  /// blocks. The socket is shut down under the lock so it cannot be closed, and its descriptor reused, in
  /// between.
  func stop() {
    let call = state.withLock { state -> HTTPHandlerCall? in
      guard case .open(let call) = state else { return nil }
      socket.shutdown()
      state = .stopping
      return call
    }
    call?.abandon()
  }

  /// Returns `body(socket)`, or nil when the socket is closed. The lock keeps the socket open meanwhile.
  func withOpenSocket<T>(_ body: (HTTPSocket) -> T) -> T? {
    state.withLock {
      if case .closed = $0 { return nil }
      return body(socket)
    }
  }

  /// Closes the socket. The connection thread calls it once, as it ends.
  func closeSocket() {
    state.withLock {
      $0 = .closed
      socket.close()
    }
  }
}
