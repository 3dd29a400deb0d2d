import Basics
import Foundation
import Testing

/// AWS Lambda functions run locally: the real awslambdaric, the real `aws` CLI as the Invoke API client,
/// the Node.js bootstrap and a shell `bootstrap`.
@Suite("AWS Lambda locally", .timeLimit(.minutes(10)))
struct LambdaTests {
  @Test("aws CLI invokes a Python function")
  func awsCLIInvoke() async throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("ev")
    let url = try sandbox.start("ev")

    let invoked = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--payload", #"{"k": "v"}"#, "--log-type", "Tail", "out.json"],
      endpoint: url)
    #expect(invoked.status == 0, "\(invoked.stderr)")
    let metadata = try #require(jsonObject(invoked.stdout))
    #expect(metadata["StatusCode"] as? Int == 200)
    #expect(metadata["ExecutedVersion"] as? String == "$LATEST")
    let log = String(decoding: Data(base64Encoded: metadata["LogResult"] as? String ?? "") ?? Data(), as: UTF8.self)
    #expect(log.hasPrefix("START RequestId: "))
    #expect(log.contains(#"{"k": "v"}"#))
    #expect(log.contains("REPORT RequestId: "))
    let result = try #require(jsonObject(sandbox.read("out.json") ?? ""))
    #expect(result["message"] as? String == "Hello from ev!")

    // Lambda API reference, Invoke: Event answers 202 and DryRun 204.
    let event = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--invocation-type", "Event", "out.json"], endpoint: url)
    #expect(jsonObject(event.stdout)?["StatusCode"] as? Int == 202)
    let dryRun = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--invocation-type", "DryRun", "out.json"], endpoint: url)
    #expect(jsonObject(dryRun.stdout)?["StatusCode"] as? Int == 204)

    let unknown = try sandbox.aws(["lambda", "invoke", "--function-name", "nope", "out.json"], endpoint: url)
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("(ResourceNotFoundException)"))
    #expect(unknown.stderr.contains("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"))

    // Lambda quotas: 6 MB for a synchronous payload, with the RequestEntityTooLargeException error.
    let large = "{\"blob\": \"" + String(repeating: "x", count: 6_300_000) + "\"}"
    try sandbox.write(large, to: "large.json")
    let tooLarge = try sandbox.aws(
      ["lambda", "invoke", "--function-name", "ev", "--payload", "file://large.json", "out.json"], endpoint: url)
    #expect(tooLarge.stderr.contains("(RequestEntityTooLargeException)"), "\(tooLarge.stderr)")

    let described = try sandbox.run(["describe", "ev"])
    #expect(described.stdout.contains("aws lambda invoke --endpoint-url \(url) --function-name ev"))
    #expect(try sandbox.run(["stop", "ev"]).status == 0)
  }

  @Test("handler, init and runtime errors")
  func errors() async throws {
    let sandbox = try Sandbox()
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

    // An import error is reported at once, not after the timeout.
    try sandbox.write("import this_module_does_not_exist_xyz\n\ndef handler(e, c):\n    return 1\n", to: "faulty/app.py")
    try sandbox.setAWS("faulty", ["timeout": 60])
    #expect(try sandbox.start("faulty").hasPrefix("http://"))
    let started = ContinuousClock.now
    let importError = try sandbox.run(["invoke", "faulty"])
    #expect(ContinuousClock.now - started < .seconds(20))
    #expect(importError.status == 1)
    #expect(
      importError.stderr.contains(
        "Runtime.ImportModuleError: Unable to import module 'app': No module named 'this_module_does_not_exist_xyz'"))
    #expect(try sandbox.run(["stop", "faulty"]).status == 0)
  }

  @Test("malformed handler string")
  func malformedHandler() throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("nodot")
    let manifest = try #require(sandbox.read("nodot/function.json"))
    try sandbox.write(manifest.replacingOccurrences(of: "app.handler", with: "nodot"), to: "nodot/function.json")
    _ = try sandbox.start("nodot")
    let invoked = try sandbox.run(["invoke", "nodot"])
    #expect(invoked.status == 1)
    #expect(invoked.stderr.contains("Runtime.MalformedHandlerName: Bad handler 'nodot'"), "\(invoked.stderr)")
    #expect(try sandbox.run(["stop", "nodot"]).status == 0)
  }

  @Test("non-ASCII events and bad event files")
  func eventInput() throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("echo", files: ["app.py": "def handler(event, context):\n    return event\n"])
    _ = try sandbox.start("echo")
    let event = #"{"name": "Zoë ✓ 日本"}"#
    let fromStdin = try sandbox.run(["invoke", "echo", "--data", "-"], input: Data(event.utf8))
    #expect(jsonObject(fromStdin.stdout)?["name"] as? String == "Zoë ✓ 日本")

    try sandbox.write(event, to: "event.json")
    let fromFile = try sandbox.run(["invoke", "echo", "--event", "event.json"])
    #expect(jsonObject(fromFile.stdout)?["name"] as? String == "Zoë ✓ 日本")

    try sandbox.write("{\n  \"a\": 1,\n  \"b\": \n}\n", to: "broken.json")
    let broken = try sandbox.run(["invoke", "echo", "--event", "broken.json"])
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("the event file \(sandbox.work)/broken.json is not valid JSON: line 4, column 1"))

    let notJSON = try sandbox.run(["invoke", "echo", "--data", "not json{"])
    #expect(notJSON.status == 1)
    #expect(notJSON.stderr.contains("InvalidRequestContentException: Could not parse request body into json"))
    #expect(try sandbox.run(["stop", "echo"]).status == 0)
  }

  @Test("twenty invocations on four instances")
  func concurrency() async throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda(
      "busy",
      files: [
        "app.py": """
        import os
        import time

        in_flight = 0


        def handler(event, context):
            global in_flight
            in_flight += 1
            overlapping = in_flight
            time.sleep(0.3)
            in_flight -= 1
            return {"id": event["id"], "pid": os.getpid(), "overlapping": overlapping}
        """
      ], aws: ["maxConcurrency": 4])
    let url = try sandbox.start("busy")

    let results = try await withThrowingTaskGroup(of: (Int, Int, Data).self) { group in
      for id in 0..<20 {
        group.addTask {
          let (status, _, body) = try await invokeAPI(url, function: "busy", payload: Data(#"{"id": \#(id)}"#.utf8))
          return (id, status, body)
        }
      }
      var collected: [(Int, Int, Data)] = []
      for try await result in group { collected.append(result) }
      return collected
    }
    #expect(results.count == 20)
    var pids = Set<Int>()
    for (id, status, data) in results {
      let body = jsonObject(data) ?? [:]
      #expect(status == 200)
      #expect(body["id"] as? Int == id, "invocation \(id) got \(String(decoding: data, as: UTF8.self))")
      #expect(body["overlapping"] as? Int == 1, "an instance ran two invocations at once: \(body)")
      if let pid = body["pid"] as? Int { pids.insert(pid) }
    }
    #expect(pids.count <= 4)
    #expect(pids.count >= 2)
    #expect(try sandbox.run(["stop", "busy"]).status == 0)
  }

  @Test("Node.js function through the bootstrap")
  func nodeFunction() throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("nodefn", runtime: "nodejs20.x")
    _ = try sandbox.start("nodefn")
    let invoked = try sandbox.run(["invoke", "nodefn", "--data", #"{"x": 1}"#, "--log"])
    #expect(invoked.status == 0, "\(invoked.stderr)")
    #expect(jsonObject(invoked.stdout)?["message"] as? String == "Hello from nodefn!")
    #expect(invoked.stderr.contains("\tINFO\t{\"x\":1}"))

    try sandbox.write("export const handler = async () => { throw new TypeError('bad input'); };\n", to: "nodefn/index.mjs")
    #expect(try sandbox.run(["stop", "nodefn"]).status == 0)
    _ = try sandbox.start("nodefn")
    let failed = try sandbox.run(["invoke", "nodefn"])
    #expect(failed.status == 1)
    #expect(failed.stderr == "error: TypeError: bad input\n")
    #expect(try sandbox.run(["stop", "nodefn"]).status == 0)
  }

  @Test("shell bootstrap and its failures")
  func customRuntime() async throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("shellfn", template: "http", runtime: "provided.al2023")
    let url = try sandbox.start("shellfn")
    let response = await httpRequest(url + "/anything")
    #expect(response?.0 == 200)
    #expect(response?.1 == "Hello from a shell bootstrap!")
    #expect(try sandbox.run(["stop", "shellfn"]).status == 0)

    chmod(sandbox.work + "/shellfn/bootstrap", 0o644)
    _ = try sandbox.start("shellfn")
    let notExecutable = try sandbox.run(["invoke", "shellfn", "-X", "POST", "--path", "/"])
    #expect(notExecutable.status == 1)
    let viaAPI = try sandbox.aws(["lambda", "invoke", "--function-name", "shellfn", "out.json"], endpoint: try runningURL(sandbox, "shellfn"))
    #expect(viaAPI.stdout.contains("\"FunctionError\": \"Unhandled\""))
    #expect(sandbox.read("out.json")?.contains("Runtime.InvalidEntrypoint") == true)
    #expect(sandbox.read("out.json")?.contains("permission denied") == true)

    try FileManager.default.removeItem(atPath: sandbox.work + "/shellfn/bootstrap")
    let missing = try sandbox.aws(["lambda", "invoke", "--function-name", "shellfn", "out.json"], endpoint: try runningURL(sandbox, "shellfn"))
    #expect(missing.stdout.contains("\"FunctionError\": \"Unhandled\""))
    #expect(sandbox.read("out.json")?.contains("Couldn't find valid bootstrap(s)") == true)
    #expect(try sandbox.run(["stop", "shellfn"]).status == 0)
  }

  @Test(
    "gateway events by source",
    arguments: [
      ("http-api", "2.0", 500, #"{"message":"Internal Server Error"}"#),
      ("rest-api", "1.0", 502, #"{"message": "Internal server error"}"#),
      ("function-url", "2.0", 502, "Internal Server Error"),
    ])
  func gateway(source: String, version: String, errorStatus: Int, errorBody: String) async throws {
    // Expected error responses: "Handling Lambda errors with an API Gateway API" (REST, 502),
    // "Troubleshooting issues with HTTP API Lambda integrations" (HTTP API, 500), and the function URL's
    // 502 with `Internal Server Error` as deployed function URLs send it.
    let sandbox = try Sandbox()
    try sandbox.makeLambda(
      "web", template: "http", extraArguments: ["--event-source", source],
      files: [
        "app.py": """
        import json


        def handler(event, context):
            if event.get("queryStringParameters", {}) and event["queryStringParameters"].get("fail"):
                raise RuntimeError("failed on purpose")
            return {"statusCode": 201, "headers": {"x-echo": "yes"}, "body": json.dumps(event)}
        """
      ])
    let url = try sandbox.start("web")
    let response = await httpRequest(url + "/items/a%20b?x=1&x=2", headers: ["X-Custom_Header": "kept"])
    #expect(response?.0 == 201)
    let event = try #require(jsonObject(response?.1 ?? ""))
    // Working with AWS Lambda proxy integrations for HTTP APIs (payload format 2.0), and the REST API
    // proxy integration's input format, which has no version field.
    if version == "2.0" {
      #expect(event["version"] as? String == "2.0")
      #expect(event["rawPath"] as? String == "/items/a%20b")
      #expect(event["rawQueryString"] as? String == "x=1&x=2")
      #expect((event["queryStringParameters"] as? [String: String])?["x"] == "1,2")
      #expect((event["headers"] as? [String: String])?["x-custom_header"] == "kept")
    } else {
      #expect(event["version"] == nil)
      #expect(event["httpMethod"] as? String == "GET")
      #expect((event["multiValueQueryStringParameters"] as? [String: [String]])?["x"] == ["1", "2"])
      #expect((event["headers"] as? [String: String])?["X-Custom_Header"] == "kept")
    }
    let failed = await httpRequest(url + "/?fail=1")
    #expect(failed?.0 == errorStatus)
    #expect(failed?.1 == errorBody)
    #expect(try sandbox.run(["stop", "web"]).status == 0)
  }

  private func runningURL(_ sandbox: Sandbox, _ name: String) throws -> String {
    try sandbox.list().first { $0["name"] as? String == name }?["url"] as? String ?? ""
  }
}
