import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// The command tree and the entry point that maps outcomes to exit statuses.
public enum FunctionsCommand {
  /// The tool's version, printed by `functions --version`.
  public static let version = "0.1.0"

  static func makeRoot() -> Command {
    Command(
      "functions", abstract: "Create, run, invoke, deploy and manage serverless functions.",
      options: [
        .flag(
          "verbose", short: "v",
          help: "Show debug output: the interpreter chosen, pip's output and the server's command line.",
          isGlobal: true),
        .flag("quiet", short: "q", help: "Show only errors and results.", isGlobal: true),
        .flag("no-color", help: "Never colour the output (NO_COLOR=1 does the same).", isGlobal: true),
      ],
      subcommands: [
        NewCommand.make(), AddCommand.make(), BuildCommand.make(), RunCommand.make(), InvokeCommand.make(),
        LogsCommand.make(), StopCommand.make(), ListCommand.make(), DescribeCommand.make(),
        RemoveCommand.makeRemove(), RemoveCommand.makeDelete(), EventCommand.make(), EmulatorCommand.make(),
        DoctorCommand.make(),
        UpdateCommand.make(), PublishCommand.make(), ScriptCommand.make(), CompletionCommand.make(),
        ServeLambdaCommand.make(), ServeFrameworkCommand.make(), DeployCommand.make(),
        ProviderCommand.make(.aws),
        ProviderCommand.make(.gcp),
        SyncCommand.make(),
        CompletionCommand.makeNames(),
      ])
  }

  /// Parses `arguments` (without the program name), runs the command, and returns the exit status:
  /// 0 on success, 64 for usage errors, 1 for failures.
  public static func main(_ arguments: [String]) async -> Int32 {
    LaunchEnvironment.redirectFoundationFiles()
    let root = makeRoot()
    if let (path, pluginArguments) = Plugins.plugin(
      for: arguments, root: root, environment: LaunchEnvironment.values)
    {
      return Plugins.run(path, arguments: pluginArguments, environment: LaunchEnvironment.values)
    }
    let parser = CommandLineParser(root: root, version: version)
    let outcome: ParseOutcome
    do {
      outcome = try parser.parse(arguments)
    } catch {
      FileHandle.standardError.write(Data((error.render() + "\n").utf8))
      return UsageError.exitStatus
    }
    switch outcome {
    case .help(var text):
      if !text.hasSuffix("\n") { text += "\n" }
      // The root's help also lists the plugins found on PATH, under their own heading.
      if arguments.allSatisfy({ $0.hasPrefix("-") }) || arguments == ["help"] {
        text += Plugins.helpSection(environment: LaunchEnvironment.values)
      }
      StandardOutput.write(text)
      return 0
    case .version:
      StandardOutput.line("functions \(version)")
      return 0
    case .run(let parsed):
      // A reader that goes away (`functions logs x | head`) must not kill the tool with SIGPIPE.
      signal(SIGPIPE, SIG_IGN)
      do {
        try await parsed.run()
        return 0
      } catch let usage as UsageError {
        FileHandle.standardError.write(Data((usage.render() + "\n").utf8))
        return UsageError.exitStatus
      } catch let exit as ExitStatus {
        return exit.code
      } catch is ExitWithoutMessage {
        return 1
      } catch {
        let context = CommandContext(parsed: parsed)
        context.diagnostics.error(String(describing: error))
        return 1
      }
    }
  }
}
