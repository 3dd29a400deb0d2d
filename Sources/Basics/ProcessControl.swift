import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Signals and liveness checks for processes this tool started earlier, possibly from another
/// invocation of the tool.
public enum ProcessControl {
  /// Returns whether a process with this PID exists and is not a zombie.
  public static func isAlive(_ pid: pid_t) -> Bool {
    guard pid > 0 else { return false }
    if kill(pid, 0) != 0 && errno == ESRCH { return false }
    if let state = statField(pid, index: 2), state == "Z" || state == "X" { return false }
    return true
  }

  /// Returns the process's start time in clock ticks after boot (field 22 of `/proc/PID/stat`).
  /// Comparing it with a recorded value tells a reused PID from the original process.
  public static func startTime(of pid: pid_t) -> UInt64? {
    statField(pid, index: 21).flatMap { UInt64($0) }
  }

  /// Returns whether `pid` is alive and is still the process that started at `startTime`.
  public static func isSameProcess(_ pid: pid_t, startTime: UInt64?) -> Bool {
    guard isAlive(pid) else { return false }
    guard let startTime else { return true }
    return self.startTime(of: pid) == startTime
  }

  /// Sends `signal` to every process in the group led by `processGroup`.
  @discardableResult
  public static func signalGroup(_ processGroup: pid_t, _ signal: Int32) -> Bool {
    guard processGroup > 1 else { return false }
    return kill(-processGroup, signal) == 0
  }

  /// Returns whether any process is left in the group.
  public static func groupExists(_ processGroup: pid_t) -> Bool {
    guard processGroup > 1 else { return false }
    return kill(-processGroup, 0) == 0 || errno == EPERM
  }

  /// Returns the children of `pid`, their children and so on, from `/proc/PID/task/*/children`
  /// (Linux 3.5 and later with CONFIG_PROC_CHILDREN, as in Debian's kernels). Empty when unavailable.
  public static func descendants(of pid: pid_t) -> [pid_t] {
    var found: [pid_t] = []
    var queue = [pid]
    while let parent = queue.popLast() {
      let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(parent)/task")) ?? []
      for task in tasks {
        guard let text = try? String(contentsOfFile: "/proc/\(parent)/task/\(task)/children", encoding: .utf8)
        else { continue }
        for child in text.split(separator: " ").compactMap({ pid_t($0) }) where !found.contains(child) {
          found.append(child)
          queue.append(child)
        }
      }
    }
    return found
  }

  /// Reads a field of `/proc/PID/stat` by zero-based index, skipping the command name, which may
  /// contain spaces and parentheses.
  private static func statField(_ pid: pid_t, index: Int) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let closing = text.lastIndex(of: ")")
    else { return nil }
    // Fields after the command name start at index 2 (the state).
    let rest = text[text.index(after: closing)...].split(separator: " ")
    let position = index - 2
    guard position >= 0, position < rest.count else { return nil }
    return String(rest[position])
  }
}
