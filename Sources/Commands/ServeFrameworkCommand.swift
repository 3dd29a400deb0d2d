import CommandLineKit
import Foundation
import LocalRuntime

/// `functions serve-framework CONFIG` (hidden): the background process `functions run --watch` starts for
/// a Google Cloud function. It keeps functions-framework running and restarts it when the source changes.
enum ServeFrameworkCommand {
  static func make() -> Command {
    Command(
      "serve-framework", abstract: "Supervise a watched Google Cloud function (started by 'functions run').",
      arguments: [ArgumentSpec("config", help: "The supervisor configuration that 'functions run' wrote.")],
      isHidden: true,
      run: { parsed in
        try await FrameworkServiceRunner.run(
          configPath: parsed.argument("config") ?? "", hostEnvironment: LaunchEnvironment.values)
      })
  }
}
