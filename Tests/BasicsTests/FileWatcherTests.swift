import Basics
import Foundation
import Testing

/// inotify watching with debounced batches.
@Suite("FileWatcher", .timeLimit(.minutes(1)))
struct FileWatcherTests {
  /// Collects the batches a watcher reports.
  final class Batches: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [[String]] = []

    func append(_ batch: [String]) {
      lock.lock()
      received.append(batch)
      lock.unlock()
    }

    var all: [[String]] {
      lock.lock()
      defer { lock.unlock() }
      return received
    }

    /// Waits until at least `count` batches arrived, up to five seconds.
    func wait(for count: Int) -> [[String]] {
      let deadline = Date().addingTimeInterval(5)
      while all.count < count && Date() < deadline { usleep(5_000) }
      return all
    }
  }

  private func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  @Test("burst of writes is one batch")
  func burstIsOneBatch() throws {
    try ScratchDirectory.with { root in
      let batches = Batches()
      // A generous quiet period, so a busy machine that pauses between writes still makes one batch.
      let watcher = try FileWatcher(
        root: root, quietPeriod: .milliseconds(400), maximumDelay: .seconds(3), ignore: { _, _ in false },
        onChange: batches.append)
      defer { watcher.close() }
      for index in 0..<20 { try write("version \(index)", to: root + "/main.py") }
      try write("x", to: root + "/other.py")
      let received = batches.wait(for: 1)
      usleep(600_000)
      #expect(batches.all.count == 1)
      #expect(received.first == ["main.py", "other.py"])
    }
  }

  @Test("ignored paths are not reported")
  func ignoredPathsSkipped() throws {
    try ScratchDirectory.with { root in
      try FileManager.default.createDirectory(atPath: root + "/skip", withIntermediateDirectories: true)
      let batches = Batches()
      let watcher = try FileWatcher(
        root: root, ignore: { path, _ in path == "skip" || path.hasSuffix(".tmp") }, onChange: batches.append)
      defer { watcher.close() }
      try write("x", to: root + "/skip/inside.py")
      try write("x", to: root + "/scratch.tmp")
      usleep(300_000)
      #expect(batches.all.isEmpty)
      try write("x", to: root + "/kept.py")
      #expect(batches.wait(for: 1) == [["kept.py"]])
    }
  }

  @Test("new directories are watched")
  func newDirectoriesWatched() throws {
    try ScratchDirectory.with { root in
      let batches = Batches()
      let watcher = try FileWatcher(root: root, ignore: { _, _ in false }, onChange: batches.append)
      defer { watcher.close() }
      try FileManager.default.createDirectory(atPath: root + "/pkg", withIntermediateDirectories: true)
      _ = batches.wait(for: 1)
      #expect(watcher.watchedDirectoryCount == 2)
      try write("x", to: root + "/pkg/module.py")
      let received = batches.wait(for: 2)
      #expect(received.count == 2)
      #expect(received.last == ["pkg/module.py"])
    }
  }

  @Test("rename into place is reported")
  func renameReported() throws {
    try ScratchDirectory.with { root in
      try write("old", to: root + "/main.py")
      try FileManager.default.createDirectory(
        atPath: root + "/../outside-\(getpid())", withIntermediateDirectories: true)
      let batches = Batches()
      let watcher = try FileWatcher(root: root, ignore: { _, _ in false }, onChange: batches.append)
      defer { watcher.close() }
      // Editors save by writing a new file elsewhere and renaming it over the old one.
      let staged = root + "/../outside-\(getpid())/main.py"
      try write("new", to: staged)
      #expect(rename(staged, root + "/main.py") == 0)
      #expect(batches.wait(for: 1) == [["main.py"]])
      try? FileManager.default.removeItem(atPath: root + "/../outside-\(getpid())")
    }
  }

  @Test("nothing reported after close")
  func silentAfterClose() throws {
    try ScratchDirectory.with { root in
      let batches = Batches()
      let watcher = try FileWatcher(root: root, ignore: { _, _ in false }, onChange: batches.append)
      watcher.close()
      try write("x", to: root + "/main.py")
      usleep(300_000)
      #expect(batches.all.isEmpty)
    }
  }

  @Test("missing root is an error")
  func missingRoot() {
    #expect(throws: FileWatcherError.self) {
      try FileWatcher(root: "/nonexistent-\(getpid())", ignore: { _, _ in false }, onChange: { _ in })
    }
  }
}
