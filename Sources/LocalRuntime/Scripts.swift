import Basics
import Foundation
import FunctionsCore

/// Runs a function's manifest scripts (`functions script`, and the `pre`/`post` hooks around commands)
/// with `/bin/sh` in the function's directory, its environment activated and its variables set.
public struct ScriptRunner: Sendable {
  let runner: ProcessRunner
  let hostEnvironment: [String: String]

  public init(runner: ProcessRunner = ProcessRunner(), hostEnvironment: [String: String]) {
    self.runner = runner
    self.hostEnvironment = hostEnvironment
  }

  /// Returns the environment a script runs in: the tool's own, with the function's Python environment
  /// first on `PATH` (as `activate` does) and the function's variables on top.
  public func environment(variables: [String: String], environmentDirectory: String?) -> [String: String] {
    var environment = hostEnvironment
    if let environmentDirectory {
      environment["PATH"] = "\(environmentDirectory)/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
      environment["VIRTUAL_ENV"] = environmentDirectory
    }
    for (key, value) in variables { environment[key] = value }
    return environment
  }

  /// Runs `command` with `arguments` appended as `"$@"`, with the terminal's streams, and returns its exit
  /// status (128 + the signal number when a signal ended it).
  public func run(
    _ command: String, arguments: [String], directory: String, environment: [String: String]
  ) throws -> Int32 {
    let pid = try runner.start(
      ProcessSpec(
        executable: "/bin/sh", arguments: ["-c", command + " \"$@\"", "sh"] + arguments,
        environment: environment,
        workingDirectory: directory, output: .inherit))
    switch ProcessRunner.wait(for: pid) {
    case .exited(let code): return code
    case .signalled(let number): return 128 + number
    }
  }
}
