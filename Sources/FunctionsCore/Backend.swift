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

  /// Returns the image for a Node.js major version (`20`): the settings' entry for `node20`, then the
  /// settings' `node` entry, then Docker's official `node:20-slim`.
  public static func image(forNodeVersion version: String, settings: Settings) -> String {
    let configured = settings.dockerBaseImages ?? [:]
    return configured["node\(version)"] ?? configured["node"] ?? "node:\(version)-slim"
  }

  /// The default image for custom runtimes: Debian bookworm with curl and CA certificates. The
  /// custom-runtime template's `bootstrap` calls the Runtime API with curl, and bookworm's glibc (2.36) is
  /// newer than Amazon Linux 2023's (2.34), so a `bootstrap` linked for `provided.al2023` also runs on it.
  public static let defaultCustomRuntimeImage = "buildpack-deps:bookworm-curl"

  /// Returns the image for custom runtimes (`provided.al2023`): the settings' `custom` entry, then
  /// `defaultCustomRuntimeImage`.
  public static func customRuntimeImage(settings: Settings) -> String {
    settings.dockerBaseImages?["custom"] ?? defaultCustomRuntimeImage
  }
}
