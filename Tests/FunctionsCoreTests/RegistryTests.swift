import Basics
import Foundation
import Testing

@testable import FunctionsCore

#if canImport(Glibc)
  import Glibc
#endif

private struct AbortedChange: Error {}

/// A whole second, because the registry stores dates in ISO 8601 without fractions.
private let registeredAt = Date(timeIntervalSince1970: 1_700_000_000)

private func makeEntry(_ name: String, state: LocalState = .new) -> RegistryEntry {
  RegistryEntry(
    name: name, directory: "/projects/\(name)", provider: "gcp", runtime: "python312", trigger: "http",
    state: state, registeredAt: registeredAt)
}

private func makeRegistry(home: String) -> Registry {
  Registry(layout: StateLayout(environment: ["FUNCTIONS_HOME": home]))
}

private func writeRegistryFile(_ text: String, for registry: Registry) throws {
  try FileManager.default.createDirectory(
    atPath: registry.layout.dataDirectory, withIntermediateDirectories: true)
  try Data(text.utf8).write(to: URL(fileURLWithPath: registry.path))
}

/// Returns the message of the error that `body` throws, or nil when it returns.
private func errorMessage(_ body: () throws -> Void) -> String? {
  do {
    try body()
    return nil
  } catch {
    return "\(error)"
  }
}

private func corruptMessage(_ path: String, _ reason: String) -> String {
  "the registry at \(path) is corrupt (\(reason)); it was left untouched: repair it, or move it away to "
    + "start with an empty registry"
}

