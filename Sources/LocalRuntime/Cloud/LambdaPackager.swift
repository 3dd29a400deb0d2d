import Basics
import Foundation
import FunctionsCore

/// A deployment package written for Lambda.
public struct LambdaPackage: Sendable, Equatable {
  /// The ZIP file in the cache.
  public let path: String
  public let byteCount: Int
  /// The package's SHA-256 in base64, the form Lambda reports as `CodeSha256`.
  public let codeSHA256: String
  /// The fingerprint of what went in (see `LambdaPackager.sourceFingerprint`).
  public let sourceFingerprint: String
  public let entryCount: Int
}

/// A file or directory of a function's source that goes into its package.
public struct SourceFile: Sendable, Equatable {
  /// The path relative to the function's directory, `/`-separated.
  public let relativePath: String
  public let absolutePath: String
  public let isDirectory: Bool
  public let isExecutable: Bool
}

/// Builds Lambda deployment packages: the function's source minus ignored files, plus its Python
/// dependencies installed for Lambda's platform, in a deterministic ZIP.
public struct LambdaPackager: Sendable {
  /// The ignore file in a function's directory, in gitignore syntax.
  public static let ignoreFileName = ".functionsignore"
  /// Left out of every package before `.functionsignore` applies, which can bring them back with `!`:
  /// version control, bytecode, local environments, secrets files, the manifest (its settings reach Lambda
  /// as configuration, so a configuration change uploads no code), and the `events/` folder of saved test
  /// events that `functions invoke --event NAME` reads.
  public static let defaultIgnorePatterns = """
    .git/
    .hg/
    .svn/
    __pycache__/
    *.pyc
    .venv/
    .env
    .DS_Store
    /events/
    /function.json
    /.functionsignore
    """

  let layout: StateLayout
  let runner: ProcessRunner
  let environment: [String: String]

  public init(layout: StateLayout, runner: ProcessRunner = ProcessRunner(), environment: [String: String]) {
    self.layout = layout
    self.runner = runner
    self.environment = environment
  }

  /// The directory of dependency installs, one folder per dependency fingerprint.
  public var dependencyCacheDirectory: String { layout.cacheDirectory + "/lambda-dependencies" }
  /// Returns the package's path: in the function's state directory, because the cache may be shared by
  /// several homes whose functions have the same names.
  public func packagePath(registryName: String) -> String {
    layout.stateDirectory(for: registryName) + "/lambda-package.zip"
  }

  /// Lists the files of `directory` that go into the package, sorted by path.
  public func sourceFiles(directory: String, manifest: Manifest) throws -> [SourceFile] {
    var lists = [IgnorePatterns(text: Self.defaultIgnorePatterns)]
    if let envFile = manifest.envFile, !envFile.hasPrefix("/") {
      lists.append(IgnorePatterns(text: "/" + envFile))
    }
    let ignoreFile = directory + "/" + Self.ignoreFileName
    if let data = FileManager.default.contents(atPath: ignoreFile) {
      lists.append(IgnorePatterns(text: String(decoding: data, as: UTF8.self)))
    }
    let patterns = IgnorePatterns(lists)
    var files: [SourceFile] = []
    try walk(directory, relative: "", patterns: patterns, into: &files)
    return files.sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
  }

