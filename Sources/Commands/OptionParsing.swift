import CommandLineKit
import Foundation

/// Parsers for the option values several commands share.
enum OptionParsing {
  /// Returns the `--header 'Name: value'` options in order, trimmed.
  static func headers(_ parsed: ParsedCommand) throws -> [(String, String)] {
    try parsed.values("header").map { header in
      guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
        throw parsed.usageError("invalid --header '\(header)': expected 'Name: value'")
      }
      let name = String(header[..<colon]).trimmingCharacters(in: .whitespaces)
      let value = String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
      return (name, value)
    }
  }

  /// Returns the `--attribute KEY=VALUE` options; a later key replaces an earlier one.
  static func attributes(_ parsed: ParsedCommand) throws -> [String: String] {
    var attributes: [String: String] = [:]
    for attribute in parsed.values("attribute") {
      guard let equals = attribute.firstIndex(of: "="), equals != attribute.startIndex else {
        throw parsed.usageError("invalid --attribute '\(attribute)': expected KEY=VALUE")
      }
      attributes[String(attribute[..<equals])] = String(attribute[attribute.index(after: equals)...])
    }
    return attributes
  }
}
