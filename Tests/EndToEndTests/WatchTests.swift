import Foundation
import Testing

/// `functions run --watch` restarts a function when its source changes.
@Suite("Watch", .serialized, .timeLimit(.minutes(5)))
struct WatchTests {
  @Test("Google Cloud function reloads", arguments: TestBackend.allCases)
  func googleCloudReloads(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    let url = try startWatched(sandbox, "hello")
    #expect(await httpRequest(url)?.1 == "Hello World!")

    try edit(sandbox, "hello/main.py", replacing: "f\"Hello {name}!\"", with: "f\"Howdy {name}!\"")
    #expect(await waitForBody(url, "Howdy World!"))
    #expect(try await waitForState(sandbox, "hello", "running"))
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("request during restart waits", arguments: TestBackend.allCases)
  func requestDuringRestartWaits(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    let url = try startWatched(sandbox, "hello")
    let logOffset = logSize(sandbox, "hello")

    try edit(sandbox, "hello/main.py", replacing: "f\"Hello {name}!\"", with: "f\"Second {name}!\"")
    // The supervisor logs the restart once new connections wait (the old server is gone, or no longer gets
    // connections on docker) and before the new one runs.
    #expect(try await waitForLog(sandbox, "hello", after: logOffset, containing: "changed; restarting"))
    let response = await httpRequest(url)
    #expect(response?.0 == 200)
    #expect(response?.1 == "Second World!")
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("request in flight finishes on docker")
  func requestInFlightFinishesOnDocker() async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    // The handler sleeps for ?sleep=SECONDS before it responds.
    try edit(
      sandbox, "hello/main.py", replacing: "    return f\"Hello {name}!\"",
      with:
        "    import time\n    time.sleep(float(request.args.get(\"sleep\", \"0\")))\n    return f\"Hello {name}!\""
    )
    let url = try startWatched(sandbox, "hello")
    let logOffset = logSize(sandbox, "hello")

    let slow = Task { await httpRequest(url + "/?sleep=3") }
    try await Task.sleep(for: .milliseconds(500))
    try edit(sandbox, "hello/main.py", replacing: "f\"Hello {name}!\"", with: "f\"Later {name}!\"")
    #expect(try await waitForLog(sandbox, "hello", after: logOffset, containing: "changed; restarting"))
    // The old container stops with SIGTERM once the new one runs, and gunicorn finishes this request.
    let inFlight = await slow.value
    #expect(inFlight?.0 == 200)
    #expect(inFlight?.1 == "Hello World!")
    #expect(await waitForBody(url, "Later World!"))
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("syntax error crashes, fix recovers", arguments: TestBackend.allCases)
  func syntaxErrorRecovers(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    let url = try startWatched(sandbox, "hello")
    let original = try #require(sandbox.read("hello/main.py"))

    try sandbox.write(original + "\ndef broken(:\n", to: "hello/main.py")
    #expect(try await waitForState(sandbox, "hello", "crashed"))
    let failed = await httpRequest(url)
    #expect(failed?.0 == 500)
    #expect(failed?.1.contains("hello is not running") == true)
    #expect(try sandbox.run(["logs", "hello"]).stdout.contains("SyntaxError"))
    // A crashed watched function keeps its server, so run reports it instead of starting a second one.
    let again = try sandbox.run(["run", "hello"])
    #expect(again.status == 0)
    #expect(again.stderr.contains("already running"))
    #expect(again.stderr.contains("its last change failed to start"))
    // invoke reaches the server, which returns the failure, instead of claiming the function is stopped.
    let invoked = try sandbox.run(["invoke", "hello"])
    #expect(invoked.stdout.contains("hello is not running"), "\(invoked.stdout) \(invoked.stderr)")
    #expect(!invoked.stderr.contains("start it again"))
    #expect(try sandbox.run(["describe", "hello"]).stdout.contains("Watch:       on"))

    try sandbox.write(original.replacingOccurrences(of: "Hello", with: "Fixed"), to: "hello/main.py")
    #expect(await waitForBody(url, "Fixed World!"))
    #expect(try await waitForState(sandbox, "hello", "running"))
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
    #expect(try sandbox.state(of: "hello") == "stopped")
    if backend == .docker { #expect(try sandbox.containers(of: "hello").isEmpty) }
  }

  @Test("ignored files do not restart")
  func ignoredFilesDoNotRestart() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    try sandbox.write("notes/\n*.log\n", to: "hello/.gitignore")
    try sandbox.write("scratch/\n", to: "hello/.functionsignore")
    try sandbox.write("*.csv\n", to: "hello/data/.gitignore")
    let url = try startWatched(sandbox, "hello")
    let logOffset = logSize(sandbox, "hello")

    try sandbox.write("a note", to: "hello/notes/today.md")
    try sandbox.write("a line", to: "hello/debug.log")
    try sandbox.write("draft", to: "hello/scratch/draft.py")
    try sandbox.write("x = 1\n", to: "hello/__pycache__/cached.py")
    try sandbox.write("1,2\n", to: "hello/data/table.csv")
    try await Task.sleep(for: .milliseconds(800))
    let log = FileManager.default.contents(atPath: sandbox.home + "/state/hello/output.log") ?? Data()
    let quiet = String(decoding: log.dropFirst(logOffset), as: UTF8.self)
    #expect(!quiet.contains("changed"), "ignored files restarted the function: \(quiet)")

    // A file that is not ignored, in a folder created after the watch began, restarts it.
    try sandbox.write("VALUE = 2\n", to: "hello/lib/settings.py")
    #expect(try await waitForLog(sandbox, "hello", after: logOffset, containing: "lib/settings.py changed"))
    #expect(await httpRequest(url)?.0 == 200)
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("manifest watch key enables watching")
  func manifestKeyEnablesWatching() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    try sandbox.editManifest("hello") { $0["watch"] = true }
    let started = try sandbox.run(["run", "hello"])
    #expect(started.status == 0, "\(started.stderr)")
    let url = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(started.stderr.contains("restarts when its source changes"))

    try edit(sandbox, "hello/main.py", replacing: "f\"Hello {name}!\"", with: "f\"Keyed {name}!\"")
    #expect(await waitForBody(url, "Keyed World!"))
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("requirements change rebuilds environment", arguments: TestBackend.allCases)
  func requirementsChangeRebuilds(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "http", "hello"]).status == 0)
    let url = try startWatched(sandbox, "hello")
    let logOffset = logSize(sandbox, "hello")

    // One edit that needs a new package: the import fails unless the environment is built again first.
    try sandbox.write("functions-framework>=3.5,<4\nsix==1.16.0\n", to: "hello/requirements.txt")
    let main = try #require(sandbox.read("hello/main.py"))
    try sandbox.write(
      "import six\n"
        + main.replacingOccurrences(of: "f\"Hello {name}!\"", with: "f\"six {six.__version__}\""),
      to: "hello/main.py")
    #expect(await waitForBody(url, "six 1.16.0", seconds: 180))
    #expect(try await waitForLog(sandbox, "hello", after: logOffset, containing: "requirements.txt"))
    #expect(try sandbox.run(["stop", "hello"]).status == 0)
  }

