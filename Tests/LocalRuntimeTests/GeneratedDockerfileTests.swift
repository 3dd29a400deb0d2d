import Foundation
import FunctionsCore
import Testing

@testable import LocalRuntime

/// Returns the generated Dockerfile for `manifest` in `directory`, with `baseImages` as the settings'
/// `dockerBaseImages`.
private func dockerfile(
  _ manifest: Manifest, directory: String, baseImages: [String: String]? = nil
) throws -> GeneratedDockerfile {
  var settings = Settings()
  settings.dockerBaseImages = baseImages
  let builder = DockerImageBuilder(
    docker: DockerCLI(environment: [:]), layout: StateLayout(environment: ["FUNCTIONS_HOME": directory]),
    settings: settings, environment: [:])
  return try builder.generatedDockerfile(manifest: manifest, directory: directory)
}

private let nodeManifest = Manifest(
  name: "web", provider: .aws, runtime: "nodejs20.x", entryPoint: "index.handler", source: "index.mjs",
  trigger: .http)
private let customManifest = Manifest(
  name: "shell", provider: .aws, runtime: "provided.al2023", entryPoint: "function.handler",
  source: "bootstrap", trigger: .http)

@Suite("GeneratedDockerfile")
struct GeneratedDockerfileTests {
  @Test("Node.js copies the runtime client")
  func nodeWithoutModules() throws {
    let generated = try ScratchDirectory.with { try dockerfile(nodeManifest, directory: $0) }
    #expect(generated.runtime == .node(includesNodeModules: false))
    #expect(generated.baseImage == "node:20-slim")
    #expect(generated.baseRequirement == nil)
    #expect(generated.text.contains("FROM node:20-slim\n"))
    #expect(
      generated.text.contains("COPY runtime/\(NodeBootstrap.fileName) /var/runtime/bootstrap.mjs\n"))
    #expect(generated.text.contains("RUN command -v node >/dev/null"))
    #expect(!generated.text.contains("COPY node_modules"))
    #expect(
      generated.text.hasSuffix(
        "COPY function /var/task\nWORKDIR /var/task\n"
          + "CMD [\"node\", \"/var/runtime/bootstrap.mjs\"]\n"))
  }

  @Test("node_modules in a layer of its own")
  func nodeWithModules() throws {
    let generated = try ScratchDirectory.with { directory in
      try FileManager.default.createDirectory(
        atPath: directory + "/node_modules", withIntermediateDirectories: true)
      return try dockerfile(nodeManifest, directory: directory)
    }
    #expect(generated.runtime == .node(includesNodeModules: true))
    let text = generated.text
    let modules = try #require(text.range(of: "COPY node_modules /var/task/node_modules\n"))
    let function = try #require(text.range(of: "COPY function /var/task\n"))
    #expect(modules.upperBound <= function.lowerBound)
  }

  @Test("custom runtime runs its bootstrap")
  func customRuntime() throws {
    let generated = try ScratchDirectory.with { try dockerfile(customManifest, directory: $0) }
    #expect(generated.runtime == .custom)
    #expect(generated.baseImage == "buildpack-deps:bookworm-curl")
    #expect(generated.command == ["/var/task/bootstrap"])
    #expect(generated.text.contains("FROM buildpack-deps:bookworm-curl\n"))
    #expect(generated.text.hasSuffix("CMD [\"/var/task/bootstrap\"]\n"))
    #expect(!generated.text.contains("RUN "))
  }

  @Test(
    "base image from the settings",
    arguments: [
      (nil, "nodejs20.x", "node:20-slim"),
      (["node": "local/node:1"], "nodejs20.x", "local/node:1"),
      (["node": "local/node:1", "node20": "local/node:20"], "nodejs20.x", "local/node:20"),
      (["python": "local/python:1"], "nodejs20.x", "node:20-slim"),
      (nil, "provided.al2023", "buildpack-deps:bookworm-curl"),
      (["custom": "local/custom:1"], "provided.al2023", "local/custom:1"),
      (["node": "local/node:1"], "provided.al2023", "buildpack-deps:bookworm-curl"),
      (["python": "local/python:1", "custom": "local/custom:1"], "python3.12", "local/python:1"),
    ] as [([String: String]?, String, String)])
  func baseImages(settings: [String: String]?, runtime: String, expected: String) throws {
    let manifest = Manifest(
      name: "fn", provider: .aws, runtime: runtime, entryPoint: "main.handler", trigger: .http)
    let generated = try ScratchDirectory.with {
      try dockerfile(manifest, directory: $0, baseImages: settings)
    }
    #expect(generated.baseImage == expected)
  }

  @Test("Python keeps the wheel install")
  func python() throws {
    let manifest = Manifest(
      name: "fn", provider: .aws, runtime: "python3.12", entryPoint: "main.handler", trigger: .http)
    let generated = try ScratchDirectory.with { try dockerfile(manifest, directory: $0) }
    #expect(generated.baseRequirement == EnvironmentBuilder.runtimeClientRequirement)
    #expect(generated.text.contains("--no-index --find-links /opt/functions/wheels"))
    #expect(generated.command == ["python", "-m", "awslambdaric", "main.handler"])
  }

  @Test(
    "Google Cloud generates Python only",
    arguments: ["nodejs20", "provided.al2023"])
  func googleCloudRuntimes(runtime: String) throws {
    let manifest = Manifest(
      name: "fn", provider: .gcp, runtime: runtime, entryPoint: "handle", trigger: .http)
    try ScratchDirectory.with { directory in
      let error = #expect(throws: DockerError.self) { try dockerfile(manifest, directory: directory) }
      let message = error.map { "\($0)" } ?? ""
      #expect(message.contains("generates no Dockerfile for \(runtime) on gcp"), "\(message)")
      #expect(message.contains("use '--backend process'"))
    }
  }

  @Test(
    "Node.js major version of a runtime",
    arguments: [
      ("nodejs20.x", "20"), ("nodejs22.x", "22"), ("nodejs20", "20"), ("nodejs", nil), ("nodejsX.x", nil),
      ("python3.12", nil),
    ] as [(String, String?)])
  func nodeVersion(runtime: String, expected: String?) {
    #expect(Runtimes.nodeVersion(of: runtime) == expected)
  }
}

