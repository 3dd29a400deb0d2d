import Basics
import Foundation
import GoogleCloudStandIn
import Testing

/// `functions deploy`, `functions gcp …` and `sync gcp` through the real binary and the real `gcloud`,
/// against a loopback stand-in of the Google APIs that gcloud calls.
@Suite("Google Cloud deploy", .serialized, .timeLimit(.minutes(10)))
struct GoogleCloudDeployTests {
  private func makeSandbox(_ standIn: GoogleCloudStandIn) throws -> Sandbox {
    let sandbox = try Sandbox()
    let environment = try GcloudEnvironment.make(
      standIn: standIn, root: sandbox.root + "/gcloud", project: "demo-project")
    // Every gcloud run in this suite must stay on this machine.
    if let setting = GcloudEnvironment.nonLoopbackSetting(in: environment) {
      Issue.record("refusing to run gcloud with \(setting)")
      throw CancellationError()
    }
    for (key, value) in environment { sandbox.extraEnvironment[key] = value }
    return sandbox
  }

  @Test("deploy, redeploy, list, describe, sync, delete")
  func lifecycle() async throws {
    let standIn = try GoogleCloudStandIn()
    defer { Task { await standIn.stop() } }
    let sandbox = try makeSandbox(standIn)
    #expect(try sandbox.run(["new", "http", "web"]).status == 0)
    let scope = ["--project", "demo-project", "--region", "us-central1"]

    let dryRun = try sandbox.run(["deploy", "web", "--dry-run"] + scope)
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("gcloud functions deploy web --gen2"))
    #expect(standIn.requests.isEmpty, "a dry run sent \(standIn.requests.map(\.summary))")

    let deployed = try sandbox.run(["deploy", "web"] + scope)
    #expect(deployed.status == 0, "\(deployed.stderr)")
    let function = try #require(standIn.function(project: "demo-project", region: "us-central1", name: "web"))
    let labels = try #require(function["labels"] as? [String: String])
    #expect(labels["managed-by"] == "functions")
    #expect(labels["functions-name"] == "web")
    let record = try #require(
      try sandbox.list().first { $0["name"] as? String == "web" }?["cloud"] as? [String: Any])
    #expect(record["provider"] as? String == "gcp")
    #expect(record["status"] as? String == "deployed")

    // Nothing changed, so nothing is created, patched or uploaded.
    let before = standIn.requests.count
    let again = try sandbox.run(["deploy", "web"] + scope)
    #expect(again.status == 0, "\(again.stderr)")
    let later = standIn.requests.dropFirst(before)
    #expect(!later.contains { $0.method == "POST" || $0.method == "PATCH" || $0.method == "PUT" })

    let listed = try sandbox.run(["gcp", "list", "--json"] + scope)
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.contains("\"web\""))
    let described = try sandbox.run(["gcp", "describe", "web"] + scope)
    #expect(described.status == 0, "\(described.stderr)")
    #expect(try sandbox.run(["sync", "gcp"] + scope).status == 0)

    let deleted = try sandbox.run(["gcp", "delete", "web"] + scope)
    #expect(deleted.status == 0, "\(deleted.stderr)")
    #expect(standIn.function(project: "demo-project", region: "us-central1", name: "web") == nil)
    #expect(try sandbox.list().first { $0["name"] as? String == "web" }?["cloud"] == nil)

    // A function deleted behind the tool's back is reported gone by sync.
    #expect(try sandbox.run(["deploy", "web"] + scope).status == 0)
    let removed = try ProcessRunner().run(
      ProcessSpec(
        executable: "gcloud",
        arguments: ["functions", "delete", "web", "--gen2", "--region", "us-central1", "--quiet"],
        environment: sandbox.environment),
      timeout: .seconds(120))
    #expect(removed.termination == .exited(0), "\(removed.errorOutput)")
    let synced = try sandbox.run(["sync", "gcp", "--json"] + scope)
    #expect(synced.stdout.contains("\"gone\""), "\(synced.stdout)")
    #expect(standIn.unknownRequests.isEmpty, "unknown requests: \(standIn.unknownRequests.map(\.summary))")
  }

  /// The stand-in reports a local run of the same function as the deployed URL, so the request that
  /// invoke --remote sends stays on this machine.
  @Test("invoke --remote calls the function URL")
  func remoteInvoke() async throws {
    let standIn = try GoogleCloudStandIn()
    defer { Task { await standIn.stop() } }
    let sandbox = try makeSandbox(standIn)
    #expect(try sandbox.run(["new", "http", "web"]).status == 0)
    // A public function needs no identity token, so gcloud is not asked for one.
    try sandbox.editManifest("web") { $0["gcp"] = ["allowUnauthenticated": true] }
    let started = try sandbox.run(["run", "web"])
    #expect(started.status == 0, "\(started.stderr)")
    standIn.setFunctionURL(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

    let scope = ["--project", "demo-project", "--region", "us-central1"]
    #expect(try sandbox.run(["deploy", "web"] + scope).status == 0)
    let invoked = try sandbox.run(["invoke", "web", "--remote", "--query", "name=Ada"] + scope)
    #expect(invoked.status == 0, "\(invoked.stderr)")
    #expect(invoked.stdout == "Hello Ada!")

    let pubsub = try sandbox.run(["new", "pubsub", "worker", "--topic", "jobs"])
    #expect(pubsub.status == 0)
    let rejected = try sandbox.run(["invoke", "worker", "--remote"] + scope)
    #expect(rejected.status == 1)
    #expect(rejected.stderr.contains("gcloud pubsub topics publish jobs"))
    #expect(try sandbox.run(["stop", "web"]).status == 0)
  }

  @Test("reserved variable rejected before gcloud")
  func reservedVariable() throws {
    let standIn = try GoogleCloudStandIn()
    defer { Task { await standIn.stop() } }
    let sandbox = try makeSandbox(standIn)
    #expect(try sandbox.run(["new", "http", "web"]).status == 0)
    try sandbox.editManifest("web") { $0["environment"] = ["K_SERVICE": "mine"] }

    let output = try sandbox.run(["deploy", "web", "--project", "demo-project", "--region", "us-central1"])
    #expect(output.status != 0)
    #expect(output.stderr.contains("K_SERVICE"))
    // Only the registry's check of what is deployed may reach the API; nothing is created or uploaded.
    #expect(!standIn.requests.contains { $0.method != "GET" }, "\(standIn.requests.map(\.summary))")
  }
}
