import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions stop NAME…`: stops running functions.
enum StopCommand {
  static func make() -> Command {
    Command(
      "stop", abstract: "Stop running functions.",
      discussion: "Sends SIGTERM to the function's whole process group, then SIGKILL after the grace period.",
      arguments: [ArgumentSpec("name", help: "The functions to stop.", isOptional: true, isRepeating: true)],
      options: [
        .flag("all", help: "Stop every running function."),
        .value(
          "grace", valueName: "seconds", help: "How long to wait after SIGTERM before SIGKILL, in seconds.",
          defaultDescription: "5", integerRange: 0...600),
      ],
      run: { parsed in try await run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    var names = parsed.arguments("name")
    if parsed.flag("all") {
      guard names.isEmpty else { throw parsed.usageError("give function names or --all, not both") }
      names = try context.registry.read().sortedEntries
        .filter { $0.effectiveState == .running || $0.effectiveState == .crashed && $0.process != nil }
        .map(\.name)
      if names.isEmpty {
        context.diagnostics.status("No function is running")
        return
      }
    }
    guard !names.isEmpty else {
      throw parsed.usageError("missing argument <name>; give function names or --all")
    }
    let document = try context.registry.read()
    for name in names where document.functions[name] == nil {
      throw RegistryError.notRegistered(name)
    }
    let grace = Duration.seconds(parsed.int("grace") ?? 5)
    let emulator = EmulatorCommand.emulator(context)
    let emulatorRecord = emulator.running()
    for name in names {
      let wasRunning = try await context.localFunctions().stop(name, grace: grace)
      // The emulator would keep pushing to a stopped function and retry each message.
      if let emulatorRecord { await emulator.unsubscribe(functionName: name, record: emulatorRecord) }
      context.diagnostics.status(wasRunning ? "Stopped \(name)" : "\(name) was not running")
    }
  }
}
