import CommandLineKit
import Foundation
import LocalRuntime

/// `functions serve-lambda CONFIG` (hidden): the background process `functions run` starts for an AWS
/// function. It serves the Invoke API and the HTTP gateway and supervises the runtime instances.
enum ServeLambdaCommand {
  static func make() -> Command {
    Command(
      "serve-lambda", abstract: "Serve a Lambda function's local endpoint (started by 'functions run').",
      arguments: [ArgumentSpec("config", help: "The service configuration that 'functions run' wrote.")],
      isHidden: true,
      run: { parsed in
        try await LambdaServiceRunner.run(
          configPath: parsed.argument("config") ?? "", hostEnvironment: LaunchEnvironment.values)
      })
  }
}
