/// A positional argument of a command, shown as `<name>` in usage and help.
public struct ArgumentSpec: Sendable {
  /// The key for `ParsedCommand.argument(_:)`, also shown as `<name>` in usage and help.
  public let name: String
  /// One sentence for the ARGUMENTS section of the help.
  public let help: String
  /// Whether the command runs without this argument. Optional arguments must follow the required ones.
  public let isOptional: Bool
  /// Whether the argument takes every remaining positional value. Only the last argument may repeat.
  public let isRepeating: Bool
  /// Whether the argument takes its first value and every token after it verbatim, options, `--` and
  /// `--help` included, for passing them on to another program. Only the last argument may capture.
  /// Options of the command are still parsed when they come before that first value.
  public let capturesRemainingArguments: Bool

  /// Creates a positional argument named `name`.
  public init(
    _ name: String,
    help: String,
    isOptional: Bool = false,
    isRepeating: Bool = false,
    capturesRemainingArguments: Bool = false
  ) {
    self.name = name
    self.help = help
    self.isOptional = isOptional
    self.isRepeating = isRepeating
    self.capturesRemainingArguments = capturesRemainingArguments
  }

  /// Whether the argument binds more than one positional value.
  var takesManyValues: Bool { isRepeating || capturesRemainingArguments }
}

/// A named option of a command: a flag such as `--json` or a value option such as `--port <port>`.
public struct OptionSpec: Sendable {
  /// The long name without the leading `--`, which is also the key for `ParsedCommand.value(_:)`.
  public let long: String
  /// The single-letter name used as `-p`, if any. The letter `h` is reserved for help.
  public let short: Character?
  /// The placeholder shown as `<valueName>` in usage and help, or nil for a flag.
  public let valueName: String?
  /// One sentence for the OPTIONS section of the help.
  public let help: String
  /// The value the command uses when the option is absent, shown as `(default: …)` in help only.
  /// The parser does not fill it in.
  public let defaultDescription: String?
  /// The only values the parser accepts, if the option is restricted to a list.
  public let allowedValues: [String]?
  /// The range of integers the parser accepts, if the option takes an integer.
  public let integerRange: ClosedRange<Int>?
  /// Whether the option may be given more than once, each value kept in order.
  public let isRepeating: Bool
  /// Whether the option is also accepted by every subcommand below the command that declares it.
  public let isGlobal: Bool

  /// Creates a value option such as `--port <port>`. A leading `--` in `long` is dropped.
  public static func value(
    _ long: String,
    short: Character? = nil,
    valueName: String,
    help: String,
    defaultDescription: String? = nil,
    allowedValues: [String]? = nil,
    integerRange: ClosedRange<Int>? = nil,
    isRepeating: Bool = false,
    isGlobal: Bool = false
  ) -> OptionSpec {
    OptionSpec(
      long: optionKey(long),
      short: short,
      valueName: valueName,
      help: help,
      defaultDescription: defaultDescription,
      allowedValues: allowedValues,
      integerRange: integerRange,
      isRepeating: isRepeating,
      isGlobal: isGlobal
    )
  }

  /// Creates a flag such as `--json`. A leading `--` in `long` is dropped.
  /// Unlike a value option, a flag may be given more than once.
  public static func flag(_ long: String, short: Character? = nil, help: String, isGlobal: Bool = false)
    -> OptionSpec
  {
    OptionSpec(
      long: optionKey(long),
      short: short,
      valueName: nil,
      help: help,
      defaultDescription: nil,
      allowedValues: nil,
      integerRange: nil,
      isRepeating: false,
      isGlobal: isGlobal
    )
  }

  /// Whether the option takes no value.
  public var isFlag: Bool { valueName == nil }

  /// Returns why `value` is not accepted, as the text after "expected", or nil when it is accepted.
  func rejectionReason(for value: String) -> String? {
    if let allowedValues, !allowedValues.contains(value) {
      return "one of \(allowedValues.joined(separator: ", "))"
    }
    if let integerRange {
      guard let number = Int(value), integerRange.contains(number) else {
        return "an integer from \(integerRange.lowerBound) to \(integerRange.upperBound)"
      }
    }
    return nil
  }
}

/// Returns an option's long name without a leading `--`, so that `"--port"` and `"port"` name one option.
func optionKey(_ long: String) -> String {
  long.hasPrefix("--") ? String(long.dropFirst(2)) : long
}

