import Basics
import Foundation

/// Runs invocations on runtime instances, one invocation per instance at a time, as Lambda does.
///
/// Idle (warm) instances are reused first. Without one, a new instance starts while fewer than
/// `maxInstances` exist; beyond that, invocations wait in arrival order. An instance whose process ends
/// is replaced by the next invocation that needs one.
actor InstancePool {
  private var launcher: InstanceLauncher
  private let maxInstances: Int
  private var launched: [Int: LaunchedInstance] = [:]
  private var idle: [Int] = []
  private var waiting: [CheckedContinuation<Void, Never>] = []
  private var nextID = 1
  private var isShutDown = false
  /// Instances started before the last reload; each stops when its current invocation ends.
  private var retired: Set<Int> = []
  /// Whether new invocations wait because a reload is preparing the new code.
  private var isHolding = false
  /// Invocations that wait for the reload. They are kept apart from `waiting`, so a freed instance slot
  /// always goes to an invocation (or the reload's new instance) that can take it.
  private var heldInvocations: [CheckedContinuation<Void, Never>] = []

  init(launcher: InstanceLauncher, maxInstances: Int) {
    self.launcher = launcher
    self.maxInstances = max(1, maxInstances)
  }

  var configuration: LambdaFunctionConfiguration { launcher.configuration }

  /// Runs one invocation and returns its outcome with its log.
  func invoke(_ invocation: LambdaInvocation) async -> InvocationResult {
    let writer = launcher.logWriter
    let launchedInstance: LaunchedInstance
    var isColdStart = false
    switch await acquire() {
    case .success(let acquired):
      launchedInstance = acquired.instance
      // An instance's first invocation reports its Init Duration, including the one `run` started.
      isColdStart = await !acquired.instance.instance.hasServed
    case .failure(let failure):
      let outcome = failure.outcome(requestID: invocation.requestID)
      let log =
        "START RequestId: \(invocation.requestID) Version: $LATEST\n"
        + (outcome.errorSummary.map { "\($0.message)\n\($0.type)\n" } ?? "")
        + "END RequestId: \(invocation.requestID)\n"
      writer.write(Data(log.utf8))
      return InvocationResult(outcome: outcome, requestID: invocation.requestID, log: log)
    }

    let start = "START RequestId: \(invocation.requestID) Version: $LATEST\n"
    writer.write(Data(start.utf8))
    launchedInstance.output.beginCapture()
    let began = ContinuousClock.now
    let outcome = await launchedInstance.instance.run(invocation, timeout: launcher.configuration.timeout)
    let elapsed = ContinuousClock.now - (await launchedInstance.instance.deliveredAt ?? began)
    let printed = launchedInstance.output.endCapture()

    var trailer = ""
    if case .functionError(_, let errorType) = outcome, errorType == "Sandbox.Timedout" {
      trailer +=
        "\(Timestamp.format(Date())) \(invocation.requestID) Task timed out after "
        + "\(Self.seconds(launcher.configuration.timeout)) seconds\n"
    }
    trailer += "END RequestId: \(invocation.requestID)\n"
    var report = "REPORT RequestId: \(invocation.requestID)\tDuration: \(Self.milliseconds(elapsed)) ms"
    report += "\tBilled Duration: \(Int((Self.millisecondsValue(elapsed)).rounded(.up))) ms"
    report += "\tMemory Size: \(launcher.configuration.manifest.aws.memorySize) MB"
    if let used = launchedInstance.maxMemoryUsedMB { report += "\tMax Memory Used: \(used) MB" }
    if isColdStart, let initDuration = await launchedInstance.instance.initDuration {
      report += "\tInit Duration: \(Self.milliseconds(initDuration)) ms"
    }
    trailer += report + "\t\n"
    writer.write(Data(trailer.utf8))

    await release(launchedInstance)
    let log = start + String(decoding: printed, as: UTF8.self) + trailer
    return InvocationResult(outcome: outcome, requestID: invocation.requestID, log: log)
  }

  /// Starts one instance and waits until its runtime is initialised, so a function that cannot start is
  /// reported by `functions run` instead of by its first invocation. Returns nil on success, otherwise
  /// the error in Lambda's terms. The instance then waits, warm, for the first invocation.
  func prewarm(limit: Duration = .seconds(10)) async -> String? {
    let acquired: LaunchedInstance
    // The instance a reload starts is what held invocations wait for, so it does not wait itself.
    switch await acquire(bypassingHold: true) {
    case .success(let result): acquired = result.instance
    case .failure(let failure):
      let summary =
        failure.outcome(requestID: nil).errorSummary.map { "\($0.type): \($0.message)" } ?? "\(failure)"
      return summary + (failure.hint.map { "; \($0)" } ?? "")
    }
    let instance = acquired.instance
    let timedOut = RaceFlag()
    let watchdog = Task {
      try? await Task.sleep(for: limit)
      if !Task.isCancelled {
        timedOut.set()
        await instance.stop()
      }
    }
    let isReady = await instance.waitUntilReady()
    watchdog.cancel()
    if isReady {
      await release(acquired)
      return nil
    }
    launched[instance.id] = nil
    if let document = await instance.initErrorDocument {
      let object = (try? JSONSerialization.jsonObject(with: document)) as? [String: Any]
      let type = (object?["errorType"] as? String) ?? "Runtime.Unknown"
      let message = (object?["errorMessage"] as? String) ?? String(decoding: document, as: UTF8.self)
      return "\(type): \(message)"
    }
    if timedOut.isSet {
      return "Runtime.InitTimeout: the runtime did not initialise within \(Int(limit.components.seconds)) s, "
        + "Lambda's limit for initialisation"
    }
    return "Runtime.ExitError: the runtime exited before it asked for work; see 'functions logs'"
  }

  /// Replaces the launcher after a code change: idle instances stop at once, busy ones when their
  /// invocation ends, and one instance of the new code initialises. Invocations that arrive meanwhile
  /// wait for a new instance. Returns nil on success, otherwise the initialisation error, as `prewarm` does.
  func reload(with newLauncher: InstanceLauncher) async -> String? {
    launcher = newLauncher
    let idleIDs = idle
    idle = []
    for id in idleIDs {
      guard let old = launched.removeValue(forKey: id) else { continue }
      await old.instance.stop()
      await old.server.stop()
    }
    retired.formUnion(launched.keys)
    // Slots freed by the stopped instances go to invocations waiting for one.
    for _ in idleIDs { wakeOne() }
    // Held invocations continue once the new instance is ready (or failed), so they run the new code.
    let failure = await prewarm()
    resumeInvocations()
    return failure
  }

  /// Makes new invocations wait until `reload(with:)` or `resumeInvocations()`, while a reload builds
  /// the new code. Invocations already running finish on their instances.
  func holdInvocations() {
    isHolding = true
  }

  /// Lets waiting invocations continue, on the instances there are (after a reload that failed).
  func resumeInvocations() {
    guard isHolding else { return }
    isHolding = false
    let woken = heldInvocations
    heldInvocations = []
    for waiter in woken { waiter.resume() }
  }

  /// Stops every instance.
  func shutDown() async {
    isShutDown = true
    for launchedInstance in launched.values {
      await launchedInstance.instance.stop()
      await launchedInstance.server.stop()
    }
    launched = [:]
    idle = []
    for waiter in waiting + heldInvocations { waiter.resume() }
    waiting = []
    heldInvocations = []
  }

  /// The number of instances that exist now, busy or idle.
  var instanceCount: Int { launched.count }

  private func acquire(bypassingHold: Bool = false) async
    -> Result<(instance: LaunchedInstance, isNew: Bool), LaunchFailure>
  {
    while true {
      if isShutDown { return .failure(.spawnFailed("the function is stopping")) }
      if isHolding && !bypassingHold {
        await withCheckedContinuation { heldInvocations.append($0) }
        continue
      }
      while let id = idle.popLast() {
        if let warm = launched[id], await !warm.instance.isStopped { return .success((warm, false)) }
      }
      if launched.count < maxInstances {
        let id = nextID
        nextID += 1
        do {
          let started = try launcher.launch(id: id) { [weak self] instance, termination in
            Task { await self?.instanceExited(id: id, instance: instance, termination: termination) }
          }
          launched[id] = started
          return .success((started, true))
        } catch {
          return .failure(error)
        }
      }
      await withCheckedContinuation { waiting.append($0) }
    }
  }

  private func release(_ launchedInstance: LaunchedInstance) async {
    let id = launchedInstance.instance.id
    if retired.remove(id) != nil {
      launched[id] = nil
      await launchedInstance.instance.stop()
      await launchedInstance.server.stop()
    } else if await launchedInstance.instance.isStopped {
      launched[id] = nil
    } else if launched[id] != nil {
      idle.append(id)
    }
    wakeOne()
  }

  private func instanceExited(id: Int, instance: RuntimeInstance, termination: ProcessTermination) async {
    await instance.processExited(termination)
    launched[id] = nil
    retired.remove(id)
    idle.removeAll { $0 == id }
    wakeOne()
  }

  private func wakeOne() {
    guard !waiting.isEmpty else { return }
    waiting.removeFirst().resume()
  }

  static func millisecondsValue(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
  }

  static func milliseconds(_ duration: Duration) -> String {
    twoDecimals(millisecondsValue(duration))
  }

  static func seconds(_ duration: Duration) -> String {
    twoDecimals(millisecondsValue(duration) / 1000)
  }

  /// Formats a non-negative number with two decimals, without `String(format:)`, which is slow on Linux.
  static func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}

/// A flag set once from any task.
final class RaceFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  func set() {
    lock.lock()
    value = true
    lock.unlock()
  }

  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}
