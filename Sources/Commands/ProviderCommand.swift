import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions aws …` and `functions gcp …`: deploy, delete, describe, list, logs and url for one provider.
enum ProviderCommand {
  static func make(_ provider: Provider) -> Command {
    let cloud = provider == .aws ? "AWS Lambda" : "Google Cloud Functions"
    let nameArgument = ArgumentSpec("name", help: "The registered function.")
    var extra: [Command] = []
    if provider == .aws {
      extra.append(
        Command(
          "package", abstract: "Write the function's Lambda deployment package and print its path.",
          discussion: """
            Writes the ZIP that a deploy would upload, without calling AWS, and prints its path. The status \
            line shows its size and its CodeSha256.
            """,
          arguments: [nameArgument], run: { parsed in try package(parsed) }))
    }
    return Command(
      provider.rawValue, abstract: "Deploy and manage functions on \(cloud).",
      subcommands: extra + [
        DeployCommand.make(provider: provider),
        Command(
          "delete", abstract: "Delete the function's cloud resources; the local function stays registered.",
          arguments: [nameArgument],
          options: [.flag("adopt", help: "Delete a cloud function that functions did not deploy.")]
            + CloudProviders.targetOptions,
          run: { parsed in try delete(parsed, provider) }),
        Command(
          "describe", abstract: "Show the deployed function as \(cloud) reports it.",
          arguments: [nameArgument],
          options: [.flag("json", help: "Print the description as JSON.")] + CloudProviders.targetOptions,
          run: { parsed in try describe(parsed, provider) }),
        Command(
          "list", abstract: "List the functions on \(cloud) that functions deployed.",
          options: [.flag("json", help: "Print the list as JSON.")] + CloudProviders.targetOptions,
          run: { parsed in try list(parsed, provider) }),
        Command(
          "logs", abstract: "Print the deployed function's logs.",
          arguments: [nameArgument],
          options: [
            .flag("follow", short: "f", help: "Keep printing new log lines until interrupted."),
            .value(
              "since", valueName: "duration", help: "How far back to start: 30s, 10m, 2h or 1d.",
              defaultDescription: "10m"),
          ] + CloudProviders.targetOptions,
          run: { parsed in try logs(parsed, provider) }),
        Command(
          "url", abstract: "Print the deployed function's HTTPS URL.",
          arguments: [nameArgument], options: CloudProviders.targetOptions,
          run: { parsed in try url(parsed, provider) }),
      ])
  }

  /// The registered function's cloud name and target, for commands that act on a deployed function.
  struct Scope {
    let context: CommandContext
    let provider: any CloudProvider
    let entry: RegistryEntry
    let cloudName: String
    let target: CloudTarget
  }

  static func scope(_ parsed: ParsedCommand, _ provider: Provider) throws -> Scope {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    try validateFunctionName(name, parsed)
    let (entry, loaded) = try context.loadFunction(name)
    guard loaded.manifest.provider == provider else {
      throw parsed.usageError(
        "\(name) is a \(loaded.manifest.provider.rawValue) function; use 'functions "
          + "\(loaded.manifest.provider.rawValue) \(parsed.path.last ?? "describe") \(name)'")
    }
    let settings = try Settings.load(layout: context.layout)
    var target = context.cloudTarget(
      parsed, provider: provider, manifest: loaded.manifest, settings: settings)
    if target.region == nil { target.region = entry.deployment?.region }
    return Scope(
      context: context, provider: try context.cloudProvider(provider, settings: settings), entry: entry,
      cloudName: entry.deployment?.cloudName ?? loaded.manifest.name, target: target)
  }

  static func delete(_ parsed: ParsedCommand, _ provider: Provider) throws {
    let scope = try scope(parsed, provider)
    guard let function = try scope.provider.describe(cloudName: scope.cloudName, target: scope.target) else {
      try scope.context.registry.updateEntry(named: scope.entry.name) { $0.deployment = nil }
      scope.context.diagnostics.status("\(scope.cloudName) is not deployed; nothing to delete")
      return
    }
    if function.registryName == nil && !parsed.flag("adopt") {
      throw CloudError.notManaged(cloudName: scope.cloudName, provider: provider.rawValue)
    }
    try scope.provider.delete(cloudName: scope.cloudName, target: scope.target)
    try scope.context.registry.updateEntry(named: scope.entry.name) { $0.deployment = nil }
    scope.context.diagnostics.status(
      "Deleted \(scope.cloudName) from the cloud; \(scope.entry.name) stays registered")
  }

  /// The JSON shape of a deployed function.
  struct FunctionView: Encodable {
    let name: String?
    let cloudName: String
    let region: String?
    let url: String?
    let state: String
    let codeFingerprint: String?
    let updateTime: String?
    let details: [String: String]
    /// Whether the local source matches the recorded deploy: yes, no or unknown (describe only).
    let localCodeMatches: String?

    init(_ function: CloudFunction, localCodeMatches: String? = nil) {
      name = function.registryName
      cloudName = function.cloudName
      region = function.region
      url = function.url
      state = function.state
      codeFingerprint = function.codeFingerprint
      updateTime = function.updateTime
      details = Dictionary(
        function.details.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
      self.localCodeMatches = localCodeMatches
    }
  }

  static func describe(_ parsed: ParsedCommand, _ provider: Provider) throws {
    let scope = try scope(parsed, provider)
    guard let function = try scope.provider.describe(cloudName: scope.cloudName, target: scope.target) else {
      throw CommandFailure(
        "\(scope.cloudName) is not deployed\(scope.target.region.map { " in \($0)" } ?? ""); deploy it with "
          + "'functions deploy \(scope.entry.name)'")
    }
    var matches = "unknown"
    if let deployment = scope.entry.deployment {
      matches =
        deployment.codeFingerprint == function.codeFingerprint
        ? scope.context.localCodeMatches(scope.entry, deployment: deployment)
        : "no (changed outside functions)"
    }
    if parsed.flag("json") {
      try printJSON(FunctionView(function, localCodeMatches: matches))
      return
    }
    var rows: [(String, String)] = [
      ("name", function.cloudName),
      ("managed by functions", function.registryName.map { "yes (\($0))" } ?? "no"),
      ("state", function.state), ("region", function.region ?? "-"), ("url", function.url ?? "-"),
      ("code", function.codeFingerprint ?? "-"), ("matches local code", matches),
      ("updated", function.updateTime ?? "-"),
    ]
    rows += function.details.map { ($0.key, $0.value) }
    let width = rows.map(\.0.count).max() ?? 0
    for (key, value) in rows {
      StandardOutput.line(key + ":" + String(repeating: " ", count: width - key.count + 1) + value)
    }
  }

  static func list(_ parsed: ParsedCommand, _ provider: Provider) throws {
    let context = CommandContext(parsed: parsed)
    let settings = try Settings.load(layout: context.layout)
    let cloud = try context.cloudProvider(provider, settings: settings)
    let target = context.cloudTarget(parsed, provider: provider, manifest: nil, settings: settings)
    let functions = try cloud.list(target: target)
    if parsed.flag("json") {
      try printJSON(functions.map { FunctionView($0) })
      return
    }
    if functions.isEmpty {
      context.diagnostics.status("No functions deployed by functions were found")
      return
    }
    let rows = functions.map { function in
      [
        function.registryName ?? "-", function.cloudName, function.region ?? "-", function.state,
        function.updateTime ?? "-",
      ]
    }
    StandardOutput.write(
      formatTable(
        header: ["NAME", "CLOUD NAME", "REGION", "STATE", "UPDATED"], rows: rows,
        color: context.outputColor(parsed)))
  }

  static func logs(_ parsed: ParsedCommand, _ provider: Provider) throws {
    let scope = try scope(parsed, provider)
    var since: Int?
    if let text = parsed.value("since") {
      guard let seconds = parseDuration(text) else {
        throw parsed.usageError(
          "invalid duration '\(text)' for --since; use a number with s, m, h or d, such as 10m")
      }
      since = seconds
    }
    try scope.provider.logs(
      cloudName: scope.cloudName, target: scope.target, follow: parsed.flag("follow"), since: since)
  }

  static func url(_ parsed: ParsedCommand, _ provider: Provider) throws {
    let scope = try scope(parsed, provider)
    guard let function = try scope.provider.describe(cloudName: scope.cloudName, target: scope.target) else {
      throw CommandFailure(
        "\(scope.cloudName) is not deployed; deploy it with 'functions deploy \(scope.entry.name)'")
    }
    guard let url = function.url else {
      throw CommandFailure(
        "\(scope.cloudName) has no HTTPS URL; only HTTP functions get one (\"trigger\": {\"type\": \"http\"})"
      )
    }
    StandardOutput.line(url)
  }

  static func package(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    try validateFunctionName(name, parsed)
    let (entry, loaded) = try context.loadFunction(name)
    guard loaded.manifest.provider == .aws else {
      throw parsed.usageError(
        "\(name) is a \(loaded.manifest.provider.rawValue) function; only AWS functions have a Lambda package"
      )
    }
    let diagnostics = context.diagnostics
    let package = try context.lambdaPackager().makePackage(
      registryName: name, directory: entry.directory, manifest: loaded.manifest,
      progress: { diagnostics.progress($0) })
    diagnostics.status(
      "\(package.entryCount) entries, \(package.byteCount) bytes, CodeSha256 \(package.codeSHA256)")
    StandardOutput.line(package.path)
  }

  /// Returns the seconds in `30s`, `10m`, `2h` or `1d`; a bare number is seconds.
  static func parseDuration(_ text: String) -> Int? {
    let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    if let value = Int(text), value >= 0 { return value }
    guard let unit = text.last, let factor = units[unit], let value = Int(text.dropLast()), value >= 0 else {
      return nil
    }
    return value * factor
  }
}
