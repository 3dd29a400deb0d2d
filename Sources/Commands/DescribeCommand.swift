import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions describe NAME`: the manifest, paths, state and URL of one function.
enum DescribeCommand {
  static func make() -> Command {
    Command(
      "describe", abstract: "Show a function's manifest, paths, state and URL.",
      arguments: [ArgumentSpec("name", help: "The function to describe.")],
      options: [
        .flag("json", help: "Print the description as JSON."),
        .flag("show-secrets", help: "Show environment variable values instead of redacting them."),
      ],
      run: { parsed in try run(parsed) })
  }

  static let redacted = "<redacted>"

  struct AWSView: Encodable {
    let memorySize: Int
    let timeoutSeconds: Int
    let architecture: String
    let maxConcurrency: Int
    let eventSource: String?
    let region: String?
  }

  struct Description: Encodable {
    let name: String
    let state: LocalState
    let url: String?
    /// For AWS functions, how to call the local Lambda Invoke API.
    let invokeCommand: String?
    let pid: Int32?
    /// Whether the running function restarts on source changes; nil when it does not run.
    let watch: Bool?
    let directory: String
    let manifestFile: String
    let logFile: String
    /// `process` or `docker`: the backend of the last build or run, else the one the next run uses.
    let backend: String
    let environmentDirectory: String?
    /// On the docker backend, the function's current images; nil when Docker cannot be asked.
    let images: [String]?
    let manifest: ManifestView
    /// The deployment, as the last deploy or sync recorded it.
    let deployment: DeploymentView?
  }

  /// A deployment record with whether the local code still matches it.
  struct DeploymentView: Encodable {
    let provider: String
    let cloudName: String
    let region: String?
    let url: String?
    let status: CloudStatus
    let deployedAt: Date
    let checkedAt: Date?
    let codeFingerprint: String?
    /// `yes`, `no` or `unknown`: whether the local source is the source that was deployed.
    let localCodeMatches: String

    init(_ deployment: CloudDeployment, localCodeMatches: String) {
      provider = deployment.provider
      cloudName = deployment.cloudName
      region = deployment.region
      url = deployment.url
      status = deployment.status
      deployedAt = deployment.deployedAt
      checkedAt = deployment.checkedAt
      codeFingerprint = deployment.codeFingerprint
      self.localCodeMatches = localCodeMatches
    }
  }

  struct ManifestView: Encodable {
    let provider: String
    let runtime: String
    /// The Python function (Google Cloud) or the handler (AWS).
    let entryPoint: String
    /// The source file (Google Cloud functions only).
    let source: String?
    let aws: AWSView?
    let trigger: String
    let environment: [String: String]
    let envFile: String?
    let region: String?
    let project: String?
    let memory: String?
    let timeoutSeconds: Int?
  }

  /// Describes where the function's runtime comes from.
  static func environmentDescription(entry: RegistryEntry, manifest: Manifest, directory: String?) -> String {
    switch manifest.runtimeFamily {
    case .python: directory ?? "not built yet ('functions build \(entry.name)')"
    case .node: "none needed: Node.js runs the function with the bootstrap that ships with functions"
    case .custom: "none needed: the function's own bootstrap is the runtime"
    }
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let (entry, loaded) = try context.loadFunction(name)
    let manifest = loaded.manifest
    let showSecrets = parsed.flag("show-secrets")
    let environment = manifest.environment.mapValues { showSecrets ? $0 : redacted }
    let environmentDirectory = entry.environmentFingerprint.map {
      context.environmentBuilder().directory(for: $0)
    }
    let state = entry.effectiveState
    let backend =
      entry.backend.flatMap(Backend.init(rawValue:))
      ?? Backend.resolve(
        option: nil, manifest: manifest, settings: (try? Settings.load(layout: context.layout)) ?? Settings())
    var images: [String]?
    if backend == .docker {
      images = try? DockerCLI(runner: context.runner, environment: context.environment)
        .images(functionName: name).map(\.reference)
    }
    let description = Description(
      name: name, state: state, url: entry.url,
      invokeCommand: manifest.provider == .aws
        ? entry.url.map { "aws lambda invoke --endpoint-url \($0) --function-name \(name) response.json" }
        : nil,
      pid: state == .running || entry.watchedServerIsAlive ? entry.process?.pid : nil,
      watch: entry.process?.isAlive == true ? entry.process?.watches == true : nil,
      directory: entry.directory, manifestFile: loaded.path, logFile: context.layout.logFile(for: name),
      backend: backend.rawValue, environmentDirectory: backend == .process ? environmentDirectory : nil,
      images: images,
      manifest: ManifestView(
        provider: manifest.provider.rawValue, runtime: manifest.runtime, entryPoint: manifest.entryPoint,
        source: manifest.provider == .gcp ? manifest.source : nil,
        aws: manifest.provider == .aws
          ? AWSView(
            memorySize: manifest.aws.memorySize, timeoutSeconds: manifest.aws.timeoutSeconds,
            architecture: manifest.aws.architecture, maxConcurrency: manifest.aws.maxConcurrency,
            eventSource: manifest.trigger == .http ? manifest.aws.httpEventSource.rawValue : nil,
            region: manifest.aws.region) : nil,
        trigger: manifest.trigger.summary, environment: environment,
        envFile: manifest.envFile, region: manifest.gcp.region, project: manifest.gcp.project,
        memory: manifest.gcp.memory, timeoutSeconds: manifest.gcp.timeoutSeconds),
      deployment: entry.deployment.map {
        DeploymentView($0, localCodeMatches: context.localCodeMatches(entry, deployment: $0))
      })
    if parsed.flag("json") {
      try printJSON(description)
      return
    }
    var lines: [(String, String)] = [
      ("Name", name),
      ("State", state.rawValue),
      ("URL", description.url ?? "-"),
    ]
    if let pid = description.pid { lines.append(("PID", String(pid))) }
    if let watch = description.watch {
      lines.append(("Watch", watch ? "on: restarts when the source changes" : "off"))
    }
    if let invokeCommand = description.invokeCommand { lines.append(("Invoke API", invokeCommand)) }
    lines += [
      ("Provider", manifest.provider.rawValue),
      ("Runtime", manifest.runtime),
    ]
    if manifest.provider == .aws {
      lines.append(("Handler", manifest.entryPoint))
    } else {
      lines += [("Entry point", manifest.entryPoint), ("Source", manifest.source)]
    }
    lines += [
      ("Trigger", manifest.trigger.summary),
      ("Directory", entry.directory),
      ("Manifest", loaded.path),
      ("Log", description.logFile),
      ("Backend", backend.rawValue),
    ]
    switch backend {
    case .process:
      lines.append(
        (
          "Environment",
          environmentDescription(entry: entry, manifest: manifest, directory: environmentDirectory)
        ))
    case .docker:
      let image =
        images.map {
          $0.isEmpty
            ? "not built yet ('functions build \(name) --backend docker')" : $0.joined(separator: ", ")
        }
        ?? "unknown: Docker cannot be asked ('functions doctor')"
      lines.append(("Image", image))
    }
    if manifest.provider == .aws {
      lines += [
        ("Memory", "\(manifest.aws.memorySize) MB"),
        ("Timeout", "\(manifest.aws.timeoutSeconds) s"),
        ("Architecture", manifest.aws.architecture),
        ("Instances", "up to \(manifest.aws.maxConcurrency) at once"),
        ("AWS Region", try context.awsRegion(for: manifest)),
      ]
      if manifest.trigger == .http { lines.append(("Event source", manifest.aws.httpEventSource.rawValue)) }
    }
    if let region = manifest.gcp.region { lines.append(("Region", region)) }
    if let project = manifest.gcp.project { lines.append(("Project", project)) }
    if let memory = manifest.gcp.memory { lines.append(("Memory", memory)) }
    if let timeout = manifest.gcp.timeoutSeconds { lines.append(("Timeout", "\(timeout) s")) }
    if let envFile = manifest.envFile { lines.append(("Env file", envFile)) }
    if let deployment = description.deployment {
      lines += [
        (
          "Deployed",
          "\(deployment.status.rawValue) on \(deployment.provider) as \(deployment.cloudName)"
            + (deployment.region.map { " in \($0)" } ?? "")
        ),
        ("Deployed at", deployment.deployedAt.rfc3339),
        ("Cloud URL", deployment.url ?? "-"),
        (
          "Local code",
          deployment.localCodeMatches == "yes"
            ? "matches the deployed code"
            : deployment.localCodeMatches == "no" ? "changed since the deploy" : "unknown"
        ),
      ]
    } else {
      lines.append(("Deployed", "no ('functions deploy \(name)')"))
    }
    let width = lines.map(\.0.count).max() ?? 0
    var text =
      lines.map { "\($0.0 + ":")\(String(repeating: " ", count: width - $0.0.count + 1))\($0.1)" }
      .joined(separator: "\n") + "\n"
    if !environment.isEmpty {
      text += "Variables:\n"
      text += environment.keys.sorted().map { "  \($0)=\(environment[$0]!)" }.joined(separator: "\n") + "\n"
    }
    StandardOutput.write(text)
  }
}
