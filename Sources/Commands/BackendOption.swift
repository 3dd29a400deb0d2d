import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// The `--backend` option of `build` and `run`, and the choice it overrides.
enum BackendOption {
  static let option = OptionSpec.value(
    "backend", valueName: "backend",
    help: "Run the function as a native process or in a Docker container.",
    defaultDescription: "the manifest's \"backend\", then the settings', then process",
    allowedValues: Backend.allCases.map(\.rawValue))

  /// Returns the backend for a function: `--backend`, the manifest, the settings, then `process`.
  static func resolve(_ parsed: ParsedCommand, manifest: Manifest, context: CommandContext) throws -> Backend
  {
    let option = parsed.value("backend").flatMap(Backend.init(rawValue:))
    return Backend.resolve(
      option: option, manifest: manifest, settings: try Settings.load(layout: context.layout))
  }
}