  @Test("Lambda request during reload waits", arguments: TestBackend.allCases)
  func lambdaRequestDuringReloadWaits(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.makeLambda("api", template: "http")
    let url = try startWatched(sandbox, "api")
    #expect(await httpRequest(url)?.1 == "Hello World!")
    let logOffset = logSize(sandbox, "api")

    // On docker the image is built again first, which takes longer than a request.
    try edit(sandbox, "api/app.py", replacing: "f\"Hello ", with: "f\"Second ")
    #expect(try await waitForLog(sandbox, "api", after: logOffset, containing: "changed; reloading"))
    let response = await httpRequest(url)
    #expect(response?.0 == 200)
    #expect(response?.1 == "Second World!")
    #expect(try sandbox.run(["stop", "api"]).status == 0)
    if backend == .docker { #expect(try sandbox.containers(of: "api").isEmpty) }
  }

  @Test("Lambda function reloads and recovers")
  func lambdaReloads() async throws {
    let sandbox = try Sandbox()
    try sandbox.makeLambda("api", template: "http")
    let url = try startWatched(sandbox, "api")
    #expect(await httpRequest(url)?.1 == "Hello World!")
    let original = try #require(sandbox.read("api/app.py"))

    try sandbox.write(original.replacingOccurrences(of: "f\"Hello ", with: "f\"Hi "), to: "api/app.py")
    #expect(await waitForBody(url, "Hi World!"))
    #expect(try await waitForState(sandbox, "api", "running"))

    let offset = logSize(sandbox, "api")
    try sandbox.write(original + "\ndef broken(:\n", to: "api/app.py")
    // Wait for this change's own failure, not a state an earlier reload may have left.
    #expect(try await waitForLog(sandbox, "api", after: offset, containing: "Runtime.UserCodeSyntaxError"))
    #expect(try await waitForState(sandbox, "api", "crashed"))
    // API Gateway returns 500 for a failed invocation, and its generic message (HTTP API).
    let failed = await httpRequest(url)
    #expect(
      failed?.0 == 500,
      "\(String(describing: failed)); log: \(String((try? sandbox.run(["logs", "api"]).stdout)?.suffix(3000) ?? ""))"
    )
    #expect(try sandbox.run(["logs", "api"]).stdout.contains("Runtime.UserCodeSyntaxError"))

    try sandbox.write(original.replacingOccurrences(of: "f\"Hello ", with: "f\"Back "), to: "api/app.py")
    #expect(await waitForBody(url, "Back World!"))
    // The state is recorded after the new instance is ready, which a request can precede.
    #expect(try await waitForState(sandbox, "api", "running"))
    #expect(try sandbox.run(["stop", "api"]).status == 0)
  }

