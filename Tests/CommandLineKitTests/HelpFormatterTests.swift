import Testing

@testable import CommandLineKit

@Suite("HelpFormatter")
struct HelpFormatterTests {
  /// A root with one leaf whose help text, label and usage line are too long for one line each.
  static let deployParser = CommandLineParser(
    root: Command(
      "functions",
      abstract: "Build, run and deploy serverless functions.",
      subcommands: [
        Command(
          "deploy",
          abstract: """
            Deploy a function to the cloud, creating it when it does not exist yet and replacing its \
            code and settings otherwise.
            """,
          discussion: """
            The first deployment of a function takes longer because the platform builds its container \
            image from scratch.

            Examples:
              functions deploy hello --region europe-west1
            """,
          arguments: [ArgumentSpec("name", help: "The function to deploy.")],
          options: [
            .value(
              "region",
              short: "r",
              valueName: "region",
              help: """
                The region that hosts the function. Choose one close to the data the function reads, \
                because traffic between regions is billed and slower.
                """,
              defaultDescription: "us-central1"
            ),
            .value("service-account", valueName: "email-address", help: "The identity the function runs as."),
            .value(
              "memory", valueName: "megabytes", help: "The memory limit in MB.", integerRange: 128...32_768),
            .value("label", valueName: "key=value", help: "A label for billing reports.", isRepeating: true),
            .flag("allow-unauthenticated", help: "Let anyone invoke the function over HTTP."),
          ],
          run: SampleCommands.recordRun
        )
      ]
    ),
    version: "1.0.0"
  )

  let parser = SampleCommands.parser

  @Test("group help")
  func groupHelp() {
    let expected = """
      OVERVIEW: Manage local emulators.

      USAGE: functions emulator <subcommand>

      OPTIONS:
        -h, --help      Show help information.

      GLOBAL OPTIONS:
        -v, --verbose   Print debug output.
        -q, --quiet     Print only errors.
        --no-color      Print without colour.
        --project <id>  The cloud project to use.

      SUBCOMMANDS:
        pubsub          Manage the Pub/Sub emulator.
        storage, gcs    Manage the Cloud Storage emulator.

        See 'functions help emulator <subcommand>' for detailed help.
      """
    #expect(parser.helpText(for: ["functions", "emulator"]) == expected)
  }

  @Test("leaf help")
  func leafHelp() {
    let expected = """
      OVERVIEW: Run a function locally.

      Starts the function's runtime and serves invocations until interrupted.

      USAGE: functions run <name> [--port <port>] [--trigger <trigger>] [--env <env> ...] [--watch]

      ARGUMENTS:
        <name>                   The function to run.

      OPTIONS:
        -p, --port <port>        The HTTP port to listen on. (default: 8080)
        -t, --trigger <trigger>  The event source that invokes the function. (values: http, pubsub)
        -e, --env <env>          An environment variable as NAME=VALUE. (can be repeated)
        -w, --watch              Restart the function when its source changes.
        -h, --help               Show help information.

      GLOBAL OPTIONS:
        -v, --verbose            Print debug output.
        -q, --quiet              Print only errors.
        --no-color               Print without colour.
        --project <id>           The cloud project to use.
      """
    #expect(parser.helpText(for: ["functions", "run"]) == expected)
  }

  @Test("root help")
  func rootHelp() {
    let help = parser.helpText(for: [])

    #expect(
      help.hasPrefix(
        "OVERVIEW: Build, run and deploy serverless functions.\n\nUSAGE: functions <subcommand>\n"))
    #expect(help.contains("\n  --version       Show the version.\n"))
    #expect(help.contains("\n  list, ls        List functions.\n"))
    #expect(!help.contains("debug-dump"))
    #expect(help.hasSuffix("\n\n  See 'functions help <subcommand>' for detailed help."))
  }

  @Test("long text wraps at 100 columns")
  func longTextWraps() {
    let expected = """
      OVERVIEW: Deploy a function to the cloud, creating it when it does not exist yet and replacing its
      code and settings otherwise.

      The first deployment of a function takes longer because the platform builds its container image from
      scratch.

      Examples:
        functions deploy hello --region europe-west1

      USAGE: functions deploy <name> [<options>]

      ARGUMENTS:
        <name>                          The function to deploy.

      OPTIONS:
        -r, --region <region>           The region that hosts the function. Choose one close to the data
                                        the function reads, because traffic between regions is billed and
                                        slower. (default: us-central1)
        --service-account <email-address>
                                        The identity the function runs as.
        --memory <megabytes>            The memory limit in MB.
        --label <key=value>             A label for billing reports. (can be repeated)
        --allow-unauthenticated         Let anyone invoke the function over HTTP.
        -h, --help                      Show help information.
      """
    #expect(Self.deployParser.helpText(for: ["deploy"]) == expected)
  }

  @Test(
    "pages fit 100 columns without colour",
    arguments: [
      ["functions"], ["functions", "run"], ["functions", "new", "pubsub"],
      ["functions", "emulator", "pubsub"],
      ["functions", "script"], ["functions", "deploy"],
    ]
  )
  func pagesFitWidth(path: [String]) {
    let help = path.last == "deploy" ? Self.deployParser.helpText(for: path) : parser.helpText(for: path)
    let lines = help.split(separator: "\n", omittingEmptySubsequences: false)

    #expect(lines.allSatisfy { $0.count <= 100 })
    #expect(!help.contains("\u{1B}"))
    #expect(!help.hasSuffix("\n"))
  }

  @Test(
    "usage lines",
    arguments: [
      (["run"], "functions run <name> [--port <port>] [--trigger <trigger>] [--env <env> ...] [--watch]"),
      (["build"], "functions build [<names> ...]"),
      (["script"], "functions script [--dry-run] <name> <command> ..."),
      (["new"], "functions new (http | pubsub)"),
      (["new", "pubsub"], "functions new pubsub <name> [--topic <topic>]"),
      (["emulator", "pubsub", "stop"], "functions emulator pubsub stop"),
      (["list"], "functions list"),
    ]
  )
  func usageLines(path: [String], expected: String) {
    #expect(parser.usage(for: path) == expected)
  }

  @Test("long usage collapses options")
  func longUsageCollapses() {
    #expect(Self.deployParser.usage(for: ["deploy"]) == "functions deploy <name> [<options>]")
  }

  @Test("long subcommand list becomes a placeholder")
  func longSubcommandList() {
    let names = (1...12).map { "subcommand\($0)" }
    let root = Command(
      "tool",
      abstract: "A tool.",
      subcommands: names.map { Command($0, abstract: "One of many.", run: SampleCommands.recordRun) }
    )

    #expect(CommandLineParser(root: root, version: "1").usage(for: []) == "tool <subcommand>")
  }

  @Test(
    "wrap",
    arguments: [
      ("one two three", 7, ["one two", "three"]),
      ("one two three", 13, ["one two three"]),
      ("averyveryverylongword and more", 10, ["averyveryverylongword", "and more"]),
      ("first\n\nsecond", 20, ["first", "", "second"]),
      ("  indented text here", 12, ["  indented", "  text here"]),
      ("", 10, [""]),
    ]
  )
  func wrap(text: String, width: Int, expected: [String]) {
    #expect(HelpFormatter.wrap(text, width: width) == expected)
  }
}
