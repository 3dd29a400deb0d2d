import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions deploy NAME`: deploys a function to its manifest's provider.
enum DeployCommand {
  static func make(provider: Provider? = nil) -> Command {
    let cloud = provider.map { $0 == .aws ? "AWS Lambda" : "Google Cloud Functions" } ?? "its provider"
    return Command(
      "deploy", abstract: "Deploy a function to \(cloud).",
      discussion: """
        Packages the function and creates or updates it through the provider's CLI, with your own \
        credentials. A deploy without a change uploads nothing. The manifest's predeploy and postdeploy \
        scripts run around it. A cloud function of the same name that functions did not deploy is left \
        alone unless --adopt is given.
        """,
      arguments: [ArgumentSpec("name", help: "The registered function to deploy.")],
      options: [
        .flag(
          "dry-run", help: "Print the commands the deploy would run, secrets redacted, and change nothing."),
        .flag("adopt", help: "Take over a cloud function of the same name that functions did not deploy."),
      ] + CloudProviders.targetOptions,
      run: { parsed in try run(parsed, provider: provider) })
  }

  static func run(_ parsed: ParsedCommand, provider requested: Provider?) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    try validateFunctionName(name, parsed)
    let (entry, loaded) = try context.loadFunction(name)
    let manifest = loaded.manifest
    if let requested, requested != manifest.provider {
      throw parsed.usageError(
        "\(name) is a \(manifest.provider.rawValue) function (\"provider\" in \(loaded.path)); deploy it with "
          + "'functions deploy \(name)' or 'functions \(manifest.provider.rawValue) deploy \(name)'")
    }
    let settings = try Settings.load(layout: context.layout)
    let tableEntry = try CloudProviders.entry(manifest.provider)
    let provider = tableEntry.make(context, settings)
    let target = context.cloudTarget(
      parsed, provider: manifest.provider, manifest: manifest, settings: settings)
    let request = DeployRequest(
      registryName: name, manifest: manifest, directory: URL(fileURLWithPath: entry.directory),
      target: target,
      adopt: parsed.flag("adopt"))

    if parsed.flag("dry-run") {
      for hook in ["predeploy", "postdeploy"] {
        if let script = manifest.scripts[hook] { StandardOutput.line("# \(hook) script: \(script)") }
      }
      let commands = try provider.plan(request)
      for command in commands { StandardOutput.line(command.redactedText) }
      context.diagnostics.note("dry run: nothing was changed (\(commands.count) commands)")
      return
    }

    try context.runHook("predeploy", entry: entry, manifest: manifest)
    if entry.deployment?.status == .changedOutside {
      context.diagnostics.warning(
        "\(name) was changed outside functions since its last deploy ('functions sync' found other code); "
          + "this deploy replaces that code with the local code")
    }
    context.diagnostics.status("Deploying \(name) to \(tableEntry.displayName)…")
    let sourceFingerprint = try? tableEntry.sourceFingerprint(context, entry.directory, manifest)
    let outcome: DeployOutcome
    do {
      outcome = try provider.deploy(request)
    } catch {
      recordAfterFailure(context, provider: provider, entry: entry, target: target)
      throw error
    }
    try context.recordDeployment(
      name: name, provider: manifest.provider, function: outcome.function, target: target,
      sourceFingerprint: sourceFingerprint)
    try context.runHook("postdeploy", entry: entry, manifest: manifest)

    let code = outcome.uploadedCode ? "code uploaded" : "code unchanged, nothing uploaded"
    let configuration = outcome.changedConfiguration ? "configuration updated" : "configuration unchanged"
    let region = outcome.function.region.map { " in \($0)" } ?? ""
    context.diagnostics.status("Deployed \(name)\(region): \(code), \(configuration)")
    StandardOutput.line(outcome.function.url ?? outcome.function.cloudName)
  }

  /// Keeps the registry true after a failed deploy: records what the provider now reports, or nothing
  /// when the provider cannot be asked either.
  static func recordAfterFailure(
    _ context: CommandContext, provider: any CloudProvider, entry: RegistryEntry, target: CloudTarget
  ) {
    let cloudName = entry.deployment?.cloudName ?? entry.name
    // A function that this tool never deployed (the adopt check failed) gets no record.
    guard let reported = try? provider.describe(cloudName: cloudName, target: target),
      reported.registryName == entry.name || entry.deployment != nil
    else {
      if entry.deployment != nil {
        context.diagnostics.note("the registry still records the previous deploy of \(entry.name)")
      }
      return
    }
    try? context.registry.updateEntry(named: entry.name) { current in
      var deployment =
        current.deployment
        ?? CloudDeployment(
          provider: provider.provider.rawValue, cloudName: reported.cloudName, deployedAt: context.clock.now()
        )
      let codeChanged = deployment.codeFingerprint != reported.codeFingerprint
      deployment.codeFingerprint = reported.codeFingerprint
      deployment.region = reported.region ?? deployment.region
      deployment.url = reported.url ?? deployment.url
      deployment.checkedAt = context.clock.now()
      // The half-finished deploy may have replaced the code. Then the recorded source is not the source
      // that runs in the cloud any more.
      if codeChanged { deployment.sourceFingerprint = nil }
      current.deployment = deployment
    }
  }
}
