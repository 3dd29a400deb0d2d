import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions remove NAME` and `functions delete NAME`: unregister, and for delete also clean up.
enum RemoveCommand {
  static func makeRemove() -> Command {
    Command(
      "remove", abstract: "Unregister a function, keeping its files.", aliases: ["rm"],
      arguments: [ArgumentSpec("name", help: "The function to unregister.")],
      options: [.flag("force", help: "Stop the function first if it is running.")],
      run: { parsed in try await run(parsed, deletesState: false) })
  }

  static func makeDelete() -> Command {
    Command(
      "delete", abstract: "Unregister a function and delete its environment or images, logs and state.",
      discussion: """
        The function's source files are never deleted. An environment that another function uses is \
        kept, and so is every environment in a cache shared through FUNCTIONS_CACHE_DIR. On the docker \
        backend, the function's images and build folder are deleted.
        """,
      arguments: [ArgumentSpec("name", help: "The function to delete.")],
      options: [.flag("force", help: "Stop the function first if it is running.")],
      run: { parsed in try await run(parsed, deletesState: true) })
  }

  static func run(_ parsed: ParsedCommand, deletesState: Bool) async throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let entry = try context.registry.entry(named: name)
    if entry.effectiveState == .running {
      guard parsed.flag("force") else {
        throw CommandFailure("\(name) is running; stop it with 'functions stop \(name)' or pass --force")
      }
      try await context.localFunctions().stop(name)
      context.diagnostics.status("Stopped \(name)")
    } else if entry.process != nil {
      // A crashed function can leave workers behind in its process group.
      try await context.localFunctions().stop(name)
    }
    let fingerprint = entry.environmentFingerprint
    let stillShared = try context.registry.update { document -> Bool in
      document.functions[name] = nil
      return document.functions.values.contains {
        $0.environmentFingerprint == fingerprint && fingerprint != nil
      }
    }
    guard deletesState else {
      let images =
        entry.backend == Backend.docker.rawValue
        ? "; its Docker images stay until 'functions sync docker' removes them" : ""
      context.diagnostics.status(
        "Removed \(name) from the registry; its files in \(entry.directory) are kept\(images)")
      return
    }
    let manager = FileManager.default
    try? manager.removeItem(atPath: context.layout.stateDirectory(for: name))
    // A cache moved with FUNCTIONS_CACHE_DIR may serve other registries, so its environments stay.
    var removed = ["registration", "logs", "state"]
    var kept = "source files in \(entry.directory)"
    if let fingerprint {
      if !stillShared, !context.layout.isCacheShared {
        let builder = context.environmentBuilder()
        try? manager.removeItem(atPath: builder.directory(for: fingerprint))
        try? manager.removeItem(atPath: builder.directory(for: fingerprint) + ".lock")
        removed.insert("environment", at: 1)
      } else {
        kept +=
          " and the environment, which \(stillShared ? "another function uses" : "is in a shared cache")"
      }
    }
    if entry.backend == Backend.docker.rawValue {
      // Images are found by the function's label, so images of other functions are never touched.
      if (try? context.localFunctions().removeImages(of: name))?.isEmpty == false {
        removed.insert("images", at: 1)
      }
      try? context.localFunctions().imageBuilder().removeBuildContext(name: name)
    }
    let list = removed.dropLast().joined(separator: ", ") + " and " + removed.last!
    context.diagnostics.status("Deleted \(name)'s \(list); kept its \(kept)")
  }
}
