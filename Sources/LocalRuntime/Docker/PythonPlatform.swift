import Basics
import Foundation

/// The Python version and C library of a base image, which decide the wheels pip downloads for it.
public struct ImagePythonPlatform: Codable, Sendable, Equatable {
  /// `3.11`.
  public var pythonVersion: String
  /// The glibc version, such as `2.36`.
  public var glibcVersion: String
  /// The machine name Python reports, such as `x86_64` or `aarch64`.
  public var machine: String

  /// The pip `--platform` tags for this image, newest first: `manylinux_2_36_x86_64` down to
  /// `manylinux_2_17_x86_64`, then the legacy `manylinux2014`, `manylinux2010` and `manylinux1` names.
  /// pip matches a given tag literally, so every glibc version the image can run is listed (PEP 600).
  public var pipPlatforms: [String] {
    let parts = glibcVersion.split(separator: ".").compactMap { Int($0) }
    let minor = parts.count >= 2 && parts[0] == 2 ? parts[1] : 17
    var tags = stride(from: max(minor, 17), through: 17, by: -1).map { "manylinux_2_\($0)_\(machine)" }
    tags.append("manylinux2014_\(machine)")
    if machine == "x86_64" || machine == "i686" {
      tags += ["manylinux2010_\(machine)", "manylinux1_\(machine)"]
    }
    return tags
  }

  /// Reads the platform of `image` by running its `python3` once with the network off, and caches the
  /// result by image ID in `cacheDirectory`.
  static func probe(image: String, imageID: String, docker: DockerCLI, cacheDirectory: String) throws
    -> ImagePythonPlatform
  {
    let cacheFile = "\(cacheDirectory)/\(imageID.replacingOccurrences(of: "sha256:", with: "")).json"
    if let data = FileManager.default.contents(atPath: cacheFile),
      let cached = try? JSONFormat.decoder().decode(ImagePythonPlatform.self, from: data)
    {
      return cached
    }
    let script =
      "import sys, platform; print('%d.%d' % sys.version_info[:2], platform.libc_ver()[1], "
      + "platform.machine())"
    let result = try docker.run(
      [
        "run", "--rm", "--pull=never", "--network", "none", "--entrypoint", "python3", image, "-c", script,
      ], timeout: .seconds(60))
    let words = result.output.split(whereSeparator: \.isWhitespace).map(String.init)
    guard result.termination.isSuccess, words.count == 3, !words[1].isEmpty else {
      throw DockerError.io(
        "cannot read the Python version of the base image \(image): 'python3' in it failed or printed "
          + "\(result.tail(lines: 3)); a base image needs python3 with the venv module and glibc")
    }
    let platform = ImagePythonPlatform(pythonVersion: words[0], glibcVersion: words[1], machine: words[2])
    try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
    try? AtomicFile.write(try JSONFormat.encoder().encode(platform), to: cacheFile)
    return platform
  }
}
