import Basics
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Commands that keep running until interrupted, and `doctor`.
@Suite("Long-running commands", .timeLimit(.minutes(10)))
struct InteractiveTests {
  @Test("run --foreground stops on Ctrl-C")
  func foregroundInterrupt() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "fg"]).status == 0)
    #expect(try sandbox.run(["build", "fg"]).status == 0)
    let output = sandbox.root + "/foreground.out"
    let pid = try ProcessRunner().start(
      ProcessSpec(
        executable: Sandbox.binary, arguments: ["run", "fg", "--foreground"],
        environment: sandbox.environment,
        workingDirectory: sandbox.work, output: .appendToFile(output)))
    let url = try #require(await waitForLine(in: output, prefix: "http://127.0.0.1:"))
    #expect(await httpRequest(url + "/")?.1 == "Hello World!")
    // The server's own log lines stream to the foreground command's output.
    #expect(await waitForLine(in: output, prefix: "--- ") != nil)

    kill(pid, SIGINT)
    #expect(ProcessRunner.wait(for: pid) == .exited(0))
    #expect(try String(contentsOfFile: output, encoding: .utf8).contains("Stopped fg"))
    #expect(try sandbox.state(of: "fg") == "stopped")
    #expect(await httpRequest(url + "/") == nil)
  }

  @Test("logs --follow prints new lines")
  func followLogs() async throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "pubsub", "tailed"]).status == 0)
    #expect(try sandbox.run(["run", "tailed"]).status == 0)
    let output = sandbox.root + "/follow.out"
    let pid = try ProcessRunner().start(
      ProcessSpec(
        executable: Sandbox.binary, arguments: ["logs", "tailed", "--follow", "--tail", "0"],
        environment: sandbox.environment, workingDirectory: sandbox.work, output: .appendToFile(output)))
    try await Task.sleep(for: .milliseconds(300))
    #expect(try sandbox.run(["invoke", "tailed", "--data", "Follower"]).status == 0)
    #expect(await waitForLine(in: output, prefix: "Hello Follower!") != nil)

    kill(pid, SIGINT)
    #expect(ProcessRunner.wait(for: pid) == .exited(0))
    #expect(try sandbox.run(["stop", "tailed"]).status == 0)
  }

  @Test("doctor reports components")
  func doctor() throws {
    let sandbox = try Sandbox()
    // gcloud probes the metadata server by DNS unless pointed at a closed loopback port.
    let gcloudConfig = sandbox.root + "/gcloud"
    let output = try sandbox.run(
      ["doctor", "--json"],
      environment: [
        "GCE_METADATA_ROOT": "127.0.0.1:9", "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
        "CLOUDSDK_CONFIG": gcloudConfig, "DOCKER_HOST": "unix://" + sandbox.root + "/no-docker.sock",
      ])
    #expect(output.status == 0, "\(output.stderr)")
    let checks = try #require(
      try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
    #expect(
      checks.compactMap { $0["name"] as? String } == [
        "python3", "docker", "gcloud", "pubsub", "aws", "git", "node",
      ])
    let python = try #require(checks.first)
    #expect(python["isAvailable"] as? Bool == true)
    #expect((python["detail"] as? String)?.contains("venv, pip") == true)
    // No daemon listens on that socket, so docker is reported absent with advice.
    let docker = try #require(checks.first { $0["name"] as? String == "docker" })
    #expect(docker["isAvailable"] as? Bool == false)
    #expect((docker["installHint"] as? String)?.isEmpty == false)

    let missingPython = try sandbox.run(["doctor"], environment: ["PATH": sandbox.root])
    #expect(missingPython.status == 1)
    #expect(missingPython.stdout.contains("python3  missing"))
    #expect(missingPython.stdout.contains("install: install Python 3.10 or newer"))
  }

  /// Waits up to 30 s for a line starting with `prefix` in a file, and returns it.
  private func waitForLine(in path: String, prefix: String) async -> String? {
    // Generous, because on a loaded 2-core machine the first start can take tens of seconds.
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return nil
  }
}
