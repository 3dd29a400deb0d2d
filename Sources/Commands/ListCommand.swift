import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions list`: every registered function with its state.
enum ListCommand {
  static func make() -> Command {
    Command(
      "list", abstract: "List registered functions with their state and URL.", aliases: ["ls"],
      options: [.flag("json", help: "Print the list as JSON.")],
      run: { parsed in try run(parsed) })
  }

  struct Row: Encodable {
    let name: String
    let provider: String
    let runtime: String
    let trigger: String
    let state: LocalState
    let url: String?
    let directory: String
    /// The deployment, when there is one.
    let cloud: DescribeCommand.DeploymentView?
    /// `docker` for functions on the Docker backend; nil for the process backend.
    let backend: String?
    /// For the Docker backend: the states of the function's containers, found by label; nil when Docker
    /// could not be asked.
    let containers: [String]?
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let entries = try context.registry.read().sortedEntries
    let containers = dockerContainers(for: entries, context: context)
    let rows = entries.map { entry in
      let isDocker = entry.backend == Backend.docker.rawValue
      return Row(
        name: entry.name, provider: entry.provider, runtime: entry.runtime, trigger: entry.trigger,
        state: entry.effectiveState, url: entry.url, directory: entry.directory,
        cloud: entry.deployment.map {
          DescribeCommand.DeploymentView(
            $0, localCodeMatches: context.localCodeMatches(entry, deployment: $0))
        },
        backend: isDocker ? Backend.docker.rawValue : nil,
        containers: isDocker ? containers.map { $0[entry.name] ?? [] } : nil)
    }
    if parsed.flag("json") {
      try printJSON(rows)
      return
    }
    if rows.isEmpty {
      context.diagnostics.status("No functions are registered; create one with 'functions new http NAME'")
      return
    }
    let color = context.outputColor(parsed)
    let table = rows.map { row in
      [
        row.name, row.provider, row.runtime, row.trigger,
        paint(row.state, color) + containerSummary(row), row.url ?? "-",
        cloudSummary(row.cloud),
      ]
    }
    StandardOutput.write(
      formatTable(
        header: ["NAME", "PROVIDER", "RUNTIME", "TRIGGER", "STATE", "URL", "CLOUD"], rows: table, color: color
      ))
  }

  /// Asks Docker once for the containers of every function on the Docker backend, by label, and returns
  /// their states by function name. Returns nil, after a warning, when Docker cannot be asked; returns an
  /// empty map without asking when no function uses the Docker backend.
  static func dockerContainers(for entries: [RegistryEntry], context: CommandContext) -> [String: [String]]? {
    guard entries.contains(where: { $0.backend == Backend.docker.rawValue }) else { return [:] }
    do {
      var states: [String: [String]] = [:]
      for container in try DockerCLI(runner: context.runner, environment: context.environment)
        .managedContainers()
      {
        states[container.functionName, default: []].append(container.state)
      }
      return states
    } catch {
      context.diagnostics.warning("cannot list the Docker containers: \(error)")
      return nil
    }
  }

  /// Returns ` (docker)` or ` (docker: 1 running)` for a function on the Docker backend, else nothing.
  static func containerSummary(_ row: Row) -> String {
    guard row.backend != nil else { return "" }
    guard let containers = row.containers, !containers.isEmpty else { return " (docker)" }
    let running = containers.filter { $0 == "running" }.count
    return " (docker: \(running) running"
      + (containers.count > running ? ", \(containers.count - running) stopped)" : ")")
  }

  /// Returns `-`, or the cloud status with `, local changes` when the local code differs from the deploy.
  static func cloudSummary(_ cloud: DescribeCommand.DeploymentView?) -> String {
    guard let cloud else { return "-" }
    return cloud.status.rawValue + (cloud.localCodeMatches == "no" ? ", local changes" : "")
  }

  static func paint(_ state: LocalState, _ color: ColorPolicy) -> String {
    switch state {
    case .running: color.paint(state.rawValue, "32")
    case .crashed: color.paint(state.rawValue, "31")
    default: state.rawValue
    }
  }
}
