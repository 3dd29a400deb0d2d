import Foundation
import Testing

/// Manifest scripts: `functions script` and the pre/post hooks around commands.
@Suite("Scripts", .timeLimit(.minutes(5)))
struct ScriptTests {
  @Test("scripts run with the function's environment")
  func scriptsRun() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "scripted"]).status == 0)
    try sandbox.editManifest("scripted") { manifest in
      manifest["environment"] = ["GREETING": "hi"]
      manifest["scripts"] = [
        "show": "echo \"args:$* var:$GREETING dir:$(basename \"$PWD\") py:$(command -v python)\"",
        "fail": "exit 5",
        "prebuild": "echo ran > prebuild.txt",
      ]
    }

    // The prebuild hook runs before the build, in the function's directory.
    #expect(try sandbox.run(["build", "scripted"]).status == 0)
    #expect(sandbox.read("scripted/prebuild.txt") == "ran\n")

    let shown = try sandbox.run(["script", "scripted", "show", "a", "b c"])
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.hasPrefix("args:a b c var:hi dir:scripted py:"))
    // After a build, `python` is the function's own environment.
    #expect(shown.stdout.contains("/environments/"))

    let failed = try sandbox.run(["script", "scripted", "fail"])
    #expect(failed.status == 5)

    let unknown = try sandbox.run(["script", "scripted", "lint"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("has no script 'lint' (scripts: fail, prebuild, show)"))
  }
}
