import Basics
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The registry under real concurrent processes, killed writers and corruption.
@Suite("Registry across processes", .timeLimit(.minutes(5)))
struct RegistryProcessTests {
  @Test("fifty concurrent writers keep every change")
  func concurrentWriters() throws {
    let sandbox = try Sandbox()
    let names = (0..<50).map { "fn\($0)" }
    try runConcurrently(names.map { ["new", "http", $0] }, sandbox: sandbox)
    let listed = Set(try sandbox.list().compactMap { $0["name"] as? String })
    #expect(listed == Set(names))

    let removed = names.filter { Int($0.dropFirst(2))! % 2 == 0 }
    try runConcurrently(removed.map { ["remove", $0] }, sandbox: sandbox)
    let remaining = Set(try sandbox.list().compactMap { $0["name"] as? String })
    #expect(remaining == Set(names).subtracting(removed))

    let data = try #require(FileManager.default.contents(atPath: sandbox.home + "/data/registry.json"))
    #expect((try? JSONSerialization.jsonObject(with: data)) != nil)
  }

  @Test("a writer killed mid-write leaves the old document")
  func killedWriter() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "before"]).status == 0)
    let registryPath = sandbox.home + "/data/registry.json"
    let original = try #require(FileManager.default.contents(atPath: registryPath))

    var environment = sandbox.environment
    environment["FUNCTIONS_TEST_PAUSE_BEFORE_RENAME_MS"] = "30000"
    let pid = try ProcessRunner().start(
      ProcessSpec(
        executable: Sandbox.binary, arguments: ["new", "http", "during"], environment: environment,
        workingDirectory: sandbox.work, output: .appendToFile(sandbox.root + "/writer.log")))
    // Wait until the writer has written its temporary file and is about to rename it.
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.home + "/data")) ?? []
      if files.contains(where: { $0.hasPrefix("registry.json.tmp-") }) { break }
      usleep(10_000)
    }
    kill(pid, SIGKILL)
    _ = ProcessRunner.wait(for: pid)

    #expect(FileManager.default.contents(atPath: registryPath) == original)
    #expect(try sandbox.list().compactMap { $0["name"] as? String } == ["before"])
    // The lock died with the writer: the next write goes through.
    #expect(try sandbox.run(["new", "http", "after"], in: sandbox.work).status == 0)
    #expect(Set(try sandbox.list().compactMap { $0["name"] as? String }) == ["before", "after"])
  }

  @Test("a corrupt registry is reported and kept")
  func corruptRegistry() throws {
    let sandbox = try Sandbox()
    let registryPath = sandbox.home + "/data/registry.json"
    try FileManager.default.createDirectory(atPath: sandbox.home + "/data", withIntermediateDirectories: true)
    let garbage = Data("{\"version\": 1, \"functions\": {".utf8)
    try garbage.write(to: URL(fileURLWithPath: registryPath))

    let list = try sandbox.run(["list"])
    #expect(list.status == 1)
    #expect(list.stderr.contains("the registry at \(registryPath) is corrupt"))
    let created = try sandbox.run(["new", "http", "blocked"])
    #expect(created.status == 1)
    #expect(FileManager.default.contents(atPath: registryPath) == garbage)
    #expect(sandbox.read("blocked/main.py") == nil)
  }

  @Test("a dead process shows as crashed")
  func deadProcessIsCrashed() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "victim"]).status == 0)
    #expect(try sandbox.run(["run", "victim"]).status == 0)
    let entry = try #require(
      (try JSONSerialization.jsonObject(
        with: FileManager.default.contents(atPath: sandbox.home + "/data/registry.json")!) as? [String: Any])?[
          "functions"] as? [String: [String: Any]])
    let group = try #require((entry["victim"]?["process"] as? [String: Any])?["processGroup"] as? Int32)
    kill(-group, SIGKILL)
    usleep(200_000)
    #expect(try sandbox.state(of: "victim") == "crashed")
    #expect(try sandbox.run(["stop", "victim"]).status == 0)
    #expect(try sandbox.state(of: "victim") == "stopped")
  }

  /// Starts one `functions` process per argument list at once and waits for all of them.
  private func runConcurrently(_ commands: [[String]], sandbox: Sandbox) throws {
    var pids: [pid_t] = []
    for arguments in commands {
      pids.append(
        try ProcessRunner().start(
          ProcessSpec(
            executable: Sandbox.binary, arguments: arguments, environment: sandbox.environment,
            workingDirectory: sandbox.work, output: .appendToFile(sandbox.root + "/concurrent.log"))))
    }
    for pid in pids {
      #expect(ProcessRunner.wait(for: pid) == .exited(0))
    }
  }
}
