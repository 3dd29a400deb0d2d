import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions build NAME`: prepares the function's environment.
enum BuildCommand {
  static func make() -> Command {
    Command(
      "build", abstract: "Prepare a function's environment, or its image with --backend docker.",
      discussion: """
        Installs functions-framework and requirements.txt into an environment keyed by the runtime and \
        the requirements, so an unchanged function rebuilds at once and identical requirement sets share \
        one environment.
        """,
      arguments: [ArgumentSpec("name", help: "The function to build.")],
      options: [
        .flag("force", help: "Rebuild the environment even when it is up to date."),
        BackendOption.option,
        .flag(
          "print-dockerfile",
          help: "Print the Dockerfile the docker backend builds with, and build nothing."),
        .flag("json", help: "Print the build result as JSON."),
      ],
      run: { parsed in try run(parsed) })
  }

  struct Report: Encodable {
    let name: String
    /// The Python environment or the Node.js bootstrap; nil when the runtime needs neither.
    let environment: String?
    let fingerprint: String?
    /// The image reference with the docker backend.
    let image: String?
    let rebuilt: Bool
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let (entry, loaded) = try context.loadFunction(name)
    let backend = try BackendOption.resolve(parsed, manifest: loaded.manifest, context: context)
    if parsed.flag("print-dockerfile") {
      guard backend == .docker else {
        throw parsed.usageError("--print-dockerfile needs the docker backend; add --backend docker")
      }
      StandardOutput.write(
        try context.localFunctions().imageBuilder().dockerfileText(
          manifest: loaded.manifest, directory: entry.directory))
      return
    }
    if parsed.flag("force"), entry.effectiveState == .running {
      throw CommandFailure("\(name) is running from the environment --force would replace; stop it first")
    }
    let started = ContinuousClock.now
    try context.runHook("prebuild", entry: entry, manifest: loaded.manifest)
    let outcome = try context.build(
      entry, manifest: loaded.manifest, force: parsed.flag("force"), backend: backend)
    try context.runHook("postbuild", entry: entry, manifest: loaded.manifest)
    let report = Report(
      name: name, environment: outcome.environment?.directory ?? outcome.nodeBootstrap,
      fingerprint: outcome.environment?.fingerprint ?? outcome.image?.fingerprint,
      image: outcome.image?.reference,
      rebuilt: outcome.didWork)
    if parsed.flag("json") {
      try printJSON(report)
      return
    }
    if outcome.didWork {
      let elapsed = ContinuousClock.now - started
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      context.diagnostics.status(
        "Built \(name) in \(String(format: "%.1f", seconds)) s (\(outcome.location))")
    } else {
      context.diagnostics.status("\(name) is up to date (\(outcome.location))")
    }
  }
}
