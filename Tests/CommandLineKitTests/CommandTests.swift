import Testing

@testable import CommandLineKit

@Suite("Command")
struct CommandTests {
  @Test("subcommand by name or alias")
  func subcommandByNameOrAlias() {
    let emulator = SampleCommands.emulator

    #expect(emulator.subcommand(named: "storage")?.name == "storage")
    #expect(emulator.subcommand(named: "gcs")?.name == "storage")
    #expect(emulator.subcommand(named: "Storage") == nil)
    #expect(emulator.subcommand(named: "missing") == nil)
  }

  @Test("hidden subcommands")
  func hiddenSubcommands() {
    let root = SampleCommands.root

    #expect(root.subcommand(named: "debug-dump")?.isHidden == true)
    #expect(!root.visibleSubcommands.map(\.name).contains("debug-dump"))
    #expect(root.visibleSubcommands.count == root.subcommands.count - 1)
  }

  @Test("group has no run closure")
  func groupHasNoRunClosure() {
    #expect(SampleCommands.emulator.isGroup)
    #expect(!SampleCommands.run.isGroup)
  }

  @Test("option long name drops dashes")
  func optionLongNameDropsDashes() {
    #expect(OptionSpec.flag("--json", help: "Print JSON.").long == "json")
    #expect(OptionSpec.value("--port", valueName: "port", help: "The port.").long == "port")
    #expect(OptionSpec.flag("json", help: "Print JSON.").isFlag)
    #expect(!OptionSpec.value("port", valueName: "port", help: "The port.").isFlag)
  }

  // Each inconsistent declaration stops the process with a precondition failure.

  @Test("group without subcommands stops")
  func groupWithoutSubcommandsStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Command("empty", abstract: "Nothing to run.")
    }
  }

  @Test("repeating argument not last stops")
  func repeatingArgumentNotLastStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Command(
        "copy",
        abstract: "Copy files.",
        arguments: [
          ArgumentSpec("sources", help: "The files to copy.", isRepeating: true),
          ArgumentSpec("destination", help: "The target directory."),
        ],
        run: { _ in }
      )
    }
  }

  @Test("required after optional stops")
  func requiredAfterOptionalStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Command(
        "copy",
        abstract: "Copy a file.",
        arguments: [
          ArgumentSpec("source", help: "The file to copy.", isOptional: true),
          ArgumentSpec("destination", help: "The target directory."),
        ],
        run: { _ in }
      )
    }
  }

  @Test("duplicate option stops")
  func duplicateOptionStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Command(
        "serve",
        abstract: "Serve.",
        options: [
          .flag("json", help: "Print JSON."),
          .value("json", valueName: "file", help: "Write JSON to a file."),
        ],
        run: { _ in }
      )
    }
  }

  @Test("reserved help letter stops")
  func reservedHelpLetterStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Command(
        "serve",
        abstract: "Serve.",
        options: [.value("host", short: "h", valueName: "host", help: "The host to bind.")],
        run: { _ in }
      )
    }
  }
}
