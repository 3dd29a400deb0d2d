import Foundation

/// A list of patterns in gitignore syntax (git's gitignore documentation), matched against paths
/// relative to one root directory.
///
/// Supported: blank lines and `#` comments, `\` escapes, `!` negation, a trailing `/` for directories
/// only, a leading or inner `/` that anchors a pattern to the root, `*`, `?`, `[...]` classes, and `**`
/// as a leading `**/`, a trailing `/**` or an inner `/**/`. The last matching pattern decides. As in git,
/// a negation cannot bring back a file whose parent directory is excluded, because callers do not walk
/// into excluded directories.
public struct IgnorePatterns: Sendable {
  /// One parsed line.
  struct Rule: Sendable {
    let pattern: String
    let isNegated: Bool
    let isDirectoryOnly: Bool
    let expression: NSRegularExpression
    /// The folder, relative to the root and ending in `/`, whose ignore file the line comes from; empty
    /// for the root. The rule applies only to paths inside it, matched relative to it, as in git.
    var folder = ""
  }

  let rules: [Rule]

  /// Parses the lines of `text`. An unclosed `[` is read as a literal bracket.
  public init(text: String) {
    rules = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).compactMap {
      Self.parse(String($0))
    }
  }

  /// Parses the lines of an ignore file in `folder` (relative to the root, `/`-separated), whose patterns
  /// apply only inside that folder.
  public init(text: String, inFolder folder: String) {
    let prefix = folder.isEmpty || folder.hasSuffix("/") ? folder : folder + "/"
    rules = IgnorePatterns(text: text).rules.map { rule in
      var rule = rule
      rule.folder = prefix
      return rule
    }
  }

  /// Combines several lists, so that the later ones take precedence.
  public init(_ lists: [IgnorePatterns]) {
    rules = lists.flatMap(\.rules)
  }

  /// Returns whether `path` (relative, `/`-separated, without a leading `/`) is excluded.
  public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
    var ignored = false
    for rule in rules {
      if rule.isDirectoryOnly && !isDirectory { continue }
      guard path.hasPrefix(rule.folder) else { continue }
      let relative = String(path.dropFirst(rule.folder.count))
      if rule.expression.firstMatch(in: relative, range: NSRange(relative.startIndex..., in: relative)) != nil
      {
        ignored = !rule.isNegated
      }
    }
    return ignored
  }

  static func parse(_ line: String) -> Rule? {
    var text = line
    if text.hasPrefix("#") { return nil }
    // Trailing spaces are dropped unless the last one is escaped with a backslash.
    while text.hasSuffix(" ") && !text.hasSuffix("\\ ") { text.removeLast() }
    if text.isEmpty { return nil }

    var isNegated = false
    if text.hasPrefix("!") {
      isNegated = true
      text.removeFirst()
    } else if text.hasPrefix("\\!") || text.hasPrefix("\\#") {
      text.removeFirst()
    }
    var isDirectoryOnly = false
    if text.hasSuffix("/") {
      isDirectoryOnly = true
      text.removeLast()
    }
    if text.isEmpty { return nil }

    // A slash at the start or in the middle anchors the pattern to the root; otherwise it matches at
    // any depth.
    let isAnchored = text.contains("/")
    if text.hasPrefix("/") { text.removeFirst() }
    let body = translate(text)
    let prefix = isAnchored ? "^" : "^(?:.*/)?"
    guard let expression = try? NSRegularExpression(pattern: prefix + body + "$") else { return nil }
    return Rule(
      pattern: line, isNegated: isNegated, isDirectoryOnly: isDirectoryOnly, expression: expression)
  }

  /// Translates a glob into a regular expression body.
  static func translate(_ glob: String) -> String {
    let characters = Array(glob)
    var result = ""
    var index = 0
    while index < characters.count {
      let character = characters[index]
      switch character {
      case "*":
        let isDouble = index + 1 < characters.count && characters[index + 1] == "*"
        let atSegmentStart = index == 0 || characters[index - 1] == "/"
        let nextIndex = index + 2
        let atSegmentEnd = nextIndex >= characters.count || characters[nextIndex] == "/"
        if isDouble && atSegmentStart && atSegmentEnd {
          if nextIndex == characters.count {
            // `dir/**` matches everything inside, `**` alone matches everything.
            result += ".*"
            index = nextIndex
          } else {
            // `**/` matches zero or more directories.
            result += "(?:.*/)?"
            index = nextIndex + 1
          }
          continue
        }
        result += "[^/]*"
        index += isDouble ? 2 : 1
        continue
      case "?":
        result += "[^/]"
      case "[":
        if let close = characters[(index + 1)...].firstIndex(of: "]"), close > index + 1 {
          var set = String(characters[(index + 1)..<close])
          if set.hasPrefix("!") { set = "^" + set.dropFirst() }
          result += "[" + set.replacingOccurrences(of: "\\", with: "\\\\") + "]"
          index = close + 1
          continue
        }
        result += "\\["
      case "\\":
        if index + 1 < characters.count {
          result += NSRegularExpression.escapedPattern(for: String(characters[index + 1]))
          index += 2
          continue
        }
      default:
        result += NSRegularExpression.escapedPattern(for: String(character))
      }
      index += 1
    }
    return result
  }
}
