import Basics
import Foundation
import FunctionsCore
import Synchronization
import Testing

@testable import LocalRuntime

/// The real `gcloud` (google-cloud-cli 528) driven by `GCPProvider` against the loopback stand-in.
/// Expected request fields come from the Cloud Functions v2 REST reference (`projects.locations.functions`:
/// `Function.buildConfig`, `serviceConfig`, `eventTrigger`, `labels`).
@Suite("GCPProvider with gcloud", .serialized, .timeLimit(.minutes(5)))
struct GCPProviderTests {
  static let httpManifest = Manifest(
    name: "hello", entryPoint: "handle", trigger: .http,
    environment: ["GREETING": "Hi there", "MODE": "a,b=c"],
    gcp: GoogleCloudSettings(memory: "512Mi", timeoutSeconds: 120))

  @Test("deploy HTTP function")
  func deployHTTP() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("hello")
      let outcome = try harness.makeProvider().deploy(.make(Self.httpManifest, directory: directory))

      let create = try #require(
        harness.standIn.requests.first { $0.method == "POST" && $0.path.hasSuffix("/functions") })
      #expect(create.path == "/v2/projects/demo-project/locations/us-central1/functions")
      #expect(create.query["functionId"] == "hello")
      let body = try #require(create.json)
      let build = try #require(body["buildConfig"] as? [String: Any])
      #expect(build["runtime"] as? String == "python312")
      #expect(build["entryPoint"] as? String == "handle")
      let service = try #require(body["serviceConfig"] as? [String: Any])
      #expect(service["availableMemory"] as? String == "512Mi")
      #expect(service["timeoutSeconds"] as? Int == 120)
      #expect(
        service["environmentVariables"] as? [String: String] == ["GREETING": "Hi there", "MODE": "a,b=c"])
      // An HTTP function has no eventTrigger, and ingress stays at its default.
      #expect(body["eventTrigger"] == nil)
      #expect(service["ingressSettings"] == nil)
      let labels = try #require(body["labels"] as? [String: String])
      #expect(labels["managed-by"] == "functions")
      #expect(labels["functions-name"] == "hello")
      #expect(labels["functions-fingerprint"]?.count == 16)
      #expect(!harness.standIn.requests.contains { $0.path.hasSuffix(":setIamPolicy") })
      #expect(harness.standIn.requests.contains { $0.method == "PUT" && $0.path.hasPrefix("/upload/") })

      #expect(outcome.uploadedCode)
      #expect(outcome.changedConfiguration)
      #expect(outcome.function.url == "https://hello-123456789012.us-central1.run.app")
      #expect(outcome.function.registryName == "hello")
      #expect(outcome.function.state == "ACTIVE")
      #expect(outcome.function.codeFingerprint == labels["functions-fingerprint"])
    }
  }

  @Test("environment values stay out of argv")
  func environmentNotInArguments() throws {
    let command = GCPCommands.deploy(
      cloudName: "hello", registryName: "hello", manifest: Self.httpManifest, directory: "/src",
      scope: GCPScope(project: "p", region: "r"), fingerprint: String(repeating: "a", count: 64),
      environmentFile: "/tmp/x/environment.yaml", ignoreFile: nil, clearsEnvironment: false)
    #expect(!command.arguments.joined(separator: " ").contains("Hi there"))
    #expect(command.arguments.contains("--env-vars-file=/tmp/x/environment.yaml"))
  }

  @Test("plan runs nothing")
  func plan() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("hello")
      let commands = try harness.makeProvider().plan(.make(Self.httpManifest, directory: directory))
      #expect(
        commands.map { Array($0.arguments.prefix(3)) } == [
          ["gcloud", "functions", "describe"], ["gcloud", "functions", "deploy"],
        ])
      let deploy = commands[1].arguments
      #expect(deploy.contains("--project=demo-project"))
      #expect(deploy.contains("--region=us-central1"))
      #expect(deploy.contains { $0.hasPrefix("--env-vars-file=") && $0.hasSuffix("/environment.yaml") })
      #expect(!deploy.joined(separator: " ").contains("Hi there"))
      let environmentFile = try #require(deploy.first { $0.hasPrefix("--env-vars-file=") }).dropFirst(16)
      #expect(!FileManager.default.fileExists(atPath: String(environmentFile)))
      #expect(harness.standIn.requests.isEmpty)
    }
  }

  @Test("allowUnauthenticated grants allUsers")
  func allowUnauthenticated() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("open")
      var manifest = Manifest(name: "open", entryPoint: "handle", trigger: .http)
      manifest.gcp.allowUnauthenticated = true
      _ = try harness.makeProvider().deploy(.make(manifest, directory: directory))
      let set = try #require(harness.standIn.requests.first { $0.path.hasSuffix(":setIamPolicy") })
      #expect(set.path == "/v1/projects/demo-project/locations/us-central1/services/open:setIamPolicy")
      let bindings = (set.json?["policy"] as? [String: Any])?["bindings"] as? [[String: Any]]
      #expect(bindings?.first?["role"] as? String == "roles/run.invoker")
      #expect(bindings?.first?["members"] as? [String] == ["allUsers"])
    }
  }

  @Test("deploy Pub/Sub function")
  func deployPubSub() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("orders")
      let manifest = Manifest(name: "orders", entryPoint: "handle", trigger: .pubsub(topic: "orders"))
      _ = try harness.makeProvider().deploy(.make(manifest, directory: directory))
      let create = try #require(
        harness.standIn.requests.first { $0.method == "POST" && $0.path.hasSuffix("/functions") })
      let trigger = try #require(create.json?["eventTrigger"] as? [String: Any])
      // eventTrigger.eventType for Pub/Sub: google.cloud.pubsub.topic.v1.messagePublished.
      #expect(trigger["eventType"] as? String == "google.cloud.pubsub.topic.v1.messagePublished")
      #expect(trigger["pubsubTopic"] as? String == "projects/demo-project/topics/orders")
    }
  }

  @Test("unchanged redeploy does nothing")
  func unchangedRedeploy() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("hello")
      let provider = harness.makeProvider()
      _ = try provider.deploy(.make(Self.httpManifest, directory: directory))
      let start = harness.standIn.requests.count
      let outcome = try provider.deploy(.make(Self.httpManifest, directory: directory))
      #expect(!outcome.uploadedCode)
      #expect(!outcome.changedConfiguration)
      #expect(
        harness.summaries(from: start) == [
          "GET /v2/projects/demo-project/locations/us-central1/functions/hello"
        ])
    }
  }

  @Test("changed source is patched")
  func changedRedeploy() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("hello")
      let provider = harness.makeProvider()
      let first = try provider.deploy(.make(Self.httpManifest, directory: directory))
      try Data("def handle(request):\n    return 'changed'\n".utf8).write(
        to: directory.appendingPathComponent("main.py"))
      let start = harness.standIn.requests.count
      let second = try provider.deploy(.make(Self.httpManifest, directory: directory))
      let requests = harness.standIn.requests.dropFirst(start)
      let patch = try #require(requests.first { $0.method == "PATCH" })
      #expect(patch.path == "/v2/projects/demo-project/locations/us-central1/functions/hello")
      #expect(patch.query["updateMask"]?.contains("labels") == true)
      #expect(requests.contains { $0.method == "PUT" })
      #expect(!requests.contains { $0.method == "POST" && $0.path.hasSuffix("/functions") })
      #expect(second.uploadedCode)
      #expect(!second.changedConfiguration)
      #expect(second.function.codeFingerprint != first.function.codeFingerprint)
    }
  }

  @Test("changed memory is patched")
  func changedConfiguration() async throws {
    try await withGcloud { harness in
      let directory = try harness.makeFunction("hello")
      let provider = harness.makeProvider()
      _ = try provider.deploy(.make(Self.httpManifest, directory: directory))
      var manifest = Self.httpManifest
      manifest.gcp.memory = "1Gi"
      manifest.environment = [:]
      let outcome = try provider.deploy(.make(manifest, directory: directory))
      #expect(outcome.changedConfiguration)
      let stored = try #require(
        harness.standIn.function(project: "demo-project", region: "us-central1", name: "hello"))
      let service = try #require(stored["serviceConfig"] as? [String: Any])
      #expect(service["availableMemory"] as? String == "1Gi")
      #expect((service["environmentVariables"] as? [String: String] ?? [:]).isEmpty)
    }
  }

  @Test("describe, list and delete")
  func describeListDelete() async throws {
    try await withGcloud { harness in
      let provider = harness.makeProvider()
      let target = CloudTarget(region: "us-central1", project: "demo-project")
      #expect(try provider.describe(cloudName: "hello", target: target) == nil)
      _ = try provider.deploy(.make(Self.httpManifest, directory: try harness.makeFunction("hello")))
      harness.standIn.insertFunction(
        project: "demo-project", region: "us-central1", name: "legacy", labels: ["team": "x"])

      let described = try #require(try provider.describe(cloudName: "hello", target: target))
      #expect(described.url == "https://hello-123456789012.us-central1.run.app")
      #expect(described.region == "us-central1")
      #expect(described.details.first { $0.key == "memory" }?.value == "512Mi")
      #expect(described.details.first { $0.key == "runtime" }?.value == "python312")

      let listed = try provider.list(target: target)
      #expect(listed.map(\.cloudName) == ["hello"])
      let allRegions = try provider.list(target: CloudTarget(project: "demo-project"))
      #expect(allRegions.map(\.cloudName) == ["hello"])
      #expect(
        harness.standIn.requests.contains { $0.path == "/v2/projects/demo-project/locations/-/functions" })

      try provider.delete(cloudName: "hello", target: target)
      #expect(try provider.describe(cloudName: "hello", target: target) == nil)
      #expect(
        harness.standIn.requests.contains { $0.method == "DELETE" && $0.path.hasSuffix("/functions/hello") })
    }
  }

  @Test("unmanaged function needs adopt")
  func unmanagedFunction() async throws {
    try await withGcloud { harness in
      harness.standIn.insertFunction(
        project: "demo-project", region: "us-central1", name: "hello", labels: [:])
      let provider = harness.makeProvider()
      let directory = try harness.makeFunction("hello")
      #expect(
        throws: GCPError.unmanagedFunction(name: "hello", project: "demo-project", region: "us-central1")
      ) {
        try provider.deploy(.make(Self.httpManifest, directory: directory))
      }
      #expect(
        throws: GCPError.unmanagedFunction(name: "hello", project: "demo-project", region: "us-central1")
      ) {
        try provider.delete(
          cloudName: "hello", target: CloudTarget(region: "us-central1", project: "demo-project"))
      }
      #expect(!harness.standIn.requests.contains { ["PATCH", "DELETE", "PUT"].contains($0.method) })

      let outcome = try provider.deploy(.make(Self.httpManifest, directory: directory, adopt: true))
      #expect(outcome.function.registryName == "hello")
      #expect(harness.standIn.requests.contains { $0.method == "PATCH" })
    }
  }

  @Test("reserved variable rejected first")
  func reservedVariable() async throws {
    try await withGcloud { harness in
      var manifest = Self.httpManifest
      manifest.environment["K_SERVICE"] = "x"
      let error = #expect(throws: GCPError.self) {
        try harness.makeProvider().deploy(.make(manifest, directory: try harness.makeFunction("hello")))
      }
      #expect(error?.description.contains("K_SERVICE") == true)
      #expect(harness.standIn.requests.isEmpty)
    }
  }

  @Test("missing project names the fix")
  func missingProject() async throws {
    try await withGcloud(project: "") { harness in
      let error = #expect(throws: GCPError.missingProject) {
        try harness.makeProvider().deploy(
          .make(Self.httpManifest, directory: try harness.makeFunction("hello"), project: nil))
      }
      #expect(error?.description.contains("gcloud config set project PROJECT_ID") == true)
      let region = #expect(throws: GCPError.missingRegion) {
        try harness.makeProvider().describe(cloudName: "hello", target: CloudTarget(project: "demo-project"))
      }
      #expect(region?.description.contains("gcloud config set functions/region") == true)
      #expect(harness.standIn.requests.isEmpty)
    }
  }

  @Test("failed deploy shows gcloud's message")
  func failedDeploy() async throws {
    try await withGcloud { harness in
      harness.standIn.failNextDeploy(message: "Build failed: pip could not find requests==0.0.0")
      let provider = harness.makeProvider()
      let error = #expect(throws: GCPError.self) {
        try provider.deploy(.make(Self.httpManifest, directory: try harness.makeFunction("hello")))
      }
      let text = error?.description ?? ""
      #expect(text.contains("Build failed: pip could not find requests==0.0.0"))
      #expect(text.contains("gcloud functions deploy hello"))
      let described = try provider.describe(
        cloudName: "hello", target: CloudTarget(region: "us-central1", project: "demo-project"))
      #expect(described?.state == "FAILED")
    }
  }

  @Test("logs print oldest first")
  func logs() async throws {
    try await withGcloud { harness in
      harness.standIn.addLogEntry(service: "hello", text: "first", timestamp: "2026-01-02T03:04:05.000000Z")
      harness.standIn.addLogEntry(service: "hello", text: "second", timestamp: "2026-01-02T03:04:06.000000Z")
      harness.standIn.addLogEntry(
        service: "other", text: "elsewhere", timestamp: "2026-01-02T03:04:07.000000Z")
      let lines = Mutex<[String]>([])
      let provider = harness.makeProvider { line in lines.withLock { $0.append(line) } }
      try provider.logs(
        cloudName: "hello", target: CloudTarget(region: "us-central1", project: "demo-project"), follow: true,
        since: 3600, maxReads: 2)
      #expect(
        lines.withLock { $0 } == ["2026-01-02 03:04:05.000 I first", "2026-01-02 03:04:06.000 I second"])
      let reads = harness.standIn.requests.filter { $0.path == "/v2/entries:list" }
      #expect(reads.count == 2)
      #expect((reads.first?.json?["filter"] as? String)?.contains("timestamp>=") == true)
      #expect((reads.last?.json?["filter"] as? String)?.contains("2026-01-02T03:04:06") == true)
    }
  }

  @Test("gcloud missing names the install")
  func gcloudMissing() throws {
    let provider = GCPProvider(environment: ["PATH": "/nonexistent"])
    let error = #expect(throws: GCPError.gcloudMissing) {
      try provider.describe(cloudName: "x", target: CloudTarget(region: "r", project: "p"))
    }
    #expect(error?.description.contains("functions doctor") == true)
  }
}
