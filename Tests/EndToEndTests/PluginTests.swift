import Basics
import Foundation
import Testing

/// Plugins: an executable `functions-X` on PATH runs as `functions X`.
@Suite("Plugins")
struct PluginTests {
  @Test("plugin runs and is listed")
  func pluginRuns() throws {
    let sandbox = try Sandbox()
    let bin = sandbox.root + "/plugins"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    let plugin = bin + "/functions-greet"
    try Data("#!/bin/sh\necho \"greet: $*\"\nexit 7\n".utf8).write(to: URL(fileURLWithPath: plugin))
    chmod(plugin, 0o755)
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

    let run = try sandbox.run(["greet", "Ada", "--loud"], environment: ["PATH": path])
    #expect(run.stdout == "greet: Ada --loud\n")
    // The plugin's exit status passes through.
    #expect(run.status == 7)

    let help = try sandbox.run(["--help"], environment: ["PATH": path])
    #expect(help.stdout.contains("PLUGINS:\n  greet  \(plugin)"))

    // A built-in command wins over a plugin of the same name.
    let shadow = bin + "/functions-list"
    try Data("#!/bin/sh\necho shadowed\n".utf8).write(to: URL(fileURLWithPath: shadow))
    chmod(shadow, 0o755)
    #expect(try sandbox.run(["list", "--json"], environment: ["PATH": path]).stdout == "[\n\n]\n")
  }
}
