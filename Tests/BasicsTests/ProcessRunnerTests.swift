import Foundation
import Testing

@testable import Basics

#if canImport(Glibc)
  import Glibc
#endif

private let hostEnvironment = ProcessInfo.processInfo.environment

private func shell(_ script: String) -> ProcessSpec {
  ProcessSpec(executable: "/bin/sh", arguments: ["-c", script], environment: hostEnvironment)
}

/// Returns the fields of `/proc/PID/stat` that follow the command name: state, ppid, pgrp, session, …
private func statFields(of pid: pid_t) throws -> [String] {
  let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
  let closing = try #require(text.lastIndex(of: ")"))
  return text[text.index(after: closing)...].split(separator: " ").map(String.init)
}

/// Kills a child of this process by PID and reaps it.
private func killAndReap(_ pid: pid_t) {
  kill(pid, SIGKILL)
  _ = ProcessRunner.wait(for: pid)
}

@Suite("ProcessRunner", .timeLimit(.minutes(1)))
struct ProcessRunnerTests {
  let runner = ProcessRunner()

  @Test("exit status reported", arguments: [0, 1, 3, 255] as [Int32])
  func exitStatus(code: Int32) throws {
    let result = try runner.run(shell("exit \(code)"))

    #expect(result.termination == .exited(code))
    #expect(result.termination.isSuccess == (code == 0))
  }

  @Test("termination by signal")
  func signalTermination() throws {
    let result = try runner.run(shell("kill -TERM $$"))

    #expect(result.termination == .signalled(SIGTERM))
    #expect(!result.termination.isSuccess)
  }

  @Test(
    "termination descriptions",
    arguments: [
      (ProcessTermination.exited(0), "exit status 0"),
      (.exited(2), "exit status 2"),
      (.signalled(9), "signal 9"),
    ])
  func terminationDescriptions(termination: ProcessTermination, expected: String) {
    #expect(termination.description == expected)
  }

  @Test("stdout and stderr kept apart")
  func separateStreams() throws {
    let result = try runner.run(shell("printf 'out1\\nout2\\n'; printf 'err1\\n' >&2"))

    #expect(result.output == "out1\nout2\n")
    #expect(result.errorOutput == "err1\n")
  }

  @Test("large output on both streams")
  func largeOutput() throws {
    // Each stream exceeds a pipe's 64 KiB buffer, so both must be read while the child runs.
    let script = "head -c 300000 /dev/zero | tr '\\000' a; head -c 300000 /dev/zero | tr '\\000' b >&2"
    let result = try runner.run(shell(script))

    #expect(result.termination == .exited(0))
    #expect(result.output.count == 300_000)
    #expect(result.errorOutput.count == 300_000)
    #expect(result.output.allSatisfy { $0 == "a" })
  }

  @Test("standard input is fed")
  func standardInput() throws {
    let result = try runner.run(
      ProcessSpec(executable: "cat", arguments: [], environment: hostEnvironment),
      standardInput: Data("hello\nworld\n".utf8))

    #expect(result.output == "hello\nworld\n")
  }

  @Test("large standard input")
  func largeStandardInput() throws {
    let input = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
    let result = try runner.run(
      ProcessSpec(executable: "wc", arguments: ["-c"], environment: hostEnvironment), standardInput: input)

    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1048576")
  }

  @Test("no standard input reads empty")
  func noStandardInput() throws {
    let result = try runner.run(ProcessSpec(executable: "cat", arguments: [], environment: hostEnvironment))

    #expect(result.termination == .exited(0))
    #expect(result.output == "")
  }

  @Test("environment passed exactly")
  func environmentExactly() throws {
    let environment = ["ALPHA": "1", "BETA": "two words", "EMPTY": ""]
    let result = try runner.run(
      ProcessSpec(executable: "/usr/bin/env", arguments: [], environment: environment))

    let lines = result.output.split(separator: "\n").map(String.init).sorted()
    #expect(lines == ["ALPHA=1", "BETA=two words", "EMPTY="])
  }

  @Test("working directory")
  func workingDirectory() throws {
    try ScratchDirectory.with { directory in
      let result = try runner.run(
        ProcessSpec(
          executable: "pwd", arguments: ["-P"], environment: hostEnvironment, workingDirectory: directory))

      let expected = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
      #expect(result.output == expected + "\n")
    }
  }

  @Test("timeout kills the child")
  func timeoutKills() throws {
    let result = try runner.run(
      ProcessSpec(executable: "sleep", arguments: ["30"], environment: hostEnvironment),
      timeout: .milliseconds(300))

    #expect(result.termination == .signalled(SIGKILL))
  }

  @Test("timeout with a grandchild")
  func timeoutWithGrandchild() throws {
    // The shell forks `sleep`, which keeps the output pipes open after the shell is killed.
    let finished = DispatchSemaphore(value: 0)
    let termination = LockedValue<ProcessTermination?>(nil)
    Thread.detachNewThread {
      let result = try? ProcessRunner().run(shell("sleep 3; true"), timeout: .milliseconds(200))
      termination.withLock { $0 = result?.termination }
      finished.signal()
    }

    let returned = finished.wait(timeout: .now() + 2)
    #expect(returned == .success, "run() did not return within 2 s of a 0.2 s timeout")

    if returned == .timedOut { _ = finished.wait(timeout: .now() + 10) }
    #expect(termination.withLock { $0 } == .signalled(SIGKILL))
  }

