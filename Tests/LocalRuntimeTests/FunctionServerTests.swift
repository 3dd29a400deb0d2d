import Basics
import Foundation
import FunctionsCore
import Testing

@testable import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

private let fixedClock = FixedClock(Date(timeIntervalSince1970: 1_700_000_000.25))

private func makeRequest(
  trigger: Trigger = .http, environmentDirectory: String = "/cache/environments/abc",
  functionDirectory: String = "/projects/hello", variables: [String: String] = [:],
  host: String = "127.0.0.1",
  port: Int = 8123, startTimeout: Duration = .seconds(20)
) -> LaunchRequest {
  let entryPoint = trigger == .http ? "hello_http" : "hello_pubsub"
  return LaunchRequest(
    manifest: Manifest(name: "hello", entryPoint: entryPoint, trigger: trigger), directory: functionDirectory,
    environment: PreparedEnvironment(fingerprint: "abc", directory: environmentDirectory, wasCreated: false),
    variables: variables, host: host, port: port, startTimeout: startTimeout)
}

/// A listening TCP socket on 127.0.0.1, closed by `close()`.
private struct Listener {
  let descriptor: Int32
  let port: Int

  init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard descriptor >= 0, bound == 0, listen(descriptor, 1) == 0 else {
      let code = errno
      if descriptor >= 0 { _ = Glibc.close(descriptor) }
      throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    self.descriptor = descriptor
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  func close() {
    _ = Glibc.close(descriptor)
  }
}

@Suite("FunctionServer", .timeLimit(.minutes(3)))
struct FunctionServerTests {
  let server = FunctionServer(
    layout: StateLayout(environment: ["FUNCTIONS_HOME": "/fh"]),
    hostEnvironment: [
      "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/ada", "LANG": "C.UTF-8", "TZ": "UTC",
      "SECRET_TOKEN": "do-not-pass", "FUNCTIONS_HOME": "/fh", "K_SERVICE": "from-host",
      "PYTHONUNBUFFERED": "0",
      "VIRTUAL_ENV": "/somewhere/else", "PYTHONPATH": "/host/lib",
    ],
    clock: fixedClock)

  @Test("HTTP command line")
  func httpCommandLine() {
    #expect(
      server.commandLine(for: makeRequest()) == [
        "/cache/environments/abc/bin/python", "-m", "functions_framework",
        "--target", "hello_http",
        "--source", "/projects/hello/main.py",
        "--signature-type", "http",
        "--host", "127.0.0.1",
        "--port", "8123",
      ])
  }

  @Test("Pub/Sub takes CloudEvents")
  func pubsubCommandLine() {
    let commandLine = server.commandLine(for: makeRequest(trigger: .pubsub(topic: "orders")))

    #expect(commandLine.joined(separator: " ").contains("--signature-type cloudevent"))
    #expect(commandLine.joined(separator: " ").contains("--target hello_pubsub"))
  }

  /// functions-framework binds 0.0.0.0 unless `--host` is given, so the host is always passed.
  @Test("host passed explicitly", arguments: ["127.0.0.1", "0.0.0.0", "::1"])
  func hostPassed(host: String) throws {
    let commandLine = server.commandLine(for: makeRequest(host: host))
    let index = try #require(commandLine.firstIndex(of: "--host"))

    #expect(commandLine[index + 1] == host)
  }

  @Test("runtime variables set")
  func runtimeVariables() {
    let environment = server.processEnvironment(for: makeRequest())

    #expect(environment["PATH"] == "/cache/environments/abc/bin:/usr/local/bin:/usr/bin:/bin")
    #expect(environment["VIRTUAL_ENV"] == "/cache/environments/abc")
    #expect(environment["FUNCTION_TARGET"] == "hello_http")
    #expect(environment["FUNCTION_SIGNATURE_TYPE"] == "http")
    #expect(environment["K_SERVICE"] == "hello")
    #expect(environment["K_REVISION"] == "hello-00001-local")
    #expect(environment["K_CONFIGURATION"] == "hello")
    #expect(environment["PORT"] == "8123")
    #expect(environment["PYTHONUNBUFFERED"] == "1")
    #expect(environment["PYTHONPYCACHEPREFIX"] == "/fh/cache/pycache")
    #expect(environment["XDG_RUNTIME_DIR"] == "/fh/state/hello/runtime")
  }

  @Test("host basics copied, others left out")
  func hostVariables() {
    let environment = server.processEnvironment(for: makeRequest())

    #expect(environment["HOME"] == "/home/ada")
    #expect(environment["LANG"] == "C.UTF-8")
    #expect(environment["TZ"] == "UTC")
    #expect(environment["SECRET_TOKEN"] == nil)
    #expect(environment["FUNCTIONS_HOME"] == nil)
    #expect(environment["PYTHONPATH"] == nil)
  }

  @Test("function variables win")
  func functionVariablesWin() {
    let request = makeRequest(variables: ["LANG": "de_DE.UTF-8", "GREETING": "Hallo", "HOME": "/srv/hello"])
    let environment = server.processEnvironment(for: request)

    #expect(environment["LANG"] == "de_DE.UTF-8")
    #expect(environment["GREETING"] == "Hallo")
    #expect(environment["HOME"] == "/srv/hello")
  }

