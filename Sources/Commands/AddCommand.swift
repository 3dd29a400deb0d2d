import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions add DIR`: adopts an existing directory as a function.
enum AddCommand {
  static func make() -> Command {
    Command(
      "add", abstract: "Register an existing function directory.",
      discussion: """
        With a function.json in DIR, its settings are used as they are. Without one, the manifest is \
        inferred from the source files and the options below, and written to DIR/function.json: for \
        Google Cloud from main.py, for AWS (--provider aws) from app.py, lambda_function.py or \
        handler.py (Python), index.mjs or index.js (Node.js), or an executable bootstrap.
        """,
      arguments: [ArgumentSpec("dir", help: "The function's directory.")],
      options: [
        .value(
          "provider", valueName: "provider", help: "The cloud the function targets.",
          defaultDescription: "gcp",
          allowedValues: Provider.allCases.map(\.rawValue)),
        .value(
          "handler", valueName: "handler", help: "The AWS handler, such as app.handler (aws only).",
          defaultDescription: "the handler function found in the source files"),
        .value(
          "name", valueName: "name", help: "The function's name.",
          defaultDescription: "the manifest's name, or the directory's name"),
        .value(
          "entry-point", valueName: "function", help: "The Python function to call.",
          defaultDescription: "the only decorated or top-level function in the source file"),
        .value(
          "trigger", valueName: "trigger", help: "What starts the function.",
          defaultDescription:
            "pubsub for a function decorated with @functions_framework.cloud_event, otherwise http; event on aws",
          allowedValues: ["http", "pubsub", "event"]),
        .value(
          "topic", valueName: "topic", help: "The Pub/Sub topic, with --trigger pubsub.",
          defaultDescription: "the function's name"),
        .value(
          "runtime", valueName: "runtime", help: "The runtime identifier, as the provider names it.",
          defaultDescription: "\(Runtimes.defaultRuntime) on gcp; on aws, from the source files",
          allowedValues: Runtimes.googleCloudPython + Runtimes.aws),
        .value(
          "source", valueName: "file", help: "The Python source file, relative to the directory.",
          defaultDescription: "main.py"),
        .flag("json", help: "Print the registered function as JSON."),
      ],
      run: { parsed in try run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let argument = parsed.argument("dir") ?? "."
    var source: RegisteredSource?
    var directory = context.absolutePath(argument)
    if GitSourceParser.looksLikeURL(argument) {
      let clone = try cloneSource(argument, parsed: parsed, context: context)
      source = clone
      directory = clone.git.path.isEmpty ? clone.cloneDirectory : "\(clone.cloneDirectory)/\(clone.git.path)"
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw CommandFailure("\(directory) is not a directory; check the path")
    }
    guard FileManager.default.isReadableFile(atPath: directory) else {
      throw CommandFailure("\(directory) is not readable; check its permissions")
    }
    if let name = parsed.value("name") { try validateFunctionName(name, parsed) }

    let manifestPath = (directory as NSString).appendingPathComponent(Manifest.fileName)
    var manifest: Manifest
    var writesManifest = false
    if FileManager.default.fileExists(atPath: manifestPath) {
      let loaded = try ManifestReader.load(path: manifestPath)
      loaded.warnings.forEach(context.diagnostics.warning)
      manifest = loaded.manifest
      if let name = parsed.value("name"), name != manifest.name {
        throw parsed.usageError(
          "--name '\(name)' differs from the name '\(manifest.name)' in \(manifestPath); edit the manifest to rename the function"
        )
      }
    } else {
      manifest = try infer(directory: directory, parsed: parsed)
      writesManifest = true
    }

    var entry = RegistryEntry(
      name: manifest.name, directory: directory, provider: manifest.provider.rawValue,
      runtime: manifest.runtime,
      trigger: manifest.trigger.summary, registeredAt: context.clock.now())
    entry.source = source
    try context.registry.update { document in
      if let existing = document.functions[manifest.name] {
        throw RegistryError.alreadyRegistered(name: manifest.name, directory: existing.directory)
      }
      if writesManifest {
        // Written under the registry lock, so a clash above leaves the directory untouched.
        try Templates.write([(Manifest.fileName, manifest.jsonText())], into: directory)
      }
      document.functions[manifest.name] = entry
    }

    if parsed.flag("json") {
      try printJSON(entry)
    } else {
      let source = writesManifest ? "wrote \(manifestPath)" : "using \(manifestPath)"
      context.diagnostics.status("Registered '\(manifest.name)' (\(source))")
    }
  }

  /// Builds a manifest from the directory's source file and the options.
  static func infer(directory: String, parsed: ParsedCommand) throws -> Manifest {
    // An event trigger exists only on AWS, so it picks the provider when none is given.
    if parsed.value("provider") == "aws"
      || (parsed.value("provider") == nil && parsed.value("trigger") == "event")
    {
      return try inferLambda(directory: directory, parsed: parsed)
    }
    if parsed.value("handler") != nil {
      throw parsed.usageError("--handler applies to AWS functions; add --provider aws")
    }
    let source = parsed.value("source") ?? "main.py"
    let sourcePath = (directory as NSString).appendingPathComponent(source)
    guard let data = FileManager.default.contents(atPath: sourcePath) else {
      let lambdaFiles = ["app.py", "lambda_function.py", "handler.py", "index.mjs", "index.js", "bootstrap"]
      if let found = lambdaFiles.first(where: { FileManager.default.fileExists(atPath: "\(directory)/\($0)") }
      ) {
        throw CommandFailure(
          "\(directory) has neither \(Manifest.fileName) nor \(source), but it has \(found); for an AWS Lambda "
            + "function, add --provider aws")
      }
      throw CommandFailure(
        "\(directory) has neither \(Manifest.fileName) nor \(source); point --source at the Python file "
          + "that defines the function")
    }
    let name = parsed.value("name") ?? (directory as NSString).lastPathComponent
    try validateFunctionName(name, parsed)

    let text = String(decoding: data, as: UTF8.self)
    let functions = PythonSource.functionNames(in: text)
    let entryPoint: String
    if let given = parsed.value("entry-point") {
      guard functions.all.contains(given) else {
        let known = functions.all.isEmpty ? "none" : functions.all.joined(separator: ", ")
        throw CommandFailure("\(sourcePath) defines no top-level function '\(given)' (found: \(known))")
      }
      entryPoint = given
    } else if let only = functions.decorated.count == 1
      ? functions.decorated.first : (functions.all.count == 1 ? functions.all.first : nil)
    {
      entryPoint = only
    } else {
      let known = functions.all.isEmpty ? "none" : functions.all.joined(separator: ", ")
      throw CommandFailure(
        "cannot tell which function in \(sourcePath) is the entry point (found: \(known)); name it with --entry-point"
      )
    }

    let triggerKind =
      parsed.value("trigger") ?? (functions.cloudEvent.contains(entryPoint) ? "pubsub" : "http")
    let trigger: Trigger
    if triggerKind == "event" {
      throw parsed.usageError("--trigger event is for AWS functions; add --provider aws")
    }
    if triggerKind == "pubsub" {
      let topic = parsed.value("topic") ?? name
      if let violation = PubSubTopic.violation(in: topic) {
        throw parsed.usageError("invalid topic '\(topic)': expected \(violation)")
      }
      trigger = .pubsub(topic: topic)
    } else {
      trigger = .http
    }
    return Manifest(
      name: name, runtime: parsed.value("runtime") ?? Runtimes.defaultRuntime, entryPoint: entryPoint,
      source: source,
      trigger: trigger)
  }
}

extension AddCommand {
  /// Clones a source URL into the cache after checking it, and returns where it landed.
  static func cloneSource(_ url: String, parsed: ParsedCommand, context: CommandContext) throws
    -> RegisteredSource
  {
    let git: GitSource
    do {
      git = try GitSourceParser.parse(url)
    } catch {
      throw parsed.usageError(error.description)
    }
    let lastComponent =
      git.path.split(separator: "/").last.map(String.init)
      ?? ((git.cloneURL as NSString).lastPathComponent as NSString).deletingPathExtension
    let name = parsed.value("name") ?? lastComponent
    try validateFunctionName(name, parsed)
    if let existing = try context.registry.read().functions[name] {
      throw RegistryError.alreadyRegistered(name: name, directory: existing.directory)
    }
    context.diagnostics.progress("Cloning \(git.cloneURL)…")
    let clone = try SourceFetcher(
      runner: context.runner, environment: context.environment, layout: context.layout
    )
    .clone(git, name: name)
    context.diagnostics.status("Cloned \(git.cloneURL) at \(clone.commit.prefix(12))")
    return RegisteredSource(url: url, git: git, commit: clone.commit, cloneDirectory: clone.directory)
  }

  /// Builds an AWS Lambda manifest from the directory's files and the options.
  static func inferLambda(directory: String, parsed: ParsedCommand) throws -> Manifest {
    let name = parsed.value("name") ?? (directory as NSString).lastPathComponent
    try validateFunctionName(name, parsed)
    let manager = FileManager.default
    func exists(_ file: String) -> Bool {
      manager.fileExists(atPath: (directory as NSString).appendingPathComponent(file))
    }

    var runtime = parsed.value("runtime")
    var handler = parsed.value("handler")
    // A given handler names its module, and the module file's extension decides the runtime.
    if runtime == nil, let handler, let dot = handler.lastIndex(of: ".") {
      let module = String(handler[..<dot])
      if exists(module + ".py") { runtime = Runtimes.defaultAWSRuntime }
      if ["mjs", "js", "cjs"].contains(where: { exists("\(module).\($0)") }) { runtime = "nodejs20.x" }
    }
    if runtime == nil || handler == nil {
      // Python first: the files Lambda's console and SAM templates create.
      for file in ["app.py", "lambda_function.py", "handler.py", "main.py"] where exists(file) {
        let text =
          (try? String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8))
          ?? ""
        let functions = PythonSource.functionNames(in: text).all
        guard let function = ["handler", "lambda_handler"].first(where: functions.contains) else { continue }
        runtime = runtime ?? Runtimes.defaultAWSRuntime
        handler = handler ?? "\((file as NSString).deletingPathExtension).\(function)"
        break
      }
    }
    if runtime == nil, let file = ["index.mjs", "index.js", "index.cjs"].first(where: exists) {
      runtime = "nodejs20.x"
      handler = handler ?? "\((file as NSString).deletingPathExtension).handler"
    }
    if runtime == nil, exists("bootstrap") {
      runtime = "provided.al2023"
      handler = handler ?? "function.handler"
    }
    guard let runtime, Runtimes.aws.contains(runtime) else {
      throw CommandFailure(
        "cannot tell the runtime of \(directory): no app.py, lambda_function.py or handler.py with a handler "
          + "function, no index.mjs or index.js, and no bootstrap; name it with --runtime and --handler")
    }
    let triggerKind = parsed.value("trigger") ?? "event"
    guard triggerKind != "pubsub" else {
      throw parsed.usageError(
        "--trigger pubsub is for Google Cloud functions; AWS functions take http or event")
    }
    return Manifest(
      name: name, provider: .aws, runtime: runtime,
      entryPoint: handler ?? AWSTemplates.defaultHandler(runtime: runtime),
      trigger: triggerKind == "http" ? .http : .event)
  }
}

/// A light reading of Python source: top-level `def` names and their functions-framework decorators.
enum PythonSource {
  struct Functions {
    var all: [String] = []
    var decorated: [String] = []
    var cloudEvent: [String] = []
  }

  static func functionNames(in text: String) -> Functions {
    var result = Functions()
    var pendingDecorators: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("@") {
        pendingDecorators.append(String(line))
        continue
      }
      if line.hasPrefix("def ") || line.hasPrefix("async def ") {
        let afterDef = line.drop(while: { $0 != " " }).dropFirst()
        let name = String(afterDef.prefix(while: { $0 == "_" || $0.isLetter || $0.isNumber }))
        if !name.isEmpty {
          result.all.append(name)
          if pendingDecorators.contains(where: { $0.contains("functions_framework") }) {
            result.decorated.append(name)
          }
          if pendingDecorators.contains(where: { $0.contains("cloud_event") }) {
            result.cloudEvent.append(name)
          }
        }
      }
      if !line.trimmingCharacters(in: .whitespaces).isEmpty { pendingDecorators = [] }
    }
    return result
  }
}
