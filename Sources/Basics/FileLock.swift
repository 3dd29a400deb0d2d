import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Errors from file locks and atomic writes.
public enum FileError: Error, CustomStringConvertible, Sendable {
  case cannotOpen(path: String, errno: Int32)
  case cannotLock(path: String, errno: Int32)
  case cannotWrite(path: String, errno: Int32)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let code):
      "cannot open \(path): \(String(cString: strerror(code)))"
    case .cannotLock(let path, let code):
      "cannot lock \(path): \(String(cString: strerror(code)))"
    case .cannotWrite(let path, let code):
      "cannot write \(path): \(String(cString: strerror(code)))"
    }
  }
}

/// An exclusive advisory lock (`flock`) on a lock file, held until `unlock()` or process exit.
///
/// The kernel drops the lock when the holder dies, so a killed process never leaves it stuck.
public final class FileLock {
  private var descriptor: Int32
  public let path: String

  /// Opens (creating if needed) `path` and blocks until the exclusive lock is held.
  public init(path: String) throws {
    self.path = path
    descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw FileError.cannotOpen(path: path, errno: errno) }
    while flock(descriptor, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let code = errno
      close(descriptor)
      throw FileError.cannotLock(path: path, errno: code)
    }
  }

  public func unlock() {
    guard descriptor >= 0 else { return }
    flock(descriptor, LOCK_UN)
    close(descriptor)
    descriptor = -1
  }

  deinit { unlock() }

  /// Runs `body` while holding the lock on `path`.
  public static func withLock<T>(at path: String, _ body: () throws -> T) throws -> T {
    let lock = try FileLock(path: path)
    defer { lock.unlock() }
    return try body()
  }
}

/// Replaces files so that readers and crashes see either the old or the new content, never a mix.
public enum AtomicFile {
  /// Writes `data` to a temporary file next to `path`, flushes it to disk, then renames it over `path`.
  public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // Unique per write, so threads of one process never share a temporary file.
    let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
    guard descriptor >= 0 else { throw FileError.cannotOpen(path: temporary, errno: errno) }

    var failure: Int32 = 0
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += written
      }
    }
    if failure == 0, fsync(descriptor) != 0 { failure = errno }
    close(descriptor)
    if failure == 0, TestHooks.pauseBeforeRename > 0 {
      usleep(UInt32(TestHooks.pauseBeforeRename * 1000))
    }
    if failure == 0, rename(temporary, path) != 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary)
      throw FileError.cannotWrite(path: path, errno: failure)
    }

    // Flush the directory entry too, so the rename itself survives a power loss.
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      fsync(directoryDescriptor)
      close(directoryDescriptor)
    }
  }
}

/// Switches that only tests set, read once from the environment.
enum TestHooks {
  /// Milliseconds to sleep between writing a temporary file and renaming it into place, so a test can
  /// kill a writer in the middle of a write (`FUNCTIONS_TEST_PAUSE_BEFORE_RENAME_MS`).
  static let pauseBeforeRename: Int =
    Int(ProcessInfo.processInfo.environment["FUNCTIONS_TEST_PAUSE_BEFORE_RENAME_MS"] ?? "") ?? 0
}
