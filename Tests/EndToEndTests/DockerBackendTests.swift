import Basics
import Foundation
import Testing

/// What only the docker backend does: images by fingerprint, the Dockerfile, base image errors, labels,
/// and the tool's own image.
@Suite("Docker backend", .timeLimit(.minutes(15)))
struct DockerBackendTests {
  @Test("image is reused until the source changes")
  func imageReuse() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    #expect(try sandbox.run(["new", "http", "reuse"]).status == 0)

    let first = try sandbox.run(["build", "reuse", "--json"])
    #expect(first.status == 0, "\(first.stderr)")
    let image = try #require(jsonObject(first.stdout)?["image"] as? String)
    #expect(image.hasPrefix("functions/reuse:"))
    // The template's runtime is python312; the test base image has Debian bookworm's Python 3.11.
    #expect(first.stderr.contains("so the function runs on Python 3.11, not 3.12"), "\(first.stderr)")

    let described = try sandbox.run(["describe", "reuse"]).stdout
    #expect(described.contains("Backend:     docker"), "\(described)")
    #expect(described.contains("Image:       \(image)"), "\(described)")

    let unchanged = try #require(jsonObject(try sandbox.run(["build", "reuse", "--json"]).stdout))
    #expect(unchanged["rebuilt"] as? Bool == false)
    #expect(unchanged["image"] as? String == image)

    try sandbox.write((sandbox.read("reuse/main.py") ?? "") + "\n# changed\n", to: "reuse/main.py")
    let changed = try #require(jsonObject(try sandbox.run(["build", "reuse", "--json"]).stdout))
    #expect(changed["rebuilt"] as? Bool == true)
    #expect(changed["image"] as? String != image)