@Suite("NodeModules")
struct NodeModulesTests {
  @Test("missing dependencies are named")
  func missingDependencies() throws {
    try ScratchDirectory.with { directory in
      let manifest = #"{"dependencies": {"left-pad": "^1.3.0", "@scope/tool": "1.0.0", "uuid": "9"}}"#
      try Data(manifest.utf8).write(to: URL(fileURLWithPath: directory + "/package.json"))
      try FileManager.default.createDirectory(
        atPath: directory + "/node_modules/uuid", withIntermediateDirectories: true)

      let error = #expect(throws: DockerError.self) { try NodeModules.checkDependencies(in: directory) }
      let message = error.map { "\($0)" } ?? ""
      #expect(message.contains("not in \(directory)/node_modules: '@scope/tool', 'left-pad';"), "\(message)")
      #expect(message.contains("npm install --omit=dev"))

      for name in ["left-pad", "@scope/tool"] {
        try FileManager.default.createDirectory(
          atPath: directory + "/node_modules/" + name, withIntermediateDirectories: true)
      }
      #expect(throws: Never.self) { try NodeModules.checkDependencies(in: directory) }
    }
  }

  @Test("package.json without dependencies")
  func noDependencies() throws {
    try ScratchDirectory.with { directory in
      #expect(throws: Never.self) { try NodeModules.checkDependencies(in: directory) }
      let manifest = #"{"type": "module", "devDependencies": {"jest": "29"}}"#
      try Data(manifest.utf8).write(to: URL(fileURLWithPath: directory + "/package.json"))
      #expect(throws: Never.self) { try NodeModules.checkDependencies(in: directory) }
    }
  }

  @Test("invalid package.json is reported")
  func invalidManifest() throws {
    try ScratchDirectory.with { directory in
      try Data(#"{"dependencies": "#.utf8).write(to: URL(fileURLWithPath: directory + "/package.json"))
      let error = #expect(throws: DockerError.self) { try NodeModules.checkDependencies(in: directory) }
      #expect(error.map { "\($0)" } == "\(directory)/package.json is not valid JSON; fix it and build again")
    }
  }

  @Test("entries include symbolic links")
  func entries() throws {
    try ScratchDirectory.with { directory in
      let manager = FileManager.default
      try manager.createDirectory(
        atPath: directory + "/node_modules/a/.git", withIntermediateDirectories: true)
      try manager.createDirectory(atPath: directory + "/node_modules/.bin", withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/node_modules/a/index.js"))
      try Data("y".utf8).write(to: URL(fileURLWithPath: directory + "/node_modules/a/.git/HEAD"))
      try manager.createSymbolicLink(
        atPath: directory + "/node_modules/.bin/a", withDestinationPath: "../a/index.js")
      #expect(
        try NodeModules.entries(in: directory) == [
          "node_modules/.bin/a", "node_modules/a/.git/HEAD", "node_modules/a/index.js",
        ])
    }
  }
}

@Suite("LambdaContainer")
struct LambdaContainerTests {
  private func container(directory: String, usesOwnDockerfile: Bool = false) -> LambdaContainer {
    let image = BuiltImage(
      reference: "functions/shell:0", fingerprint: "0", wasBuilt: true, usesOwnDockerfile: usesOwnDockerfile)
    return LambdaContainer(
      image: image, manifest: customManifest, directory: directory, stateDirectory: directory + "/state")
  }

  @Test("bootstrap failures name the container path")
  func bootstrapFailures() throws {
    try ScratchDirectory.with { directory in
      guard case .missingBootstrap(let missing) = container(directory: directory).bootstrapFailure() else {
        Issue.record("a missing bootstrap was not reported")
        return
      }
      #expect(missing == "/var/task/bootstrap")

      try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: directory + "/bootstrap"))
      guard case .bootstrapNotExecutable(let path) = container(directory: directory).bootstrapFailure() else {
        Issue.record("a bootstrap without the executable bit was not reported")
        return
      }
      #expect(path == "/var/task/bootstrap")

      chmod(directory + "/bootstrap", 0o755)
      #expect(container(directory: directory).bootstrapFailure() == nil)
    }
  }

  @Test("own Dockerfile skips the check")
  func ownDockerfile() throws {
    try ScratchDirectory.with { directory in
      let own = container(directory: directory, usesOwnDockerfile: true)
      #expect(own.bootstrapSource == nil)
      #expect(own.bootstrapFailure() == nil)
    }
  }
}
