/// Parses command-line arguments against a tree of commands and renders their help.
///
/// Accepted syntax: `--option value`, `--option=value`, `-o value`, `-ovalue`, combined short flags such as
/// `-vq`, and `--`, after which every token is positional. A lone `-` is a positional value. Options may come
/// before or after positional arguments. A value that starts with `-` must be attached, as in `--env=-x`.
/// `--help` and `-h` work on every command, and `help <subcommand>` and `--version` on the root.
public struct CommandLineParser: Sendable {
  /// The command that the first argument is matched against.
  public let root: Command
  /// The version the caller prints for `.version`.
  public let version: String

  /// Creates a parser for the tree below `root`.
  public init(root: Command, version: String) {
    precondition(!root.options.contains { $0.long == "version" }, "'--version' is reserved on the root.")
    self.root = root
    self.version = version
  }

  /// Parses `arguments`, which exclude the program name.
  ///
  /// A `--help` or `-h` before `--` returns the help of the deepest command reached, even when other
  /// arguments are wrong. The root group without arguments returns its help. Otherwise the first mistake
  /// in the arguments is thrown.
  public func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
    if arguments.isEmpty && root.isGroup {
      return .help(HelpFormatter(chain: CommandChain(root: root)).helpText())
    }
    var walk = ArgumentWalk(root: root, tokens: arguments)
    walk.consumeTokens()
    return try walk.outcome()
  }

  /// Returns the help page of the command at `path`, for example `["functions", "emulator", "pubsub"]`.
  /// The root's name may be left out. At the first name that matches no subcommand, the path ends, so
  /// the help of the deepest known command is returned.
  public func helpText(for path: [String]) -> String {
    HelpFormatter(chain: CommandChain(root: root, path: path)).helpText()
  }

  /// Returns the usage line that usage errors show for the command at `path`, without the `Usage: ` prefix.
  /// It lists a group's subcommands when they fit. The path is read as in `helpText(for:)`.
  public func usage(for path: [String]) -> String {
    HelpFormatter(chain: CommandChain(root: root, path: path)).usage(listsSubcommands: true)
  }
}

/// One left-to-right pass over the arguments.
///
/// It records the first usage error and keeps going, so that a later `--help` still returns the help
/// of the deepest command reached.
struct ArgumentWalk {
  private let tokens: [String]
  private var nextIndex = 0
  private var chain: CommandChain

  private var flags: Set<String> = []
  private var optionValues: [String: [String]] = [:]
  /// The positional values given to the last command in the chain.
  private var positionals: [String] = []

  private var isAfterTerminator = false
  private var isCapturing = false
  private var isHelpRequested = false
  private var isVersionRequested = false
  /// Whether the root's `help` subcommand was named, so that the next positionals select a command.
  private var isHelpCommand = false
  private var firstError: UsageError?

  init(root: Command, tokens: [String]) {
    self.tokens = tokens
    self.chain = CommandChain(root: root)
  }

  mutating func consumeTokens() {
    while nextIndex < tokens.count {
      let token = tokens[nextIndex]
      nextIndex += 1

      if isCapturing || isAfterTerminator || !Self.looksLikeOption(token) {
        consumePositional(token)
      } else if token == "--" {
        isAfterTerminator = true
      } else if token.hasPrefix("--") {
        consumeLongOption(token)
      } else {
        consumeShortOptions(token)
      }
    }
  }

  /// Returns what the caller does after the walk, or throws the first usage error.
  func outcome() throws(UsageError) -> ParseOutcome {
    let formatter = HelpFormatter(chain: chain)
    if isHelpCommand {
      if let firstError {
        throw firstError
      }
      return .help(formatter.helpText())
    }
    if isHelpRequested {
      return .help(formatter.helpText())
    }
    if let firstError {
      throw firstError
    }
    if isVersionRequested {
      return .version
    }

    let command = chain.last
    if command.isGroup {
      throw makeError("missing subcommand for '\(chain.pathText)'")
    }

    var argumentValues: [String: [String]] = [:]
    for (index, argument) in command.arguments.enumerated() {
      let values: [String]
      if argument.takesManyValues {
        values = Array(positionals.dropFirst(index))
      } else {
        values = index < positionals.count ? [positionals[index]] : []
      }
      if values.isEmpty && !argument.isOptional {
        throw makeError("missing argument <\(argument.name)>")
      }
      argumentValues[argument.name] = values
    }

    let parsed = ParsedCommand(
      chain: chain,
      usage: formatter.usage(listsSubcommands: true),
      flags: flags,
      optionValues: optionValues,
      argumentValues: argumentValues
    )
    return .run(parsed)
  }

  // MARK: - Positional values

