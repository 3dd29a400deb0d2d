import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The amount of detail the tool writes to standard error.
public enum Verbosity: Int, Comparable, Sendable {
  case quiet
  case normal
  case verbose

  public static func < (lhs: Verbosity, rhs: Verbosity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whether output to a stream may use ANSI colour: only on a terminal, never with `NO_COLOR` set or
/// `--no-color` given (https://no-color.org).
public struct ColorPolicy: Sendable {
  public let isEnabled: Bool

  public init(isTerminal: Bool, environment: [String: String], noColorFlag: Bool) {
    let noColorSet = !(environment["NO_COLOR"] ?? "").isEmpty
    isEnabled = isTerminal && !noColorSet && !noColorFlag && environment["TERM"] != "dumb"
  }

  public func paint(_ text: String, _ code: String) -> String {
    isEnabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}

/// The one printer for everything that is not a result: errors, warnings, notes, progress and debug
/// lines, all on standard error with `error:` / `warning:` / `note:` prefixes.
public final class Diagnostics: @unchecked Sendable {
  public let verbosity: Verbosity
  public let color: ColorPolicy
  /// Whether standard error is a terminal, so progress lines may be shown.
  public let isInteractive: Bool
  private let lock = NSLock()
  private let write: @Sendable (String) -> Void

  public init(
    verbosity: Verbosity, color: ColorPolicy, isInteractive: Bool,
    write: @escaping @Sendable (String) -> Void = Diagnostics.writeToStandardError
  ) {
    self.verbosity = verbosity
    self.color = color
    self.isInteractive = isInteractive
    self.write = write
  }

  public static let writeToStandardError: @Sendable (String) -> Void = { text in
    FileHandle.standardError.write(Data(text.utf8))
  }

  public func error(_ message: String) {
    emit(color.paint("error:", "1;31") + " " + message)
  }

  public func warning(_ message: String) {
    guard verbosity >= .normal else { return }
    emit(color.paint("warning:", "1;33") + " " + message)
  }

  public func note(_ message: String) {
    guard verbosity >= .normal else { return }
    emit(color.paint("note:", "1;36") + " " + message)
  }

  /// Writes a plain status line ("Building hello…"), hidden with `--quiet`.
  public func status(_ message: String) {
    guard verbosity >= .normal else { return }
    emit(message)
  }

  /// Writes a progress line for long steps, only on a terminal, so pipes and logs stay quiet.
  public func progress(_ message: String) {
    guard verbosity >= .normal, isInteractive else { return }
    emit(color.paint(message, "2"))
  }

  public func debug(_ message: String) {
    guard verbosity >= .verbose else { return }
    emit(color.paint("debug: " + message, "2"))
  }

  private func emit(_ line: String) {
    lock.lock()
    defer { lock.unlock() }
    write(line + "\n")
  }
}

/// Writes results to standard output.
public enum StandardOutput {
  public static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  public static func line(_ text: String) {
    write(text + "\n")
  }

  public static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
