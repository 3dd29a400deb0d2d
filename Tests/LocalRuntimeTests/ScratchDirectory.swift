import Basics
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Temporary directories for tests, each removed with its contents when the test's body returns.
enum ScratchDirectory {
  /// Runs `body` with the path of a new empty directory, then removes the directory.
  static func with<T>(_ body: (String) throws -> T) throws -> T {
    let path = try make()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
  }

  /// Runs the asynchronous `body` with the path of a new empty directory, then removes the directory.
  static func withAsync<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = try make()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
  }

  /// Writes an executable file with `install`, so the writing descriptor lives in a child process.
  ///
  /// A descriptor this process held open for writing could be inherited by a child that another test
  /// spawns at that moment, and `execve` of the file fails with ETXTBSY while any writer remains.
  static func writeExecutable(_ text: String, to path: String) throws {
    let source = "\(path).source"
    try Data(text.utf8).write(to: URL(fileURLWithPath: source))
    defer { try? FileManager.default.removeItem(atPath: source) }
    try ProcessRunner().checkedRun(
      ProcessSpec(
        executable: "install", arguments: ["-m", "755", source, path],
        environment: ProcessInfo.processInfo.environment),
      timeout: .seconds(10))
  }

  private static func make() throws -> String {
    var template = Array("\(NSTemporaryDirectory())functions-runtime-tests-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
    return String(cString: created)
  }
}

/// A value that several threads read and change under a lock.
final class LockedValue<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) {
    self.value = value
  }

  func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
