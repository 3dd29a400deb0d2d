import Basics
import Foundation
import FunctionsCore

/// A function's image in the local Docker image store.
public struct BuiltImage: Codable, Sendable, Equatable {
  /// `functions/NAME:FINGERPRINT`.
  public let reference: String
  /// The first 16 hex digits of the source fingerprint, also stored in the `functions-fingerprint` label.
  public let fingerprint: String
  /// Whether this build created the image; false when an image with the same fingerprint was reused.
  public let wasBuilt: Bool
  /// Whether the image comes from a Dockerfile in the function's directory.
  public let usesOwnDockerfile: Bool
}

/// Builds function images through the `docker` CLI, without pulling and without network access in the
/// build.
///
/// Python dependencies are downloaded on the host with `pip download` for the base image's Python version
/// and platform, so a build works where only the host trusts the TLS certificate of PyPI or of a proxy.
/// The wheels are cached by the requirements' fingerprint, and Docker's layer cache keeps the dependency
/// layer while they stay the same, so a source change rebuilds only the last layer. Node.js dependencies
/// come from the function's own `node_modules`, copied as it is (see `NodeModules`).
public struct DockerImageBuilder: Sendable {
  /// Bumped when the generated Dockerfile or the context layout changes, so old images are not reused.
  static let layoutVersion = "1"
  /// Names left out of the image: version control, local environments, caches, and `.env`, whose
  /// values reach the container at run time instead of being baked into a layer.
  static let excludedNames: Set<String> = [
    ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "node_modules", ".env", ".DS_Store",
  ]

  let docker: DockerCLI
  let layout: StateLayout
  let settings: Settings
  let runner: ProcessRunner
  let environment: [String: String]

  /// Returns a builder with the settings as they are now, for the daemon `environment` names.
  public static func make(
    layout: StateLayout, environment: [String: String], runner: ProcessRunner = ProcessRunner()
  ) throws -> DockerImageBuilder {
    DockerImageBuilder(
      docker: DockerCLI(runner: runner, environment: environment), layout: layout,
      settings: try Settings.load(layout: layout), runner: runner, environment: environment)
  }

  public init(
    docker: DockerCLI, layout: StateLayout, settings: Settings, runner: ProcessRunner = ProcessRunner(),
    environment: [String: String]
  ) {
    self.docker = docker
    self.layout = layout
    self.settings = settings
    self.runner = runner
    self.environment = environment
  }

  var dockerCacheDirectory: String { layout.cacheDirectory + "/docker" }

  /// Returns the path of a Dockerfile in the function's directory, when it has one.
  public static func ownDockerfile(in directory: String) -> String? {
    let path = (directory as NSString).appendingPathComponent("Dockerfile")
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }

  /// Returns the Dockerfile a build uses: the function's own, or the generated one for its base image.
  public func dockerfileText(manifest: Manifest, directory: String) throws -> String {
    if let own = Self.ownDockerfile(in: directory) {
      guard let data = FileManager.default.contents(atPath: own) else {
        throw DockerError.io("cannot read \(own)")
      }
      return String(decoding: data, as: UTF8.self)
    }
    return try generatedDockerfile(manifest: manifest, directory: directory).text
  }

  /// Returns the Dockerfile for the function's runtime and base image setting. Google Cloud functions
  /// get one for Python only, as on the process backend.
  func generatedDockerfile(manifest: Manifest, directory: String) throws -> GeneratedDockerfile {
    let unsupported = DockerError.unsupportedRuntime(runtime: manifest.runtime, provider: manifest.provider)
    switch manifest.runtimeFamily {
    case .python:
      guard let version = Runtimes.pythonVersion(of: manifest.runtime) else { throw unsupported }
      return GeneratedDockerfile(
        manifest: manifest, baseImage: DockerBaseImages.image(forPythonVersion: version, settings: settings))
    case .node:
      guard manifest.provider == .aws, let version = Runtimes.nodeVersion(of: manifest.runtime) else {
        throw unsupported
      }
      return GeneratedDockerfile(
        manifest: manifest, baseImage: DockerBaseImages.image(forNodeVersion: version, settings: settings),
        runtime: .node(includesNodeModules: NodeModules.exists(in: directory)))
    case .custom:
      guard manifest.provider == .aws else { throw unsupported }
      return GeneratedDockerfile(
        manifest: manifest, baseImage: DockerBaseImages.customRuntimeImage(settings: settings),
        runtime: .custom)
    }
  }

