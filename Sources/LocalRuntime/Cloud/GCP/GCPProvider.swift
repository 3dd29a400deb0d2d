import Basics
import Foundation
import FunctionsCore

/// Deploys and manages Google Cloud Functions (2nd gen) by running the user's own `gcloud`, so its
/// credentials, configuration and validation of every flag apply.
public struct GCPProvider: CloudProvider {
  public let provider: Provider = .gcp
  let runner: ProcessRunner
  /// The environment `gcloud` runs with. Tests point its endpoint overrides at a loopback stand-in.
  let environment: [String: String]
  /// Receives each log line that `logs` prints.
  let output: @Sendable (String) -> Void
  /// The interval between two reads of `logs --follow`.
  let followInterval: Duration
  /// The time limit of one `gcloud` run, which for a deploy includes the build and the rollout.
  let timeout: Duration

  public init(
    runner: ProcessRunner = ProcessRunner(), environment: [String: String],
    output: @escaping @Sendable (String) -> Void = StandardOutput.line,
    followInterval: Duration = .seconds(5),
    timeout: Duration = .seconds(1800)
  ) {
    self.runner = runner
    self.environment = environment
    self.output = output
    self.followInterval = followInterval
    self.timeout = timeout
  }

  /// Returns the fingerprint of the files a deploy of `directory` would upload, after the ignore rules.
  public static func sourceFingerprint(directory: String) throws -> String {
    try GCPSourceFiles.fingerprint(
      directory: directory, rules: GCPSourceFiles.ignoreRules(directory: directory).rules)
  }

  // MARK: - Deploy

  public func plan(_ request: DeployRequest) throws -> [CloudCommand] {
    try GCPReservedVariables.validate(request.manifest.environment)
    let scope = try resolveScope(request.target, manifest: request.manifest)
    let prepared = try prepare(request, workDirectory: planDirectory(for: request))
    return [
      GCPCommands.describe(cloudName: request.manifest.name, scope: scope),
      deployCommand(request, scope: scope, prepared: prepared, clearsEnvironment: false),
    ]
  }

  public func deploy(_ request: DeployRequest) throws -> DeployOutcome {
    // Reserved names are rejected before any gcloud process starts.
    try GCPReservedVariables.validate(request.manifest.environment)
    let manifest = request.manifest
    let cloudName = manifest.name
    let scope = try resolveScope(request.target, manifest: manifest)
    let workDirectory = try makePrivateDirectory()
    defer { try? FileManager.default.removeItem(atPath: workDirectory) }
    let prepared = try prepare(request, workDirectory: workDirectory)

    let existing = try describeObject(cloudName: cloudName, scope: scope)
    var clearsEnvironment = false
    if let existing {
      let deployed = GCPFunctionParser.function(from: existing)
      try checkOwnership(deployed, registryName: request.registryName, adopt: request.adopt, scope: scope)
      let settings = GCPFunctionParser.settings(from: existing)
      let sourceMatches = deployed.codeFingerprint == prepared.labelFingerprint
      let settingsMatch = Self.settingsMatch(settings, manifest: manifest)
      if sourceMatches && settingsMatch && deployed.registryName != nil {
        return DeployOutcome(function: deployed, uploadedCode: false, changedConfiguration: false)
      }
      clearsEnvironment = manifest.environment.isEmpty && !settings.environment.isEmpty
    }

    if let text = prepared.environmentFileText {
      try writePrivateFile(text, to: prepared.environmentFile!)
    }
    if let text = prepared.ignoreFileText {
      try writePrivateFile(text, to: prepared.ignoreFile!)
    }
    let command = deployCommand(
      request, scope: scope, prepared: prepared, clearsEnvironment: clearsEnvironment)
    let result = try run(command)
    let function = try GCPFunctionParser.function(fromJSON: result.output, commandLine: command.arguments)
    let changedConfiguration =
      existing.map { !Self.settingsMatch(GCPFunctionParser.settings(from: $0), manifest: manifest) } ?? true
    // NOTE: gcloud uploads the source on every deploy, also when only the configuration changed.
    return DeployOutcome(function: function, uploadedCode: true, changedConfiguration: changedConfiguration)
  }

  /// Files and fingerprint a deploy needs, computed before anything runs.
  struct PreparedDeploy {
    var labelFingerprint: String
    var environmentFile: String?
    var environmentFileText: String?
    var ignoreFile: String?
    var ignoreFileText: String?
  }

