import Basics
import Foundation
import FunctionsCore
import Testing

@testable import LocalRuntime

@Suite("LambdaPackager")
struct LambdaPackagerTests {
  static func manifest(architecture: String = "x86_64", envFile: String? = nil) -> Manifest {
    var manifest = Manifest(
      name: "worker", provider: .aws, runtime: "python3.12", entryPoint: "app.handler", trigger: .event,
      envFile: envFile)
    manifest.aws.architecture = architecture
    return manifest
  }

  static func write(_ text: String, _ path: String, executable: Bool = false) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
  }

  static func packager(_ root: String) -> LambdaPackager {
    var environment = ProcessInfo.processInfo.environment
    environment["FUNCTIONS_HOME"] = root + "/home"
    return LambdaPackager(layout: StateLayout(environment: environment), environment: environment)
  }

  /// Returns the archive's member names as Python's zipfile lists them.
  static func members(_ archive: String) throws -> [String] {
    let result = try ProcessRunner().checkedRun(
      ProcessSpec(
        executable: "python3",
        arguments: [
          "-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", archive,
        ],
        environment: ProcessInfo.processInfo.environment),
      timeout: .seconds(60))
    return result.output.split(separator: "\n").map(String.init)
  }

  @Test("default and user ignores apply")
  func ignores() throws {
    try ScratchDirectory.with { root in
      let function = root + "/fn"
      try Self.write("def handler(e, c): return 1\n", function + "/app.py")
      try Self.write("x", function + "/__pycache__/app.cpython-312.pyc")
      try Self.write("SECRET=1\n", function + "/.env")
      try Self.write("SECRET=2\n", function + "/local.env")
      try Self.write("{}", function + "/events/ping.json")
      try Self.write("[core]\n", function + "/.git/config")
      try Self.write("notes\n", function + "/docs/notes.md")
      try Self.write("keep\n", function + "/docs/keep.md")
      try Self.write("#!/bin/sh\n", function + "/bin/run", executable: true)
      try Self.write("docs/*\n!docs/keep.md\n# a comment\n", function + "/.functionsignore")

      let files = try Self.packager(root).sourceFiles(
        directory: function, manifest: Self.manifest(envFile: "local.env"))
      #expect(files.map(\.relativePath) == ["app.py", "bin", "bin/run", "docs", "docs/keep.md"])
      #expect(files.first { $0.relativePath == "bin/run" }?.isExecutable == true)
      #expect(files.first { $0.relativePath == "app.py" }?.isExecutable == false)
    }
  }

  @Test("package is deterministic")
  func deterministic() throws {
    try ScratchDirectory.with { root in
      let function = root + "/fn"
      try Self.write("def handler(e, c): return 1\n", function + "/app.py")
      try Self.write("VALUE = 2\n", function + "/lib/util.py")
      let packager = Self.packager(root)
      let first = try packager.makePackage(
        registryName: "worker", directory: function, manifest: Self.manifest())
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSince1970: 5_000)], ofItemAtPath: function + "/app.py")
      let second = try packager.makePackage(
        registryName: "worker", directory: function, manifest: Self.manifest())
      #expect(first.codeSHA256 == second.codeSHA256)
      #expect(first.sourceFingerprint == second.sourceFingerprint)
      #expect(try Self.members(second.path) == ["app.py", "lib/", "lib/util.py"])

      try Self.write("def handler(e, c): return 2\n", function + "/app.py")
      let third = try packager.makePackage(
        registryName: "worker", directory: function, manifest: Self.manifest())
      #expect(third.codeSHA256 != second.codeSHA256)
      #expect(third.sourceFingerprint != second.sourceFingerprint)
    }
  }

  @Test("executable bit changes fingerprint")
  func executableBit() throws {
    try ScratchDirectory.with { root in
      let function = root + "/fn"
      try Self.write("#!/bin/sh\n", function + "/bootstrap")
      let packager = Self.packager(root)
      let before = try packager.sourceFingerprint(directory: function, manifest: Self.manifest())
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: function + "/bootstrap")
      let after = try packager.sourceFingerprint(directory: function, manifest: Self.manifest())
      #expect(before != after)
    }
  }

  @Test("pip arguments target Lambda's platform")
  func pipArguments() {
    let packager = LambdaPackager(
      layout: StateLayout(environment: ["FUNCTIONS_HOME": "/h"]), environment: [:])
    let arguments = packager.pipArguments(
      manifest: Self.manifest(architecture: "arm64"), directory: "/f", target: "/t")
    let text = arguments.joined(separator: " ")
    // Lambda's "Working with .zip file archives for Python" guide names these pip options.
    #expect(text.contains("--platform manylinux2014_aarch64"))
    #expect(text.contains("--only-binary=:all:"))
    #expect(text.contains("--python-version 3.12"))
    #expect(text.contains("--target /t"))
  }

  @Test("dependencies install for arm64 and are cached")
  func dependencies() throws {
    try ScratchDirectory.with { root in
      let function = root + "/fn"
      try Self.write("def handler(e, c): return 1\n", function + "/app.py")
      // MarkupSafe 2.1.5 publishes compiled manylinux2014 wheels for both architectures.
      try Self.write("markupsafe==2.1.5\n", function + "/requirements.txt")
      var environment = ProcessInfo.processInfo.environment
      environment["FUNCTIONS_HOME"] = root + "/home"
      let packager = LambdaPackager(layout: StateLayout(environment: environment), environment: environment)
      let manifest = Self.manifest(architecture: "arm64")

      let package = try packager.makePackage(registryName: "worker", directory: function, manifest: manifest)
      let names = try Self.members(package.path)
      #expect(names.contains("app.py"))
      #expect(names.contains("requirements.txt"))
      #expect(
        names.contains { $0.hasPrefix("markupsafe/_speedups.cpython-312-aarch64-linux-gnu") },
        "the compiled module is built for Lambda's arm64, not this machine")
      #expect(!names.contains { $0.contains("__pycache__") })

      // A second package reuses the cached install: pip is not run, so a broken PATH cannot matter.
      let cached = try #require(packager.dependencyFingerprint(directory: function, manifest: manifest))
      let marker = packager.dependencyCacheDirectory + "/" + cached + "/marker-from-test"
      try Data().write(to: URL(fileURLWithPath: marker))
      var noPython = environment
      noPython["PATH"] = "/nonexistent"
      let offline = LambdaPackager(layout: StateLayout(environment: environment), environment: noPython)
      let again = try offline.makePackage(registryName: "worker", directory: function, manifest: manifest)
      #expect(try Self.members(again.path).contains("marker-from-test"))
    }
  }
}
