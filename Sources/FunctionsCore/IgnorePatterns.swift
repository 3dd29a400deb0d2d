import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Patterns in gitignore syntax, as in `.gitignore` and `.functionsignore`, matched against paths relative
/// to the function's directory.
///
/// Supported: comments (`#`), negation (`!`), a trailing `/` for directories only, a leading or inner `/`
/// that anchors the pattern to the directory, `*`, `?` and `[…]` within one path segment, and `**` for any
/// number of segments. As in git, the last matching pattern wins, and nothing inside an ignored directory
/// can be included again. Not supported: `.gitignore` files in subdirectories.
public struct IgnorePatterns: Sendable, Equatable {
  struct Pattern: Sendable, Equatable {
    var segments: [String]
    var isNegated: Bool
    var matchesDirectoriesOnly: Bool
  }

  var patterns: [Pattern]

  /// Files that no function needs watched or packaged: version control, caches, editor swap files.
  public static let builtIn = IgnorePatterns(
    lines: [
      ".git/", ".hg/", ".svn/", "__pycache__/", "*.pyc", ".venv/", "venv/", "node_modules/",
      ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", "*.swp", "*.swx", "*~", ".#*", "4913", ".DS_Store",
    ])

  /// Parses the lines of an ignore file.
  public init(lines: [String]) {
    patterns = lines.compactMap(Self.parse)
  }

  /// Parses the text of an ignore file.
  public init(text: String) {
    self.init(
      lines: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
  }

  /// Returns the built-in patterns followed by `.gitignore` and `.functionsignore` in `directory`, where
  /// they exist, so a later file can re-include what an earlier one ignores.
  public static func load(forFunctionIn directory: String) -> IgnorePatterns {
    var combined = builtIn
    for name in [".gitignore", ".functionsignore"] {
      guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
      combined.patterns += IgnorePatterns(text: String(decoding: data, as: UTF8.self)).patterns
    }
    return combined
  }

  /// Returns whether `path`, relative to the function's directory, is ignored, itself or through a
  /// directory that contains it.
  public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
    let components = path.split(separator: "/").map(String.init)
    guard !components.isEmpty else { return false }
    for count in 1..<components.count where decide(Array(components[0..<count]), isDirectory: true) {
      return true
    }
    return decide(components, isDirectory: isDirectory)
  }

  private func decide(_ components: [String], isDirectory: Bool) -> Bool {
    var ignored = false
    for pattern in patterns where !pattern.matchesDirectoriesOnly || isDirectory {
      if Self.matches(pattern.segments[...], components[...]) { ignored = !pattern.isNegated }
    }
    return ignored
  }

  private static func parse(_ line: String) -> Pattern? {
    var text = line
    // Trailing spaces are dropped unless escaped with a backslash.
    while text.hasSuffix(" ") && !text.hasSuffix("\\ ") { text.removeLast() }
    guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
    var isNegated = false
    if text.hasPrefix("!") {
      isNegated = true
      text.removeFirst()
    } else if text.hasPrefix("\\#") || text.hasPrefix("\\!") {
      text.removeFirst()
    }
    var matchesDirectoriesOnly = false
    if text.hasSuffix("/") {
      matchesDirectoriesOnly = true
      text.removeLast()
    }
    // A slash at the start or in the middle anchors the pattern; otherwise it matches at any depth.
    let isAnchored = text.contains("/")
    if text.hasPrefix("/") { text.removeFirst() }
    var segments = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    guard !segments.isEmpty else { return nil }
    if !isAnchored { segments.insert("**", at: 0) }
    return Pattern(segments: segments, isNegated: isNegated, matchesDirectoriesOnly: matchesDirectoriesOnly)
  }

  private static func matches(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
    guard let first = pattern.first else { return path.isEmpty }
    if first == "**" {
      let rest = pattern.dropFirst()
      var remaining = path
      while true {
        if matches(rest, remaining) { return true }
        guard !remaining.isEmpty else { return false }
        remaining = remaining.dropFirst()
      }
    }
    guard let segment = path.first, fnmatch(first, segment, 0) == 0 else { return false }
    return matches(pattern.dropFirst(), path.dropFirst())
  }
}
