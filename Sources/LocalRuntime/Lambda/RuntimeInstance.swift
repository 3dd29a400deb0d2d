import Basics
import Foundation

/// One running copy of a function's runtime with its own Runtime API endpoint.
///
/// It runs one invocation at a time, as a Lambda execution environment does. The runtime client
/// long-polls `GET …/invocation/next`, and `run(_:)` hands it an invocation. `run(_:)` then suspends until
/// the client posts a response or an error, the deadline passes, or the process exits.
actor RuntimeInstance {
  enum State {
    /// The process is starting; it has not asked for work yet.
    case starting
    /// Waiting for work, with the runtime's `/next` request parked when it has arrived.
    case idle
    /// Running an invocation.
    case busy(requestID: String)
    /// The process ended or was stopped; the instance takes no more work.
    case stopped
  }

  let id: Int
  private(set) var state: State = .starting
  private var parkedNext: CheckedContinuation<LambdaInvocation?, Never>?
  /// An invocation assigned before the runtime asked for it.
  private var pendingInvocation: LambdaInvocation?
  private var resultContinuation: CheckedContinuation<InvocationOutcome, Never>?
  private var initError: Data?
  private var timeoutTask: Task<Void, Never>?
  private var invocationTimeout: Duration = .seconds(3)
  /// Whether this instance has finished at least one invocation (the next ones are warm).
  private(set) var hasServed = false
  let launchedAt: ContinuousClock.Instant
  private(set) var firstNextAt: ContinuousClock.Instant?
  /// When the current or last invocation reached the runtime; Lambda's Duration starts here.
  private(set) var deliveredAt: ContinuousClock.Instant?
  /// Ends the runtime process: gracefully (SIGTERM first) or at once.
  private let killProcess: @Sendable (_ isGraceful: Bool) -> Void
  /// Callers of `waitUntilReady()`, resumed with true at the runtime's first `/next` and false when the
  /// instance stops first.
  private var readyWaiters: [CheckedContinuation<Bool, Never>] = []
  /// The init error document the runtime posted, if any.
  var initErrorDocument: Data? { initError }

  init(id: Int, killProcess: @escaping @Sendable (_ isGraceful: Bool) -> Void) {
    self.id = id
    self.killProcess = killProcess
    launchedAt = .now
  }

  var isStopped: Bool {
    if case .stopped = state { return true }
    return false
  }

  /// The time from launch to the runtime's first `/next`: Lambda's "Init Duration".
  var initDuration: Duration? { firstNextAt.map { $0 - launchedAt } }

  /// Runs `invocation` and returns how it ended. A timeout kills the process.
  func run(_ invocation: LambdaInvocation, timeout: Duration) async -> InvocationOutcome {
    if case .stopped = state {
      return initError.map { .functionError(document: $0, errorType: Self.errorType(of: $0)) }
        ?? .failure(
          type: "Runtime.ExitError", message: "RequestId: \(invocation.requestID) Error: Runtime exited")
    }
    return await withCheckedContinuation { continuation in
      resultContinuation = continuation
      state = .busy(requestID: invocation.requestID)
      invocationTimeout = timeout
      if let parked = parkedNext {
        parkedNext = nil
        parked.resume(returning: markDelivered(invocation))
      } else {
        pendingInvocation = invocation
        // Lambda's timeout starts when the invocation reaches the runtime, after initialisation. A runtime
        // that never asks for work is stopped after Lambda's 10-second init limit plus the timeout.
        // NOTE: Lambda reports a slow init with its own INIT_REPORT status; this reports a plain timeout.
        let requestID = invocation.requestID
        timeoutTask = Task { [weak self] in
          try? await Task.sleep(for: .seconds(10) + timeout)
          guard !Task.isCancelled else { return }
          await self?.timedOut(requestID: requestID, after: timeout)
        }
      }
    }
  }

  /// Waits until the runtime requests its first invocation (true) or the instance stops first (false).
  func waitUntilReady() async -> Bool {
    if firstNextAt != nil { return true }
    if case .stopped = state { return false }
    return await withCheckedContinuation { readyWaiters.append($0) }
  }

  private func resumeReadyWaiters(_ isReady: Bool) {
    let waiters = readyWaiters
    readyWaiters = []
    for waiter in waiters { waiter.resume(returning: isReady) }
  }

  /// Records that the runtime receives the invocation now, starts its timeout, and returns it with the
  /// deadline that follows.
  private func markDelivered(_ invocation: LambdaInvocation) -> LambdaInvocation {
    var invocation = invocation
    let timeout = invocationTimeout
    let timeoutMilliseconds = timeout.wholeMilliseconds
    invocation.deadlineMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) + timeoutMilliseconds
    let requestID = invocation.requestID
    deliveredAt = .now
    timeoutTask?.cancel()
    timeoutTask = Task { [weak self] in
      try? await Task.sleep(for: timeout)
      guard !Task.isCancelled else { return }
      await self?.timedOut(requestID: requestID, after: timeout)
    }
    return invocation
  }

  /// Returns the invocation for the runtime's `GET /next`: the pending one, or the next one assigned.
  /// Returns nil when the instance stops while waiting.
  func nextInvocation() async -> LambdaInvocation? {
    if firstNextAt == nil {
      firstNextAt = .now
      resumeReadyWaiters(true)
    }
    if case .stopped = state { return nil }
    if case .starting = state { state = .idle }
    if let pending = pendingInvocation {
      pendingInvocation = nil
      return markDelivered(pending)
    }
    // A runtime that polls again while an earlier poll is parked replaces it.
    parkedNext?.resume(returning: nil)
    return await withCheckedContinuation { parkedNext = $0 }
  }

  /// Records the runtime's response for `requestID`. Returns false for an unknown request ID.
  func complete(requestID: String, outcome: InvocationOutcome) -> Bool {
    guard case .busy(let current) = state, current == requestID else { return false }
    finish(with: outcome, nextState: .idle)
    hasServed = true
    return true
  }

  /// Records an `/init/error`: the invocation waiting for this instance fails with it at once.
  func failInitialization(document: Data) {
    initError = document
    resumeReadyWaiters(false)
    if resultContinuation != nil {
      finish(
        with: .functionError(document: document, errorType: Self.errorType(of: document)), nextState: .stopped
      )
    } else {
      state = .stopped
    }
  }

  /// Records that the process ended, failing a running invocation the way Lambda reports it.
  func processExited(_ termination: ProcessTermination) {
    let requestID: String? =
      if case .busy(let id) = state { id } else { nil }
    if resultContinuation != nil {
      let reason =
        switch termination {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): signal == SIGKILL ? "signal: killed" : "signal \(signal)"
        }
      let outcome: InvocationOutcome =
        initError.map { .functionError(document: $0, errorType: Self.errorType(of: $0)) }
        ?? .failure(
          type: "Runtime.ExitError",
          message: "RequestId: \(requestID ?? "") Error: Runtime exited with error: \(reason)")
      finish(with: outcome, nextState: .stopped)
    }
    state = .stopped
    resumeReadyWaiters(false)
    parkedNext?.resume(returning: nil)
    parkedNext = nil
  }

  /// Stops the instance: kills the process and releases a parked `/next`.
  func stop() {
    state = .stopped
    resumeReadyWaiters(false)
    killProcess(true)
    parkedNext?.resume(returning: nil)
    parkedNext = nil
  }

  private func timedOut(requestID: String, after timeout: Duration) {
    guard case .busy(let current) = state, current == requestID else { return }
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    // Lambda's message for a timeout (Lambda developer guide, "Troubleshoot invocation issues").
    let message =
      "RequestId: \(requestID) Error: Task timed out after \(String(format: "%.2f", seconds)) seconds"
    finish(with: .failure(type: "Sandbox.Timedout", message: message), nextState: .stopped)
    killProcess(false)
  }

  private func finish(with outcome: InvocationOutcome, nextState: State) {
    timeoutTask?.cancel()
    timeoutTask = nil
    state = nextState
    let continuation = resultContinuation
    resultContinuation = nil
    continuation?.resume(returning: outcome)
  }

  static func errorType(of document: Data) -> String {
    let object = (try? JSONSerialization.jsonObject(with: document)) as? [String: Any]
    return (object?["errorType"] as? String) ?? "Unhandled"
  }
}
