import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions script NAME SCRIPT [ARGS…]`: runs a script from the function's manifest.
enum ScriptCommand {
  static func make() -> Command {
    Command(
      "script", abstract: "Run a script from a function's manifest, such as its tests.",
      discussion: """
        Scripts are shell commands in the manifest's "scripts" object, such as {"test": "pytest -q"}. A script \
        runs with /bin/sh in the function's directory, with its Python environment first on PATH and its \
        variables set (manifest, env file). Extra arguments are appended, and the exit status passes through. \
        Scripts named preNAME and postNAME run before and after the build and run commands.
        """,
      arguments: [
        ArgumentSpec("name", help: "The function."),
        ArgumentSpec(
          "script", help: "The script to run, then its arguments.", isRepeating: true,
          capturesRemainingArguments: true),
      ],
      run: { parsed in try run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let words = parsed.arguments("script")
    guard let scriptName = words.first else { throw parsed.usageError("missing argument <script>") }
    let (entry, loaded) = try context.loadFunction(name)
    guard let command = loaded.manifest.scripts[scriptName] else {
      let known = loaded.manifest.scripts.keys.sorted()
      throw CommandFailure(
        "\(loaded.path) has no script '\(scriptName)'"
          + (known.isEmpty
            ? "; add a \"scripts\" object such as {\"test\": \"pytest -q\"}"
            : " (scripts: \(known.joined(separator: ", ")))"))
    }
    let status = try context.runScript(
      command, arguments: Array(words.dropFirst()), entry: entry, manifest: loaded.manifest)
    if status != 0 { throw ExitStatus(code: status) }
  }
}

extension CommandContext {
  /// Runs a manifest script for a function and returns its exit status.
  func runScript(_ command: String, arguments: [String], entry: RegistryEntry, manifest: Manifest) throws
    -> Int32
  {
    let variables = try localFunctions().variables(
      manifest: manifest, directory: entry.directory, options: StartOptions())
    let environmentDirectory = entry.environmentFingerprint.map { environmentBuilder().directory(for: $0) }
    let scripts = ScriptRunner(runner: runner, hostEnvironment: environment)
    diagnostics.debug("script: \(command) \(ShellQuoting.join(arguments))")
    return try scripts.run(
      command, arguments: arguments, directory: entry.directory,
      environment: scripts.environment(variables: variables, environmentDirectory: environmentDirectory))
  }

  /// Runs the manifest's `hook` script (such as `prebuild`) when it has one; a failing hook stops the command.
  func runHook(_ hook: String, entry: RegistryEntry, manifest: Manifest) throws {
    guard let command = manifest.scripts[hook] else { return }
    diagnostics.status("Running the \(hook) script of \(entry.name)")
    let status = try runScript(command, arguments: [], entry: entry, manifest: manifest)
    guard status == 0 else {
      throw CommandFailure(
        "the \(hook) script of \(entry.name) failed with exit status \(status): \(command)")
    }
  }
}
