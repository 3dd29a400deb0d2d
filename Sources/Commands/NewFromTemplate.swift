import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

extension NewCommand {
  /// `functions new NAME --template SOURCE [--set VARIABLE=VALUE]…`: copies a template folder, sets its
  /// variables and registers the result.
  static func runCustomTemplate(_ parsed: ParsedCommand) throws {
    guard let source = parsed.value("template") else {
      throw parsed.usageError(
        "missing subcommand for 'functions new'; expected http, pubsub or event, or NAME --template SOURCE")
    }
    guard let name = parsed.argument("name") else {
      throw parsed.usageError("missing argument <name>: the new function's name, before --template")
    }
    try validateFunctionName(name, parsed)
    let context = CommandContext(parsed: parsed)
    var assignments: [String: String] = [:]
    for assignment in parsed.values("set") {
      guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
        throw parsed.usageError("invalid --set '\(assignment)': expected VARIABLE=VALUE")
      }
      assignments[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
    }
    let parent = context.absolutePath(parsed.value("dir") ?? ".")
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw CommandFailure("the directory \(parent) does not exist; create it first or pick another --dir")
    }
    let directory = (parent as NSString).appendingPathComponent(name)
    if let existing = try context.registry.read().functions[name] {
      throw RegistryError.alreadyRegistered(name: name, directory: existing.directory)
    }

    // A git template is cloned into the cache for this command only.
    var clone: String?
    defer { if let clone { try? FileManager.default.removeItem(atPath: clone) } }
    let templateDirectory: String
    if GitSourceParser.looksLikeURL(source) {
      let git: GitSource
      do {
        git = try GitSourceParser.parse(source)
      } catch {
        throw parsed.usageError(error.description)
      }
      context.diagnostics.progress("Cloning \(git.cloneURL)…")
      let fetched = try SourceFetcher(
        runner: context.runner, environment: context.environment, layout: context.layout
      )
      .clone(git, name: "template-\(name)")
      clone = fetched.directory
      templateDirectory = fetched.functionDirectory
    } else {
      templateDirectory = context.absolutePath(source)
    }

    let template: CustomTemplate
    let values: [String: String]
    do {
      template = try CustomTemplate(directory: templateDirectory)
      values = try template.values(for: name, assignments: assignments)
    } catch {
      switch error {
      case .unknownVariable, .missingVariable: throw parsed.usageError(error.description)
      default: throw CommandFailure(error.description)
      }
    }
    // The files are rendered next to their final place and renamed into it, so a failure leaves nothing.
    let staging = (parent as NSString).appendingPathComponent(".\(name).functions-new-\(getpid())")
    do {
      try template.render(into: staging, values: values)
    } catch {
      throw CommandFailure(error.description)
    }
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let manifest: Manifest
    do {
      manifest = try ManifestReader.load(path: staging + "/" + Manifest.fileName).manifest
    } catch {
      let message = "\(error)".replacingOccurrences(of: staging, with: templateDirectory)
      throw CommandFailure(
        "the template's \(Manifest.fileName) is not valid once its variables are set: \(message)")
    }

    let entry = RegistryEntry(
      name: name, directory: directory, provider: manifest.provider.rawValue, runtime: manifest.runtime,
      trigger: manifest.trigger.summary, registeredAt: context.clock.now())
    try context.registry.update { document in
      if let existing = document.functions[name] {
        throw RegistryError.alreadyRegistered(name: name, directory: existing.directory)
      }
      document.functions[name] = entry
    }
    guard !FileManager.default.fileExists(atPath: directory), rename(staging, directory) == 0 else {
      try? context.registry.update { document in
        if document.functions[name]?.directory == directory { document.functions[name] = nil }
      }
      throw CommandFailure("\(directory) already exists; remove it or choose another name or --dir")
    }

    if parsed.flag("json") {
      try printJSON(entry)
    } else {
      let about = template.description.map { " (\($0))" } ?? ""
      context.diagnostics.status(
        "Created '\(name)' from the template \(source)\(about) in \(directory)")
      context.diagnostics.status("Next: functions run \(name)")
    }
  }
}
