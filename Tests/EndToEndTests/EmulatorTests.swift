import Basics
import Foundation
import Testing

/// `functions emulator pubsub` runs the Pub/Sub emulator from the Google Cloud CLI and connects it to
/// running Pub/Sub functions, tested with Google's own client library (google-cloud-pubsub from PyPI).
@Suite("Pub/Sub emulator", .serialized, .timeLimit(.minutes(5)))
struct EmulatorTests {
  @Test("client library publish reaches function")
  func clientPublishReachesFunction() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "pubsub", "orders-fn", "--topic", "orders"]).status == 0)
    #expect(try sandbox.run(["run", "orders-fn"]).status == 0)
    let port = try #require(Ports.findFreePort())
    let started = try sandbox.run(["emulator", "pubsub", "start", "--port", String(port), "--json"])
    #expect(started.status == 0, "\(started.stderr)")
    defer { _ = try? sandbox.run(["emulator", "pubsub", "stop"]) }
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(started.stdout.utf8)) as? [String: Any])
    #expect(report["host"] as? String == "127.0.0.1:\(port)")
    #expect(report["subscriptions"] as? [String] == ["orders-fn"])

    let published = try publishWithClientLibrary(
      sandbox, host: "127.0.0.1:\(port)", topic: "orders", data: "from-the-client")
    #expect(published.status == 0, "google-cloud-pubsub failed: \(published.stderr)")
    #expect(try await waitForLog(sandbox, "orders-fn", containing: "Hello from-the-client!"))

    // publish goes through the emulator while it runs.
    let viaTool = try sandbox.run(["publish", "orders", "--data", "from-the-tool"])
    #expect(viaTool.status == 0, "\(viaTool.stderr)")
    #expect(viaTool.stdout == "orders-fn: queued by the Pub/Sub emulator\n")
    #expect(try await waitForLog(sandbox, "orders-fn", containing: "Hello from-the-tool!"))

    // Stopping the function removes its subscription, so the emulator stops pushing to it.
    #expect(try sandbox.run(["stop", "orders-fn"]).status == 0)
    let status = try sandbox.run(["emulator", "pubsub", "status", "--json"])
    let statusReport = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    #expect(statusReport["running"] as? Bool == true)
    #expect(statusReport["subscriptions"] as? [String] == [])
  }

  @Test("function started later is subscribed")
  func laterFunctionSubscribed() async throws {
    let sandbox = try Sandbox()
    let port = try #require(Ports.findFreePort())
    #expect(try sandbox.run(["emulator", "pubsub", "start", "--port", String(port)]).status == 0)
    defer { _ = try? sandbox.run(["emulator", "pubsub", "stop"]) }
    #expect(try sandbox.run(["new", "pubsub", "late-fn", "--topic", "later"]).status == 0)
    #expect(try sandbox.run(["run", "late-fn"]).status == 0)

    let published = try publishWithClientLibrary(
      sandbox, host: "127.0.0.1:\(port)", topic: "later", data: "late")
    #expect(published.status == 0, "google-cloud-pubsub failed: \(published.stderr)")
    #expect(try await waitForLog(sandbox, "late-fn", containing: "Hello late!"))
    #expect(try sandbox.run(["stop", "late-fn"]).status == 0)
  }

  @Test("stop and status when not running")
  func notRunning() throws {
    let sandbox = try Sandbox()
    let status = try sandbox.run(["emulator", "pubsub", "status"])
    #expect(status.status == 0)
    #expect(status.stdout.contains("not running"))
    let stopped = try sandbox.run(["emulator", "pubsub", "stop"])
    #expect(stopped.status == 0)
    #expect(stopped.stderr.contains("not running"))
  }

  @Test("missing emulator names the fix")
  func missingEmulator() throws {
    let sandbox = try Sandbox()
    let output = try sandbox.run(
      ["emulator", "pubsub", "start", "--port", "1"],
      environment: ["FUNCTIONS_PUBSUB_EMULATOR": "/nonexistent/cloud-pubsub-emulator"])
    #expect(output.status == 1)
    #expect(output.stderr.contains("/nonexistent/cloud-pubsub-emulator"))
  }

  /// Publishes with google-cloud-pubsub, which finds the emulator through PUBSUB_EMULATOR_HOST.
  private func publishWithClientLibrary(_ sandbox: Sandbox, host: String, topic: String, data: String) throws
    -> ProcessResult
  {
    let script = """
      from google.cloud import pubsub_v1
      publisher = pubsub_v1.PublisherClient()
      future = publisher.publish(publisher.topic_path("local-project", "\(topic)"), b"\(data)")
      print(future.result(timeout=60))
      """
    var environment = sandbox.environment
    environment["PUBSUB_EMULATOR_HOST"] = host
    return try ProcessRunner().run(
      ProcessSpec(executable: "python3", arguments: ["-c", script], environment: environment),
      timeout: .seconds(90))
  }

  private func waitForLog(_ sandbox: Sandbox, _ name: String, containing text: String) async throws -> Bool {
    // The emulator retries a failed push with backoff, so a slow first delivery can take a while.
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      if try sandbox.run(["logs", name]).stdout.contains(text) { return true }
      try await Task.sleep(for: .milliseconds(100))
    }
    return false
  }
}
