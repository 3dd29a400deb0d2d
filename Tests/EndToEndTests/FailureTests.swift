import Foundation
import Testing

/// Bad input and failures: each gets a clear message, the right exit status, and leaves no half-written state.
@Suite("Failures", .timeLimit(.minutes(10)))
struct FailureTests {
  @Test("crash at start is reported")
  func crashAtStart() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "broken"]).status == 0)
    try sandbox.write(
      "import functions_framework\n\ndef hello_http(request:\n    return 'x'\n", to: "broken/main.py")

    let started = ContinuousClock.now
    let run = try sandbox.run(["run", "broken"])
    #expect(run.status == 1)
    #expect(run.stderr.contains("broken exited while starting"))
    #expect(run.stderr.contains("SyntaxError"), "log tail missing: \(run.stderr)")
    #expect(ContinuousClock.now - started < .seconds(60))
    #expect(try sandbox.state(of: "broken") == "crashed")
  }

  @Test("port in use names the port")
  func portInUse() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "busy"]).status == 0)
    let holder = try PortHolder()
    let run = try sandbox.run(["run", "busy", "--port", String(holder.port)])
    #expect(run.status == 1)
    #expect(
      run.stderr.contains(
        "error: port \(holder.port) is already in use on 127.0.0.1; choose another with --port, or stop what uses it"
      ))
    #expect(try sandbox.state(of: "busy") != "running")
  }

  @Test("invoke of a stopped function says how to start it")
  func invokeNotRunning() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "idle"]).status == 0)
    let invoke = try sandbox.run(["invoke", "idle"])
    #expect(invoke.status == 1)
    #expect(invoke.stderr == "error: idle is not running; start it with 'functions run idle'\n")
  }

  @Test("missing python3 points to doctor")
  func pythonMissing() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "nopython"]).status == 0)
    let emptyBin = sandbox.root + "/empty-bin"
    try FileManager.default.createDirectory(atPath: emptyBin, withIntermediateDirectories: true)
    let build = try sandbox.run(["build", "nopython", "--force"], environment: ["PATH": emptyBin])
    #expect(build.status == 1)
    #expect(build.stderr.contains("python3 was not found on PATH"))
    #expect(build.stderr.contains("functions doctor"))
    #expect(try sandbox.state(of: "nopython") == "new")
  }

  @Test("pip failure shows its output")
  func pipFailure() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "baddeps"]).status == 0)
    try sandbox.write(
      "functions-framework==3.*\nthis is not a requirement !!\n", to: "baddeps/requirements.txt")
    let build = try sandbox.run(["build", "baddeps"])
    #expect(build.status == 1)
    #expect(build.stderr.contains("pip failed to install the dependencies"))
    #expect(build.stderr.contains("Fix requirements.txt"))
    // No half-built environment is left where a later build would pick it up.
    let environments =
      (try? FileManager.default.contentsOfDirectory(atPath: Sandbox.sharedCache + "/environments")) ?? []
    #expect(!environments.contains { $0.contains(".partial-") })
    #expect(try sandbox.state(of: "baddeps") == "new")
  }

  @Test(
    "malformed manifest names the key",
    arguments: [
      (
        #"{"version": 1, "name": "m1", "entryPoint": "f", "runtime": "python39"}"#,
        "invalid value \"python39\" for 'runtime'; expected one of python310, python311, python312, python313"
      ),
      (
        #"{"version": 1, "name": "m1", "entryPoint": "f", "trigger": {"type": "pubsub"}}"#,
        "missing key 'trigger.topic'"
      ),
      (#"{"version": 1, "name": "m1", "entryPoint": "f",,}"#, "is not valid JSON: line 1, column"),
    ])
  func malformedManifest(manifest: String, message: String) throws {
    let sandbox = try Sandbox()
    try sandbox.write("def f(request):\n    return 'ok'\n", to: "m1/main.py")
    try sandbox.write(manifest, to: "m1/function.json")
    let added = try sandbox.run(["add", "m1"])
    #expect(added.status == 1)
    #expect(added.stderr.contains(sandbox.work + "/m1/function.json"))
    #expect(added.stderr.contains(message), "\(added.stderr)")
    #expect(try sandbox.list().isEmpty)
  }

  @Test("new never overwrites")
  func newNeverOverwrites() throws {
    let sandbox = try Sandbox()
    try sandbox.write("print('mine')\n", to: "taken/main.py")
    let created = try sandbox.run(["new", "http", "taken"])
    #expect(created.status == 1)
    #expect(created.stderr.contains("already contains main.py"))
    #expect(sandbox.read("taken/main.py") == "print('mine')\n")
    #expect(sandbox.read("taken/function.json") == nil)
    #expect(try sandbox.list().isEmpty)
  }

  @Test("missing directory for add")
  func addMissingDirectory() throws {
    let sandbox = try Sandbox()
    let added = try sandbox.run(["add", "nowhere"])
    #expect(added.status == 1)
    #expect(added.stderr == "error: \(sandbox.work)/nowhere is not a directory; check the path\n")
  }

  @Test("parallel runs start one server")
  func parallelRuns() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "twice"]).status == 0)
    #expect(try sandbox.run(["build", "twice"]).status == 0)
    async let first = Task.detached { try sandbox.run(["run", "twice"]) }.value
    async let second = Task.detached { try sandbox.run(["run", "twice"]) }.value
    let (one, two) = try await (first, second)
    #expect(one.status == 0)
    #expect(two.status == 0)
    #expect(one.stdout == two.stdout, "two servers: \(one.stdout) and \(two.stdout)")
    #expect(try sandbox.run(["stop", "twice"]).status == 0)
    let url = one.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(await httpRequest(url + "/") == nil)
  }

  @Test("a slow handler is never probed")
  func slowHandler() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "slow"]).status == 0)
    try sandbox.write(
      """
      import time

      import functions_framework

      calls = 0


      @functions_framework.http
      def hello_http(request):
          global calls
          calls += 1
          time.sleep(3)
          return f"calls={calls}"
      """, to: "slow/main.py")
    let run = try sandbox.run(["run", "slow", "--timeout", "10"])
    #expect(run.status == 0, "\(run.stderr)")
    // The first request is the first call: starting the function did not call the handler.
    #expect(try sandbox.run(["invoke", "slow"]).stdout == "calls=1")
    #expect(try sandbox.run(["stop", "slow"]).status == 0)
  }
}
