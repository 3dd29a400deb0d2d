import Basics
import Foundation
import Testing

/// AWS Lambda functions run locally: the real awslambdaric, the real `aws` CLI as the Invoke API client,
/// the Node.js bootstrap and a shell `bootstrap`. The Python cases run on the process and docker backends.
@Suite("AWS Lambda locally", .timeLimit(.minutes(10)))
struct LambdaTests {
  @Test("aws CLI invokes a Python function", arguments: TestBackend.allCases)
  func awsCLIInvoke(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda("ev")
    let url = try sandbox.start("ev")

    let invoked = try sandbox.aws(
      [
        "lambda", "invoke", "--function-name", "ev", "--payload", #"{"k": "v"}"#, "--log-type", "Tail",
        "out.json",
      ],
      endpoint: url)
    #expect(invoked.status == 0, "\(invoked.stderr)")
    let metadata = try #require(jsonObject(invoked.stdout))
    #expect(metadata["StatusCode"] as? Int == 200)
    #expect(metadata["ExecutedVersion"] as? String == "$LATEST")
    let log = String(
      decoding: Data(base64Encoded: metadata["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
    #expect(log.hasPrefix("START RequestId: "))
    #expect(log.contains(#"{"k": "v"}"#), "\(log)")
    #expect(log.contains("REPORT RequestId: "))
    let result = try #require(jsonObject(sandbox.read("out.json") ?? ""))
    #expect(result["message"] as? String == "Hello from ev!")

    // Lambda API reference, Invoke: Event returns 202 and DryRun 204.
    let event = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--invocation-type", "Event", "out.json"], endpoint: url)
    #expect(jsonObject(event.stdout)?["StatusCode"] as? Int == 202)
    let dryRun = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--invocation-type", "DryRun", "out.json"], endpoint: url)
    #expect(jsonObject(dryRun.stdout)?["StatusCode"] as? Int == 204)

    let unknown = try sandbox.aws(["lambda", "invoke", "--function-name", "nope", "out.json"], endpoint: url)
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("(ResourceNotFoundException)"))
    #expect(
      unknown.stderr.contains("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"))

    // Lambda quotas: 6 MB for a synchronous payload, with the RequestEntityTooLargeException error.
    let large = "{\"blob\": \"" + String(repeating: "x", count: 6_300_000) + "\"}"
    try sandbox.write(large, to: "large.json")
    let tooLarge = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--payload", "file://large.json", "out.json"],
      endpoint: url)
    #expect(tooLarge.stderr.contains("(RequestEntityTooLargeException)"), "\(tooLarge.stderr)")

    let described = try sandbox.run(["describe", "ev"])
    #expect(described.stdout.contains("aws lambda invoke --endpoint-url \(url) --function-name ev"))

    // The function prints each event just before it responds, and every warm invocation's tail contains it.
    for number in 1...5 {
      let logged = try sandbox.run(["invoke", "ev", "--data", #"{"n": \#(number)}"#, "--log"])
      #expect(logged.status == 0, "\(logged.stderr)")
      #expect(logged.stderr.contains(#"{"n": \#(number)}"#), "\(logged.stderr)")
    }

    #expect(try sandbox.run(["stop", "ev"]).status == 0)
    if backend == .docker { #expect(try sandbox.containers(of: "ev").isEmpty) }
  }

  @Test("handler, init and runtime errors", arguments: TestBackend.allCases)
  func errors(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda(
      "faulty",
      files: [
        "app.py": """
        import os
        import time


        def handler(event, context):
            action = event.get("action")
            if action == "raise":
                raise ValueError("boom")
            if action == "sleep":
                time.sleep(5)
            if action == "exit":
                os._exit(3)
            if action == "remaining":
                return context.get_remaining_time_in_millis()
            return {"pid": os.getpid()}
        """
      ], aws: ["timeout": 2])
    #expect(try sandbox.start("faulty").hasPrefix("http://127.0.0.1:"))

    let raised = try sandbox.run(["invoke", "faulty", "--data", #"{"action": "raise"}"#])
    #expect(raised.status == 1)
    #expect(raised.stderr == "error: ValueError: boom\n")

    // Lambda developer guide, "Troubleshoot invocation issues": a timeout is Sandbox.Timedout.
    let slept = try sandbox.run(["invoke", "faulty", "--data", #"{"action": "sleep"}"#])
    #expect(slept.status == 1)
    #expect(slept.stderr.contains("Sandbox.Timedout: RequestId: "))
    #expect(slept.stderr.contains("Error: Task timed out after 2.00 seconds"))
    #expect(try sandbox.run(["logs", "faulty"]).stdout.contains("Task timed out after 2.00 seconds"))

    let exited = try sandbox.run(["invoke", "faulty", "--data", #"{"action": "exit"}"#])
    #expect(exited.stderr.contains("Runtime.ExitError: RequestId: "))
    #expect(exited.stderr.contains("Error: Runtime exited with error: exit status 3"))

    // The pool replaced the instances that timed out and crashed.
    let remaining = try sandbox.run(["invoke", "faulty", "--data", #"{"action": "remaining"}"#])
    #expect(remaining.status == 0, "\(remaining.stderr)")
    let milliseconds = Int(remaining.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    #expect((1000...2000).contains(milliseconds), "remaining time \(remaining.stdout)")
    #expect(try sandbox.run(["stop", "faulty"]).status == 0)
    if backend == .docker {
      // The timed-out instance's container was removed by name, the others when they exited.
      try await Task.sleep(for: .seconds(1))
      #expect(try sandbox.containers(of: "faulty").isEmpty)
    }

    // A runtime that cannot initialise fails `run` with Lambda's error and the log tail.
    try sandbox.write(
      "import this_module_does_not_exist_xyz\n\ndef handler(e, c):\n    return 1\n", to: "faulty/app.py")
    let failedRun = try sandbox.run(["run", "faulty"])
    #expect(failedRun.status == 1)
    #expect(
      failedRun.stderr.contains(
        "faulty failed to initialise: Runtime.ImportModuleError: Unable to import module 'app': "
          + "No module named 'this_module_does_not_exist_xyz'"), "\(failedRun.stderr)")
    #expect(try sandbox.state(of: "faulty") == "crashed")

    // Process only: a docker instance runs the code in its image, so a file written after `run` never
    // reaches it.
    guard backend == .process else { return }
    // An instance that fails to initialise during an invocation reports it at once, not after the timeout.
    try sandbox.write(
      """
      import os

      if os.path.exists(os.path.join(os.path.dirname(__file__), "fail-init")):
          import this_module_does_not_exist_xyz


      def handler(event, context):
          if event.get("action") == "exit":
              os._exit(3)
          return {"ok": True}
      """, to: "faulty/app.py")
    try sandbox.setAWS("faulty", ["timeout": 60])
    #expect(try sandbox.start("faulty").hasPrefix("http://"))
    try sandbox.write("", to: "faulty/fail-init")
    #expect(try sandbox.run(["invoke", "faulty", "--data", #"{"action": "exit"}"#]).status == 1)
    let started = ContinuousClock.now
    let importError = try sandbox.run(["invoke", "faulty"])
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(importError.status == 1)
    #expect(
      importError.stderr.contains(
        "Runtime.ImportModuleError: Unable to import module 'app': No module named 'this_module_does_not_exist_xyz'"
      ))
    #expect(try sandbox.run(["stop", "faulty"]).status == 0)
  }

  @Test("malformed handler string", arguments: TestBackend.allCases)
  func malformedHandler(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda("nodot")
    let manifest = try #require(sandbox.read("nodot/function.json"))
    try sandbox.write(
      manifest.replacingOccurrences(of: "app.handler", with: "nodot"), to: "nodot/function.json")
    let run = try sandbox.run(["run", "nodot"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("Runtime.MalformedHandlerName: Bad handler 'nodot'"), "\(run.stderr)")
    #expect(try sandbox.state(of: "nodot") == "crashed")
  }

  @Test("non-ASCII events and bad event files", arguments: TestBackend.allCases)
  func eventInput(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda("echo", files: ["app.py": "def handler(event, context):\n    return event\n"])
    _ = try sandbox.start("echo")
    let event = #"{"name": "Zoë ✓ 日本"}"#
    let fromStdin = try sandbox.run(["invoke", "echo", "--data", "-"], input: Data(event.utf8))
    #expect(jsonObject(fromStdin.stdout)?["name"] as? String == "Zoë ✓ 日本")

    try sandbox.write(event, to: "event.json")
    let fromFile = try sandbox.run(["invoke", "echo", "--event", "event.json"])
    #expect(jsonObject(fromFile.stdout)?["name"] as? String == "Zoë ✓ 日本")

    // A saved event from the function's events/ folder, by name.
    try sandbox.write(#"{"name": "saved"}"#, to: "echo/events/greeting.json")
    let saved = try sandbox.run(["invoke", "echo", "--event", "greeting"])
    #expect(jsonObject(saved.stdout)?["name"] as? String == "saved", "\(saved.stderr)")

    try sandbox.write("{\n  \"a\": 1,\n  \"b\": \n}\n", to: "broken.json")
    let broken = try sandbox.run(["invoke", "echo", "--event", "broken.json"])
    #expect(broken.status == 1)
    #expect(
      broken.stderr.contains("the event file \(sandbox.work)/broken.json is not valid JSON: line 4, column 1")
    )

    let notJSON = try sandbox.run(["invoke", "echo", "--data", "not json{"])
    #expect(notJSON.status == 1)
    #expect(notJSON.stderr.contains("InvalidRequestContentException: Could not parse request body into json"))
    #expect(try sandbox.run(["stop", "echo"]).status == 0)
  }

  @Test("twenty invocations on four instances", arguments: TestBackend.allCases)
  func concurrency(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda(
      "busy",
      files: [
        // A random ID per instance, because processes in separate containers can have the same PID.
        "app.py": """
        import time
        import uuid

        instance = uuid.uuid4().hex
        in_flight = 0


        def handler(event, context):
            global in_flight
            in_flight += 1
            overlapping = in_flight
            time.sleep(0.3)
            in_flight -= 1
            return {"id": event["id"], "instance": instance, "overlapping": overlapping}
        """
      ], aws: ["maxConcurrency": 4])
    let url = try sandbox.start("busy")

    let results = try await withThrowingTaskGroup(of: (Int, Int, Data).self) { group in
      for id in 0..<20 {
        group.addTask {
          let (status, _, body) = try await invokeAPI(
            url, function: "busy", payload: Data(#"{"id": \#(id)}"#.utf8))
          return (id, status, body)
        }
      }
      var collected: [(Int, Int, Data)] = []
      for try await result in group { collected.append(result) }
      return collected
    }
    #expect(results.count == 20)
    var instances = Set<String>()
    for (id, status, data) in results {
      let body = jsonObject(data) ?? [:]
      #expect(status == 200)
      #expect(body["id"] as? Int == id, "invocation \(id) got \(String(decoding: data, as: UTF8.self))")
      #expect(body["overlapping"] as? Int == 1, "an instance ran two invocations at once: \(body)")
      if let instance = body["instance"] as? String { instances.insert(instance) }
    }
    #expect(instances.count <= 4)
    #expect(instances.count >= 2)
    #expect(try sandbox.run(["stop", "busy"]).status == 0)
  }

  @Test("Node.js function through the bootstrap", arguments: TestBackend.allCases)
  func nodeFunction(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "nodefn-\(backend.rawValue)"
    try sandbox.makeLambda(name, runtime: "nodejs20.x")
    _ = try sandbox.start(name)
    let invoked = try sandbox.run(["invoke", name, "--data", #"{"x": 1}"#, "--log"])
    #expect(invoked.status == 0, "\(invoked.stderr)")
    #expect(jsonObject(invoked.stdout)?["message"] as? String == "Hello from \(name)!")
    // A container's output reaches the log through dockerd and the CLI, which can take longer than the
    // response, so the log tail may miss the line on docker.
    withKnownIssue("log lines can arrive after the response on docker", isIntermittent: true) {
      #expect(invoked.stderr.contains("\tINFO\t{\"x\":1}"), "\(invoked.stderr)")
    } when: {
      backend == .docker
    }

    try sandbox.write(
      "export const handler = async () => { throw new TypeError('bad input'); };\n", to: "\(name)/index.mjs")
    #expect(try sandbox.run(["stop", name]).status == 0)
    _ = try sandbox.start(name)
    let failed = try sandbox.run(["invoke", name])
    #expect(failed.status == 1)
    #expect(failed.stderr == "error: TypeError: bad input\n")
    #expect(try sandbox.run(["stop", name]).status == 0)
    if backend == .docker { #expect(try sandbox.containers(of: name).isEmpty) }
  }

  @Test("shell bootstrap and its failures", arguments: TestBackend.allCases)
  func customRuntime(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let name = "shellfn-\(backend.rawValue)"
    try sandbox.makeLambda(name, template: "http", runtime: "provided.al2023")
    let url = try sandbox.start(name)
    let response = await httpRequest(url + "/anything")
    #expect(response?.0 == 200)
    #expect(response?.1 == "Hello from a shell bootstrap!")
    #expect(try sandbox.run(["stop", name]).status == 0)

    // Lambda's errors for a bootstrap that is not executable or missing, reported by `run`. On docker
    // they name the path inside the container, as Lambda does.
    let bootstrapPath = backend == .docker ? "/var/task/bootstrap" : sandbox.work + "/\(name)/bootstrap"
    chmod(sandbox.work + "/\(name)/bootstrap", 0o644)
    let notExecutable = try sandbox.run(["run", name])
    #expect(notExecutable.status == 1)
    #expect(notExecutable.stderr.contains("Runtime.InvalidEntrypoint"), "\(notExecutable.stderr)")
    #expect(notExecutable.stderr.contains("fork/exec \(bootstrapPath): permission denied"))
    #expect(notExecutable.stderr.contains("make it executable with 'chmod +x bootstrap'"))

    try FileManager.default.removeItem(atPath: sandbox.work + "/\(name)/bootstrap")
    let missing = try sandbox.run(["run", name])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains("Couldn't find valid bootstrap(s): [\(bootstrapPath)]"), "\(missing.stderr)")
    if backend == .docker { #expect(try sandbox.containers(of: name).isEmpty) }
  }

  @Test("add adopts a Lambda directory", arguments: TestBackend.allCases)
  func addLambdaDirectory(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.write(
      "def lambda_handler(event, context):\n    return {\"adopted\": True}\n", to: "legacy/lambda_function.py"
    )
    let added = try sandbox.run(["add", "legacy", "--provider", "aws"])
    #expect(added.status == 0, "\(added.stderr)")
    let manifest = try #require(jsonObject(sandbox.read("legacy/function.json") ?? ""))
    #expect(manifest["provider"] as? String == "aws")
    #expect(manifest["handler"] as? String == "lambda_function.lambda_handler")
    #expect(manifest["runtime"] as? String == "python3.12")
    #expect((manifest["trigger"] as? [String: Any])?["type"] as? String == "event")
    _ = try sandbox.start("legacy")
    #expect(jsonObject(try sandbox.run(["invoke", "legacy"]).stdout)?["adopted"] as? Bool == true)
    #expect(try sandbox.run(["stop", "legacy"]).status == 0)
  }

  @Test("event files go to the Invoke API", arguments: TestBackend.allCases)
  func eventFileToHTTPFunction(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda("api", template: "http")
    _ = try sandbox.start("api")
    let generated = try sandbox.run(["event", "generate", "aws", "http-api", "--query", "name=Ada"])
    #expect(generated.status == 0)
    try sandbox.write(generated.stdout, to: "request.json")
    let invoked = try sandbox.run(["invoke", "api", "--event", "request.json"])
    #expect(invoked.status == 0, "\(invoked.stderr)")
    let result = try #require(jsonObject(invoked.stdout))
    #expect(result["statusCode"] as? Int == 200)
    #expect(result["body"] as? String == "Hello Ada!")

    // Other Lambda API calls get an error instead of reaching the function through the gateway.
    let url = try #require(try sandbox.list().first?["url"] as? String)
    let getFunction = try sandbox.aws(["lambda", "get-function", "--function-name", "api"], endpoint: url)
    #expect(getFunction.status != 0)
    #expect(
      getFunction.stderr.contains("the local endpoint serves only the Invoke operation"),
      "\(getFunction.stderr)")

    let wrongOption = try sandbox.run(["invoke", "api", "--event", "request.json", "--path", "/x"])
    #expect(wrongOption.status == 64)
    #expect(
      wrongOption.stderr.hasPrefix("Error: --path cannot be used with api (aws, http trigger, --event)"))
    #expect(try sandbox.run(["stop", "api"]).status == 0)
  }
}