/// Returns a registry document with one entry, whose `state` and presence of `directory` the caller picks.
private func entryJSON(state: String, includesDirectory: Bool = true) -> String {
  let directory = includesDirectory ? #""directory": "/projects/hello", "# : ""
  return #"""
    {"version": 1, "functions": {"hello": {"name": "hello", \#(directory)"provider": "gcp", "runtime": "python312", "trigger": "http", "state": "\#(state)", "registeredAt": "2023-11-14T22:13:20Z"}}}
    """#
}

@Suite("Registry", .timeLimit(.minutes(2)))
struct RegistryTests {
  @Test("missing file is empty registry")
  func missingFileIsEmpty() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      let document = try registry.read()

      #expect(document == RegistryDocument())
      #expect(!FileManager.default.fileExists(atPath: registry.path))
    }
  }

  @Test("add, update and read entries")
  func addUpdateRead() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)

      try registry.update { $0.functions["hello"] = makeEntry("hello") }
      #expect(try registry.entry(named: "hello") == makeEntry("hello"))

      try registry.updateEntry(named: "hello") { entry in
        entry.state = .built
        entry.environmentFingerprint = "0123abcd"
      }
      let updated = try registry.entry(named: "hello")
      #expect(updated.state == .built)
      #expect(updated.environmentFingerprint == "0123abcd")
      #expect(updated.registeredAt == registeredAt)

      let stored = try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: registry.path)))
      let root = try #require(stored as? [String: Any])
      #expect(root["version"] as? Int == 2, "a changed version 1 document is written as version 2")
    }
  }

  @Test("deployment record round trips")
  func deploymentRecord() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try writeRegistryFile(entryJSON(state: "new"), for: registry)
      #expect(try registry.entry(named: "hello").deployment == nil, "version 1 entries have no deployment")

      let deployment = CloudDeployment(
        provider: "aws", cloudName: "hello", region: "eu-west-1",
        url: "https://x.lambda-url.eu-west-1.on.aws/",
        codeFingerprint: "AVZp60Kp9IQ2P41dUIvJByeVLdWtnvOpXYEaKf5ueIA=", sourceFingerprint: "abc",
        deployedAt: Date(timeIntervalSince1970: 1_700_000_000))
      try registry.updateEntry(named: "hello") { $0.deployment = deployment }
      #expect(try registry.entry(named: "hello").deployment == deployment)

      let stored = try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: registry.path)))
      let root = try #require(stored as? [String: Any])
      let functions = try #require(root["functions"] as? [String: [String: Any]])
      let record = try #require(functions["hello"]?["deployment"] as? [String: Any])
      #expect(record["status"] as? String == "deployed")
      #expect(record["provider"] as? String == "aws")
    }
  }

  @Test("running process is stored")
  func runningProcessStored() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      var entry = makeEntry("hello", state: .running)
      entry.process = RunningProcess(
        pid: 4242, processGroup: 4242, startTime: 123_456, host: "127.0.0.1", port: 8080,
        startedAt: registeredAt)

      try registry.update { $0.functions["hello"] = entry }

      #expect(try registry.entry(named: "hello") == entry)
    }
  }

  @Test("update returns the change's result")
  func updateReturnsResult() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      let count = try registry.update { document -> Int in
        document.functions["a"] = makeEntry("a")
        document.functions["b"] = makeEntry("b")
        return document.functions.count
      }
      #expect(count == 2)
    }
  }

  @Test("entries sorted by name")
  func sortedEntries() {
    let document = RegistryDocument(functions: [
      "zeta": makeEntry("zeta"), "alpha": makeEntry("alpha"), "mid": makeEntry("mid"),
    ])
    #expect(document.sortedEntries.map(\.name) == ["alpha", "mid", "zeta"])
  }

  @Test("unknown name is not registered")
  func unknownName() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      let expected =
        "no function named 'ghost' is registered; see 'functions list', or register one with "
        + "'functions new' or 'functions add'"

      #expect(errorMessage { _ = try registry.entry(named: "ghost") } == expected)
      #expect(errorMessage { try registry.updateEntry(named: "ghost") { $0.state = .built } } == expected)
      #expect(!FileManager.default.fileExists(atPath: registry.path))
    }
  }

  @Test(
    "corrupt registry left untouched",
    arguments: [
      ("[]", "the top level is not an object"),
      (#"{"functions": {}}"#, "missing key 'version'"),
      (#"{"version": 1}"#, "missing key 'functions'"),
      (entryJSON(state: "flying"), "invalid value at 'functions.hello.state'"),
      (entryJSON(state: "new", includesDirectory: false), "missing key 'functions.hello.directory'"),
      (#"{"version": 1, "functions": []}"#, "wrong type at 'functions'"),
    ]
  )
  func corruptRegistry(text: String, reason: String) throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try writeRegistryFile(text, for: registry)
      let before = try Data(contentsOf: URL(fileURLWithPath: registry.path))

      #expect(errorMessage { _ = try registry.read() } == corruptMessage(registry.path, reason))
      let updateMessage = errorMessage { try registry.update { $0.functions["new"] = makeEntry("new") } }

      #expect(updateMessage == corruptMessage(registry.path, reason))
      #expect(try Data(contentsOf: URL(fileURLWithPath: registry.path)) == before)
    }
  }

  @Test("garbage registry left untouched")
  func garbageRegistry() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try writeRegistryFile("not json {", for: registry)
      let before = try Data(contentsOf: URL(fileURLWithPath: registry.path))

      let message = errorMessage { try registry.update { $0.functions["new"] = makeEntry("new") } } ?? ""

      #expect(message.hasPrefix("the registry at \(registry.path) is corrupt (not valid JSON: "))
      #expect(
        message.hasSuffix(
          "); it was left untouched: repair it, or move it away to start with an empty registry"))
      #expect(try Data(contentsOf: URL(fileURLWithPath: registry.path)) == before)
    }
  }

  @Test("version of wrong type is named")
  func versionOfWrongType() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try writeRegistryFile(#"{"version": "1", "functions": {}}"#, for: registry)

      #expect(
        errorMessage { _ = try registry.read() } == corruptMessage(registry.path, "wrong type at 'version'"))
    }
  }

  @Test("newer version left untouched")
  func newerVersion() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try writeRegistryFile(#"{"version": 99, "functions": {}}"#, for: registry)
      let before = try Data(contentsOf: URL(fileURLWithPath: registry.path))

      let message = errorMessage { try registry.update { $0.functions["new"] = makeEntry("new") } }

      #expect(
        message
          == "the registry at \(registry.path) has version 99, which this version of functions cannot read "
          + "(it reads versions 1 and 2); upgrade functions")
      #expect(try Data(contentsOf: URL(fileURLWithPath: registry.path)) == before)
    }
  }

  @Test("throwing change writes nothing")
  func throwingChangeWritesNothing() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try registry.update { $0.functions["hello"] = makeEntry("hello") }
      let before = try Data(contentsOf: URL(fileURLWithPath: registry.path))

      #expect(throws: AbortedChange.self) {
        try registry.update { document in
          document.functions["other"] = makeEntry("other")
          document.functions["hello"]?.state = .built
          throw AbortedChange()
        }
      }

      #expect(try Data(contentsOf: URL(fileURLWithPath: registry.path)) == before)
      #expect(try registry.read().functions.keys.sorted() == ["hello"])
    }
  }

  @Test("throwing first change creates no file")
  func throwingFirstChange() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)

      #expect(throws: AbortedChange.self) {
        try registry.update { document in
          document.functions["hello"] = makeEntry("hello")
          throw AbortedChange()
        }
      }

      #expect(!FileManager.default.fileExists(atPath: registry.path))
    }
  }

  @Test("unchanged document is not rewritten")
  func unchangedDocumentNotRewritten() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      try registry.update { $0.functions["hello"] = makeEntry("hello") }
      let before =
        try FileManager.default.attributesOfItem(atPath: registry.path)[.systemFileNumber] as? UInt64

      try registry.update { document in
        document.functions["hello"]?.state = .new
      }

      // An atomic replace renames a new file into place, which changes the inode.
      let after =
        try FileManager.default.attributesOfItem(atPath: registry.path)[.systemFileNumber] as? UInt64
      #expect(before != nil)
      #expect(after == before)
    }
  }

  @Test("concurrent updates all land")
  func concurrentUpdates() throws {
    try ScratchDirectory.with { home in
      let registry = makeRegistry(home: home)
      let threadCount = 8
      let updatesPerThread = 25
      let failures = LockedValue<[String]>([])
      let group = DispatchGroup()

      for thread in 0..<threadCount {
        group.enter()
        Thread.detachNewThread {
          defer { group.leave() }
          for step in 0..<updatesPerThread {
            do {
              try registry.update { $0.functions["t\(thread)-\(step)"] = makeEntry("t\(thread)-\(step)") }
            } catch {
              failures.withLock { $0.append("\(error)") }
            }
          }
        }
      }

      #expect(group.wait(timeout: .now() + 90) == .success)
      #expect(failures.withLock { $0 } == [])
      let document = try registry.read()
      #expect(document.functions.count == threadCount * updatesPerThread)
    }
  }

  @Test(
    "error messages",
    arguments: [
      (
        RegistryError.alreadyRegistered(name: "hello", directory: "/projects/hello"),
        "a function named 'hello' is already registered (in /projects/hello); pick another name, or "
          + "'functions remove hello' first"
      ),
      (RegistryError.io("cannot create /x: Permission denied"), "cannot create /x: Permission denied"),
    ])
  func errorMessages(error: RegistryError, expected: String) {
    #expect(error.description == expected)
  }
}

@Suite("RegistryEntry")
struct RegistryEntryTests {
  private let environment = ProcessInfo.processInfo.environment

  @Test("dead process shows as crashed")
  func deadProcessIsCrashed() throws {
    try ScratchDirectory.with { directory in
      let pid = try ProcessRunner().start(
        ProcessSpec(
          executable: "true", arguments: [], environment: environment,
          output: .appendToFile("\(directory)/true.log")))
      #expect(ProcessRunner.wait(for: pid) == .exited(0))

      var entry = makeEntry("hello", state: .running)
      entry.process = RunningProcess(
        pid: pid, processGroup: pid, startTime: nil, host: "127.0.0.1", port: 8080, startedAt: registeredAt)

      #expect(entry.effectiveState == .crashed)
      #expect(entry.url == nil)
    }
  }

  @Test("live process shows as running")
  func liveProcessIsRunning() throws {
    try ScratchDirectory.with { directory in
      let pid = try ProcessRunner().start(
        ProcessSpec(
          executable: "sleep", arguments: ["5"], environment: environment,
          output: .appendToFile("\(directory)/sleep.log")))
      defer {
        kill(pid, SIGKILL)
        _ = ProcessRunner.wait(for: pid)
      }
      let startTime = try #require(ProcessControl.startTime(of: pid))

      var entry = makeEntry("hello", state: .running)
      entry.process = RunningProcess(
        pid: pid, processGroup: pid, startTime: startTime, host: "127.0.0.1", port: 8080,
        startedAt: registeredAt)

      #expect(entry.effectiveState == .running)
      #expect(entry.url == "http://127.0.0.1:8080")

      // The same PID with another start time is a different process that reused the PID.
      entry.process?.startTime = startTime + 1
      #expect(entry.effectiveState == .crashed)
    }
  }

  @Test("recorded states other than running")
  func otherStates() {
    for state in [LocalState.new, .built, .stopped, .crashed] {
      var entry = makeEntry("hello", state: state)
      entry.process = RunningProcess(
        pid: 0, processGroup: 0, startTime: nil, host: "127.0.0.1", port: 8080, startedAt: registeredAt)
      #expect(entry.effectiveState == state)
      #expect(entry.url == nil)
    }
  }

  @Test("manifest path in directory")
  func manifestPath() {
    #expect(makeEntry("hello").manifestPath == "/projects/hello/function.json")
  }
}

@Suite("RunningProcess")
struct RunningProcessTests {
  @Test(
    "URL by host",
    arguments: [
      ("127.0.0.1", "http://127.0.0.1:8080"),
      ("0.0.0.0", "http://127.0.0.1:8080"),
      ("::1", "http://[::1]:8080"),
      ("192.168.1.20", "http://192.168.1.20:8080"),
    ]
  )
  func url(host: String, expected: String) {
    let process = RunningProcess(
      pid: 1, processGroup: 1, startTime: nil, host: host, port: 8080, startedAt: registeredAt)
    #expect(process.url == expected)
  }
}
