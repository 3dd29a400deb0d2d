import Basics
import Foundation

/// A Python interpreter found on this machine.
public struct PythonInterpreter: Sendable, Equatable {
  public let path: String
  /// `major.minor`, such as `3.12`.
  public let version: String
}

/// The interpreter chosen for a runtime, with the reason when it is not the exact version.
public struct InterpreterChoice: Sendable {
  public let interpreter: PythonInterpreter
  /// Set when the requested version was not found and `python3` is used instead.
  public let fallbackWarning: String?
}

/// Local runtime failures. Each message names what failed and what to do next.
public enum RuntimeError: Error, CustomStringConvertible, Sendable {
  case pythonMissing
  case venvMissing(interpreter: String, details: String)
  case dependencyInstallFailed(ProcessResult)
  case portInUse(host: String, port: Int)
  case noFreePort(host: String)
  case crashedOnStart(name: String, termination: ProcessTermination?, logTail: [String], logFile: String)
  case startTimedOut(name: String, seconds: Int, logTail: [String], logFile: String)
  case notRunning(name: String)
  case io(String)

  public var description: String {
    switch self {
    case .pythonMissing:
      return "python3 was not found on PATH; install Python 3.10 or newer (Debian: apt-get install python3 "
        + "python3-venv python3-pip) and run 'functions doctor'"
    case .venvMissing(let interpreter, let details):
      return "\(interpreter) cannot create virtual environments (\(details)); install the venv module "
        + "(Debian: apt-get install python3-venv) and run 'functions doctor'"
    case .dependencyInstallFailed(let result):
      let tail = result.tail(lines: 12).map { "    " + $0 }.joined(separator: "\n")
      return "pip failed to install the dependencies (\(result.termination)); its last lines:\n\(tail)\n"
        + "Fix requirements.txt, then run 'functions build' again (a watched function builds again when "
        + "the file is saved)."
    case .portInUse(let host, let port):
      return "port \(port) is already in use on \(host); choose another with --port, or stop what uses it"
    case .noFreePort(let host):
      return "no free TCP port was found on \(host)"
    case .crashedOnStart(let name, let termination, let tail, let logFile):
      let how = termination.map { " (\($0))" } ?? ""
      return "\(name) exited while starting\(how); the last lines of its log (\(logFile)):\n"
        + LogFile.displayable(tail.joined(separator: "\n")).split(separator: "\n").map { "    " + $0 }
        .joined(separator: "\n")
    case .startTimedOut(let name, let seconds, let tail, let logFile):
      return "\(name) did not answer within \(seconds) s and was stopped; the last lines of its log "
        + "(\(logFile)):\n" + tail.map { "    " + $0 }.joined(separator: "\n")
    case .notRunning(let name):
      return "\(name) is not running; start it with 'functions run \(name)'"
    case .io(let message):
      return message
    }
  }
}

/// Finds the Python interpreter for a runtime.
public struct PythonLocator: Sendable {
  let runner: ProcessRunner
  let environment: [String: String]

  public init(runner: ProcessRunner = ProcessRunner(), environment: [String: String]) {
    self.runner = runner
    self.environment = environment
  }

  /// Returns `pythonX.Y` for the runtime's version when it runs, otherwise `python3` with a warning.
  /// Each candidate is run once, because a name on PATH can be a shim that fails (pyenv does this for
  /// versions that are installed but not selected).
  public func interpreter(forVersion version: String) throws(RuntimeError) -> InterpreterChoice {
    if let exact = probe("python\(version)"), exact.version == version {
      return InterpreterChoice(interpreter: exact, fallbackWarning: nil)
    }
    guard let fallback = probe("python3") else { throw .pythonMissing }
    let reason =
      ExecutableLookup.find("python\(version)", environment: environment) == nil
      ? "was not found" : "does not run"
    let warning: String? =
      fallback.version == version
      ? nil
      : "python\(version) \(reason); using \(fallback.path) (Python \(fallback.version)) instead, "
        + "so the function runs on Python \(fallback.version), not \(version) as in the cloud"
    return InterpreterChoice(interpreter: fallback, fallbackWarning: warning)
  }

  /// Runs `name` to read its version; nil when it is missing or fails.
  public func probe(_ name: String) -> PythonInterpreter? {
    guard let path = ExecutableLookup.find(name, environment: environment) else { return nil }
    let spec = ProcessSpec(
      executable: path,
      arguments: ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
      environment: environment)
    guard let result = try? runner.run(spec), result.termination.isSuccess else { return nil }
    let version = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    return version.isEmpty ? nil : PythonInterpreter(path: path, version: version)
  }
}
