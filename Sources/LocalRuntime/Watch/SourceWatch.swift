import Basics
import Foundation
import FunctionsCore
import Synchronization

/// A batch of changed files in a function's directory.
public struct SourceChange: Sendable, Equatable {
  /// Paths relative to the function's directory; "." when the kernel dropped events.
  public var paths: [String]

  /// Whether the dependencies may have changed, so the environment must be built again first.
  public var changesRequirements: Bool {
    paths.contains { $0 == "requirements.txt" || $0 == "." }
  }

  /// Whether the manifest changed, so it must be read again.
  public var changesManifest: Bool {
    paths.contains { $0 == Manifest.fileName || $0 == "." }
  }

  /// Paths for the log: those that still exist, when any do, so an editor's temporary file that was
  /// renamed away is not named.
  public var displayedPaths: [String] = []

  /// A short list of the changed paths for the log.
  public var summary: String {
    let named = displayedPaths.isEmpty ? paths : displayedPaths
    let firstThree = named.prefix(3).joined(separator: ", ")
    return named.count > 3 ? "\(firstThree) and \(named.count - 3) more" : firstThree
  }
}

/// Watches a function's directory for source changes and runs a reload for each batch, one at a time.
///
/// Files matched by the built-in ignore patterns, a `.gitignore` (in the function's directory or any
/// folder inside it) or `.functionsignore` are not reported.
/// `reload` runs on the watcher's own thread, so changes that arrive during a reload are collected into
/// the next batch instead of starting a second reload at once.
///
/// Watching starts before the function's first start, so no change is missed, but reloads wait until
/// `beginReloading()`: a change saved while the function starts is reloaded once it runs.
public final class SourceWatch: Sendable {
  private let watcher: FileWatcher
  private let gate = DispatchSemaphore(value: 0)

  public init(directory: String, reload: @escaping @Sendable (SourceChange) async -> Void) throws {
    let patterns = Mutex(IgnorePatterns.load(forFunctionIn: directory))
    let gate = self.gate
    watcher = try FileWatcher(
      root: directory,
      ignore: { path, isDirectory in
        patterns.withLock { $0.isIgnored(path, isDirectory: isDirectory) }
      },
      onChange: { paths in
        if paths.contains(where: {
          $0 == ".functionsignore" || ($0 as NSString).lastPathComponent == ".gitignore"
        }) {
          patterns.withLock { $0 = IgnorePatterns.load(forFunctionIn: directory) }
        }
        var change = SourceChange(paths: paths)
        change.displayedPaths = paths.filter { FileManager.default.fileExists(atPath: directory + "/" + $0) }
        // Passing the gate once leaves it open for every later batch.
        gate.wait()
        gate.signal()
        let finished = DispatchSemaphore(value: 0)
        Task {
          await reload(change)
          finished.signal()
        }
        finished.wait()
      })
  }

  /// Lets reloads run, after the function's first start.
  public func beginReloading() {
    gate.signal()
  }

  /// Stops watching.
  public func stop() {
    watcher.close()
    gate.signal()
  }
}

extension String {
  /// The text without one trailing period, so a failure message can be followed by more of a sentence.
  var withoutFinalPeriod: String {
    hasSuffix(".") ? String(dropLast()) : self
  }
}

/// Records a watched function's state in the registry after a reload, as long as the registry still
/// names this process as the function's server.
public struct WatchedState: Sendable {
  let registry: Registry
  let name: String
  let pid: Int32

  public init(layout: StateLayout, name: String, pid: Int32 = getpid()) {
    registry = Registry(layout: layout)
    self.name = name
    self.pid = pid
  }

  /// Marks the function as running or crashed; the process stays recorded, so `stop` still stops it.
  public func record(_ state: LocalState) {
    do {
      try registry.updateEntry(named: name) { entry in
        guard entry.process?.pid == pid, entry.state != state else { return }
        entry.state = state
      }
    } catch {
      ServiceLog.error("cannot record \(name) as \(state.rawValue) in the registry: \(error)")
    }
  }
}
