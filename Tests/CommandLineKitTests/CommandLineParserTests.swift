import Testing

@testable import CommandLineKit

@Suite("CommandLineParser")
struct CommandLineParserTests {
  let parser = SampleCommands.parser

  /// Returns the summary of a `.run` outcome, `help <path>` for help, `version`, or `error: <message>`.
  private func outcomeText(_ arguments: [String]) -> String {
    do {
      switch try parser.parse(arguments) {
      case .run(let parsed):
        return SampleCommands.summary(of: parsed)
      case .help(let text):
        let path = helpPaths.first { parser.helpText(for: $0) == text }
        return "help " + (path?.joined(separator: " ") ?? "<unknown page>")
      case .version:
        return "version"
      }
    } catch {
      return "error: \(error.message)"
    }
  }

  private let helpPaths: [[String]] = [
    ["functions"], ["functions", "run"], ["functions", "new"], ["functions", "emulator"],
    ["functions", "emulator", "pubsub"], ["functions", "emulator", "pubsub", "start"],
    ["functions", "script"],
  ]

  @Test(
    "selects commands and binds values",
    arguments: [
      (["run", "hello"], "functions run name=hello"),
      (["run", "hello", "--port", "9000"], "functions run name=hello --port=9000"),
      (["run", "--port=9000", "hello"], "functions run name=hello --port=9000"),
      (["run", "hello", "-p", "9000"], "functions run name=hello --port=9000"),
      (["run", "hello", "-p9000"], "functions run name=hello --port=9000"),
      (["run", "hello", "--port", "1"], "functions run name=hello --port=1"),
      (["run", "hello", "--port", "65535"], "functions run name=hello --port=65535"),
      (["run", "hello", "--trigger", "pubsub"], "functions run name=hello --trigger=pubsub"),
      (["run", "hello", "-t", "http"], "functions run name=hello --trigger=http"),
      (["new", "http", "hello"], "functions new http name=hello"),
      (["new", "pubsub", "--topic", "orders", "hello"], "functions new pubsub name=hello --topic=orders"),
      (["emulator", "pubsub", "start"], "functions emulator pubsub start"),
      (["emulator", "gcs"], "functions emulator storage"),
      (["ls"], "functions list"),
      (["debug-dump"], "functions debug-dump"),
      (["build"], "functions build"),
      (["build", "a", "b", "c"], "functions build names=a names=b names=c"),
      (["run", "-"], "functions run name=-"),
      (["run", "hello", "--watch", "--watch"], "functions run name=hello --watch"),
      (["run", "hello", "-e", "-"], "functions run name=hello --env=-"),
      (["run", "hello", "--env=-x", "-e-y"], "functions run name=hello --env=-x --env=-y"),
    ]
  )
  func selectsCommands(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "combined short flags",
    arguments: [
      (["run", "hello", "-wv"], "functions run name=hello --verbose --watch"),
      (["run", "hello", "-vqw"], "functions run name=hello --quiet --verbose --watch"),
      (["run", "hello", "-wp", "9000"], "functions run name=hello --port=9000 --watch"),
      (["run", "hello", "-wp9000"], "functions run name=hello --port=9000 --watch"),
    ]
  )
  func combinedShortFlags(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "global options at any depth",
    arguments: [
      (["-v", "run", "hello"], "functions run name=hello --verbose"),
      (["run", "-q", "hello", "--no-color"], "functions run name=hello --no-color --quiet"),
      (["--project", "demo", "run", "hello"], "functions run name=hello --project=demo"),
      (["run", "hello", "--project=demo"], "functions run name=hello --project=demo"),
      (["emulator", "pubsub", "start", "-v"], "functions emulator pubsub start --verbose"),
      (
        ["emulator", "-v", "pubsub", "--quiet", "start"], "functions emulator pubsub start --quiet --verbose"
      ),
      (
        ["--verbose", "emulator", "pubsub", "start", "--port", "8085"],
        "functions emulator pubsub start --port=8085 --verbose"
      ),
      (["-v", "run", "hello", "-v"], "functions run name=hello --verbose"),
    ]
  )
  func globalOptions(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "double dash ends options",
    arguments: [
      (["run", "--", "-hello"], "functions run name=-hello"),
      (["run", "--", "--help"], "functions run name=--help"),
      (["run", "-w", "--", "--port"], "functions run name=--port --watch"),
      (["build", "--", "-a", "--", "b"], "functions build names=-a names=-- names=b"),
      (["--", "run", "hello"], "functions run name=hello"),
    ]
  )
  func doubleDash(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "passthrough arguments",
    arguments: [
      (["script", "hello", "test"], "functions script name=hello command=test"),
      (
        ["script", "hello", "test", "--watch", "--help", "-x", "--", "y"],
        "functions script name=hello command=test command=--watch command=--help command=-x command=--"
          + " command=y"
      ),
      (
        ["script", "--dry-run", "-v", "hello", "test", "-v"],
        "functions script name=hello command=test command=-v --dry-run --verbose"
      ),
      (["script", "hello", "--dry-run", "test"], "functions script name=hello command=test --dry-run"),
      (["script", "hello", "--", "--test", "-x"], "functions script name=hello command=--test command=-x"),
      (["script", "hello"], "error: missing argument <command>"),
    ]
  )
  func passthroughArguments(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "help and version",
    arguments: [
      ([], "help functions"),
      (["--help"], "help functions"),
      (["-h"], "help functions"),
      (["-v", "--help"], "help functions"),
      (["run", "--help"], "help functions run"),
      (["run", "hello", "-h"], "help functions run"),
      (["run", "-wh"], "help functions run"),
      (["run", "--prot", "--help"], "help functions run"),
      (["run", "a", "b", "--port", "x", "-h"], "help functions run"),
      (["new", "--help"], "help functions new"),
      (["emulator", "pubsub", "--help"], "help functions emulator pubsub"),
      (["biuld", "--help"], "help functions"),
      (["help"], "help functions"),
      (["help", "run"], "help functions run"),
      (["help", "emulator", "pubsub", "start"], "help functions emulator pubsub start"),
      (["-v", "help", "emulator", "--verbose", "pubsub"], "help functions emulator pubsub"),
      (["--version"], "version"),
      (["-v", "--version"], "version"),
      (["--version", "--help"], "help functions"),
    ]
  )
  func helpAndVersion(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == expected)
  }

  @Test(
    "error messages",
    arguments: [
      (["biuld"], "unknown command 'biuld' for 'functions'. Did you mean 'build'?"),
      (["bu"], "unknown command 'bu' for 'functions'. Did you mean 'build'?"),
      (["deploy"], "unknown command 'deploy' for 'functions'"),
      (
        ["emulator", "pubsup", "start"],
        "unknown command 'pubsup' for 'functions emulator'. Did you mean 'pubsub'?"
      ),
      (["help", "biuld"], "unknown command 'biuld' for 'functions'. Did you mean 'build'?"),
      (["help", "run", "extra"], "unexpected argument 'extra'"),
      (["debug-dum"], "unknown command 'debug-dum' for 'functions'"),
      (["run", "hello", "--prot", "80"], "unknown option '--prot'. Did you mean '--port'?"),
      (["run", "hello", "--wacth"], "unknown option '--wacth'. Did you mean '--watch'?"),
      (["run", "hello", "--verbos"], "unknown option '--verbos'. Did you mean '--verbose'?"),
      (["run", "hello", "--hlep"], "unknown option '--hlep'. Did you mean '--help'?"),
      (["--versoin"], "unknown option '--versoin'. Did you mean '--version'?"),
      (["run", "hello", "--version"], "unknown option '--version'"),
      (["run", "hello", "--colour"], "unknown option '--colour'"),
      (["run", "hello", "-x"], "unknown option '-x'"),
      (["run", "hello", "-wx"], "unknown option '-x'"),
      (["--port", "80", "run", "hello"], "unknown option '--port'"),
      (["run", "hello", "--port"], "missing value for option '--port'"),
      (["run", "hello", "--port", "--watch"], "missing value for option '--port'"),
      (["run", "hello", "-p"], "missing value for option '--port'"),
      (["run"], "missing argument <name>"),
      (["run", "--watch"], "missing argument <name>"),
      (["new", "http"], "missing argument <name>"),
      (["run", "a", "b"], "unexpected argument 'b'"),
      (["emulator", "pubsub", "stop", "now"], "unexpected argument 'now'"),
      (
        ["run", "hello", "--trigger", "htp"],
        "invalid value 'htp' for '--trigger': expected one of http, pubsub"
      ),
      (
        ["run", "hello", "--port", "abc"],
        "invalid value 'abc' for '--port': expected an integer from 1 to 65535"
      ),
      (
        ["run", "hello", "--port", "0"], "invalid value '0' for '--port': expected an integer from 1 to 65535"
      ),
      (
        ["run", "hello", "--port=65536"],
        "invalid value '65536' for '--port': expected an integer from 1 to 65535"
      ),
      (["run", "hello", "--port="], "invalid value '' for '--port': expected an integer from 1 to 65535"),
      (["run", "hello", "-p", "1", "--port", "2"], "option '--port' was given more than once"),
      (["--project", "a", "run", "hello", "--project", "b"], "option '--project' was given more than once"),
      (["run", "hello", "--watch=yes"], "option '--watch' does not take a value"),
      (["emulator"], "missing subcommand for 'functions emulator'"),
      (["emulator", "pubsub", "-v"], "missing subcommand for 'functions emulator pubsub'"),
      (["-v"], "missing subcommand for 'functions'"),
      (["run", "--prot", "a", "b"], "unknown option '--prot'. Did you mean '--port'?"),
      (["run", "a", "b", "--prot"], "unexpected argument 'b'"),
    ]
  )
  func errorMessages(arguments: [String], expected: String) {
    #expect(outcomeText(arguments) == "error: \(expected)")
  }

  @Test(
    "rendered usage errors",
    arguments: [
      (
        ["biuld"],
        """
        Error: unknown command 'biuld' for 'functions'. Did you mean 'build'?
        Usage: functions (new | run | build | emulator | script | list)
        See 'functions --help'.
        """
      ),
      (
        ["run", "hello", "--prot", "80"],
        """
        Error: unknown option '--prot'. Did you mean '--port'?
        Usage: functions run <name> [--port <port>] [--trigger <trigger>] [--env <env> ...] [--watch]
        See 'functions run --help'.
        """
      ),
      (
        ["emulator"],
        """
        Error: missing subcommand for 'functions emulator'
        Usage: functions emulator (pubsub | storage)
        See 'functions emulator --help'.
        """
      ),
      (
        ["new", "http"],
        """
        Error: missing argument <name>
        Usage: functions new http <name> [--force]
        See 'functions new http --help'.
        """
      ),
    ]
  )
  func renderedUsageErrors(arguments: [String], expected: String) {
    #expect(throws: UsageError.self) { try parser.parse(arguments) }
    do {
      _ = try parser.parse(arguments)
    } catch {
      #expect(error.render() == expected)
    }
  }

  @Test("usage error names the failing command")
  func usageErrorCommandPath() {
    #expect(throws: UsageError.self) { try parser.parse(["emulator", "pubsub", "start", "--port", "x"]) }
    do {
      _ = try parser.parse(["emulator", "pubsub", "start", "--port", "x"])
    } catch {
      #expect(error.commandPath == ["functions", "emulator", "pubsub", "start"])
      #expect(error.usage == "functions emulator pubsub start [--port <port>]")
    }
  }

  @Test("run outcome runs the command")
  func runOutcomeRunsCommand() async throws {
    guard case .run(let parsed) = try parser.parse(["new", "http", "hello"]) else {
      Issue.record("expected a .run outcome")
      return
    }
    await #expect(throws: SampleCommands.Ran(path: ["functions", "new", "http"])) { try await parsed.run() }
  }

  @Test("root with a run closure runs without arguments")
  func rootWithRunClosure() throws {
    let root = Command("tool", abstract: "A tool.", run: SampleCommands.recordRun)
    let parser = CommandLineParser(root: root, version: "1")

    guard case .run(let parsed) = try parser.parse([]) else {
      Issue.record("expected a .run outcome")
      return
    }
    #expect(parsed.path == ["tool"])
  }

  @Test(
    "helpText and usage accept paths",
    arguments: [
      (
        ["functions", "emulator", "pubsub"], ["emulator", "pubsub"],
        "functions emulator pubsub (start | stop)"
      ),
      (["emulator", "pubsub"], ["emulator", "pubsub"], "functions emulator pubsub (start | stop)"),
      (["emulator", "gcs"], ["emulator", "storage"], "functions emulator storage"),
      (["emulator", "unknown", "start"], ["emulator"], "functions emulator (pubsub | storage)"),
      ([], [], "functions (new | run | build | emulator | script | list)"),
    ]
  )
  func pathsForHelp(path: [String], resolvedPath: [String], expectedUsage: String) {
    #expect(parser.usage(for: path) == expectedUsage)
    #expect(parser.helpText(for: path) == parser.helpText(for: ["functions"] + resolvedPath))
  }

  @Test("version on the root stops")
  func versionOnRootStops() async {
    await #expect(processExitsWith: .failure) {
      let root = Command(
        "tool",
        abstract: "A tool.",
        options: [.flag("version", help: "Print the version.")],
        run: { _ in }
      )
      _ = CommandLineParser(root: root, version: "1")
    }
  }
}
