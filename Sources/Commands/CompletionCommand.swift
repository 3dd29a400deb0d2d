import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions completion bash|zsh|fish`: prints a shell completion script.
enum CompletionCommand {
  static let namesCommand = "completion-names"

  static func make() -> Command {
    Command(
      "completion", abstract: "Print a shell completion script for bash, zsh or fish.",
      discussion: """
        The script completes commands, options and option values, and the names of registered functions. \
        Load it in the current shell with 'source <(functions completion bash)', or save it where your shell \
        reads completions.
        """,
      arguments: [ArgumentSpec("shell", help: "The shell: bash, zsh or fish.")],
      run: { parsed in try run(parsed) })
  }

  /// The hidden command the scripts call to list registered function names.
  static func makeNames() -> Command {
    Command(
      namesCommand, abstract: "Print the registered function names, one per line.", isHidden: true,
      run: { parsed in
        let context = CommandContext(parsed: parsed)
        let names = (try? context.registry.read().sortedEntries.map(\.name)) ?? []
        if !names.isEmpty { StandardOutput.write(names.joined(separator: "\n") + "\n") }
      })
  }

  static func run(_ parsed: ParsedCommand) throws {
    let shell = parsed.argument("shell") ?? ""
    let script = CompletionScript(
      root: FunctionsCommand.makeRoot(), dynamicValuesCommand: namesCommand, dynamicArguments: ["name"])
    switch shell {
    case "bash": StandardOutput.write(script.bash())
    case "zsh": StandardOutput.write(script.zsh())
    case "fish": StandardOutput.write(script.fish())
    default:
      let hint =
        suggestion(for: shell, among: ["bash", "zsh", "fish"]).map { " Did you mean '\($0)'?" } ?? ""
      throw parsed.usageError("unknown shell '\(shell)'; expected bash, zsh or fish.\(hint)")
    }
  }
}