  private func walk(
    _ root: String, relative: String, patterns: IgnorePatterns, into files: inout [SourceFile]
  )
    throws
  {
    let directory = relative.isEmpty ? root : root + "/" + relative
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw CloudError.packaging("cannot list \(directory): \(error.localizedDescription)")
    }
    for name in names {
      let relativePath = relative.isEmpty ? name : relative + "/" + name
      let absolutePath = root + "/" + relativePath
      var linkInfo = stat()
      var info = stat()
      // stat follows symbolic links, so a link to a file is packaged as that file's content.
      guard lstat(absolutePath, &linkInfo) == 0, stat(absolutePath, &info) == 0 else { continue }
      let isLink = (linkInfo.st_mode & S_IFMT) == S_IFLNK
      let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
      guard isDirectory || (info.st_mode & S_IFMT) == S_IFREG else { continue }
      if patterns.isIgnored(relativePath, isDirectory: isDirectory) { continue }
      if isDirectory {
        // NOTE: linked directories are left out, so a link cycle cannot make the walk endless.
        if isLink { continue }
        files.append(
          SourceFile(
            relativePath: relativePath, absolutePath: absolutePath, isDirectory: true, isExecutable: true))
        try walk(root, relative: relativePath, patterns: patterns, into: &files)
      } else {
        files.append(
          SourceFile(
            relativePath: relativePath, absolutePath: absolutePath, isDirectory: false,
            isExecutable: info.st_mode & 0o111 != 0))
      }
    }
  }

  /// Returns the fingerprint of a package's inputs: each source file's path, executable bit and content
  /// digest, and the dependency fingerprint. It is cheaper than writing the ZIP, so `list` and `describe`
  /// can tell whether the deployed code matches the local code.
  public func sourceFingerprint(directory: String, manifest: Manifest) throws -> String {
    let files = try sourceFiles(directory: directory, manifest: manifest)
    var text = "lambda-package-v1\n"
    for file in files {
      if file.isDirectory {
        text += "d \(file.relativePath)\n"
        continue
      }
      let digest: [UInt8]
      do {
        digest = try SHA256.digest(ofFileAt: file.absolutePath)
      } catch {
        throw CloudError.packaging("cannot read \(file.absolutePath): \(error.localizedDescription)")
      }
      text += "\(file.isExecutable ? "x" : "f") \(SHA256.hex(digest)) \(file.relativePath)\n"
    }
    text += "dependencies \(dependencyFingerprint(directory: directory, manifest: manifest) ?? "none")\n"
    return SHA256.hexDigest(of: text)
  }

  /// Returns the pip platform tag for a Lambda architecture (Lambda's Python packaging guide).
  static func platformTag(architecture: String) -> String {
    architecture == "arm64" ? "manylinux2014_aarch64" : "manylinux2014_x86_64"
  }

  /// Returns the fingerprint of `requirements.txt` with the target platform and Python version, or nil
  /// when the function has no Python dependencies.
  public func dependencyFingerprint(directory: String, manifest: Manifest) -> String? {
    guard manifest.runtimeFamily == .python,
      let data = FileManager.default.contents(atPath: directory + "/requirements.txt"),
      !requirementLines(data).isEmpty,
      let pythonVersion = Runtimes.pythonVersion(of: manifest.runtime)
    else { return nil }
    let platform = Self.platformTag(architecture: manifest.aws.architecture)
    return SHA256.hexDigest(
      of: "pip-target-v1\n\(platform)\n\(pythonVersion)\n" + requirementLines(data).joined(separator: "\n"))
  }

  private func requirementLines(_ data: Data) -> [String] {
    String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
  }

  /// Returns the pip command that installs the dependencies for Lambda into `target`.
  public func pipArguments(manifest: Manifest, directory: String, target: String) -> [String] {
    [
      "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
      "--no-compile", "--platform", Self.platformTag(architecture: manifest.aws.architecture),
      "--implementation", "cp", "--only-binary=:all:",
      "--python-version", Runtimes.pythonVersion(of: manifest.runtime) ?? "3.12",
      "--target", target, "--requirement", directory + "/requirements.txt",
    ]
  }

  /// Installs the dependencies once per fingerprint and returns their directory, or nil when there are
  /// none. A failed install leaves nothing in the cache.
  public func installDependencies(
    directory: String, manifest: Manifest, progress: @escaping @Sendable (String) -> Void = { _ in }
  ) throws -> String? {
    guard let fingerprint = dependencyFingerprint(directory: directory, manifest: manifest) else {
      return nil
    }
    let installed = dependencyCacheDirectory + "/" + fingerprint
    if FileManager.default.fileExists(atPath: installed) { return installed }

    guard let python = PythonLocator(runner: runner, environment: environment).probe("python3") else {
      throw RuntimeError.pythonMissing
    }
    let staging = installed + ".partial-\(getpid())"
    try? FileManager.default.removeItem(atPath: staging)
    do {
      try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    } catch {
      throw CloudError.packaging("cannot create \(staging): \(error.localizedDescription)")
    }
    progress("installing dependencies for \(Self.platformTag(architecture: manifest.aws.architecture))")
    var pipEnvironment = environment
    pipEnvironment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    let result = try runner.run(
      ProcessSpec(
        executable: python.path,
        arguments: pipArguments(manifest: manifest, directory: directory, target: staging),
        environment: pipEnvironment, workingDirectory: directory),
      onLine: progress)
    guard result.termination.isSuccess else {
      try? FileManager.default.removeItem(atPath: staging)
      throw CloudError.dependencyInstallFailed(result)
    }
    guard rename(staging, installed) == 0 else {
      // Another deploy installed the same fingerprint first; its copy is as good as this one.
      try? FileManager.default.removeItem(atPath: staging)
      return installed
    }
    return installed
  }

  /// Writes the package for `registryName` into the cache and returns it.
  public func makePackage(
    registryName: String, directory: String, manifest: Manifest,
    progress: @escaping @Sendable (String) -> Void = { _ in }
  ) throws -> LambdaPackage {
    let sources = try sourceFiles(directory: directory, manifest: manifest)
    var entries: [String: ZipEntry] = [:]
    if let dependencies = try installDependencies(
      directory: directory, manifest: manifest, progress: progress)
    {
      var files: [SourceFile] = []
      try walk(dependencies, relative: "", patterns: IgnorePatterns(text: "__pycache__/"), into: &files)
      for file in files { entries[file.relativePath] = zipEntry(file) }
    }
    // The function's own files win over a dependency file of the same path.
    for file in sources { entries[file.relativePath] = zipEntry(file) }

    let path = packagePath(registryName: registryName)
    let packageDirectory = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: packageDirectory, withIntermediateDirectories: true)
    } catch {
      throw CloudError.packaging("cannot create \(packageDirectory): \(error.localizedDescription)")
    }
    progress("writing \(path)")
    try ZipWriter.write(Array(entries.values), to: path)
    let digest = try SHA256.digest(ofFileAt: path)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return LambdaPackage(
      path: path, byteCount: size, codeSHA256: Data(digest).base64EncodedString(),
      sourceFingerprint: try sourceFingerprint(directory: directory, manifest: manifest),
      entryCount: entries.count)
  }

  private func zipEntry(_ file: SourceFile) -> ZipEntry {
    ZipEntry(
      path: file.relativePath, content: file.isDirectory ? .directory : .file(path: file.absolutePath),
      isExecutable: !file.isDirectory && file.isExecutable)
  }
}
