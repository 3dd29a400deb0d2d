import Basics
import Foundation
import FunctionsCore

/// A prepared Python environment with `functions-framework` and a function's requirements.
public struct PreparedEnvironment: Sendable {
  public let fingerprint: String
  public let directory: String
  /// Whether this build created the environment; false when an existing one was reused.
  public let wasCreated: Bool

  public var python: String { "\(directory)/bin/python" }
  public var binDirectory: String { "\(directory)/bin" }
}

/// A progress event of a build.
public enum BuildEvent: Sendable {
  case usingInterpreter(PythonInterpreter)
  case warning(String)
  case step(String)
  case output(String)
  /// A line of `docker build` output, shown as it arrives on a terminal.
  case buildOutput(String)
}

/// Prepares per-function Python environments, keyed by a fingerprint of runtime and requirements so
/// that an unchanged function reuses its environment and functions with the same requirements share one.
///
/// An environment is built in a temporary directory and renamed into place only when complete, under
/// a lock per fingerprint, so concurrent builds never see or make a half-built environment.
public struct EnvironmentBuilder: Sendable {
  /// The requirement added to Google Cloud environments: `functions-framework` serves the function.
  public static let frameworkRequirement = "functions-framework>=3.5,<4"
  /// The requirement added to AWS Python environments: the runtime interface client that talks to the
  /// Runtime API, as Lambda's own Python images use it.
  public static let runtimeClientRequirement = "awslambdaric>=3,<5"

  /// Returns the package each environment gets besides the function's requirements.
  public static func baseRequirement(for manifest: Manifest) -> String {
    manifest.provider == .aws ? runtimeClientRequirement : frameworkRequirement
  }
  /// Bumped when the way environments are built changes, so old ones are not reused.
  static let layoutVersion = "1"
  static let completeMarker = ".functions-environment.json"

  let layout: StateLayout
  let runner: ProcessRunner
  let environment: [String: String]

  public init(layout: StateLayout, runner: ProcessRunner = ProcessRunner(), environment: [String: String]) {
    self.layout = layout
    self.runner = runner
    self.environment = environment
  }

  /// Returns the fingerprint of the manifest's runtime and the function's `requirements.txt`.
  public func fingerprint(for manifest: Manifest, directory: String) -> String {
    let requirements = FileManager.default.contents(atPath: "\(directory)/requirements.txt") ?? Data()
    let normalized = String(decoding: requirements, as: UTF8.self)
      .split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
      .joined(separator: "\n")
    let key = [Self.layoutVersion, manifest.runtime, Self.baseRequirement(for: manifest), normalized]
      .joined(separator: "\u{0}")
    return String(SHA256.hexDigest(of: key).prefix(24))
  }

  public func directory(for fingerprint: String) -> String {
    "\(layout.environmentsDirectory)/\(fingerprint)"
  }

  /// Returns the environment when it is complete, without building anything.
  public func existing(fingerprint: String) -> PreparedEnvironment? {
    let directory = directory(for: fingerprint)
    guard FileManager.default.fileExists(atPath: "\(directory)/\(Self.completeMarker)") else { return nil }
    return PreparedEnvironment(fingerprint: fingerprint, directory: directory, wasCreated: false)
  }

  /// Returns the function's environment, building it first when needed.
  public func prepare(
    manifest: Manifest, directory functionDirectory: String, force: Bool = false,
    report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> PreparedEnvironment {
    let fingerprint = fingerprint(for: manifest, directory: functionDirectory)
    if !force, let ready = existing(fingerprint: fingerprint) { return ready }

    let environments = layout.environmentsDirectory
    do {
      try FileManager.default.createDirectory(atPath: environments, withIntermediateDirectories: true)
    } catch {
      throw RuntimeError.io("cannot create \(environments): \(error.localizedDescription)")
    }
    let lock = try FileLock(path: "\(environments)/\(fingerprint).lock")
    defer { lock.unlock() }
    // Another build may have finished this environment while this one waited for the lock.
    if !force, let ready = existing(fingerprint: fingerprint) { return ready }

    guard let version = Runtimes.pythonVersion(of: manifest.runtime) else {
      throw RuntimeError.io("runtime \(manifest.runtime) is not a Python runtime")
    }
    let choice = try PythonLocator(runner: runner, environment: environment).interpreter(forVersion: version)
    if let warning = choice.fallbackWarning { report(.warning(warning)) }
    report(.usingInterpreter(choice.interpreter))

    let final = self.directory(for: fingerprint)
    let partial = "\(final).partial-\(getpid())"
    try? FileManager.default.removeItem(atPath: partial)
    do {
      try create(
        at: partial, interpreter: choice.interpreter, baseRequirement: Self.baseRequirement(for: manifest),
        functionDirectory: functionDirectory, report: report)
      let metadata: [String: Any] = [
        "fingerprint": fingerprint, "runtime": manifest.runtime, "python": choice.interpreter.version,
        "interpreter": choice.interpreter.path,
      ]
      try AtomicFile.write(
        Data(try JSONFormat.text(object: metadata).utf8), to: "\(partial)/\(Self.completeMarker)")
      if FileManager.default.fileExists(atPath: final) { try FileManager.default.removeItem(atPath: final) }
      try FileManager.default.moveItem(atPath: partial, toPath: final)
    } catch {
      try? FileManager.default.removeItem(atPath: partial)
      throw error
    }
    return PreparedEnvironment(fingerprint: fingerprint, directory: final, wasCreated: true)
  }

  private func create(
    at path: String, interpreter: PythonInterpreter, baseRequirement: String, functionDirectory: String,
    report: @escaping @Sendable (BuildEvent) -> Void
  ) throws {
    report(.step("Creating a Python \(interpreter.version) environment"))
    let venv = try runner.run(
      ProcessSpec(executable: interpreter.path, arguments: ["-m", "venv", path], environment: environment))
    guard venv.termination.isSuccess else {
      let details = venv.tail(lines: 3).joined(separator: " ")
      throw RuntimeError.venvMissing(interpreter: interpreter.path, details: details)
    }

    // The interpreter is called by path and never through the environment's scripts, so the directory
    // can be renamed after pip has written absolute paths into `bin/`.
    var arguments = [
      "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
      baseRequirement,
    ]
    if FileManager.default.fileExists(atPath: "\(functionDirectory)/requirements.txt") {
      arguments += ["-r", "requirements.txt"]
    }
    let package = baseRequirement.prefix { $0.isLetter || $0 == "-" }
    report(.step("Installing \(package) and requirements.txt"))
    var pipEnvironment = environment
    pipEnvironment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    pipEnvironment["PYTHONDONTWRITEBYTECODE"] = nil
    let pip = try runner.run(
      ProcessSpec(
        executable: "\(path)/bin/python", arguments: arguments, environment: pipEnvironment,
        workingDirectory: functionDirectory),
      onLine: { line in report(.output(line)) })
    guard pip.termination.isSuccess else { throw RuntimeError.dependencyInstallFailed(pip) }
  }
}