    let current = try #require(changed["image"] as? String)
    let labels = try sandbox.docker(["image", "inspect", "--format", "{{json .Config.Labels}}", current])
    let labelObject = jsonObject(labels.output)
    #expect(labelObject?["managed-by"] as? String == "functions")
    #expect(labelObject?["functions-name"] as? String == "reuse")
    #expect(try sandbox.run(["delete", "reuse"]).status == 0)
  }

  @Test("two registries keep their own images")
  func registriesKeepOwnImages() throws {
    let first = try Sandbox()
    let second = try Sandbox()
    guard try first.use(.docker), try second.use(.docker) else { return }
    var images: [String] = []
    for sandbox in [first, second] {
      #expect(try sandbox.run(["new", "http", "shared"]).status == 0)
      let built = try sandbox.run(["build", "shared", "--json"])
      #expect(built.status == 0, "\(built.stderr)")
      images.append(try #require(jsonObject(built.stdout)?["image"] as? String))
    }
    // The same name and the same code, but each registry builds and owns its image.
    #expect(images[0] != images[1])

    let contexts = {
      ((try? FileManager.default.contentsOfDirectory(atPath: Sandbox.sharedCache + "/docker/contexts")) ?? [])
        .filter { $0.hasPrefix("shared-") }.count
    }
    // Earlier test runs may have left folders in the shared cache, so only the change is checked.
    let built = contexts()
    #expect(try first.run(["delete", "shared"]).status == 0)
    #expect(contexts() == built - 1, "delete removes the registry's build folder")
    #expect(
      try first.docker(["image", "inspect", images[0]]).termination != .exited(0),
      "the first registry's image is deleted")
    #expect(
      try first.docker(["image", "inspect", images[1]]).termination == .exited(0),
      "the second registry's image stays")
    #expect(try second.run(["delete", "shared"]).status == 0)
  }

  @Test("list and sync find containers by label")
  func containersByLabel() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    #expect(try sandbox.run(["new", "http", "boxed"]).status == 0)
    #expect(try sandbox.run(["new", "http", "idle"]).status == 0)
    let started = try sandbox.run(["run", "boxed"])
    #expect(started.status == 0, "\(started.stderr)")
    let listed = try sandbox.list().first { $0["name"] as? String == "boxed" }
    #expect(listed?["backend"] as? String == "docker")
    #expect(listed?["containers"] as? [String] == ["running"])

    // A leftover container of a stopped function, and one of a name this registry does not know.
    let docker = sandbox.docker
    // And a container of another FUNCTIONS_HOME with the same function name, which this registry must
    // neither list nor remove.
    let unique = "e2e-\(getpid())-\(Int.random(in: 1000...9999))"
    let ownLabel = "functions-state=\(sandbox.home)/state"
    let created = [
      ("idle", "idle", ownLabel), (unique, "stranger", ownLabel),
      ("boxed", "neighbour", "functions-state=\(sandbox.root)/elsewhere/state"),
    ].map { name, suffix, state in
      try? docker([
        "create", "--pull", "never", "--label", "managed-by=functions", "--label", "functions-name=\(name)",
        "--label", state, "--name", "\(unique)-\(suffix)", DockerTestEnvironment.baseImage, "true",
      ])
    }
    for result in created { #expect(result?.termination == .exited(0), "\(result?.errorOutput ?? "")") }
    defer {
      _ = try? docker(["rm", "--force", "\(unique)-stranger", "\(unique)-idle", "\(unique)-neighbour"])
    }

    let boxed = try sandbox.list().first { $0["name"] as? String == "boxed" }
    #expect(boxed?["containers"] as? [String] == ["running"], "the other home's container is not listed")

    let synced = try syncDocker(sandbox)
    let actions = Dictionary(
      synced.filter { $0["kind"] as? String == "container" }.map {
        ($0["name"] as? String ?? "", $0["action"] as? String ?? "")
      }
    ) { a, _ in a }
    #expect(actions["idle"] == "removed")
    #expect(actions["boxed"] == "kept")
    // The container carries this registry's label, so it is this registry's, left by a removed function.
    #expect(actions[unique] == "removed")
    let remaining = try docker(["ps", "--all", "--quiet", "--filter", "name=\(unique)"]).output
    #expect(remaining.split(whereSeparator: \.isNewline).count == 1, "only the other home's container stays")

    // After `remove`, the image stays until `sync docker` removes it.
    let image = try #require(
      synced.first { $0["kind"] as? String == "image" && $0["name"] as? String == "boxed" }?["state"]
        as? String)
    #expect(try sandbox.run(["stop", "boxed"]).status == 0)
    let removed = try sandbox.run(["remove", "boxed"])
    #expect(removed.stderr.contains("'functions sync docker' removes them"), "\(removed.stderr)")
    #expect(try docker(["image", "inspect", image]).termination == .exited(0))
    let imageRows = try syncDocker(sandbox).filter { $0["kind"] as? String == "image" }
    #expect(imageRows.first { $0["name"] as? String == "boxed" }?["action"] as? String == "removed")
    #expect(try docker(["image", "inspect", image]).termination != .exited(0))
  }

  /// Runs `sync docker --json` and returns its rows.
  private func syncDocker(_ sandbox: Sandbox) throws -> [[String: Any]] {
    let synced = try sandbox.run(["sync", "docker", "--json"])
    #expect(synced.status == 0, "\(synced.stderr)")
    return (try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [[String: Any]]) ?? []
  }

  @Test("Dockerfile is printed, and a function's own is used")
  func dockerfile() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    #expect(try sandbox.run(["new", "http", "shown"]).status == 0)
    let printed = try sandbox.run(["build", "shown", "--print-dockerfile"])
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.contains("FROM \(DockerTestEnvironment.baseImage)\n"))
    #expect(printed.stdout.contains("--no-index --find-links /opt/functions/wheels"))

    let own = "FROM \(DockerTestEnvironment.baseImage)\nCMD [\"true\"]\n"
    try sandbox.write(own, to: "shown/Dockerfile")
    #expect(try sandbox.run(["build", "shown", "--print-dockerfile"]).stdout == own)

    let process = try sandbox.run(["build", "shown", "--print-dockerfile", "--backend", "process"])
    #expect(process.status == 64)
    #expect(process.stderr.contains("--print-dockerfile needs the docker backend"))
  }

  @Test("Node.js and custom runtime Dockerfiles")
  func runtimeDockerfiles() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    try sandbox.makeLambda("nodeshown", runtime: "nodejs20.x")
    let node = try sandbox.run(["build", "nodeshown", "--print-dockerfile"])
    #expect(node.status == 0, "\(node.stderr)")
    #expect(node.stdout.contains("FROM \(DockerTestEnvironment.baseImage)\n"))
    #expect(node.stdout.contains(" /var/runtime/bootstrap.mjs\n"))
    #expect(node.stdout.hasSuffix("CMD [\"node\", \"/var/runtime/bootstrap.mjs\"]\n"), "\(node.stdout)")

    try sandbox.makeLambda("shellshown", template: "http", runtime: "provided.al2023")
    let custom = try sandbox.run(["build", "shellshown", "--print-dockerfile"])
    #expect(custom.status == 0, "\(custom.stderr)")
    #expect(custom.stdout.contains("FROM \(DockerTestEnvironment.baseImage)\n"))
    #expect(custom.stdout.hasSuffix("CMD [\"/var/task/bootstrap\"]\n"), "\(custom.stdout)")
  }

  @Test("node_modules must hold the dependencies")
  func nodeDependencies() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    try sandbox.makeLambda("nodedeps", runtime: "nodejs20.x")
    try sandbox.write(
      #"{"type": "module", "dependencies": {"greeting": "1.0.0"}}"#, to: "nodedeps/package.json")
    let missing = try sandbox.run(["build", "nodedeps"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("package.json lists dependencies that are not in "), "\(missing.stderr)")
    #expect(missing.stderr.contains("/nodedeps/node_modules: 'greeting'"))
    #expect(missing.stderr.contains("npm install --omit=dev"))

    // A package installed by hand, as npm would leave it, and a handler that imports it.
    try sandbox.write(
      #"{"name": "greeting", "version": "1.0.0", "type": "module", "main": "index.js"}"#,
      to: "nodedeps/node_modules/greeting/package.json")
    try sandbox.write(
      "export const greet = (name) => `Hi ${name} from a package`;\n",
      to: "nodedeps/node_modules/greeting/index.js")
    try sandbox.write(
      "import { greet } from \"greeting\";\nexport const handler = async (event) => greet(event.name);\n",
      to: "nodedeps/index.mjs")
    _ = try sandbox.start("nodedeps")
    let invoked = try sandbox.run(["invoke", "nodedeps", "--data", #"{"name": "Ada"}"#])
    #expect(invoked.status == 0, "\(invoked.stderr)")
    #expect(invoked.stdout == #""Hi Ada from a package""#)
    #expect(try sandbox.run(["stop", "nodedeps"]).status == 0)
  }

  @Test("missing base image and bad backend values")
  func badInput() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    #expect(try sandbox.run(["new", "http", "nobase"]).status == 0)
    let settings = #"{"dockerBaseImages": {"python": "functions-test/absent:0"}}"#
    try Data(settings.utf8).write(to: URL(fileURLWithPath: sandbox.home + "/config/settings.json"))
    let missing = try sandbox.run(["run", "nobase", "--backend", "docker"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains(
        "the base image functions-test/absent:0 is not in the local Docker image store"),
      "\(missing.stderr)")
    #expect(missing.stderr.contains("docker pull functions-test/absent:0"))

    let invalid = try sandbox.run(["run", "nobase", "--backend", "vm"])
    #expect(invalid.status == 64)
    #expect(invalid.stderr.contains("process, docker"), "\(invalid.stderr)")

    let manifest = try #require(sandbox.read("nobase/function.json"))
    try sandbox.write(
      manifest.replacingOccurrences(of: "\"name\"", with: "\"backend\": \"vm\", \"name\""),
      to: "nobase/function.json")
    let badManifest = try sandbox.run(["build", "nobase"])
    #expect(badManifest.status == 1)
    #expect(badManifest.stderr.contains("backend"), "\(badManifest.stderr)")
  }

  @Test("unreachable daemon names the fix")
  func unreachableDaemon() throws {
    guard !DockerTestEnvironment.isSkipped else { return }
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "nodaemon"]).status == 0)
    let socket = "unix://" + sandbox.root + "/no-docker.sock"
    let run = try sandbox.run(
      ["run", "nodaemon", "--backend", "docker"], environment: ["DOCKER_HOST": socket])
    #expect(run.status == 1)
    #expect(run.stderr.contains("no Docker daemon is reachable at \(socket)"), "\(run.stderr)")
    #expect(run.stderr.contains("start dockerd or set DOCKER_HOST"))
  }

  @Test("tool image runs functions --version", .timeLimit(.minutes(15)))
  func toolImage() throws {
    let sandbox = try Sandbox()
    guard try sandbox.use(.docker) else { return }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    let tag = "functions-test/tool:e2e"
    var environment = sandbox.environment
    environment["BASE_IMAGE"] = DockerTestEnvironment.baseImage
    // Builds the release binary first when it is missing, which takes minutes.
    let built = try ProcessRunner().run(
      ProcessSpec(
        executable: packageRoot + "/scripts/tool-image.sh", arguments: [tag], environment: environment,
        workingDirectory: packageRoot), timeout: .seconds(840))
    #expect(built.termination.isSuccess, "\(built.tail(lines: 20))")

    let version = try ProcessRunner().run(
      ProcessSpec(
        executable: "docker",
        arguments: ["run", "--rm", "--pull=never", "--network", "none", tag, "--version"],
        environment: environment), timeout: .seconds(60))
    #expect(version.termination.isSuccess, "\(version.tail(lines: 5))")
    #expect(version.output.hasPrefix("functions "), "\(version.output)")
    _ = try? ProcessRunner().run(
      ProcessSpec(executable: "docker", arguments: ["image", "rm", tag], environment: environment))
  }
}
