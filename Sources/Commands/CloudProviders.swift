import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// The deploy providers this build has. The commands reach a provider only through this table, so a
/// provider is added with one entry.
enum CloudProviders {
  /// How to build one provider and fingerprint a function's local source for it.
  struct Entry: Sendable {
    /// The name in messages: `Lambda`, `Cloud Functions`.
    let displayName: String
    let make: @Sendable (CommandContext, Settings) -> any CloudProvider
    /// Returns the fingerprint of what a deploy would upload, without uploading or packaging.
    let sourceFingerprint: @Sendable (CommandContext, String, Manifest) throws -> String
  }

  static let table: [Provider: Entry] = [
    .aws: Entry(
      displayName: "Lambda",
      make: { context, settings in context.awsProvider(settings: settings) },
      sourceFingerprint: { context, directory, manifest in
        try context.lambdaPackager().sourceFingerprint(directory: directory, manifest: manifest)
      }),
    .gcp: Entry(
      displayName: "Cloud Functions",
      make: { context, _ in GCPProvider(runner: context.runner, environment: context.environment) },
      sourceFingerprint: { _, directory, _ in try GCPProvider.sourceFingerprint(directory: directory) }),
  ]

  /// Returns the table entry for `provider`, or throws an error that names the missing provider.
  static func entry(_ provider: Provider) throws -> Entry {
    guard let entry = table[provider] else {
      throw CommandFailure(
        "deploying to \(provider == .gcp ? "Google Cloud" : provider.rawValue) is not available in this build "
          + "of functions; available: " + table.keys.map(\.rawValue).sorted().joined(separator: ", "))
    }
    return entry
  }

  /// The `--profile`, `--project` and `--region` options every cloud command takes.
  static let targetOptions: [OptionSpec] = [
    .value(
      "region", valueName: "region",
      help: "The AWS Region or Google Cloud region.",
      defaultDescription: "the manifest's, then settings.json's, then the CLI's own configuration"),
    .value(
      "profile", valueName: "profile", help: "The AWS named profile (aws --profile).",
      defaultDescription: "settings.json's awsProfile, then the aws CLI's default"),
    .value(
      "project", valueName: "project", help: "The Google Cloud project (gcloud --project).",
      defaultDescription: "the manifest's, then settings.json's, then gcloud's configuration"),
  ]
}

extension CommandContext {
  /// Returns the account scope for a provider: command-line options, then the manifest, then the
  /// settings file. A field left nil lets the provider's CLI use its own configuration.
  func cloudTarget(_ parsed: ParsedCommand, provider: Provider, manifest: Manifest?, settings: Settings)
    -> CloudTarget
  {
    switch provider {
    case .aws:
      return CloudTarget(
        region: parsed.value("region") ?? manifest?.aws.region ?? settings.awsRegion,
        profile: parsed.value("profile") ?? settings.awsProfile)
    case .gcp:
      return CloudTarget(
        region: parsed.value("region") ?? manifest?.gcp.region ?? settings.gcpRegion,
        project: parsed.value("project") ?? manifest?.gcp.project ?? settings.gcpProject)
    }
  }

  func lambdaPackager() -> LambdaPackager {
    LambdaPackager(layout: layout, runner: runner, environment: environment)
  }

  func awsProvider(settings: Settings) -> AWSProvider {
    let diagnostics = self.diagnostics
    // NOTE: FUNCTIONS_LAMBDA_UPLOAD_LIMIT lowers the direct upload limit (in bytes) so tests can reach
    // the S3 path without 50 MB packages.
    let limit =
      environment["FUNCTIONS_LAMBDA_UPLOAD_LIMIT"].flatMap(Int.init) ?? AWSProvider.directUploadLimit
    return AWSProvider(
      cli: AWSCLI(
        runner: runner, environment: environment, endpointURL: settings.awsEndpointURL,
        log: { diagnostics.debug("running: \($0)") }),
      packager: lambdaPackager(), defaultBucket: settings.awsDeploymentBucket, uploadLimit: limit,
      progress: { diagnostics.progress($0) })
  }

  /// Returns the provider for a provider name given on the command line or by the manifest.
  func cloudProvider(_ provider: Provider, settings: Settings) throws -> any CloudProvider {
    try CloudProviders.entry(provider).make(self, settings)
  }

  /// Records a deployment as the provider reported it.
  func recordDeployment(
    name: String, provider: Provider, function: CloudFunction, target: CloudTarget, sourceFingerprint: String?
  ) throws {
    try registry.updateEntry(named: name) { entry in
      entry.deployment = CloudDeployment(
        provider: provider.rawValue, cloudName: function.cloudName, region: function.region ?? target.region,
        project: target.project, profile: target.profile, url: function.url,
        codeFingerprint: function.codeFingerprint, sourceFingerprint: sourceFingerprint,
        deployedAt: clock.now(),
        status: .deployed, checkedAt: clock.now())
    }
  }

  /// Returns whether the local source still matches what was deployed: "yes", "no", or "unknown" when it
  /// cannot be read.
  func localCodeMatches(_ entry: RegistryEntry, deployment: CloudDeployment) -> String {
    guard let provider = Provider(rawValue: deployment.provider),
      let tableEntry = CloudProviders.table[provider],
      let recorded = deployment.sourceFingerprint,
      let loaded = try? ManifestReader.load(path: entry.manifestPath),
      let current = try? tableEntry.sourceFingerprint(self, entry.directory, loaded.manifest)
    else { return "unknown" }
    return current == recorded ? "yes" : "no"
  }
}
