import Basics
import Foundation

/// Downloads a function's dependencies as wheels on the host, for a container's Python and platform.
///
/// `pip download --platform … --python-version … --only-binary=:all:` resolves for the target instead of
/// the host, as AWS documents for deployment packages with native libraries ("Working with .zip file
/// archives and Python", Lambda developer guide). Requirements without a wheel for that platform fail
/// here, with pip's message.
struct WheelDownloader: Sendable {
  let runner: ProcessRunner
  let environment: [String: String]
  let cacheDirectory: String

  /// Returns a folder of wheels for the requirements, downloading them when no cached folder matches.
  /// pip reads `requirementsPath` when it is given, so its messages name the function's own file and its
  /// `-r` includes resolve next to it. Without it, pip reads a copy of `requirements`.
  func download(
    requirements: Data, requirementsPath: String? = nil, baseRequirement: String,
    platform: ImagePythonPlatform,
    report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> String {
    let normalized = String(decoding: requirements, as: UTF8.self)
      .split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
      .joined(separator: "\n")
    let key = [
      "1", platform.pythonVersion, platform.pipPlatforms.joined(separator: ","), baseRequirement, normalized,
    ].joined(separator: "\u{0}")
    let fingerprint = String(SHA256.hexDigest(of: key).prefix(24))
    let final = "\(cacheDirectory)/\(fingerprint)"
    let marker = "\(final)/.complete"
    if FileManager.default.fileExists(atPath: marker) { return final }

    try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
    let lock = try FileLock(path: "\(final).lock")
    defer { lock.unlock() }
    if FileManager.default.fileExists(atPath: marker) { return final }

    let partial = "\(final).partial-\(getpid())"
    try? FileManager.default.removeItem(atPath: partial)
    try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
    try requirements.write(to: URL(fileURLWithPath: partial + "/.requirements.txt"))
    guard let python = PythonLocator(runner: runner, environment: environment).probe("python3") else {
      throw RuntimeError.pythonMissing
    }
    let arguments =
      [
        "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--dest", partial, "--only-binary=:all:", "--python-version", platform.pythonVersion,
        "--implementation", "cp", baseRequirement, "-r", requirementsPath ?? partial + "/.requirements.txt",
      ] + platform.pipPlatforms.flatMap { ["--platform", $0] }
    report(
      .step(
        "Downloading wheels for Python \(platform.pythonVersion) (\(platform.pipPlatforms[0])) on the host"))
    let result = try runner.run(
      ProcessSpec(executable: python.path, arguments: arguments, environment: environment),
      timeout: .seconds(900), onLine: { line in report(.output(line)) })
    guard result.termination.isSuccess else {
      try? FileManager.default.removeItem(atPath: partial)
      throw RuntimeError.dependencyInstallFailed(result)
    }
    try? FileManager.default.removeItem(atPath: partial + "/.requirements.txt")
    _ = FileManager.default.createFile(atPath: partial + "/.complete", contents: Data())
    try? FileManager.default.removeItem(atPath: final)
    try FileManager.default.moveItem(atPath: partial, toPath: final)
    return final
  }
}
