import Foundation
import Testing

@testable import Basics

#if canImport(Glibc)
  import Glibc
#endif

private let hostEnvironment = ProcessInfo.processInfo.environment

private struct AbortedBody: Error {}

/// Returns whether another process can take the lock at once, using util-linux `flock --nonblock`.
private func isFreeForOtherProcess(_ path: String) throws -> Bool {
  let result = try ProcessRunner().run(
    ProcessSpec(executable: "flock", arguments: ["--nonblock", path, "true"], environment: hostEnvironment),
    timeout: .seconds(10))
  return result.termination == .exited(0)
}

@Suite("FileLock", .timeLimit(.minutes(1)))
struct FileLockTests {
  @Test("second holder waits for the first")
  func secondHolderWaits() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/test.lock"
      let first = try FileLock(path: path)
      let acquired = DispatchSemaphore(value: 0)
      let released = DispatchSemaphore(value: 0)

      Thread.detachNewThread {
        if let second = try? FileLock(path: path) {
          acquired.signal()
          // Hold the lock until the test has looked, so the directory outlives it.
          _ = released.wait(timeout: .now() + 10)
          second.unlock()
        }
      }

      #expect(acquired.wait(timeout: .now() + .milliseconds(300)) == .timedOut, "acquired while held")
      first.unlock()
      #expect(acquired.wait(timeout: .now() + 10) == .success, "not acquired after unlock")
      released.signal()
    }
  }

  @Test("other processes see the lock")
  func otherProcessesSeeLock() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/test.lock"
      let lock = try FileLock(path: path)

      #expect(try !isFreeForOtherProcess(path))
      lock.unlock()
      #expect(try isFreeForOtherProcess(path))
    }
  }

  @Test("lock freed when holder dies")
  func lockFreedWhenHolderDies() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/test.lock"
      // `flock` holds the lock while `sleep` runs; both are in a new process group, killed together.
      let holder = try ProcessRunner().start(
        ProcessSpec(
          executable: "flock", arguments: [path, "sleep", "30"], environment: hostEnvironment,
          output: .appendToFile("\(directory)/holder.log"), startsNewSession: true))
      defer {
        kill(-holder, SIGKILL)
        _ = ProcessRunner.wait(for: holder)
      }
      let deadline = Date().addingTimeInterval(10)
      while try isFreeForOtherProcess(path), Date() < deadline { usleep(20_000) }
      #expect(try !isFreeForOtherProcess(path), "the holder never took the lock")

      let acquired = DispatchSemaphore(value: 0)
      Thread.detachNewThread {
        if let lock = try? FileLock(path: path) {
          lock.unlock()
          acquired.signal()
        }
      }
      #expect(acquired.wait(timeout: .now() + .milliseconds(200)) == .timedOut, "acquired while held")

      kill(-holder, SIGKILL)
      #expect(acquired.wait(timeout: .now() + 10) == .success, "not acquired after the holder died")
    }
  }

  @Test("withLock serialises a counter")
  func withLockSerialisesCounter() throws {
    try ScratchDirectory.with { directory in
      let lockPath = "\(directory)/counter.lock"
      let counterPath = "\(directory)/counter"
      try Data("0".utf8).write(to: URL(fileURLWithPath: counterPath))
      let threadCount = 4
      let iterations = 50
      let failures = LockedValue<[String]>([])
      let group = DispatchGroup()

      for _ in 0..<threadCount {
        group.enter()
        Thread.detachNewThread {
          defer { group.leave() }
          for _ in 0..<iterations {
            do {
              try FileLock.withLock(at: lockPath) {
                let text = String(
                  decoding: FileManager.default.contents(atPath: counterPath) ?? Data(), as: UTF8.self)
                let value = Int(text) ?? -1_000_000
                // A short pause between read and write makes a lost update likely without the lock.
                usleep(100)
                try Data(String(value + 1).utf8).write(to: URL(fileURLWithPath: counterPath))
              }
            } catch {
              failures.withLock { $0.append("\(error)") }
            }
          }
        }
      }

      #expect(group.wait(timeout: .now() + 30) == .success)
      #expect(failures.withLock { $0 } == [])
      let final = String(decoding: FileManager.default.contents(atPath: counterPath) ?? Data(), as: UTF8.self)
      #expect(final == String(threadCount * iterations))
    }
  }

  @Test("withLock returns and releases")
  func withLockReturnsAndReleases() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/test.lock"

      let value = try FileLock.withLock(at: path) { 42 }
      #expect(value == 42)
      #expect(try isFreeForOtherProcess(path))

      #expect(throws: AbortedBody.self) {
        try FileLock.withLock(at: path) { throw AbortedBody() }
      }
      #expect(try isFreeForOtherProcess(path))
    }
  }

  @Test("unlock twice is harmless")
  func unlockTwice() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/test.lock"
      let lock = try FileLock(path: path)

      lock.unlock()
      lock.unlock()

      #expect(try isFreeForOtherProcess(path))
    }
  }

  @Test("missing directory names the path")
  func missingDirectory() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/missing/test.lock"
      let error = #expect(throws: FileError.self) {
        try FileLock(path: path)
      }
      #expect(error?.description == "cannot open \(path): No such file or directory")
    }
  }
}
