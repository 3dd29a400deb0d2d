import Foundation
import Synchronization

/// One call of the handler: the executor its task prefers, and the outcome a connection thread waits for.
///
/// The connection thread runs the task's jobs itself in `runJobs(until:)`, so handlers do not depend on
/// Swift's cooperative thread pool, which has one thread per core and stalls while code blocks it. After
/// `stopRunningJobs()`, jobs go to the global concurrent executor, so a task that outlives the wait (one
/// abandoned by `stop()`) still runs to its end.
final class HTTPHandlerCall: TaskExecutor {
  /// The end of a call: a response, or none after `abandon()`.
  enum Outcome {
    case responded(HTTPResponse)
    case abandoned
  }

  private struct State {
    var jobs: [UnownedJob] = []
    var isRunningJobs = true
    var task: Task<Void, Never>?
    var outcome: Outcome?
  }

  private let state = Mutex(State())
  /// Signalled once per queued job and once when the outcome is set.
  private let wakeUp = DispatchSemaphore(value: 0)

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let isQueued = state.withLock { state -> Bool in
      guard state.isRunningJobs else { return false }
      state.jobs.append(job)
      return true
    }
    if isQueued {
      wakeUp.signal()
    } else {
      globalConcurrentExecutor.enqueue(job)
    }
  }

  /// Runs queued jobs on the calling thread until the outcome is set or `deadline` passes, and returns the
  /// outcome, or nil at the deadline. Jobs still queued once the outcome is set are left for
  /// `stopRunningJobs()`, so `stop()` does not wait for the queued jobs of an abandoned handler.
  func runJobs(until deadline: ContinuousClock.Instant) -> Outcome? {
    while true {
      let (outcome, job) = state.withLock { state -> (Outcome?, UnownedJob?) in
        if let outcome = state.outcome { return (outcome, nil) }
        return (nil, state.jobs.isEmpty ? nil : state.jobs.removeFirst())
      }
      if let outcome { return outcome }
      if let job {
        job.runSynchronously(on: asUnownedTaskExecutor())
        continue
      }

      // Extra signals from jobs already run make this return early, and the loop then waits again.
      let remaining = max(ContinuousClock.now.duration(to: deadline), .zero).components
      let nanoseconds = Int(remaining.seconds) * 1_000_000_000 + Int(remaining.attoseconds / 1_000_000_000)
      if wakeUp.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
        return state.withLock { $0.outcome }
      }
    }
  }

  /// Sends queued and later jobs to the global concurrent executor. The connection thread calls it when it
  /// stops waiting.
  func stopRunningJobs() {
    let jobs = state.withLock { state -> [UnownedJob] in
      state.isRunningJobs = false
      defer { state.jobs = [] }
      return state.jobs
    }
    for job in jobs {
      globalConcurrentExecutor.enqueue(job)
    }
  }

  /// Keeps the handler's task so `abandon()` can cancel it.
  func attach(_ task: Task<Void, Never>) {
    let isAbandoned = state.withLock { state -> Bool in
      state.task = task
      if case .abandoned = state.outcome { return true }
      return false
    }
    if isAbandoned { task.cancel() }
  }

  func finish(_ response: HTTPResponse) {
    settle(.responded(response))
  }

  /// Cancels the handler's task and wakes the waiting thread without a response. The task may go on until
  /// the handler notices the cancellation, and its response is dropped.
  func abandon() {
    settle(.abandoned)?.cancel()
  }

  /// Sets the outcome unless one is set, wakes the waiting thread, and returns the task.
  @discardableResult
  private func settle(_ outcome: Outcome) -> Task<Void, Never>? {
    let (isFirst, task) = state.withLock { state -> (Bool, Task<Void, Never>?) in
      guard state.outcome == nil else { return (false, nil) }
      state.outcome = outcome
      return (true, state.task)
    }
    guard isFirst else { return nil }
    wakeUp.signal()
    return task
  }
}