/// One command of the tree: its name, help, arguments, options and either a run closure or subcommands.
public final class Command: Sendable {
  /// The word that selects the command, such as `run`.
  public let name: String
  /// A one-line summary ending in a period, shown in the parent's SUBCOMMANDS list and atop the help.
  public let abstract: String
  /// Paragraphs shown in the help after the abstract.
  public let discussion: String?
  /// Other words that select the command.
  public let aliases: [String]
  /// The positional arguments, in order.
  public let arguments: [ArgumentSpec]
  /// The options declared here, including global ones that subcommands inherit.
  public let options: [OptionSpec]
  /// The commands one level below.
  public let subcommands: [Command]
  /// Whether the command is left out of help and suggestions. It still runs when named.
  public let isHidden: Bool
  /// The work of the command. A command without it is a group, which needs a subcommand.
  public let run: (@Sendable (ParsedCommand) async throws -> Void)?

  /// Creates a command. It stops with a precondition failure when the declaration is inconsistent,
  /// for example when an option name is declared twice or a repeating argument is not the last one.
  public init(
    _ name: String,
    abstract: String,
    discussion: String? = nil,
    aliases: [String] = [],
    arguments: [ArgumentSpec] = [],
    options: [OptionSpec] = [],
    subcommands: [Command] = [],
    isHidden: Bool = false,
    run: (@Sendable (ParsedCommand) async throws -> Void)? = nil
  ) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.aliases = aliases
    self.arguments = arguments
    self.options = options
    self.subcommands = subcommands
    self.isHidden = isHidden
    self.run = run
    checkDeclaration()
  }

  /// Returns the subcommand selected by `word`, its name or one of its aliases. Hidden subcommands match too.
  public func subcommand(named word: String) -> Command? {
    subcommands.first { $0.name == word || $0.aliases.contains(word) }
  }

  /// The subcommands listed in help and offered as suggestions.
  public var visibleSubcommands: [Command] {
    subcommands.filter { !$0.isHidden }
  }

  /// Whether the command needs a subcommand because it has no run closure.
  public var isGroup: Bool { run == nil }

  private func checkDeclaration() {
    precondition(run != nil || !subcommands.isEmpty, "Command '\(name)' needs a run closure or subcommands.")

    for (index, argument) in arguments.enumerated() {
      precondition(
        !argument.takesManyValues || index == arguments.count - 1,
        "Argument <\(argument.name)> of '\(name)' takes many values, so it must be the last argument."
      )
      precondition(
        argument.isOptional || index == 0 || !arguments[index - 1].isOptional,
        "Required argument <\(argument.name)> of '\(name)' follows an optional one."
      )
    }

    let longNames = options.map(\.long)
    let shortNames = options.compactMap(\.short)
    precondition(Set(longNames).count == longNames.count, "Command '\(name)' declares an option name twice.")
    precondition(Set(shortNames).count == shortNames.count, "Command '\(name)' declares a short name twice.")
    precondition(!longNames.contains("help") && !shortNames.contains("h"), "'--help' and '-h' are reserved.")

    let words = subcommands.flatMap { [$0.name] + $0.aliases }
    precondition(Set(words).count == words.count, "Command '\(name)' declares a subcommand name twice.")
  }
}

/// The commands from the root to the one being parsed or described, root first.
struct CommandChain {
  private(set) var commands: [Command]

  init(root: Command) {
    commands = [root]
  }

  /// Creates the chain named by `path`, such as `["functions", "emulator", "pubsub"]`. The root's name may
  /// be left out. The chain ends before the first name that matches no subcommand.
  init(root: Command, path: [String]) {
    self.init(root: root)
    let names = path.first == root.name ? path.dropFirst() : path[...]
    for name in names {
      guard let subcommand = last.subcommand(named: name) else {
        break
      }
      append(subcommand)
    }
  }

  var last: Command { commands[commands.count - 1] }
  var isRoot: Bool { commands.count == 1 }
  var path: [String] { commands.map(\.name) }
  var pathText: String { path.joined(separator: " ") }

  mutating func append(_ command: Command) {
    commands.append(command)
  }

  /// The global options of every command in the chain, root first, as listed under GLOBAL OPTIONS.
  var globalOptions: [OptionSpec] {
    commands.flatMap { $0.options.filter(\.isGlobal) }
  }

  /// The options accepted at the last command: its own and the global options of its ancestors.
  var acceptedOptions: [OptionSpec] {
    last.options + commands.dropLast().flatMap { $0.options.filter(\.isGlobal) }
  }

  func option(long: String) -> OptionSpec? {
    acceptedOptions.first { $0.long == long }
  }

  func option(short: Character) -> OptionSpec? {
    acceptedOptions.first { $0.short == short }
  }
}
