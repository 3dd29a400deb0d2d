import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// A runtime failure to report as `error: …` with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Exits with a status without printing anything more (the command already reported).
struct ExitStatus: Error {
  let code: Int32
}

/// The environment the tool was started with, read before `redirectFoundationFiles` changes it.
enum LaunchEnvironment {
  static let values = ProcessInfo.processInfo.environment

  /// Points Foundation's own files into the tool's cache. URLSession on Linux creates a URL cache under
  /// `$XDG_CACHE_HOME` and a cookie folder under `$XDG_DATA_HOME` (defaulting to the user's home) even
  /// for sessions that use neither; children still get `values`, unchanged.
  static func redirectFoundationFiles() {
    let directory = StateLayout(environment: values).cacheDirectory + "/foundation"
    setenv("XDG_CACHE_HOME", directory, 1)
    setenv("XDG_DATA_HOME", directory, 1)
  }
}

/// The outside world every command works with: environment, state layout, printer and clock.
struct CommandContext: Sendable {
  let environment: [String: String]
  let layout: StateLayout
  let registry: Registry
  let diagnostics: Diagnostics
  let clock: any WallClock
  let runner: ProcessRunner
  let currentDirectory: String

  /// Builds the context from the process and the global options.
  init(parsed: ParsedCommand) {
    let environment = LaunchEnvironment.values
    let verbosity: Verbosity =
      parsed.flag("quiet") ? .quiet : parsed.flag("verbose") ? .verbose : .normal
    let isTerminal = isatty(STDERR_FILENO) == 1
    self.environment = environment
    layout = StateLayout(environment: environment)
    registry = Registry(layout: layout)
    diagnostics = Diagnostics(
      verbosity: verbosity,
      color: ColorPolicy(
        isTerminal: isTerminal, environment: environment, noColorFlag: parsed.flag("no-color")),
      isInteractive: isTerminal)
    clock = SystemClock()
    runner = ProcessRunner()
    currentDirectory = FileManager.default.currentDirectoryPath
  }

  /// Colour for results on standard output.
  func outputColor(_ parsed: ParsedCommand) -> ColorPolicy {
    ColorPolicy(
      isTerminal: StandardOutput.isTerminal, environment: environment, noColorFlag: parsed.flag("no-color"))
  }

  /// Resolves a path given on the command line against the current directory.
  func absolutePath(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    let joined =
      expanded.hasPrefix("/") ? expanded : (currentDirectory as NSString).appendingPathComponent(expanded)
    return (joined as NSString).standardizingPath
  }

  /// Returns the registry entry and the manifest of a registered function, printing manifest warnings.
  func loadFunction(_ name: String) throws -> (RegistryEntry, LoadedManifest) {
    let entry = try registry.entry(named: name)
    let loaded = try ManifestReader.load(path: entry.manifestPath)
    for warning in loaded.warnings { diagnostics.warning(warning) }
    guard loaded.manifest.name == entry.name else {
      throw CommandFailure(
        "\(loaded.path) names the function '\(loaded.manifest.name)', but it is registered as '\(entry.name)'; "
          + "set \"name\" back to '\(entry.name)', or rename it with 'functions remove \(entry.name)' and "
          + "'functions add \(entry.directory)'")
    }
    return (entry, loaded)
  }

  func environmentBuilder() -> EnvironmentBuilder {
    EnvironmentBuilder(layout: layout, runner: runner, environment: environment)
  }

  func functionServer() -> FunctionServer {
    FunctionServer(layout: layout, runner: runner, hostEnvironment: environment, clock: clock)
  }
}

/// Validates a function name from the command line as a usage error.
func validateFunctionName(_ name: String, _ parsed: ParsedCommand) throws {
  if let violation = FunctionName.violation(in: name) {
    throw parsed.usageError("invalid function name '\(name)': \(violation)")
  }
}

/// Prints a value as JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
  StandardOutput.write(try JSONFormat.text(value))
}

/// Renders rows as left-aligned columns, the header in bold when colour is on. Cells may carry colour.
func formatTable(header: [String], rows: [[String]], color: ColorPolicy) -> String {
  var widths = header.map(\.count)
  for row in rows {
    for (index, cell) in row.enumerated() { widths[index] = max(widths[index], visibleLength(cell)) }
  }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { index, cell in
      index == cells.count - 1
        ? cell : cell + String(repeating: " ", count: widths[index] - visibleLength(cell))
    }.joined(separator: "  ")
  }
  var text = color.paint(line(header), "1") + "\n"
  for row in rows { text += line(row) + "\n" }
  return text
}

/// Returns the number of characters a terminal shows, leaving out ANSI colour sequences.
func visibleLength(_ text: String) -> Int {
  // Counting scalars rather than characters is exact for the ASCII cells tables hold, and much faster.
  var count = 0
  var inEscape = false
  for scalar in text.unicodeScalars {
    if inEscape {
      if scalar == "m" { inEscape = false }
    } else if scalar == "\u{1B}" {
      inEscape = true
    } else {
      count += 1
    }
  }
  return count
}

extension CommandContext {
  func localFunctions() -> LocalFunctions {
    LocalFunctions(
      registry: registry, builder: environmentBuilder(), server: functionServer(),
      toolExecutable: toolExecutable)
  }

  /// This program's own path, to start it again in the background.
  var toolExecutable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }

  /// The AWS Region for a function: the manifest's, the settings', `AWS_REGION`, then `us-east-1`.
  func awsRegion(for manifest: Manifest) throws -> String {
    let settings = try Settings.load(layout: layout)
    return manifest.aws.region ?? settings.awsRegion ?? environment["AWS_REGION"] ?? environment[
      "AWS_DEFAULT_REGION"]
      ?? "us-east-1"
  }

  /// Builds the function when needed, reporting progress through the diagnostics printer.
  func build(
    _ entry: RegistryEntry, manifest: Manifest, force: Bool = false, marksBuilt: Bool = true,
    backend: Backend = .process
  ) throws -> BuildOutcome {
    let diagnostics = self.diagnostics
    let name = entry.name
    return try localFunctions().build(
      entry, manifest: manifest, force: force, marksBuilt: marksBuilt, backend: backend
    ) { event in
      switch event {
      case .usingInterpreter(let interpreter):
        diagnostics.debug("using \(interpreter.path) (Python \(interpreter.version))")
      case .warning(let message):
        diagnostics.warning(message)
      case .step(let message):
        diagnostics.progress("\(name): \(message)…")
        diagnostics.debug(message)
      case .output(let line):
        diagnostics.debug("pip: \(line)")
      case .buildOutput(let line):
        // The docker build streams on a terminal; pipes and logs get it only with --verbose.
        if diagnostics.isInteractive {
          diagnostics.progress(line)
        } else {
          diagnostics.debug("docker: \(line)")
        }
      }
    }
  }
}
