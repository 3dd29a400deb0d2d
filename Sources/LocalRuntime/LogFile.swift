import Foundation

/// Reads a function's log file.
public enum LogFile {
  /// Returns the last `count` lines of the file (all lines when `count` is nil), reading from byte
  /// `offset` on.
  public static func tail(_ path: String, lines count: Int?, from offset: UInt64 = 0) -> [String] {
    let data = offset == 0 ? FileManager.default.contents(atPath: path) : read(path, from: offset).0
    guard let data else { return [] }
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    let selected = count.map { Array(lines.suffix($0)) } ?? lines
    return selected.map(String.init)
  }

  /// Returns log text for a terminal: awslambdaric writes each error record as one line with carriage
  /// returns between its lines, which a terminal would print over each other.
  public static func displayable(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
  }

  /// Returns the file's size in bytes, or 0 when it does not exist.
  public static func size(_ path: String) -> UInt64 {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    return (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
  }

  /// Returns the bytes appended after `offset`, and the new end offset.
  public static func read(_ path: String, from offset: UInt64) -> (Data, UInt64) {
    guard let handle = FileHandle(forReadingAtPath: path) else { return (Data(), offset) }
    defer { try? handle.close() }
    let end = (try? handle.seekToEnd()) ?? offset
    // A file that shrank was truncated or replaced: start again from its beginning.
    let start = end < offset ? 0 : offset
    try? handle.seek(toOffset: start)
    let data = (try? handle.readToEnd()) ?? Data()
    return (data, start + UInt64(data.count))
  }

  /// Writes new lines of the file to `write` as they appear, until `shouldStop` returns true.
  public static func follow(
    _ path: String, from offset: UInt64, interval: Duration = .milliseconds(100),
    shouldStop: @Sendable () -> Bool = { false }, write: (Data) -> Void
  ) async {
    var position = offset
    while !shouldStop() && !Task.isCancelled {
      let (data, next) = read(path, from: position)
      if !data.isEmpty { write(data) }
      position = next
      try? await Task.sleep(for: interval)
    }
  }
}