  private mutating func consumePositional(_ token: String) {
    if isCapturing {
      positionals.append(token)
      return
    }

    let command = chain.last
    // A subcommand name counts only before the command's own first positional value.
    if positionals.isEmpty, let subcommand = command.subcommand(named: token) {
      chain.append(subcommand)
      return
    }
    if isHelpCommand {
      recordUnmatchedPositional(token)
      return
    }
    if chain.isRoot && positionals.isEmpty && token == "help" && !command.subcommands.isEmpty {
      isHelpCommand = true
      return
    }

    let index = positionals.count
    let argument: ArgumentSpec?
    if index < command.arguments.count {
      argument = command.arguments[index]
    } else {
      argument = command.arguments.last.flatMap { $0.takesManyValues ? $0 : nil }
    }
    guard let argument else {
      recordUnmatchedPositional(token)
      return
    }
    if argument.capturesRemainingArguments {
      isCapturing = true
    }
    positionals.append(token)
  }

  /// Records the error for a positional value that is neither a subcommand nor an argument.
  private mutating func recordUnmatchedPositional(_ token: String) {
    let command = chain.last
    guard positionals.isEmpty && !command.visibleSubcommands.isEmpty else {
      record("unexpected argument '\(token)'")
      return
    }
    var message = "unknown command '\(token)' for '\(chain.pathText)'"
    let names = command.visibleSubcommands.flatMap { [$0.name] + $0.aliases }
    if let guess = suggestion(for: token, among: names) {
      message += ". Did you mean '\(guess)'?"
    }
    record(message)
  }

  // MARK: - Options

  private mutating func consumeLongOption(_ token: String) {
    let body = token.dropFirst(2)
    let name: String
    let inlineValue: String?
    if let equalsSign = body.firstIndex(of: "=") {
      name = String(body[..<equalsSign])
      inlineValue = String(body[body.index(after: equalsSign)...])
    } else {
      name = String(body)
      inlineValue = nil
    }

    if name == "help" {
      isHelpRequested = true
      return
    }
    if name == "version" && chain.isRoot {
      isVersionRequested = true
      return
    }
    if isHelpCommand {
      return
    }

    guard let option = chain.option(long: name) else {
      var message = "unknown option '--\(name)'"
      let names = chain.acceptedOptions.map(\.long) + ["help"] + (chain.isRoot ? ["version"] : [])
      if let guess = suggestion(for: name, among: names) {
        message += ". Did you mean '--\(guess)'?"
      }
      record(message)
      return
    }
    accept(option, inlineValue: inlineValue)
  }

  /// Consumes a token such as `-v`, `-vq` or `-p8080`. A value option takes the rest of the token as its
  /// value, or the next token when it is the last letter.
  private mutating func consumeShortOptions(_ token: String) {
    var letters = token.dropFirst()
    while let letter = letters.popFirst() {
      if letter == "h" {
        isHelpRequested = true
        continue
      }
      if isHelpCommand {
        continue
      }
      guard let option = chain.option(short: letter) else {
        record("unknown option '-\(letter)'")
        return
      }
      if option.isFlag {
        accept(option, inlineValue: nil)
      } else {
        accept(option, inlineValue: letters.isEmpty ? nil : String(letters))
        return
      }
    }
  }

  private mutating func accept(_ option: OptionSpec, inlineValue: String?) {
    let spelling = "--\(option.long)"
    if option.isFlag {
      if inlineValue != nil {
        record("option '\(spelling)' does not take a value")
      } else {
        flags.insert(option.long)
      }
      return
    }

    guard let value = inlineValue ?? takeValueToken() else {
      record("missing value for option '\(spelling)'")
      return
    }
    if !option.isRepeating && optionValues[option.long] != nil {
      record("option '\(spelling)' was given more than once")
      return
    }
    if let expected = option.rejectionReason(for: value) {
      record("invalid value '\(value)' for '\(spelling)': expected \(expected)")
      return
    }
    optionValues[option.long, default: []].append(value)
  }

  /// Consumes and returns the next token as an option's value, unless it is missing or looks like an option.
  private mutating func takeValueToken() -> String? {
    guard nextIndex < tokens.count && !Self.looksLikeOption(tokens[nextIndex]) else {
      return nil
    }
    nextIndex += 1
    return tokens[nextIndex - 1]
  }

  private static func looksLikeOption(_ token: String) -> Bool {
    token.hasPrefix("-") && token != "-"
  }

  // MARK: - Errors

  private mutating func record(_ message: String) {
    if firstError == nil {
      firstError = makeError(message)
    }
  }

  private func makeError(_ message: String) -> UsageError {
    let usage = HelpFormatter(chain: chain).usage(listsSubcommands: true)
    return UsageError(message: message, commandPath: chain.path, usage: usage)
  }
}
