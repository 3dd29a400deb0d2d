import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions new http|pubsub NAME`: scaffolds and registers a function.
enum NewCommand {
  static func make() -> Command {
    Command(
      "new", abstract: "Create a function from a template and register it.",
      subcommands: [makeTemplate(.http), makeTemplate(.pubsub)])
  }

  static func makeTemplate(_ kind: TemplateKind) -> Command {
    var options: [OptionSpec] = [
      .value(
        "dir", valueName: "dir", help: "The directory to create the function's folder in.",
        defaultDescription: "the current directory"),
      .value(
        "runtime", valueName: "runtime", help: "The Google Cloud Python runtime.",
        defaultDescription: Runtimes.defaultRuntime, allowedValues: Runtimes.googleCloudPython),
      .flag("json", help: "Print the registered function as JSON."),
    ]
    if kind == .pubsub {
      options.insert(
        .value(
          "topic", valueName: "topic", help: "The Pub/Sub topic that triggers the function.",
          defaultDescription: "the function's name"), at: 0)
    }
    let abstract =
      kind == .http
      ? "Create an HTTP function that answers with a greeting."
      : "Create a Pub/Sub function (CloudEvent signature) that logs each message."
    return Command(
      kind.rawValue, abstract: abstract,
      arguments: [ArgumentSpec("name", help: "The function's name; also the name of its folder.")],
      options: options, run: { parsed in try run(kind, parsed) })
  }

  static func run(_ kind: TemplateKind, _ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    try validateFunctionName(name, parsed)
    let topic = kind == .pubsub ? (parsed.value("topic") ?? name) : name
    if kind == .pubsub, let violation = PubSubTopic.violation(in: topic) {
      throw parsed.usageError("invalid topic '\(topic)': expected \(violation)")
    }
    let parent = context.absolutePath(parsed.value("dir") ?? ".")
    var isDirectory: ObjCBool = false
    if parsed.value("dir") != nil, !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue {
      throw CommandFailure("the directory \(parent) does not exist; create it first or pick another --dir")
    }
    let directory = (parent as NSString).appendingPathComponent(name)

    let trigger: Trigger = kind == .http ? .http : .pubsub(topic: topic)
    let manifest = Manifest(
      name: name, runtime: parsed.value("runtime") ?? Runtimes.defaultRuntime, entryPoint: kind.defaultEntryPoint,
      trigger: trigger)

    // Register first, so a name clash leaves no files behind; unregister if the files cannot be written.
    let entry = RegistryEntry(
      name: name, directory: directory, provider: manifest.provider.rawValue, runtime: manifest.runtime,
      trigger: trigger.summary, registeredAt: context.clock.now())
    try context.registry.update { document in
      if let existing = document.functions[name] {
        throw RegistryError.alreadyRegistered(name: name, directory: existing.directory)
      }
      document.functions[name] = entry
    }
    do {
      try Templates.write(Templates.files(for: kind, manifest: manifest), into: directory)
    } catch {
      try? context.registry.update { document in
        if document.functions[name]?.directory == directory { document.functions[name] = nil }
      }
      throw error
    }

    if parsed.flag("json") {
      try printJSON(entry)
    } else {
      context.diagnostics.status("Created \(kind.rawValue) function '\(name)' in \(directory)")
      context.diagnostics.status("Next: functions run \(name)")
    }
  }
}
