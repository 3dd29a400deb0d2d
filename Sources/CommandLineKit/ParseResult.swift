/// A command selected by the arguments, with the values given to it and to its ancestors' global options.
public struct ParsedCommand: Sendable {
  /// The names from the root to the selected command, such as `["functions", "new", "http"]`.
  /// Aliases are replaced by the command's name.
  public let path: [String]
  /// The selected command.
  public let command: Command
  /// The usage line of the selected command, without the `Usage: ` prefix.
  public let usage: String

  private let flags: Set<String>
  private let optionValues: [String: [String]]
  private let argumentValues: [String: [String]]
  private let declaredOptions: Set<String>

  init(
    chain: CommandChain,
    usage: String,
    flags: Set<String>,
    optionValues: [String: [String]],
    argumentValues: [String: [String]]
  ) {
    self.path = chain.path
    self.command = chain.last
    self.usage = usage
    self.flags = flags
    self.optionValues = optionValues
    self.argumentValues = argumentValues
    self.declaredOptions = Set(chain.acceptedOptions.map(\.long))
  }

  // The accessors take the long name with or without the leading `--`. A name the command does not
  // declare is a programming error, so debug builds stop on it instead of quietly returning nil or false.

  /// Returns whether the flag was given.
  public func flag(_ long: String) -> Bool {
    flags.contains(checkedOptionKey(long))
  }

  /// Returns the last value given to the option, or nil when it is absent. Defaults are not filled in.
  public func value(_ long: String) -> String? {
    values(long).last
  }

  /// Returns every value given to a repeating option, in the order given.
  public func values(_ long: String) -> [String] {
    optionValues[checkedOptionKey(long)] ?? []
  }

  /// Returns the last value as an integer, or nil when it is absent or not an integer. The parser has
  /// already rejected values outside the option's `integerRange`.
  public func int(_ long: String) -> Int? {
    value(long).flatMap { Int($0) }
  }

  /// Returns the first value of the argument, or nil when it is absent.
  public func argument(_ name: String) -> String? {
    arguments(name).first
  }

  /// Returns every value of a repeating or capturing argument, in the order given.
  public func arguments(_ name: String) -> [String] {
    assert(
      command.arguments.contains { $0.name == name },
      "<\(name)> is not an argument of '\(path.joined(separator: " "))'."
    )
    return argumentValues[name] ?? []
  }

  /// Returns a usage error for this command, for checks that the parser cannot make, such as two options
  /// that cannot be used together.
  public func usageError(_ message: String) -> UsageError {
    UsageError(message: message, commandPath: path, usage: usage)
  }

  /// Runs the selected command's closure. The parser returns `.run` only for commands that have one.
  public func run() async throws {
    guard let run = command.run else {
      preconditionFailure("'\(path.joined(separator: " "))' is a group and has no run closure.")
    }
    try await run(self)
  }

  private func checkedOptionKey(_ long: String) -> String {
    let key = optionKey(long)
    assert(declaredOptions.contains(key), "'--\(key)' is not an option of '\(path.joined(separator: " "))'.")
    return key
  }
}

/// The action the caller takes after parsing.
public enum ParseOutcome: Sendable {
  /// Run the command: call `ParsedCommand.run()`.
  case run(ParsedCommand)
  /// Print the help text to stdout and exit with status 0.
  case help(String)
  /// Print the version to stdout and exit with status 0.
  case version
}

/// A mistake in the command line, such as an unknown option or a missing argument.
///
/// The caller prints `render()` to stderr and exits with `UsageError.exitStatus`.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The exit status for usage errors, `EX_USAGE` in BSD's sysexits.h.
  public static let exitStatus: Int32 = 64

  /// The description of the mistake, without the `Error: ` prefix, such as `missing argument <name>`.
  public let message: String
  /// The names from the root to the command that rejected the arguments.
  public let commandPath: [String]
  /// The usage line of that command, without the `Usage: ` prefix.
  public let usage: String

  /// Creates a usage error for the command at `commandPath`.
  public init(message: String, commandPath: [String], usage: String) {
    self.message = message
    self.commandPath = commandPath
    self.usage = usage
  }

  /// The message alone, for printers that add their own prefix.
  public var description: String { message }

  /// Returns the three lines to print: the error, the usage line and where to find help.
  public func render() -> String {
    """
    Error: \(message)
    Usage: \(usage)
    See '\(commandPath.joined(separator: " ")) --help'.
    """
  }
}
