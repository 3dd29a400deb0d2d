import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions update NAME`: moves a function added from git to the newest commit of its ref.
enum UpdateCommand {
  static func make() -> Command {
    Command(
      "update", abstract: "Fetch the newest commit of a function added from a git repository.",
      discussion: "A running function keeps its code until 'functions stop' and 'functions run'.",
      arguments: [ArgumentSpec("name", help: "The function to update.")],
      run: { parsed in try run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let entry = try context.registry.entry(named: name)
    guard let source = entry.source else {
      throw CommandFailure(
        "\(name) was not added from a git repository; 'functions add URL' registers one that 'update' can fetch"
      )
    }
    let fetcher = SourceFetcher(
      runner: context.runner, environment: context.environment, layout: context.layout)
    let (old, new) = try fetcher.update(cloneDirectory: source.cloneDirectory, source: source.git)
    try context.registry.updateEntry(named: name) { entry in entry.source?.commit = new }
    if old == new {
      StandardOutput.line("\(name) is up to date at \(new.prefix(12))")
    } else {
      StandardOutput.line("\(name): \(old.prefix(12)) -> \(new.prefix(12))")
    }
  }
}
