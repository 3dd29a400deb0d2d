import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions emulator pubsub start|stop|status`: the Pub/Sub emulator that ships with the Google Cloud CLI.
enum EmulatorCommand {
  static func make() -> Command {
    Command(
      "emulator", abstract: "Run local emulators of cloud services.",
      subcommands: [
        Command(
          "pubsub", abstract: "Run the Pub/Sub emulator and connect it to running Pub/Sub functions.",
          discussion: """
            While the emulator runs, every running Google Cloud Pub/Sub function gets its topic and a push \
            subscription, so an application that publishes with a Google client library \
            (PUBSUB_EMULATOR_HOST) triggers it, and 'functions publish' goes through the emulator.
            """,
          subcommands: [makeStart(), makeStop(), makeStatus()])
      ])
  }

  static func makeStart() -> Command {
    Command(
      "start", abstract: "Start the Pub/Sub emulator in the background.",
      options: [
        .value(
          "port", short: "p", valueName: "port", help: "The TCP port to listen on.",
          defaultDescription: "8085",
          integerRange: 1...65535),
        .value(
          "project", valueName: "project", help: "The project that topics and subscriptions belong to.",
          defaultDescription: "the settings' project, or local-project"),
        .value(
          "timeout", valueName: "seconds", help: "How long to wait for the emulator to start, in seconds.",
          defaultDescription: "60", integerRange: 1...600),
        .flag("json", help: "Print the emulator's address as JSON."),
      ],
      run: { parsed in try await start(parsed) })
  }

  static func makeStop() -> Command {
    Command(
      "stop", abstract: "Stop the Pub/Sub emulator.",
      run: { parsed in
        let context = CommandContext(parsed: parsed)
        if await emulator(context).stop() {
          context.diagnostics.status("Stopped the Pub/Sub emulator")
        } else {
          context.diagnostics.note("the Pub/Sub emulator is not running")
        }
      })
  }

  static func makeStatus() -> Command {
    Command(
      "status", abstract: "Show whether the Pub/Sub emulator runs, and its subscriptions.",
      options: [.flag("json", help: "Print the status as JSON.")],
      run: { parsed in try await status(parsed) })
  }

  struct Report: Encodable {
    let running: Bool
    let host: String?
    let pid: Int32?
    let project: String?
    let subscriptions: [String]
  }

  static func emulator(_ context: CommandContext) -> PubSubEmulator {
    PubSubEmulator(layout: context.layout, hostEnvironment: context.environment)
  }

  static func start(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let emulator = emulator(context)
    if let record = emulator.running() {
      context.diagnostics.note(
        "the Pub/Sub emulator is already running on \(record.address) (PID \(record.pid))")
      StandardOutput.line("export PUBSUB_EMULATOR_HOST=\(record.address)")
      return
    }
    let settings = try Settings.load(layout: context.layout)
    let project = parsed.value("project") ?? settings.gcpProject ?? Settings.localProject
    context.diagnostics.progress("starting the Pub/Sub emulator…")
    let record = try await emulator.start(
      host: "127.0.0.1", port: parsed.int("port") ?? 8085, project: project,
      timeout: .seconds(parsed.int("timeout") ?? 60))
    let connected = await connectRunningFunctions(context: context, emulator: emulator, record: record)
    if parsed.flag("json") {
      try printJSON(
        Report(
          running: true, host: record.address, pid: record.pid, project: record.project,
          subscriptions: connected))
    } else {
      StandardOutput.line("export PUBSUB_EMULATOR_HOST=\(record.address)")
      context.diagnostics.status(
        "The Pub/Sub emulator is running on \(record.address) (project \(record.project)); "
          + "\(connected.count) running function\(connected.count == 1 ? "" : "s") subscribed. "
          + "'functions emulator pubsub stop' stops it")
    }
  }

  /// Subscribes every running Google Cloud Pub/Sub function and returns their names.
  static func connectRunningFunctions(
    context: CommandContext, emulator: PubSubEmulator, record: EmulatorRecord
  ) async -> [String] {
    var connected: [String] = []
    guard let document = try? context.registry.read() else { return [] }
    for entry in document.sortedEntries where entry.effectiveState == .running {
      guard let process = entry.process, await subscribe(entry, url: process.url, context: context) else {
        continue
      }
      connected.append(entry.name)
    }
    return connected
  }

  /// Subscribes a running Google Cloud Pub/Sub function to its topic on the emulator, when the emulator
  /// runs. Returns whether a subscription was made; a failure is reported as a warning.
  @discardableResult
  static func subscribe(_ entry: RegistryEntry, url: String, context: CommandContext) async -> Bool {
    let emulator = emulator(context)
    guard let record = emulator.running(),
      let manifest = try? ManifestReader.load(path: entry.manifestPath).manifest, manifest.provider == .gcp,
      case .pubsub(let topic) = manifest.trigger
    else { return false }
    do {
      try await emulator.subscribe(functionName: entry.name, topic: topic, functionURL: url, record: record)
      context.diagnostics.debug("\(entry.name): subscribed to \(topic) on the Pub/Sub emulator")
      return true
    } catch {
      context.diagnostics.warning(
        "\(entry.name) was not subscribed to \(topic) on the Pub/Sub emulator: \(error)")
      return false
    }
  }

  static func status(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let emulator = emulator(context)
    guard let record = emulator.running() else {
      if parsed.flag("json") {
        try printJSON(Report(running: false, host: nil, pid: nil, project: nil, subscriptions: []))
      } else {
        StandardOutput.line(
          "The Pub/Sub emulator is not running; 'functions emulator pubsub start' starts it.")
      }
      return
    }
    let subscriptions = (try? await emulator.subscriptions(record: record)) ?? []
    if parsed.flag("json") {
      try printJSON(
        Report(
          running: true, host: record.address, pid: record.pid, project: record.project,
          subscriptions: subscriptions))
      return
    }
    StandardOutput.line(
      "Pub/Sub emulator: running on \(record.address) (PID \(record.pid), project \(record.project))")
    StandardOutput.line(
      "Subscriptions:    \(subscriptions.isEmpty ? "none" : subscriptions.joined(separator: ", "))")
    StandardOutput.line("Log:              \(emulator.logFile)")
    StandardOutput.line("export PUBSUB_EMULATOR_HOST=\(record.address)")
  }
}