  @Test("onLine receives each line")
  func onLineReceivesLines() throws {
    let lines = LockedValue<[String]>([])
    _ = try runner.run(shell("printf 'a\\nb\\n'; printf 'err\\n' >&2; printf 'partial'")) { line in
      lines.withLock { $0.append(line) }
    }

    #expect(lines.withLock { $0.sorted() } == ["a", "b", "err", "partial"])
  }

  @Test(
    "executable not found",
    arguments: [
      ("no-such-program-7f3a", "'no-such-program-7f3a' was not found on PATH"),
      ("/nonexistent/tool", "'/nonexistent/tool' was not found on PATH"),
    ]
  )
  func executableNotFound(executable: String, expected: String) {
    let error = #expect(throws: ProcessError.self) {
      try runner.run(ProcessSpec(executable: executable, arguments: [], environment: hostEnvironment))
    }
    #expect(error?.description == expected)
  }

  @Test("spawn failure names the command")
  func spawnFailure() throws {
    try ScratchDirectory.with { directory in
      // An executable file that is neither a binary nor a script with `#!`: execve fails with ENOEXEC.
      let path = "\(directory)/not-a-program"
      try ScratchDirectory.writeExecutable("not a program\n", to: path)

      let error = #expect(throws: ProcessError.self) {
        try runner.run(ProcessSpec(executable: path, arguments: ["--flag"], environment: hostEnvironment))
      }
      #expect(error?.description == "could not start \(path) --flag: Exec format error")
    }
  }

  @Test("failure shows command and output")
  func failureDescription() {
    let error = #expect(throws: ProcessError.self) {
      try runner.checkedRun(shell("echo first; echo second >&2; exit 4"))
    }

    #expect(
      error?.description
        == "/bin/sh -c 'echo first; echo second >&2; exit 4' failed with exit status 4:\n    first\n    second"
    )
  }

  @Test("failure shows last 15 lines")
  func failureKeepsTail() {
    let error = #expect(throws: ProcessError.self) {
      try runner.checkedRun(shell("seq 1 20; exit 1"))
    }

    let expectedTail = (6...20).map { "    \($0)" }.joined(separator: "\n")
    #expect(error?.description == "/bin/sh -c 'seq 1 20; exit 1' failed with exit status 1:\n" + expectedTail)
  }

  @Test("failure without output")
  func failureWithoutOutput() {
    let error = #expect(throws: ProcessError.self) {
      try runner.checkedRun(shell("kill -KILL $$"))
    }
    #expect(error?.description == "/bin/sh -c 'kill -KILL $$' failed with signal 9")
  }

  @Test("checkedRun returns success")
  func checkedRunSuccess() throws {
    let result = try runner.checkedRun(shell("echo ok"))

    #expect(result.output == "ok\n")
    #expect(result.commandLine == ["/bin/sh", "-c", "echo ok"])
  }

  @Test("tail of combined output")
  func tailOfOutput() {
    let result = ProcessResult(
      commandLine: ["x"], termination: .exited(1), output: "a\n\nb\n", errorOutput: "c\n")

    #expect(result.tail(lines: 2) == ["b", "c"])
    #expect(result.tail() == ["a", "b", "c"])
  }

  @Test("new session leads its group")
  func newSessionGroup() throws {
    try ScratchDirectory.with { directory in
      let pid = try runner.start(
        ProcessSpec(
          executable: "sleep", arguments: ["5"], environment: hostEnvironment,
          output: .appendToFile("\(directory)/sleep.log"), startsNewSession: true))
      defer { killAndReap(pid) }

      let fields = try statFields(of: pid)
      #expect(fields[2] == String(pid), "process group")
      #expect(fields[3] == String(pid), "session")
    }
  }

  @Test("without new session shares our group")
  func sameGroup() throws {
    try ScratchDirectory.with { directory in
      let pid = try runner.start(
        ProcessSpec(
          executable: "sleep", arguments: ["5"], environment: hostEnvironment,
          output: .appendToFile("\(directory)/sleep.log")))
      defer { killAndReap(pid) }

      let fields = try statFields(of: pid)
      #expect(fields[2] == String(getpgrp()))
    }
  }

  @Test("start appends both streams to file")
  func startAppendsToFile() throws {
    try ScratchDirectory.with { directory in
      let log = "\(directory)/output.log"
      try Data("existing\n".utf8).write(to: URL(fileURLWithPath: log))
      var spec = shell("echo out; echo err >&2")
      spec.output = .appendToFile(log)

      let pid = try runner.start(spec)

      #expect(ProcessRunner.wait(for: pid) == .exited(0))
      #expect(try String(contentsOfFile: log, encoding: .utf8) == "existing\nout\nerr\n")
    }
  }

  @Test("poll reports a running child")
  func pollRunningChild() throws {
    try ScratchDirectory.with { directory in
      let pid = try runner.start(
        ProcessSpec(
          executable: "sleep", arguments: ["5"], environment: hostEnvironment,
          output: .appendToFile("\(directory)/sleep.log")))

      #expect(ProcessRunner.poll(pid) == nil)

      kill(pid, SIGKILL)
      var termination: ProcessTermination?
      let deadline = Date().addingTimeInterval(5)
      while termination == nil, Date() < deadline {
        termination = ProcessRunner.poll(pid)
        if termination == nil { usleep(10_000) }
      }
      if termination == nil { killAndReap(pid) }
      #expect(termination == .signalled(SIGKILL))
    }
  }
}