  func prepare(_ request: DeployRequest, workDirectory: String) throws -> PreparedDeploy {
    let directory = request.directory.path
    let (rules, generatedIgnore) = GCPSourceFiles.ignoreRules(directory: directory)
    let fingerprint = try GCPSourceFiles.fingerprint(directory: directory, rules: rules)
    let environment = request.manifest.environment
    return PreparedDeploy(
      labelFingerprint: String(fingerprint.prefix(GCPLabels.fingerprintLength)),
      environmentFile: environment.isEmpty ? nil : "\(workDirectory)/environment.yaml",
      environmentFileText: environment.isEmpty ? nil : GCPCommands.environmentFileText(environment),
      ignoreFile: generatedIgnore == nil ? nil : "\(workDirectory)/gcloudignore",
      ignoreFileText: generatedIgnore)
  }

  private func deployCommand(
    _ request: DeployRequest, scope: GCPScope, prepared: PreparedDeploy, clearsEnvironment: Bool
  ) -> CloudCommand {
    GCPCommands.deploy(
      cloudName: request.manifest.name, registryName: request.registryName, manifest: request.manifest,
      directory: request.directory.path, scope: scope, fingerprint: prepared.labelFingerprint,
      environmentFile: prepared.environmentFile, ignoreFile: prepared.ignoreFile,
      clearsEnvironment: clearsEnvironment)
  }

  /// Whether the deployed settings equal the manifest's. Memory and timeout left out of the manifest
  /// match anything, because a deploy without them keeps the deployed values.
  static func settingsMatch(_ deployed: GCPFunctionParser.DeployedSettings, manifest: Manifest) -> Bool {
    var topic: String?
    if case .pubsub(let name) = manifest.trigger { topic = name }
    return deployed.runtime == manifest.runtime && deployed.entryPoint == manifest.entryPoint
      && deployed.topic == topic && deployed.environment == manifest.environment
      && (manifest.gcp.memory == nil || deployed.memory == manifest.gcp.memory)
      && (manifest.gcp.timeoutSeconds == nil || deployed.timeoutSeconds == manifest.gcp.timeoutSeconds)
  }

  private func checkOwnership(
    _ function: CloudFunction, registryName: String, adopt: Bool, scope: GCPScope
  ) throws(GCPError) {
    guard !adopt else { return }
    guard let owner = function.registryName else {
      throw .unmanagedFunction(name: function.cloudName, project: scope.project, region: scope.region)
    }
    if owner != GCPLabels.value(registryName) {
      throw .managedByAnother(name: function.cloudName, registryName: owner)
    }
  }

  // MARK: - Describe, list, delete, logs

  public func describe(cloudName: String, target: CloudTarget) throws -> CloudFunction? {
    let scope = try resolveScope(target, manifest: nil)
    return try describeObject(cloudName: cloudName, scope: scope).map(GCPFunctionParser.function(from:))
  }

  public func list(target: CloudTarget) throws -> [CloudFunction] {
    let project = try resolveScope(target, manifest: nil, requiresRegion: false).project
    let command = GCPCommands.list(project: project, region: target.region)
    let result = try run(command)
    // gcloud filters by label already, and this check keeps unlabelled functions out whatever it prints.
    return try GCPFunctionParser.functions(fromJSON: result.output, commandLine: command.arguments)
      .filter { $0.registryName != nil }
  }

  public func delete(cloudName: String, target: CloudTarget) throws {
    let scope = try resolveScope(target, manifest: nil)
    guard let object = try describeObject(cloudName: cloudName, scope: scope) else {
      throw GCPError.functionNotFound(name: cloudName, project: scope.project, region: scope.region)
    }
    let function = GCPFunctionParser.function(from: object)
    guard function.registryName != nil else {
      throw GCPError.unmanagedFunction(name: cloudName, project: scope.project, region: scope.region)
    }
    try run(GCPCommands.delete(cloudName: cloudName, scope: scope))
  }

  /// Prints log entries oldest first. `gcloud functions logs read` has no streaming mode for 2nd gen
  /// functions, so `follow` reads again every `followInterval` from the newest entry's time on.
  public func logs(cloudName: String, target: CloudTarget, follow: Bool, since: Int?) throws {
    try logs(cloudName: cloudName, target: target, follow: follow, since: since, maxReads: nil)
  }

