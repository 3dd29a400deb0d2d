/// Renders the usage line and the help page of the last command in a chain. The output is plain text
/// without colour and wraps at `lineWidth` columns.
struct HelpFormatter {
  /// The column at which help text wraps.
  static let lineWidth = 100
  /// Labels longer than this put their help text on the next line, so that one long label does not push
  /// every help text to the right.
  static let maxLabelWidth = 30

  private static let indent = "  "
  private static let columnGap = 2

  let chain: CommandChain

  private var command: Command { chain.last }

  /// One entry of the ARGUMENTS, OPTIONS or SUBCOMMANDS section.
  private struct Row {
    let label: String
    let help: String
  }

  // MARK: - Usage

  /// Returns the usage line without the `USAGE: ` prefix, such as `functions run <name> [--port <port>]`.
  ///
  /// A group shows `<subcommand>`. With `listsSubcommands`, for usage errors, which have no SUBCOMMANDS
  /// section, a group lists its subcommands as `(a | b)` instead when the line fits in `lineWidth`. If the
  /// line is still too long, the options become `[<options>]`.
  func usage(listsSubcommands: Bool = false) -> String {
    let options = command.options.filter { !$0.isGlobal }.map(Self.synopsis(of:))
    let subcommandNames = command.visibleSubcommands.map(\.name)

    var candidates: [String] = []
    if listsSubcommands {
      let listedSubcommands = "(" + subcommandNames.joined(separator: " | ") + ")"
      candidates.append(synopsis(options: options, subcommands: listedSubcommands))
    }
    candidates.append(synopsis(options: options, subcommands: "<subcommand>"))
    candidates.append(synopsis(options: options.isEmpty ? [] : ["[<options>]"], subcommands: "<subcommand>"))
    return candidates.first { "USAGE: \($0)".count <= Self.lineWidth } ?? candidates[candidates.count - 1]
  }

  private func synopsis(options: [String], subcommands: String) -> String {
    var parts = [chain.pathText]
    let arguments = command.arguments.map(Self.synopsis(of:))
    // Options after the first value of a capturing argument are passed on, so they go first.
    if command.arguments.last?.capturesRemainingArguments == true {
      parts += options + arguments
    } else {
      parts += arguments + options
    }
    if command.isGroup && !command.visibleSubcommands.isEmpty {
      parts.append(subcommands)
    }
    return parts.joined(separator: " ")
  }

  private static func synopsis(of argument: ArgumentSpec) -> String {
    let placeholder = argument.takesManyValues ? "<\(argument.name)> ..." : "<\(argument.name)>"
    return argument.isOptional ? "[\(placeholder)]" : placeholder
  }

  private static func synopsis(of option: OptionSpec) -> String {
    guard let valueName = option.valueName else {
      return "[--\(option.long)]"
    }
    let repetition = option.isRepeating ? " ..." : ""
    return "[--\(option.long) <\(valueName)>\(repetition)]"
  }

  // MARK: - Help page

  /// Returns the help page: overview, discussion, usage, then the ARGUMENTS, OPTIONS, GLOBAL OPTIONS and
  /// SUBCOMMANDS sections that have entries. It has no trailing newline.
  func helpText() -> String {
    var blocks: [String] = []
    blocks.append(Self.wrap("OVERVIEW: \(command.abstract)", width: Self.lineWidth).joined(separator: "\n"))
    if let discussion = command.discussion {
      blocks.append(Self.wrap(discussion, width: Self.lineWidth).joined(separator: "\n"))
    }
    blocks.append("USAGE: \(usage())")

    let sections: [(title: String, rows: [Row])] = [
      ("ARGUMENTS", command.arguments.map { Row(label: "<\($0.name)>", help: $0.help) }),
      ("OPTIONS", optionRows()),
      ("GLOBAL OPTIONS", chain.globalOptions.map(Self.row(for:))),
      ("SUBCOMMANDS", command.visibleSubcommands.map(Self.row(for:))),
    ]
    let longestLabel = sections.flatMap(\.rows).map(\.label.count).max() ?? 0
    let column = Self.indent.count + min(longestLabel, Self.maxLabelWidth) + Self.columnGap

    for section in sections where !section.rows.isEmpty {
      let lines = section.rows.flatMap { Self.render($0, column: column) }
      blocks.append("\(section.title):\n" + lines.joined(separator: "\n"))
    }

    if !command.visibleSubcommands.isEmpty {
      let helpPath = ([chain.path[0], "help"] + chain.path.dropFirst()).joined(separator: " ")
      blocks.append("\(Self.indent)See '\(helpPath) <subcommand>' for detailed help.")
    }
    return blocks.joined(separator: "\n\n")
  }

  private func optionRows() -> [Row] {
    var rows = command.options.filter { !$0.isGlobal }.map(Self.row(for:))
    if chain.isRoot {
      rows.append(Row(label: "--version", help: "Show the version."))
    }
    rows.append(Row(label: "-h, --help", help: "Show help information."))
    return rows
  }

  private static func row(for option: OptionSpec) -> Row {
    var label = option.short.map { "-\($0), " } ?? ""
    label += "--\(option.long)"
    if let valueName = option.valueName {
      label += " <\(valueName)>"
    }

    var notes: [String] = []
    if let allowedValues = option.allowedValues {
      notes.append("values: \(allowedValues.joined(separator: ", "))")
    }
    if let defaultDescription = option.defaultDescription {
      notes.append("default: \(defaultDescription)")
    }
    if option.isRepeating {
      notes.append("can be repeated")
    }
    let help = notes.isEmpty ? option.help : "\(option.help) (\(notes.joined(separator: "; ")))"
    return Row(label: label, help: help)
  }

  private static func row(for subcommand: Command) -> Row {
    Row(label: ([subcommand.name] + subcommand.aliases).joined(separator: ", "), help: subcommand.abstract)
  }

  /// Returns the lines of one entry: the indented label, then the help text starting at `column`, on the
  /// label's line when the label leaves room for the gap and on the next line otherwise.
  private static func render(_ row: Row, column: Int) -> [String] {
    let label = indent + row.label
    let helpLines = row.help.isEmpty ? [] : wrap(row.help, width: lineWidth - column)
    let margin = String(repeating: " ", count: column)

    guard let firstHelpLine = helpLines.first else {
      return [label]
    }
    if label.count + columnGap <= column {
      let padding = String(repeating: " ", count: column - label.count)
      return [label + padding + firstHelpLine] + helpLines.dropFirst().map { margin + $0 }
    }
    return [label] + helpLines.map { margin + $0 }
  }

  /// Splits `text` into lines of at most `width` characters, breaking at spaces. Line breaks and the
  /// leading spaces of each line in `text` are kept. A word longer than `width` gets a line of its own.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let leadingSpaces = String(paragraph.prefix { $0 == " " })
      var line = leadingSpaces
      for word in paragraph.split(separator: " ") {
        let isLineEmpty = line.count == leadingSpaces.count
        if !isLineEmpty && line.count + 1 + word.count > width {
          lines.append(line)
          line = leadingSpaces
        } else if !isLineEmpty {
          line += " "
        }
        line += word
      }
      lines.append(line)
    }
    return lines
  }
}
