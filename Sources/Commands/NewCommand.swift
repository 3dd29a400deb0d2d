import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions new http|pubsub|event NAME`, or `functions new NAME --template SOURCE`: scaffolds and
/// registers a function.
enum NewCommand {
  static func make() -> Command {
    Command(
      "new", abstract: "Create a function from a template and register it.",
      discussion: """
        'functions new KIND NAME' uses a built-in template (http, pubsub or event). \
        'functions new NAME --template SOURCE' uses a template folder of your own: a local directory, or a \
        git URL such as https://github.com/OWNER/REPO/tree/REF/PATH or URL#REF:PATH. The folder holds the \
        function's files and a template.json that declares its variables; see docs/templates.md.
        """,
      arguments: [
        ArgumentSpec("name", help: "The function's name; also the name of its folder.", isOptional: true)
      ],
      options: [
        .value(
          "template", short: "t", valueName: "source",
          help: "A template folder: a local directory or a git URL (see above)."),
        .value(
          "set", valueName: "variable=value", help: "Set a variable the template declares.", isRepeating: true
        ),
        .value(
          "dir", valueName: "dir", help: "The directory to create the function's folder in.",
          defaultDescription: "the current directory"),
        .flag("json", help: "Print the registered function as JSON."),
      ],
      subcommands: [makeTemplate(.http), makeTemplate(.pubsub), makeTemplate(.event)],
      run: { parsed in try runCustomTemplate(parsed) })
  }

  static func makeTemplate(_ kind: TemplateKind) -> Command {
    var options: [OptionSpec] = [
      .value(
        "dir", valueName: "dir", help: "The directory to create the function's folder in.",
        defaultDescription: "the current directory"),
      .value(
        "runtime", valueName: "runtime", help: "The runtime identifier, as the provider names it.",
        defaultDescription: kind == .pubsub
          ? Runtimes.defaultRuntime
          : kind == .event
            ? Runtimes.defaultAWSRuntime
            : "\(Runtimes.defaultRuntime) on gcp, \(Runtimes.defaultAWSRuntime) on aws",
        allowedValues: kind == .pubsub
          ? Runtimes.googleCloudPython
          : kind == .event ? Runtimes.aws : Runtimes.googleCloudPython + Runtimes.aws),
      .flag("json", help: "Print the registered function as JSON."),
    ]
    let providers: [Provider] =
      switch kind {
      case .http: Provider.allCases
      case .pubsub: [.gcp]
      case .event: [.aws]
      }
    options.insert(
      .value(
        "provider", valueName: "provider", help: "The cloud the function targets.",
        defaultDescription: kind == .http ? "the settings' default provider, or gcp" : providers[0].rawValue,
        allowedValues: providers.map(\.rawValue)), at: 0)
    if kind == .http {
      options.insert(
        .value(
          "event-source", valueName: "source",
          help: "The AWS service whose events the function gets (aws only).",
          defaultDescription: "http-api", allowedValues: AWSHTTPEventSource.allCases.map(\.rawValue)), at: 1)
    }
    if kind == .pubsub {
      options.insert(
        .value(
          "topic", valueName: "topic", help: "The Pub/Sub topic that triggers the function.",
          defaultDescription: "the function's name"), at: 0)
    }
    let abstract =
      switch kind {
      case .http: "Create an HTTP function that answers with a greeting."
      case .pubsub: "Create a Google Cloud Pub/Sub function (CloudEvent signature) that logs each message."
      case .event: "Create an AWS Lambda function that handles any event."
      }
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
      let origin =
        parsed.value("topic") == nil
        ? " (the topic defaults to the function's name; set one with --topic)" : ""
      throw parsed.usageError("invalid topic '\(topic)': expected \(violation)\(origin)")
    }
    let parent = context.absolutePath(parsed.value("dir") ?? ".")
    var isDirectory: ObjCBool = false
    if parsed.value("dir") != nil,
      !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue
    {
      throw CommandFailure("the directory \(parent) does not exist; create it first or pick another --dir")
    }
    let directory = (parent as NSString).appendingPathComponent(name)

    let manifest = try makeManifest(kind, name: name, topic: topic, parsed: parsed, context: context)
    let trigger = manifest.trigger

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
      context.diagnostics.status(
        "Created \(kind.rawValue) function '\(name)' (\(manifest.provider.rawValue), \(manifest.runtime)) in \(directory)"
      )
      context.diagnostics.status("Next: functions run \(name)")
    }
  }

  /// Builds the new function's manifest from the template kind and the options.
  static func makeManifest(
    _ kind: TemplateKind, name: String, topic: String, parsed: ParsedCommand, context: CommandContext
  ) throws -> Manifest {
    let settings = try Settings.load(layout: context.layout)
    let providerText =
      switch kind {
      case .pubsub: "gcp"
      case .event: "aws"
      case .http: parsed.value("provider") ?? settings.defaultProvider ?? "gcp"
      }
    guard let provider = Provider(rawValue: providerText) else {
      throw parsed.usageError("invalid provider '\(providerText)' in the settings; expected gcp or aws")
    }
    if kind == .event && provider != .aws {
      throw parsed.usageError(
        "event functions are AWS Lambda functions; use 'functions new pubsub' for Google Cloud")
    }
    let runtime =
      parsed.value("runtime") ?? (provider == .aws ? Runtimes.defaultAWSRuntime : Runtimes.defaultRuntime)
    let supported = Runtimes.supported(for: provider)
    guard supported.contains(runtime) else {
      throw parsed.usageError(
        "runtime '\(runtime)' is not \(provider == .aws ? "an AWS" : "a Google Cloud") runtime; expected one of "
          + supported.joined(separator: ", ")
      )
    }
    let eventSource = kind == .http ? parsed.value("event-source") : nil
    if eventSource != nil && provider != .aws {
      throw parsed.usageError("--event-source applies to AWS functions; add --provider aws")
    }

    switch provider {
    case .gcp:
      let trigger: Trigger = kind == .http ? .http : .pubsub(topic: topic)
      return Manifest(name: name, runtime: runtime, entryPoint: kind.defaultEntryPoint, trigger: trigger)
    case .aws:
      var aws = AWSSettings()
      if let eventSource, let source = AWSHTTPEventSource(rawValue: eventSource) {
        aws.httpEventSource = source
      }
      return Manifest(
        name: name, provider: .aws, runtime: runtime,
        entryPoint: AWSTemplates.defaultHandler(runtime: runtime),
        trigger: kind == .http ? .http : .event, aws: aws)
    }
  }
}
