import Foundation

/// Errors in a `.env` file.
public enum EnvironmentFileError: Error, Equatable, CustomStringConvertible, Sendable {
  case unreadable(path: String)
  case invalidLine(path: String, line: Int, text: String)

  public var description: String {
    switch self {
    case .unreadable(let path):
      "cannot read the env file \(path); check that it exists and is readable"
    case .invalidLine(let path, let line, let text):
      "\(path):\(line): invalid line '\(text)'; expected KEY=VALUE"
    }
  }
}

/// Parses dotenv files: `KEY=VALUE` lines, `#` comments, blank lines, an optional `export ` prefix,
/// and single- or double-quoted values (double quotes understand `\n`, `\"` and `\\`).
public enum EnvironmentFile {
  public static func load(path: String) throws(EnvironmentFileError) -> [String: String] {
    guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
    return try parse(String(decoding: data, as: UTF8.self), path: path)
  }

  public static func parse(_ text: String, path: String) throws(EnvironmentFileError) -> [String: String] {
    var values: [String: String] = [:]
    // Swift reads "\r\n" as one character, so Windows line endings need their own separator.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    for (index, rawLine) in lines.enumerated() {
      var line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.hasSuffix("\r") { line.removeLast() }
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("export ") {
        line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces)
      }
      guard let equals = line.firstIndex(of: "=") else {
        throw .invalidLine(path: path, line: index + 1, text: line)
      }
      let key = line[..<equals].trimmingCharacters(in: .whitespaces)
      guard isValidName(key) else { throw .invalidLine(path: path, line: index + 1, text: line) }
      guard let value = unquote(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
      else {
        throw .invalidLine(path: path, line: index + 1, text: line)
      }
      values[key] = value
    }
    return values
  }

  /// Parses `KEY=VALUE` from the command line; returns nil when there is no `=` or the name is invalid.
  public static func parseAssignment(_ text: String) -> (String, String)? {
    guard let equals = text.firstIndex(of: "=") else { return nil }
    let key = String(text[..<equals])
    guard isValidName(key) else { return nil }
    return (key, String(text[text.index(after: equals)...]))
  }

  /// Environment variable names: a letter or underscore, then letters, digits and underscores.
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic, first.isASCII
    else { return false }
    return name.unicodeScalars.allSatisfy {
      $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
    }
  }

  /// Returns the value without quotes or a trailing comment, or nil when a quoted value is followed by
  /// anything but a comment.
  private static func unquote(_ value: String) -> String? {
    if let quote = value.first, quote == "'" || quote == "\"" {
      var result = ""
      var escaped = false
      var index = value.index(after: value.startIndex)
      while index < value.endIndex {
        let character = value[index]
        if escaped {
          switch character {
          case "n": result.append("\n")
          case "t": result.append("\t")
          default: result.append(character)
          }
          escaped = false
        } else if character == "\\" && quote == "\"" {
          escaped = true
        } else if character == quote {
          let rest = value[value.index(after: index)...].trimmingCharacters(in: .whitespaces)
          return rest.isEmpty || rest.hasPrefix("#") ? result : nil
        } else {
          result.append(character)
        }
        index = value.index(after: index)
      }
      return nil
    }
    // An unquoted value ends at an inline comment (" #").
    if let comment = value.range(of: " #") {
      return String(value[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
    }
    return value
  }
}
