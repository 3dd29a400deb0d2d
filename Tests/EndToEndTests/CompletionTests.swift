import Basics
import Foundation
import Testing

/// The bash completion script, sourced in a real bash and asked for completions.
@Suite("Shell completion")
struct CompletionTests {
  @Test(
    "bash completes words",
    arguments: [
      (["functions", "bu"], "build"),
      (["functions", "run", "--p"], "--port"),
      (
        ["functions", "new", "http", "x", "--runtime", "python31"], "python310 python311 python312 python313"
      ),
      (["functions", "-v", "new", ""], "http pubsub event"),
      (["functions", "event", "generate", "aws", "--he"], "--header --help"),
      (["functions", "run", ""], "alpha beta"),
      (["functions", "stop", "--grace", "3", "b"], "beta"),
    ])
  func bashCompletes(words: [String], expected: String) throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "alpha"]).status == 0)
    #expect(try sandbox.run(["new", "pubsub", "beta"]).status == 0)
    let script = try sandbox.run(["completion", "bash"])
    #expect(script.status == 0)
    try sandbox.write(script.stdout, to: "functions.bash")

    let binaryDirectory = (Sandbox.binary as NSString).deletingLastPathComponent
    var environment = sandbox.environment
    environment["PATH"] = binaryDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    let driver = """
      source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      _functions
      echo "${COMPREPLY[*]}"
      """
    let result = try ProcessRunner().run(
      ProcessSpec(
        executable: "bash", arguments: ["-c", driver, "bash", sandbox.work + "/functions.bash"] + words,
        environment: environment, workingDirectory: sandbox.work),
      timeout: .seconds(30))
    #expect(result.termination == .exited(0), "\(result.errorOutput)")
    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
  }

  @Test("unknown shell is a usage error")
  func unknownShell() throws {
    let sandbox = try Sandbox()
    let output = try sandbox.run(["completion", "bsh"])
    #expect(output.status == 64)
    #expect(
      output.stderr.hasPrefix("Error: unknown shell 'bsh'; expected bash, zsh or fish. Did you mean 'bash'?"))
    #expect(
      try sandbox.run(["completion", "fish"]).stdout.contains(
        "complete -c functions -n '__fish_use_subcommand' -a build"))
  }
}