  /// `maxReads` bounds the reads of `follow` for tests. Nil reads until the process is interrupted.
  func logs(cloudName: String, target: CloudTarget, follow: Bool, since: Int?, maxReads: Int?) throws {
    let scope = try resolveScope(target, manifest: nil)
    var startTime = since.map { Self.rfc3339(Date().addingTimeInterval(-Double($0))) }
    var printed = Set<String>()
    var reads = 0
    while true {
      let command = GCPCommands.readLogs(
        cloudName: cloudName, scope: scope, limit: 1000, startTime: startTime)
      let result = try run(command)
      let entries = try GCPFunctionParser.logEntries(fromJSON: result.output, commandLine: command.arguments)
      for entry in entries where printed.insert(entry.line).inserted {
        output(entry.line)
      }
      reads += 1
      guard follow, maxReads.map({ reads < $0 }) ?? true else { return }
      if let newest = entries.last?.time, let date = Self.parseLogTime(newest) {
        startTime = Self.rfc3339(date)
      }
      Thread.sleep(forTimeInterval: Double(followInterval.components.seconds))
    }
  }

  // MARK: - Helpers

  /// Returns the function's JSON object, or nil when gcloud reports that it does not exist.
  func describeObject(cloudName: String, scope: GCPScope) throws -> [String: Any]? {
    let command = GCPCommands.describe(cloudName: cloudName, scope: scope)
    let result = try launch(command)
    guard result.termination.isSuccess else {
      let message = GCPError.gcloudMessage(result)
      if message.contains("status=[404]") || message.contains("NOT_FOUND") { return nil }
      throw GCPError.commandFailed(
        commandLine: command.arguments, status: result.termination.description, message: message)
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
    else {
      throw GCPError.invalidOutput(commandLine: command.arguments, detail: "expected a JSON object")
    }
    return object
  }

  /// Returns the project and region from the target, then the manifest, then gcloud's configuration.
  func resolveScope(_ target: CloudTarget, manifest: Manifest?, requiresRegion: Bool = true) throws
    -> GCPScope
  {
    var project = target.project ?? manifest?.gcp.project
    var region = target.region ?? manifest?.gcp.region
    if project == nil || (requiresRegion && region == nil) {
      let configured = try configuredScope()
      project = project ?? configured.project
      region = region ?? configured.region
    }
    guard let project, !project.isEmpty else { throw GCPError.missingProject }
    guard let region = region, !region.isEmpty else {
      if requiresRegion { throw GCPError.missingRegion }
      return GCPScope(project: project, region: "-")
    }
    return GCPScope(project: project, region: region)
  }

  /// Reads `core/project` and `functions/region` from `gcloud config list`, which includes values that
  /// `CLOUDSDK_CORE_PROJECT` and `CLOUDSDK_FUNCTIONS_REGION` set.
  private func configuredScope() throws -> (project: String?, region: String?) {
    let command = GCPCommands.configuration
    let result = try run(command)
    guard let object = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
    else {
      throw GCPError.invalidOutput(commandLine: command.arguments, detail: "expected a JSON object")
    }
    let core = object["core"] as? [String: Any]
    let functions = object["functions"] as? [String: Any]
    return (core?["project"] as? String, functions?["region"] as? String)
  }

  /// Runs a command and throws `commandFailed` with gcloud's message unless it succeeds.
  @discardableResult
  private func run(_ command: CloudCommand) throws -> ProcessResult {
    let result = try launch(command)
    guard result.termination.isSuccess else {
      throw GCPError.commandFailed(
        commandLine: command.arguments, status: result.termination.description,
        message: GCPError.gcloudMessage(result))
    }
    return result
  }

  private func launch(_ command: CloudCommand) throws -> ProcessResult {
    guard let executable = ExecutableLookup.find(command.arguments[0], environment: environment) else {
      throw GCPError.gcloudMissing
    }
    let spec = ProcessSpec(
      executable: executable, arguments: Array(command.arguments.dropFirst()), environment: environment)
    return try runner.run(spec, timeout: timeout)
  }

  private func planDirectory(for request: DeployRequest) -> String {
    "\(NSTemporaryDirectory())functions-deploy-\(GCPLabels.value(request.registryName))"
  }

  private func makePrivateDirectory() throws -> String {
    let path = "\(NSTemporaryDirectory())functions-deploy-\(UUID().uuidString.lowercased())"
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw GCPError.io("cannot create the temporary directory \(path): \(error.localizedDescription)")
    }
    return path
  }

  private func writePrivateFile(_ text: String, to path: String) throws {
    guard
      FileManager.default.createFile(
        atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else { throw GCPError.io("cannot write \(path)") }
  }

  static func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  /// Parses gcloud's `time_utc` (`2026-01-02 03:04:05.123`).
  static func parseLogTime(_ text: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
    return formatter.date(from: text)
  }
}
