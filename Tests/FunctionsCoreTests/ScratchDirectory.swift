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

  private static func make() throws -> String {
    var template = Array("\(NSTemporaryDirectory())functions-core-tests-XXXXXX".utf8CString)
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
