import Basics
import CommandLineKit
import Foundation
import FunctionsCore

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
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let rows = try context.registry.read().sortedEntries.map { entry in
      Row(
        name: entry.name, provider: entry.provider, runtime: entry.runtime, trigger: entry.trigger,
        state: entry.effectiveState, url: entry.url, directory: entry.directory,
        cloud: entry.deployment.map {
          DescribeCommand.DeploymentView(
            $0, localCodeMatches: context.localCodeMatches(entry, deployment: $0))
        })
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
        row.name, row.provider, row.runtime, row.trigger, paint(row.state, color), row.url ?? "-",
        cloudSummary(row.cloud),
      ]
    }
    StandardOutput.write(
      formatTable(
        header: ["NAME", "PROVIDER", "RUNTIME", "TRIGGER", "STATE", "URL", "CLOUD"], rows: table, color: color
      ))
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
