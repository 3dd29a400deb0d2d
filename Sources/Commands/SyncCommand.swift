import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions sync [aws|gcp|docker]`: compares the registry's deployment records with what the providers
/// report, or the Docker backend's containers with the registry.
enum SyncCommand {
  static func make() -> Command {
    Command(
      "sync", abstract: "Update the registry's cloud state from what the providers report.",
      discussion: """
        Each deployed function is marked deployed, changed-outside (its code is no longer the code \
        functions deployed) or gone (the provider no longer has it). Functions that carry the managed-by \
        tag with a registered name but have no record yet are recorded as deployed. 'functions sync docker' \
        removes, by their labels, this registry's Docker containers of functions that are not running, and \
        the containers and images of names it no longer registers; other registries' objects are never \
        touched.
        """,
      arguments: [
        ArgumentSpec(
          "provider", help: "Only this provider: aws, gcp, or docker for local containers.", isOptional: true)
      ],
      options: [.flag("json", help: "Print the results as JSON.")] + CloudProviders.targetOptions,
      run: { parsed in try run(parsed) })
  }

  struct Row: Encodable {
    let name: String
    let provider: String
    let cloudName: String
    let status: CloudStatus
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    var providers = Provider.allCases
    if parsed.argument("provider") == "docker" {
      try syncContainers(parsed, context: context)
      return
    }
    if let text = parsed.argument("provider") {
      guard let provider = Provider(rawValue: text) else {
        throw parsed.usageError("invalid provider '\(text)'; expected aws, gcp or docker")
      }
      providers = [provider]
    } else {
      // Without an argument, only providers that registered functions target are asked, so a user of
      // one cloud never needs the other cloud's CLI.
      let registered = Set(try context.registry.read().functions.values.map(\.provider))
      providers = providers.filter { registered.contains($0.rawValue) }
    }
    let settings = try Settings.load(layout: context.layout)
    var rows: [Row] = []
    for provider in providers {
      guard CloudProviders.table[provider] != nil else {
        if parsed.argument("provider") != nil { _ = try CloudProviders.entry(provider) }
        continue
      }
      rows += try sync(provider, parsed: parsed, context: context, settings: settings)
    }
    if parsed.flag("json") {
      try printJSON(rows)
      return
    }
    if rows.isEmpty {
      context.diagnostics.status(
        "No deployed functions are recorded; deploy one with 'functions deploy NAME'")
      return
    }
    StandardOutput.write(
      formatTable(
        header: ["NAME", "PROVIDER", "CLOUD NAME", "STATUS"],
        rows: rows.map { [$0.name, $0.provider, $0.cloudName, $0.status.rawValue] },
        color: context.outputColor(parsed)))
  }

  static func sync(_ provider: Provider, parsed: ParsedCommand, context: CommandContext, settings: Settings)
    throws
    -> [Row]
  {
    let cloud = try context.cloudProvider(provider, settings: settings)
    let document = try context.registry.read()
    var rows: [Row] = []
    for entry in document.sortedEntries {
      guard let deployment = entry.deployment, deployment.provider == provider.rawValue else { continue }
      var target = context.cloudTarget(parsed, provider: provider, manifest: nil, settings: settings)
      target.region = parsed.value("region") ?? deployment.region ?? target.region
      target.profile = parsed.value("profile") ?? deployment.profile ?? target.profile
      target.project = parsed.value("project") ?? deployment.project ?? target.project
      let reported = try cloud.describe(cloudName: deployment.cloudName, target: target)
      let status: CloudStatus
      if let reported {
        status = reported.codeFingerprint == deployment.codeFingerprint ? .deployed : .changedOutside
      } else {
        status = .gone
      }
      try context.registry.updateEntry(named: entry.name) { current in
        current.deployment?.status = status
        current.deployment?.checkedAt = context.clock.now()
        if let url = reported?.url { current.deployment?.url = url }
      }
      rows.append(
        Row(name: entry.name, provider: provider.rawValue, cloudName: deployment.cloudName, status: status))
    }

    // Managed functions in the default scope whose registered function has no record yet.
    let target = context.cloudTarget(parsed, provider: provider, manifest: nil, settings: settings)
    for function in try cloud.list(target: target) {
      guard let name = function.registryName, let entry = document.functions[name], entry.deployment == nil,
        entry.provider == provider.rawValue
      else { continue }
      try context.recordDeployment(
        name: name, provider: provider, function: function, target: target, sourceFingerprint: nil)
      rows.append(
        Row(name: name, provider: provider.rawValue, cloudName: function.cloudName, status: .deployed))
    }
    return rows
  }

  /// One container or image that `sync docker` looked at.
  struct DockerObjectRow: Encodable {
    /// `container` or `image`.
    let kind: String
    let id: String
    let name: String
    /// Docker's state word for a container (`running`, `exited`, …); the reference for an image.
    let state: String
    /// `removed`, `kept` (its function runs or is registered) or `failed` (an image that a container
    /// of another registry still uses).
    let action: String
  }

  /// Removes what this registry created and no longer needs: the containers of functions that are not
  /// running, and the containers and images of names it no longer registers (after `remove`). Other
  /// registries' objects carry another state label and are never listed.
  static func syncContainers(_ parsed: ParsedCommand, context: CommandContext) throws {
    let docker = DockerCLI(runner: context.runner, environment: context.environment)
    let document = try context.registry.read()
    var rows: [DockerObjectRow] = []
    var staleContainers: [String] = []
    for container in try docker.managedContainers() {
      let isRunning = document.functions[container.functionName]?.effectiveState == .running
      if !isRunning { staleContainers.append(container.id) }
      rows.append(
        DockerObjectRow(
          kind: "container", id: String(container.id.prefix(12)), name: container.functionName,
          state: container.state, action: isRunning ? "kept" : "removed"))
    }
    try docker.removeContainers(ids: staleContainers)
    for image in try docker.managedImages() {
      var action = "kept"
      if document.functions[image.functionName] == nil {
        let removal = try docker.run(["image", "rm", image.reference], timeout: .seconds(60))
        action = removal.termination.isSuccess ? "removed" : "failed"
      }
      rows.append(
        DockerObjectRow(
          kind: "image", id: String(image.id.replacingOccurrences(of: "sha256:", with: "").prefix(12)),
          name: image.functionName, state: image.reference, action: action))
    }
    if parsed.flag("json") {
      try printJSON(rows)
      return
    }
    if rows.isEmpty {
      context.diagnostics.status("This registry has no Docker containers or images")
      return
    }
    StandardOutput.write(
      formatTable(
        header: ["KIND", "ID", "NAME", "STATE", "ACTION"],
        rows: rows.map { [$0.kind, $0.id, $0.name, $0.state, $0.action] },
        color: context.outputColor(parsed)))
  }
}
