@testable import CommandLineKit

/// A command tree shaped like the `functions` tool, shared by every suite.
enum SampleCommands {
  /// The error a sample command's run closure throws, so that tests can see which command ran.
  struct Ran: Error, Equatable {
    let path: [String]
  }

  static let recordRun: @Sendable (ParsedCommand) async throws -> Void = { parsed in
    throw Ran(path: parsed.path)
  }

  static let run = Command(
    "run",
    abstract: "Run a function locally.",
    discussion: "Starts the function's runtime and serves invocations until interrupted.",
    arguments: [ArgumentSpec("name", help: "The function to run.")],
    options: [
      .value(
        "port",
        short: "p",
        valueName: "port",
        help: "The HTTP port to listen on.",
        defaultDescription: "8080",
        integerRange: 1...65535
      ),
      .value(
        "trigger",
        short: "t",
        valueName: "trigger",
        help: "The event source that invokes the function.",
        allowedValues: ["http", "pubsub"]
      ),
      .value(
        "env",
        short: "e",
        valueName: "env",
        help: "An environment variable as NAME=VALUE.",
        isRepeating: true
      ),
      .flag("watch", short: "w", help: "Restart the function when its source changes."),
    ],
    run: recordRun
  )

  static let build = Command(
    "build",
    abstract: "Build functions.",
    arguments: [
      ArgumentSpec(
        "names",
        help: "The functions to build. Without names, every function is built.",
        isOptional: true,
        isRepeating: true
      )
    ],
    run: recordRun
  )

  static let new = Command(
    "new",
    abstract: "Create a function from a template.",
    subcommands: [
      Command(
        "http",
        abstract: "Create an HTTP function.",
        arguments: [ArgumentSpec("name", help: "The name of the new function.")],
        options: [.flag("force", short: "f", help: "Replace an existing directory.")],
        run: recordRun
      ),
      Command(
        "pubsub",
        abstract: "Create a function triggered by Pub/Sub messages.",
        arguments: [ArgumentSpec("name", help: "The name of the new function.")],
        options: [.value("topic", valueName: "topic", help: "The topic that triggers the function.")],
        run: recordRun
      ),
    ]
  )

  static let emulator = Command(
    "emulator",
    abstract: "Manage local emulators.",
    subcommands: [
      Command(
        "pubsub",
        abstract: "Manage the Pub/Sub emulator.",
        subcommands: [
          Command(
            "start",
            abstract: "Start the Pub/Sub emulator.",
            options: [
              .value("port", valueName: "port", help: "The port to listen on.", integerRange: 1...65535)
            ],
            run: recordRun
          ),
          Command("stop", abstract: "Stop the Pub/Sub emulator.", run: recordRun),
        ]
      ),
      Command("storage", abstract: "Manage the Cloud Storage emulator.", aliases: ["gcs"], run: recordRun),
    ]
  )

  static let script = Command(
    "script",
    abstract: "Run a script of a function's package.",
    arguments: [
      ArgumentSpec("name", help: "The function whose script runs."),
      ArgumentSpec(
        "command",
        help: "The script name, then the arguments passed to it unchanged.",
        capturesRemainingArguments: true
      ),
    ],
    options: [.flag("dry-run", help: "Print the command without running it.")],
    run: recordRun
  )

  static let list = Command("list", abstract: "List functions.", aliases: ["ls"], run: recordRun)

  static let debugDump = Command(
    "debug-dump",
    abstract: "Print internal state.",
    isHidden: true,
    run: recordRun
  )

  static let root = Command(
    "functions",
    abstract: "Build, run and deploy serverless functions.",
    options: [
      .flag("verbose", short: "v", help: "Print debug output.", isGlobal: true),
      .flag("quiet", short: "q", help: "Print only errors.", isGlobal: true),
      .flag("no-color", help: "Print without colour.", isGlobal: true),
      .value("project", valueName: "id", help: "The cloud project to use.", isGlobal: true),
    ],
    subcommands: [new, run, build, emulator, script, list, debugDump]
  )

  static let parser = CommandLineParser(root: root, version: "1.2.3")

  /// Returns one line that lists what `parsed` holds: the path, the arguments in declared order, then the
  /// given options sorted by name, each value as `--name=value`.
  static func summary(of parsed: ParsedCommand) -> String {
    var parts = [parsed.path.joined(separator: " ")]
    for argument in parsed.command.arguments {
      parts += parsed.arguments(argument.name).map { "\(argument.name)=\($0)" }
    }
    let chain = CommandChain(root: root, path: parsed.path)
    for name in chain.acceptedOptions.map(\.long).sorted() {
      if parsed.flag(name) {
        parts.append("--\(name)")
      }
      parts += parsed.values(name).map { "--\(name)=\($0)" }
    }
    return parts.joined(separator: " ")
  }
}
