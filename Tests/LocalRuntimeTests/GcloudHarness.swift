import Basics
import Foundation
import FunctionsCore
import GoogleCloudStandIn
import Testing

@testable import LocalRuntime

/// Runs the real `gcloud` against a `GoogleCloudStandIn`, with every setting that keeps it on loopback.
///
/// Without `GCE_METADATA_ROOT=127.0.0.1:9` gcloud looks up `metadata.google.internal` in DNS on every run,
/// even with `core/check_gce_metadata` false, so the harness builds the whole environment itself and
/// starts from no inherited `CLOUDSDK_*` variable.
struct GcloudHarness {
  let standIn: GoogleCloudStandIn
  let root: String
  let environment: [String: String]

  /// - Parameter project: The value of `CLOUDSDK_CORE_PROJECT`. Empty leaves gcloud without a project.
  init(standIn: GoogleCloudStandIn, root: String, project: String = "demo-project") throws {
    self.standIn = standIn
    self.root = root
    let inherited = ProcessInfo.processInfo.environment
    var environment = try GcloudEnvironment.make(standIn: standIn, root: root, project: project)
    environment["PATH"] = inherited["PATH"] ?? "/usr/bin:/bin"
    environment["HOME"] = root
    environment["LANG"] = "C.UTF-8"
    try Self.requireLoopback(environment)
    self.environment = environment
  }

  /// Fails the test at once unless every endpoint override and the metadata root are on 127.0.0.1.
  static func requireLoopback(_ environment: [String: String]) throws {
    for (name, value) in environment.sorted(by: { $0.key < $1.key })
    where name.hasPrefix("CLOUDSDK_API_ENDPOINT_OVERRIDES_") {
      let host = URL(string: value)?.host
      try #require(host == "127.0.0.1", "\(name)=\(value) is not a loopback endpoint")
    }
    try #require(
      environment["GCE_METADATA_ROOT"]?.hasPrefix("127.0.0.1:") == true, "GCE_METADATA_ROOT is not loopback")
  }

  func makeProvider(output: @escaping @Sendable (String) -> Void = { _ in }) -> GCPProvider {
    GCPProvider(environment: environment, output: output, followInterval: .seconds(1), timeout: .seconds(180))
  }

  /// Writes a Python function directory with `main.py` and `requirements.txt` (gcloud requires both).
  func makeFunction(_ name: String, body: String = "return 'Hello World!'") throws -> URL {
    let directory = "\(root)/\(name)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data("def handle(request):\n    \(body)\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/main.py"))
    try Data("functions-framework==3.*\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/requirements.txt"))
    return URL(fileURLWithPath: directory)
  }

  /// Returns the requests sent since `start`, as `METHOD /path` lines.
  func summaries(from start: Int) -> [String] {
    standIn.requests.dropFirst(start).map(\.summary)
  }

  /// Records an issue for every request the stand-in did not know.
  func expectNoUnknownRequests(sourceLocation: SourceLocation = #_sourceLocation) {
    for request in standIn.unknownRequests {
      Issue.record(
        "gcloud sent a request the stand-in does not know: \(request.summary)", sourceLocation: sourceLocation
      )
    }
  }
}

/// Runs `body` with a started stand-in and a harness in a scratch directory, and stops the stand-in after.
func withGcloud(project: String = "demo-project", _ body: (GcloudHarness) throws -> Void) async throws {
  let standIn = try GoogleCloudStandIn()
  do {
    try ScratchDirectory.with { root in
      let harness = try GcloudHarness(standIn: standIn, root: root, project: project)
      try body(harness)
      harness.expectNoUnknownRequests()
    }
  } catch {
    await standIn.stop()
    throw error
  }
  await standIn.stop()
}

extension DeployRequest {
  static func make(
    _ manifest: Manifest, directory: URL, project: String? = "demo-project", region: String? = "us-central1",
    adopt: Bool = false
  ) -> DeployRequest {
    DeployRequest(
      registryName: manifest.name, manifest: manifest, directory: directory,
      target: CloudTarget(region: region, project: project), adopt: adopt)
  }
}