  @Test("PATH without a host PATH")
  func pathWithoutHostPath() {
    let bare = FunctionServer(
      layout: StateLayout(environment: ["FUNCTIONS_HOME": "/fh"]), hostEnvironment: [:])
    #expect(
      bare.processEnvironment(for: makeRequest())["PATH"] == "/cache/environments/abc/bin:/usr/bin:/bin")
  }
}

extension FunctionServerTests {
  /// Starts and stops servers whose `bin/python` is a shell script, so no Python environment is built.
  @Suite("start and stop", .serialized)
  struct Lifecycle {
    /// Creates `environments/fake/bin/python` under `home` with `body` as its shell script.
    private func makeFakeEnvironment(home: String, body: String) throws -> String {
      let directory = "\(home)/environments/fake"
      try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
      try ScratchDirectory.writeExecutable("#!/bin/sh\n\(body)\n", to: "\(directory)/bin/python")
      try FileManager.default.createDirectory(atPath: "\(home)/function", withIntermediateDirectories: true)
      return directory
    }

    private func makeServer(home: String) -> FunctionServer {
      FunctionServer(
        layout: StateLayout(environment: ["FUNCTIONS_HOME": home]),
        hostEnvironment: ProcessInfo.processInfo.environment,
        clock: fixedClock)
    }

    @Test("start waits for HTTP, stop ends the group")
    func startAndStop() async throws {
      try await ScratchDirectory.withAsync { home in
        // The stand-in leaves a background `sleep` in its group, then serves HTTP on the `--port` value.
        let script = """
          port=""
          while [ $# -gt 0 ]; do
            if [ "$1" = "--port" ]; then port="$2"; fi
            shift
          done
          sleep 30 &
          exec python3 -m http.server "$port" --bind 127.0.0.1
          """
        let environment = try makeFakeEnvironment(home: home, body: script)
        let port = try #require(Ports.findFreePort())
        let server = makeServer(home: home)
        let request = makeRequest(
          environmentDirectory: environment, functionDirectory: "\(home)/function", port: port)

        let process = try await server.start(request)
        defer { ProcessControl.signalGroup(process.processGroup, SIGKILL) }

        #expect(process.processGroup == process.pid)
        #expect(process.url == "http://127.0.0.1:\(port)")
        #expect(process.isAlive)
        let log = try String(contentsOfFile: "\(home)/state/hello/output.log", encoding: .utf8)
        #expect(log.hasPrefix("--- 2023-11-14T22:13:20.250Z starting hello on 127.0.0.1:\(port)\n"))

        // gunicorn stops in about 250 ms; the long grace leaves room for a loaded machine.
        let neededKill = await server.stop(process, grace: .seconds(20))

        #expect(!neededKill)
        #expect(!ProcessControl.groupExists(process.processGroup))
      }
    }

    @Test("crash at start shows the log")
    func crashAtStart() async throws {
      try await ScratchDirectory.withAsync { home in
        let environment = try makeFakeEnvironment(
          home: home, body: "echo 'ModuleNotFoundError: flask'\nexit 3")
        let port = try #require(Ports.findFreePort())
        let request = makeRequest(
          environmentDirectory: environment, functionDirectory: "\(home)/function", port: port)
        let logFile = "\(home)/state/hello/output.log"

        let error = await #expect(throws: RuntimeError.self) {
          try await makeServer(home: home).start(request)
        }

        #expect(
          error?.description
            == "hello exited while starting (exit status 3); the last lines of its log (\(logFile)):\n"
            + "    --- 2023-11-14T22:13:20.250Z starting hello on 127.0.0.1:\(port)\n"
            + "    ModuleNotFoundError: flask")
      }
    }

    @Test("silent server times out")
    func silentServerTimesOut() async throws {
      try await ScratchDirectory.withAsync { home in
        let environment = try makeFakeEnvironment(home: home, body: "echo started\nexec sleep 30")
        let port = try #require(Ports.findFreePort())
        let request = makeRequest(
          environmentDirectory: environment, functionDirectory: "\(home)/function", port: port,
          startTimeout: .seconds(1))
        let logFile = "\(home)/state/hello/output.log"

        let error = await #expect(throws: RuntimeError.self) {
          try await makeServer(home: home).start(request)
        }

        #expect(
          error?.description
            == "hello did not answer within 1 s and was stopped; the last lines of its log (\(logFile)):\n"
            + "    --- 2023-11-14T22:13:20.250Z starting hello on 127.0.0.1:\(port)\n"
            + "    started")
      }
    }

    @Test("port in use is rejected first")
    func portInUse() async throws {
      try await ScratchDirectory.withAsync { home in
        let listener = try Listener()
        defer { listener.close() }
        let environment = try makeFakeEnvironment(home: home, body: "exit 0")
        let request = makeRequest(
          environmentDirectory: environment, functionDirectory: "\(home)/function", port: listener.port)

        let error = await #expect(throws: RuntimeError.self) {
          try await makeServer(home: home).start(request)
        }

        #expect(
          error?.description
            == "port \(listener.port) is already in use on 127.0.0.1; choose another with --port, or stop what "
            + "uses it")
        #expect(!FileManager.default.fileExists(atPath: "\(home)/state/hello/output.log"))
      }
    }
  }
}
