import Foundation
import Testing

/// The same cases on the process and docker backends: HTTP and Pub/Sub for Google Cloud; events, errors,
/// timeouts and the Invoke API for AWS. Function names differ per backend, because containers are found by
/// the function's name label and the two backends' cases run in parallel.
@Suite("Backend parity", .timeLimit(.minutes(10)))
struct BackendParityTests {
  @Test("Google Cloud HTTP function", arguments: TestBackend.allCases)
  func googleCloudHTTP(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "web-\(backend.rawValue)"
    #expect(try sandbox.run(["new", "http", name]).status == 0)

    let url = try sandbox.start(name)
    #expect(url.hasPrefix("http://127.0.0.1:"))
    #expect(try sandbox.run(["invoke", name]).stdout == "Hello World!")
    #expect(try sandbox.run(["invoke", name, "--data", #"{"name": "Ada"}"#]).stdout == "Hello Ada!")
    #expect(try sandbox.run(["invoke", name, "--query", "name=Ada"]).stdout == "Hello Ada!")
    let direct = await httpRequest(url + "/?name=Lin")
    #expect(direct?.0 == 200)
    #expect(direct?.1 == "Hello Lin!")
    #expect(try sandbox.state(of: name) == "running")

    let stopStarted = ContinuousClock.now
    let stop = try sandbox.run(["stop", name])
    #expect(stop.status == 0, "\(stop.stderr)")
    #expect(ContinuousClock.now - stopStarted < .seconds(5))
    #expect(try sandbox.state(of: name) == "stopped")
    #expect(await httpRequest(url + "/") == nil)
    if backend == .docker { #expect(try sandbox.containers(of: name).isEmpty) }
  }

  @Test("Pub/Sub function gets a CloudEvent", arguments: TestBackend.allCases)
  func pubsub(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "orders-\(backend.rawValue)"
    #expect(try sandbox.run(["new", "pubsub", name, "--topic", "order-events"]).status == 0)
    _ = try sandbox.start(name)

    let invoke = try sandbox.run(["invoke", name, "--data", "Ada", "--attribute", "origin=test"])
    #expect(invoke.status == 0, "\(invoke.stderr)")
    // The container's output reaches the log through dockerd and the CLI, which can take longer than the
    // response, so `invoke` may print the log lines before they arrive.
    withKnownIssue("log lines can arrive after the response on docker", isIntermittent: true) {
      #expect(invoke.stderr.contains("log: Hello Ada!"), "\(invoke.stderr)")
    } when: {
      backend == .docker
    }
    try await Task.sleep(for: .milliseconds(300))
    #expect(try sandbox.run(["logs", name]).stdout.contains("Hello Ada!"))
    #expect(try sandbox.run(["stop", name]).status == 0)
  }

  @Test("Lambda Invoke API through the aws CLI", arguments: TestBackend.allCases)
  func lambdaInvokeAPI(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "ev-\(backend.rawValue)"
    try sandbox.makeLambda(name)
    let url = try sandbox.start(name)

    let invoked = try sandbox.aws(
      [
        "lambda", "invoke", "--function-name", name, "--payload", #"{"k": "v"}"#, "--log-type", "Tail",
        "out.json",
      ],
      endpoint: url)
    #expect(invoked.status == 0, "\(invoked.stderr)")
    let metadata = try #require(jsonObject(invoked.stdout))
    #expect(metadata["StatusCode"] as? Int == 200)
    let log = String(
      decoding: Data(base64Encoded: metadata["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
    #expect(log.hasPrefix("START RequestId: "))
    withKnownIssue("output can reach the log tail after the response on docker", isIntermittent: true) {
      #expect(log.contains(#"{"k": "v"}"#))
    } when: {
      backend == .docker
    }
    #expect(jsonObject(sandbox.read("out.json") ?? "")?["message"] as? String == "Hello from \(name)!")

    // Lambda API reference, Invoke: Event returns 202 and DryRun 204.
    let event = try sandbox.aws(
      ["lambda", "invoke", "--function-name", name, "--invocation-type", "Event", "out.json"], endpoint: url)
    #expect(jsonObject(event.stdout)?["StatusCode"] as? Int == 202)
    let dryRun = try sandbox.aws(
      ["lambda", "invoke", "--function-name", name, "--invocation-type", "DryRun", "out.json"], endpoint: url)
    #expect(jsonObject(dryRun.stdout)?["StatusCode"] as? Int == 204)
    let unknown = try sandbox.aws(["lambda", "invoke", "--function-name", "nope", "out.json"], endpoint: url)
    #expect(unknown.stderr.contains("(ResourceNotFoundException)"))

    #expect(try sandbox.run(["stop", name]).status == 0)
    if backend == .docker { #expect(try sandbox.containers(of: name).isEmpty) }
  }

  @Test("Lambda errors and timeouts", arguments: TestBackend.allCases)
  func lambdaErrors(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "faulty-\(backend.rawValue)"
    try sandbox.makeLambda(
      name,
      files: [
        "app.py": """
        import os
        import time


        def handler(event, context):
            action = event.get("action")
            if action == "raise":
                raise ValueError("boom")
            if action == "sleep":
                time.sleep(10)
            if action == "exit":
                os._exit(3)
            if action == "remaining":
                return context.get_remaining_time_in_millis()
            return {"ok": True}
        """
      ],
      // Four seconds, so that a loaded machine still delivers the other cases well inside the timeout.
      aws: ["timeout": 4])
    _ = try sandbox.start(name)

    let raised = try sandbox.run(["invoke", name, "--data", #"{"action": "raise"}"#])
    #expect(raised.status == 1)
    #expect(raised.stderr == "error: ValueError: boom\n")

    // Lambda developer guide, "Troubleshoot invocation issues": a timeout is Sandbox.Timedout.
    let slept = try sandbox.run(["invoke", name, "--data", #"{"action": "sleep"}"#])
    #expect(slept.status == 1)
    #expect(slept.stderr.contains("Sandbox.Timedout: RequestId: "), "\(slept.stderr)")
    #expect(slept.stderr.contains("Error: Task timed out after 4.00 seconds"))

    let exited = try sandbox.run(["invoke", name, "--data", #"{"action": "exit"}"#])
    #expect(exited.stderr.contains("Runtime.ExitError: RequestId: "), "\(exited.stderr)")
    #expect(exited.stderr.contains("Error: Runtime exited with error: exit status 3"))

    // New instances replaced the ones that timed out and exited.
    let remaining = try sandbox.run(["invoke", name, "--data", #"{"action": "remaining"}"#])
    #expect(remaining.status == 0, "\(remaining.stderr)")
    let milliseconds = Int(remaining.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    #expect((2000...4000).contains(milliseconds), "remaining time \(remaining.stdout)")

    #expect(try sandbox.run(["stop", name]).status == 0)
    if backend == .docker {
      // The timed-out instance's container was removed by name, the others when they exited.
      try await Task.sleep(for: .seconds(1))
      #expect(try sandbox.containers(of: name).isEmpty)
    }
  }
}
