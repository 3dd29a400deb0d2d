import Testing

@testable import CommandLineKit

@Suite("ParsedCommand")
struct ParsedCommandTests {
  private func parse(_ arguments: [String]) throws -> ParsedCommand {
    guard case .run(let parsed) = try SampleCommands.parser.parse(arguments) else {
      throw ParseFailure(arguments: arguments)
    }
    return parsed
  }

  private struct ParseFailure: Error {
    let arguments: [String]
  }

  @Test("repeating option keeps order")
  func repeatingOptionOrder() throws {
    let parsed = try parse(["run", "hello", "--env", "A=1", "-e", "B=2", "--env=C=3", "-eD=4"])

    #expect(parsed.values("env") == ["A=1", "B=2", "C=3", "D=4"])
    #expect(parsed.value("env") == "D=4")
  }

  @Test("absent options and defaults")
  func absentOptions() throws {
    let parsed = try parse(["run", "hello"])

    #expect(parsed.value("port") == nil)
    #expect(parsed.int("port") == nil)
    #expect(parsed.values("env") == [])
    #expect(parsed.flag("watch") == false)
    #expect(parsed.flag("verbose") == false)
  }

  @Test("integer option")
  func integerOption() throws {
    let parsed = try parse(["run", "hello", "--port", "8080"])

    #expect(parsed.int("port") == 8080)
    #expect(parsed.value("port") == "8080")
  }

  @Test("names with leading dashes")
  func namesWithLeadingDashes() throws {
    let parsed = try parse(["run", "hello", "-w", "--trigger", "http"])

    #expect(parsed.flag("--watch"))
    #expect(parsed.value("--trigger") == "http")
  }

  @Test("global options read at the leaf")
  func globalOptionsAtLeaf() throws {
    let parsed = try parse(["--project", "demo", "-v", "emulator", "pubsub", "start"])

    #expect(parsed.value("project") == "demo")
    #expect(parsed.flag("verbose"))
    #expect(parsed.flag("quiet") == false)
  }

  @Test("arguments")
  func arguments() throws {
    let run = try parse(["run", "hello"])
    #expect(run.argument("name") == "hello")
    #expect(run.arguments("name") == ["hello"])

    let build = try parse(["build", "a", "b"])
    #expect(build.argument("names") == "a")
    #expect(build.arguments("names") == ["a", "b"])

    let buildAll = try parse(["build"])
    #expect(buildAll.argument("names") == nil)
    #expect(buildAll.arguments("names") == [])
  }

  @Test("passthrough argument")
  func passthroughArgument() throws {
    let parsed = try parse(["script", "hello", "test", "--watch", "-v"])

    #expect(parsed.argument("command") == "test")
    #expect(parsed.arguments("command") == ["test", "--watch", "-v"])
    #expect(parsed.flag("verbose") == false)
  }

  @Test("path uses names, not aliases")
  func pathUsesNames() throws {
    let parsed = try parse(["emulator", "gcs"])

    #expect(parsed.path == ["functions", "emulator", "storage"])
    #expect(parsed.command.name == "storage")
  }

  @Test("usage and usageError")
  func usageAndUsageError() throws {
    let parsed = try parse(["new", "http", "hello"])

    #expect(parsed.usage == "functions new http <name> [--force]")
    #expect(
      parsed.usageError("the name 'hello' is taken").render() == """
        Error: the name 'hello' is taken
        Usage: functions new http <name> [--force]
        See 'functions new http --help'.
        """
    )
  }
}

@Suite("UsageError")
struct UsageErrorTests {
  @Test("render")
  func render() {
    let error = UsageError(
      message: "missing value for option '--port'",
      commandPath: ["functions", "run"],
      usage: "functions run <name> [--port <port>]"
    )

    #expect(
      error.render() == """
        Error: missing value for option '--port'
        Usage: functions run <name> [--port <port>]
        See 'functions run --help'.
        """
    )
    #expect(error.description == "missing value for option '--port'")
    #expect(UsageError.exitStatus == 64)
  }
}