  /// Returns the function's image, building it when no image with the same fingerprint exists.
  public func build(
    name: String, manifest: Manifest, directory: String, force: Bool,
    report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> BuiltImage {
    let ownDockerfile = Self.ownDockerfile(in: directory)
    let generated =
      ownDockerfile == nil ? try generatedDockerfile(manifest: manifest, directory: directory) : nil
    let dockerfile = try dockerfileText(manifest: manifest, directory: directory)

    var baseImageID = ""
    if let generated {
      guard let identifier = try docker.imageID(generated.baseImage) else {
        throw DockerError.baseImageMissing(image: generated.baseImage)
      }
      baseImageID = identifier
    }
    var files = try Self.sourceFiles(in: directory)
    if case .node(let includesNodeModules) = generated?.runtime {
      try NodeModules.checkDependencies(in: directory)
      // NOTE: every file of node_modules is read for the fingerprint on each build and run, which takes
      // a while for a large folder.
      if includesNodeModules { files += try NodeModules.entries(in: directory) }
    }
    let fingerprint = try Self.fingerprint(
      dockerfile: dockerfile, baseImageID: baseImageID, directory: directory, files: files)
    let shortFingerprint = String(fingerprint.prefix(16))
    // The registry's own suffix keeps each FUNCTIONS_HOME's images apart, so one registry never reuses,
    // replaces or deletes an image that carries another registry's label.
    let reference = "functions/\(name.lowercased()):\(shortFingerprint)-\(docker.ownerTag)"
    if !force, try docker.imageID(reference) != nil {
      return BuiltImage(
        reference: reference, fingerprint: shortFingerprint, wasBuilt: false,
        usesOwnDockerfile: ownDockerfile != nil)
    }

    // --force-rm also removes the intermediate container of a step that failed.
    var arguments = ["build", "--network", "none", "--force-rm", "--tag", reference]
    arguments += docker.labelArguments(functionName: name, fingerprint: shortFingerprint)
    if force { arguments.append("--no-cache") }
    if let generated {
      let context = try assembleContext(
        name: name, generated: generated, baseImageID: baseImageID, directory: directory, files: files,
        dockerfile: dockerfile, report: report)
      arguments += ["--file", context + "/Dockerfile", context]
    } else if let ownDockerfile {
      // The function's own Dockerfile builds from its directory, with its .dockerignore.
      arguments += ["--file", ownDockerfile, directory]
    }
    report(.step("Building image \(reference)"))
    try docker.checkedRun(arguments, timeout: .seconds(1800)) { line in report(.buildOutput(line)) }
    removeOlderImages(name: name, keeping: reference)
    return BuiltImage(
      reference: reference, fingerprint: shortFingerprint, wasBuilt: true,
      usesOwnDockerfile: ownDockerfile != nil)
  }

  /// Deletes the function's build context folder in the cache.
  public func removeBuildContext(name: String) throws {
    let context = buildContextDirectory(name: name)
    if FileManager.default.fileExists(atPath: context) { try FileManager.default.removeItem(atPath: context) }
  }

  /// Returns the function's build context folder. The cache can be shared by several registries
  /// (FUNCTIONS_CACHE_DIR), so the folder name ends with the registry's tag.
  func buildContextDirectory(name: String) -> String {
    dockerCacheDirectory + "/contexts/\(name)-\(docker.ownerTag)"
  }

  /// Removes the function's images with another fingerprint. An image a container still uses stays.
  func removeOlderImages(name: String, keeping reference: String) {
    guard let images = try? docker.images(functionName: name) else { return }
    let older = images.filter { $0.reference != reference }.map(\.reference)
    if !older.isEmpty { _ = try? docker.run(["image", "rm"] + older, timeout: .seconds(60)) }
  }

  /// Returns the relative paths of the files that go into the image, sorted.
  static func sourceFiles(in directory: String) throws -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
      throw DockerError.io("cannot read the function's directory \(directory)")
    }
    var files: [String] = []
    while let relative = enumerator.nextObject() as? String {
      let name = (relative as NSString).lastPathComponent
      if excludedNames.contains(name) || name.hasSuffix(".pyc") {
        enumerator.skipDescendants()
        continue
      }
      if enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular { files.append(relative) }
    }
    return files.sorted()
  }

  /// Returns the fingerprint of everything that goes into the image: the Dockerfile, the base image, and
  /// each file's path, mode and contents, or a symbolic link's path and target.
  static func fingerprint(dockerfile: String, baseImageID: String, directory: String, files: [String]) throws
    -> String
  {
    var key = [layoutVersion, dockerfile, baseImageID].joined(separator: "\u{0}")
    for file in files {
      let path = directory + "/" + file
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
        key += "\u{0}\(file)\u{0}l\u{0}\(target)"
        continue
      }
      guard let data = FileManager.default.contents(atPath: path) else {
        throw DockerError.io("cannot read \(path)")
      }
      let isExecutable = FileManager.default.isExecutableFile(atPath: path)
      key += "\u{0}\(file)\u{0}\(isExecutable ? "x" : "-")\u{0}\(SHA256.hexDigest(of: data))"
    }
    return SHA256.hexDigest(of: key)
  }

  /// Writes the build context: the Dockerfile, the function's files in `function/`, and what the
  /// runtime needs (see `GeneratedDockerfile`).
  func assembleContext(
    name: String, generated: GeneratedDockerfile, baseImageID: String, directory: String, files: [String],
    dockerfile: String, report: @escaping @Sendable (BuildEvent) -> Void
  ) throws -> String {
    var pythonDependencies: (requirements: Data, wheels: String)?
    if let baseRequirement = generated.baseRequirement {
      let platform = try ImagePythonPlatform.probe(
        image: generated.baseImage, imageID: baseImageID, docker: docker,
        cacheDirectory: dockerCacheDirectory + "/platforms")
      // As on the process backend, a warning names the Python the function will run on instead.
      if let wanted = Runtimes.pythonVersion(of: generated.manifest.runtime), wanted != platform.pythonVersion
      {
        report(
          .warning(
            "the base image \(generated.baseImage) has Python \(platform.pythonVersion), so the function runs "
              + "on Python \(platform.pythonVersion), not \(wanted) as in the cloud; name an image with Python "
              + "\(wanted) in settings.json under \"dockerBaseImages\" (\"python\(wanted)\" or \"python\")"))
      }
      let requirementsPath = (directory as NSString).appendingPathComponent("requirements.txt")
      let requirements = FileManager.default.contents(atPath: requirementsPath) ?? Data()
      let wheels = try WheelDownloader(
        runner: runner, environment: environment, cacheDirectory: dockerCacheDirectory + "/wheels"
      ).download(
        requirements: requirements,
        requirementsPath: FileManager.default.fileExists(atPath: requirementsPath) ? requirementsPath : nil,
        baseRequirement: baseRequirement, platform: platform, report: report)
      pythonDependencies = (requirements, wheels)
    }

    let context = buildContextDirectory(name: name)
    let manager = FileManager.default
    do {
      try? manager.removeItem(atPath: context)
      try manager.createDirectory(atPath: context + "/function", withIntermediateDirectories: true)
      try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: context + "/Dockerfile"))
      if let pythonDependencies {
        try pythonDependencies.requirements.write(to: URL(fileURLWithPath: context + "/requirements.txt"))
        try linkOrCopy(pythonDependencies.wheels, to: context + "/wheels")
      }
      if case .node = generated.runtime {
        _ = try NodeBootstrap.install(in: context + "/runtime")
      }
      for file in files {
        // node_modules gets a layer of its own, so a change to the function's code does not copy it again.
        let isDependency = file.hasPrefix(NodeModules.folderName + "/")
        let target = context + (isDependency ? "/" : "/function/") + file
        try manager.createDirectory(
          atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try manager.copyItem(atPath: directory + "/" + file, toPath: target)
      }
    } catch let error as DockerError {
      throw error
    } catch {
      throw DockerError.io("cannot write the build context \(context): \(error.localizedDescription)")
    }
    return context
  }

  /// Hard-links the wheels into the context, copying when the link fails (another file system).
  private func linkOrCopy(_ source: String, to destination: String) throws {
    let manager = FileManager.default
    try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
    for file in try manager.contentsOfDirectory(atPath: source) {
      let from = source + "/" + file
      let to = destination + "/" + file
      if (try? manager.linkItem(atPath: from, toPath: to)) == nil {
        try manager.copyItem(atPath: from, toPath: to)
      }
    }
  }
}
