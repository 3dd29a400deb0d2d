import Basics
import Foundation

/// A container's variables, handed to `docker run --env-file` so their values never appear on a command
/// line.
enum ContainerEnvironment {
  /// Host variables that describe the host, not the function, and stay out of the container.
  static let hostOnlyKeys: Set<String> = [
    "PATH", "HOME", "TMPDIR", "VIRTUAL_ENV", "PYTHONPYCACHEPREFIX", "XDG_RUNTIME_DIR", "LANG", "LC_ALL",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "SSL_CERT_FILE",
    "SSL_CERT_DIR",
  ]

  /// Writes `variables` as an env file with mode 0600 and returns its path.
  ///
  /// Docker reads each line as KEY=VALUE without quoting, so a value cannot hold a line break.
  static func write(_ variables: [String: String], to path: String) throws -> String {
    var text = ""
    for key in variables.keys.sorted() where !hostOnlyKeys.contains(key) {
      let value = variables[key] ?? ""
      guard !value.contains("\n"), !value.contains("\r") else {
        throw DockerError.io(
          "the variable \(key) contains a line break, which the docker backend cannot pass to a container; "
            + "remove it or use '--backend process'")
      }
      text += "\(key)=\(value)\n"
    }
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try AtomicFile.write(Data(text.utf8), to: path, permissions: 0o600)
    return path
  }
}
