/// The way a function executes locally.
public enum Backend: String, Sendable, CaseIterable, Codable {
  /// A native process with the function's runtime in a per-function environment (the default).
  case process
  /// A container built from a per-function image, run through the `docker` CLI.
  case docker

  /// Returns the backend in precedence order: the command-line option, the manifest, the settings, then
  /// `process`.
  public static func resolve(option: Backend?, manifest: Manifest, settings: Settings) -> Backend {
    option ?? manifest.backend ?? settings.backend ?? .process
  }
}

/// The base images the Docker backend builds on.
public enum DockerBaseImages {
  /// Returns the image for a Python version (`3.12`): the settings' entry for `python3.12`, then the
  /// settings' `python` entry, then Docker's official `python:3.12-slim`.
  public static func image(forPythonVersion version: String, settings: Settings) -> String {
    let configured = settings.dockerBaseImages ?? [:]
    return configured["python\(version)"] ?? configured["python"] ?? "python:\(version)-slim"
  }
}
