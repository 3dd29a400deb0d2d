import Foundation
import Testing

/// The command-line contract users know from Swift tools: help and version on stdout with status 0,
/// usage errors on stderr with the usage line and status 64.
@Suite("Command-line contract")
struct CommandLineContractTests {
  @Test("help and version exit 0")
  func helpAndVersion() throws {
    let sandbox = try Sandbox()
    let help = try sandbox.run(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: functions <subcommand>"))
    #expect(help.stdout.contains("invoke"))
    #expect(help.stderr.isEmpty)

    let version = try sandbox.run(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("functions "))

    let nested = try sandbox.run(["new", "pubsub", "-h"])
    #expect(nested.status == 0)
    #expect(nested.stdout.contains("--topic <topic>"))
    #expect(nested.stdout.contains("(default: the function's"))
  }

  @Test(
    "usage errors exit 64",
    arguments: [
      (["biuld", "x"], "Error: unknown command 'biuld' for 'functions'. Did you mean 'build'?"),
      (["run", "x", "--prot", "3"], "Error: unknown option '--prot'. Did you mean '--port'?"),
      (["run"], "Error: missing argument <name>"),
      (
        ["run", "x", "--port", "70000"],
        "Error: invalid value '70000' for '--port': expected an integer from 1 to 65535"
      ),
      (
        ["new", "http", "9lives"],
        "Error: invalid function name '9lives': it must start with a letter, not '9'"
      ),
      (
        ["new", "http", "a.b"],
        "Error: invalid function name 'a.b': it contains '.'; use only letters, digits, hyphens and underscores"
      ),
      (
        ["new", "pubsub", "fn", "--topic", "ab"],
        "Error: invalid topic 'ab': expected a topic ID of 3 to 255 characters"
      ),
      (
        ["run", "x", "--env", "1BAD=x"],
        "Error: invalid --env '1BAD=x': expected KEY=VALUE with a valid variable name"
      ),
      (
        ["run", "x", "--host", "::1"],
        "Error: --host '::1' is an IPv6 address, which is not supported yet; use 127.0.0.1 or 0.0.0.0"
      ),
    ])
  func usageErrors(arguments: [String], message: String) throws {
    let sandbox = try Sandbox()
    let output = try sandbox.run(arguments)
    #expect(output.status == 64)
    #expect(output.stdout.isEmpty)
    let lines = output.stderr.split(separator: "\n").map(String.init)
    #expect(lines.first == message)
    #expect(lines.contains { $0.hasPrefix("Usage: functions") })
    #expect(lines.last?.hasPrefix("See 'functions") == true)
  }

  @Test("failures exit 1 without a stack trace")
  func runtimeFailure() throws {
    let sandbox = try Sandbox()
    let output = try sandbox.run(["describe", "ghost"])
    #expect(output.status == 1)
    #expect(
      output.stderr
        == "error: no function named 'ghost' is registered; see 'functions list', or register one with "
        + "'functions new' or 'functions add'\n")
  }

  @Test("colour only when asked for a terminal")
  func noColourInPipes() throws {
    let sandbox = try Sandbox()
    try sandbox.run(["new", "http", "plain"])
    let output = try sandbox.run(["list"], environment: ["NO_COLOR": ""])
    #expect(!output.stdout.contains("\u{1B}["))
    #expect(output.stdout.hasPrefix("NAME"))
  }
}
