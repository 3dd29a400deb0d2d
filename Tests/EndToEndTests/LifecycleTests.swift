import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The whole local lifecycle with the real functions-framework from PyPI, on the process and docker
/// backends.
@Suite("Local lifecycle", .timeLimit(.minutes(10)))
struct LifecycleTests {
  @Test("HTTP function from new to stop", arguments: TestBackend.allCases)
  func httpLifecycle(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    let created = try sandbox.run(["new", "http", "hello"])
    #expect(created.status == 0, "\(created.stderr)")
    for file in ["main.py", "requirements.txt", "function.json", ".gitignore"] {
      #expect(sandbox.read("hello/\(file)") != nil, "missing \(file)")
    }
    #expect(try sandbox.state(of: "hello") == "new")

    let build = try sandbox.run(["build", "hello"])
    #expect(build.status == 0, "\(build.stderr)")
    #expect(try sandbox.state(of: "hello") == "built")
    let rebuild = try sandbox.run(["build", "hello", "--json"])
    #expect(rebuild.stdout.contains("\"rebuilt\" : false"))

    let run = try sandbox.run(["run", "hello"])
    #expect(run.status == 0, "\(run.stderr)")
    let url = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(url.hasPrefix("http://127.0.0.1:"))

    let plain = try sandbox.run(["invoke", "hello"])
    #expect(plain.stdout == "Hello World!")
    let json = try sandbox.run(["invoke", "hello", "--data", #"{"name": "Ada"}"#])
    #expect(json.stdout == "Hello Ada!")
    let query = try sandbox.run(["invoke", "hello", "--query", "name=Ada"])
    #expect(query.stdout == "Hello Ada!")
    let fromStdin = try sandbox.run(
      ["invoke", "hello", "--data", "-"], input: Data(#"{"name": "Grace"}"#.utf8))
    #expect(fromStdin.stdout == "Hello Grace!")
    let included = try sandbox.run(["invoke", "hello", "-i"])
    #expect(included.stdout.hasPrefix("HTTP/1.1 200 OK\n"))

    let direct = await httpRequest(url + "/?name=Lin")
    #expect(direct?.0 == 200)
    #expect(direct?.1 == "Hello Lin!")

    let listed = try sandbox.list().first { $0["name"] as? String == "hello" }
    #expect(listed?["state"] as? String == "running")
    #expect(listed?["url"] as? String == url)

    let missing = try sandbox.run(["invoke", "hello", "--path", "/nope", "-X", "DELETE"])
    #expect(missing.status == 0 || missing.status == 1)

    let stopStarted = ContinuousClock.now
    let stop = try sandbox.run(["stop", "hello"])
    #expect(stop.status == 0)
    #expect(stop.stderr.contains("Stopped hello"))
    #expect(ContinuousClock.now - stopStarted < .seconds(5))
    #expect(try sandbox.state(of: "hello") == "stopped")
    #expect(await httpRequest(url + "/") == nil)
    if backend == .docker { #expect(try sandbox.containers(of: "hello").isEmpty) }

    // The function's server wrote nothing into the home directory it was given.
    let homeEntries = try FileManager.default.contentsOfDirectory(atPath: sandbox.userHome)
    #expect(homeEntries.isEmpty, "files in HOME: \(homeEntries)")
    // Compiled files stay out of the source directory too.
    #expect(!FileManager.default.fileExists(atPath: sandbox.work + "/hello/__pycache__"))
  }

  @Test("Pub/Sub function gets a CloudEvent", arguments: TestBackend.allCases)
  func pubsubLifecycle(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "pubsub", "orders", "--topic", "order-events"]).status == 0)
    let manifest = sandbox.read("orders/function.json") ?? ""
    #expect(manifest.contains("\"topic\" : \"order-events\""))

    let run = try sandbox.run(["run", "orders"])
    #expect(run.status == 0, "\(run.stderr)")
    let invoke = try sandbox.run(["invoke", "orders", "--data", "Ada", "--attribute", "origin=test"])
    #expect(invoke.status == 0, "\(invoke.stderr)")
    #expect(invoke.stderr.contains("log: Hello Ada!"), "\(invoke.stderr)")

    let logs = try sandbox.run(["logs", "orders", "--tail", "1"])
    #expect(logs.stdout == "Hello Ada!\n")

    // A message without data greets the world; a non-CloudEvent request is rejected by the framework.
    #expect(try sandbox.run(["invoke", "orders"]).stderr.contains("log: Hello World!"))
    let url = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let plainPost = await httpRequest(
      url + "/", method: "POST", body: Data("{}".utf8), headers: ["Content-Type": "application/json"])
    #expect(plainPost?.0 == 400)

    #expect(try sandbox.run(["stop", "--all"]).status == 0)
    #expect(try sandbox.state(of: "orders") == "stopped")
    if backend == .docker { #expect(try sandbox.containers(of: "orders").isEmpty) }
  }

  @Test("environment precedence and redaction", arguments: TestBackend.allCases)
  func environmentPrecedence(backend: TestBackend) async throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    try sandbox.write(
      """
      import os
      import functions_framework


      @functions_framework.http
      def show(request):
          return "|".join(os.environ.get(k, "-") for k in ("FROM_MANIFEST", "FROM_FILE", "FROM_FLAG", "K_SERVICE"))
      """, to: "envfn/main.py")
    try sandbox.write("functions-framework==3.*\n", to: "envfn/requirements.txt")
    try sandbox.write(
      """
      {"version": 1, "name": "envfn", "entryPoint": "show", "runtime": "python312",
       "environment": {"FROM_MANIFEST": "manifest", "FROM_FILE": "manifest", "FROM_FLAG": "manifest"}}
      """, to: "envfn/function.json")
    try sandbox.write("FROM_FILE=file\nFROM_FLAG=file\n", to: "envfn/.env")
    #expect(try sandbox.run(["add", "envfn"]).status == 0)

    let run = try sandbox.run(["run", "envfn", "--env", "FROM_FLAG=flag"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try sandbox.run(["invoke", "envfn"]).stdout == "manifest|file|flag|envfn")

    let described = try sandbox.run(["describe", "envfn"])
    #expect(described.stdout.contains("FROM_MANIFEST=<redacted>"))
    #expect(!described.stdout.contains("=manifest"))
    let revealed = try sandbox.run(["describe", "envfn", "--show-secrets", "--json"])
    #expect(revealed.stdout.contains("\"FROM_MANIFEST\" : \"manifest\""))
    #expect(try sandbox.run(["stop", "envfn"]).status == 0)
  }

  // Process only: `add` writes the manifest and the registry, and no backend runs.
  @Test("add infers the manifest")
  func addInfers() throws {
    let sandbox = try Sandbox()
    try sandbox.write(
      """
      import functions_framework

      def helper():
          pass

      @functions_framework.cloud_event
      def on_message(cloud_event):
          print(cloud_event.data)
      """, to: "legacy/main.py")
    let added = try sandbox.run(["add", "legacy", "--name", "legacy-fn"])
    #expect(added.status == 0, "\(added.stderr)")
    let manifest = sandbox.read("legacy/function.json") ?? ""
    #expect(manifest.contains("\"entryPoint\" : \"on_message\""))
    #expect(manifest.contains("\"type\" : \"pubsub\""))
    #expect(manifest.contains("\"topic\" : \"legacy-fn\""))

    let again = try sandbox.run(["add", "legacy", "--name", "legacy-fn"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("already registered"))
  }

  @Test("remove and delete keep the source", arguments: TestBackend.allCases)
  func removeAndDelete(backend: TestBackend) throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(backend) else { return }
    #expect(try sandbox.run(["new", "http", "temp"]).status == 0)
    #expect(try sandbox.run(["run", "temp"]).status == 0)

    let refused = try sandbox.run(["remove", "temp"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("temp is running; stop it with 'functions stop temp' or pass --force"))

    let deleted = try sandbox.run(["delete", "temp", "--force"])
    #expect(deleted.status == 0, "\(deleted.stderr)")
    #expect(try sandbox.list().isEmpty)
    #expect(sandbox.read("temp/main.py") != nil)
    #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/state/temp"))
    if backend == .docker {
      #expect(try sandbox.containers(of: "temp").isEmpty)
      #expect(try sandbox.images(of: "temp").isEmpty)
    }
  }
}