  // MARK: - Helpers

  private func startWatched(_ sandbox: Sandbox, _ name: String) throws -> String {
    let output = try sandbox.run(["run", name, "--watch"])
    #expect(output.status == 0, "run --watch failed: \(output.stderr)")
    return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func edit(_ sandbox: Sandbox, _ path: String, replacing old: String, with new: String) throws {
    let text = try #require(sandbox.read(path))
    #expect(text.contains(old), "\(path) does not contain \(old)")
    try sandbox.write(text.replacingOccurrences(of: old, with: new), to: path)
  }

  private func waitForBody(_ url: String, _ expected: String, seconds: Int = 90) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
      if await httpRequest(url)?.1 == expected { return true }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  private func waitForState(_ sandbox: Sandbox, _ name: String, _ state: String) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(90)
    while ContinuousClock.now < deadline {
      if try sandbox.state(of: name) == state { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  /// Polls the function's log file directly, because a restart takes only a few hundred milliseconds.
  private func waitForLog(_ sandbox: Sandbox, _ name: String, after offset: Int, containing text: String)
    async throws -> Bool
  {
    let path = sandbox.home + "/state/\(name)/output.log"
    let deadline = ContinuousClock.now + .seconds(90)
    while ContinuousClock.now < deadline {
      let data = FileManager.default.contents(atPath: path) ?? Data()
      if String(decoding: data.dropFirst(offset), as: UTF8.self).contains(text) { return true }
      try await Task.sleep(for: .milliseconds(2))
    }
    return false
  }

  private func logSize(_ sandbox: Sandbox, _ name: String) -> Int {
    FileManager.default.contents(atPath: sandbox.home + "/state/\(name)/output.log")?.count ?? 0
  }
}
