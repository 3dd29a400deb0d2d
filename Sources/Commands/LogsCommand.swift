import Basics
import CommandLineKit
import Foundation
import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// `functions logs NAME`: prints the function's output.
enum LogsCommand {
  static func make() -> Command {
    Command(
      "logs", abstract: "Show a function's output.",
      arguments: [ArgumentSpec("name", help: "The function whose log to show.")],
      options: [
        .value(
          "tail", short: "n", valueName: "lines", help: "Show only the last N lines.",
          defaultDescription: "all lines", integerRange: 0...1_000_000),
        .flag("follow", short: "f", help: "Keep printing new lines as they are written, until Ctrl-C."),
      ],
      run: { parsed in try await run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    _ = try context.registry.entry(named: name)
    let logFile = context.layout.logFile(for: name)
    if !FileManager.default.fileExists(atPath: logFile) && !parsed.flag("follow") {
      context.diagnostics.note("\(name) has no log yet; it is written once 'functions run \(name)' starts it")
      return
    }
    let lines = LogFile.tail(logFile, lines: parsed.int("tail"))
    if !lines.isEmpty { StandardOutput.write(LogFile.displayable(lines.joined(separator: "\n") + "\n")) }
    guard parsed.flag("follow") else { return }
    let interrupted = SignalWatch(signals: [SIGINT, SIGTERM])
    await LogFile.follow(
      logFile, from: LogFile.size(logFile), shouldStop: { interrupted.hasFired },
      write: { data in StandardOutput.write(LogFile.displayable(String(decoding: data, as: UTF8.self))) })
  }
}
