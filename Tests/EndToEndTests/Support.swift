import Basics
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

#if canImport(Glibc)
  import Glibc
#endif

/// The output of one run of the `functions` binary.
struct CommandOutput {
  let status: Int32
  let stdout: String
  let stderr: String
}

/// A private `FUNCTIONS_HOME` and working directory for one test, removed afterwards, with helpers
/// to run the real binary in it.
///
/// Every sandbox shares one environment cache (`FUNCTIONS_CACHE_DIR`), so the Python environment of the
/// templates is built once per test run instead of once per test.
final class Sandbox: @unchecked Sendable {
  let root: String
  let home: String
  let work: String
  /// A `HOME` directory of its own, to check that nothing is written to the user's home.
  let userHome: String
  var extraEnvironment: [String: String] = [:]
  private var startedGroups: [pid_t] = []

  init() throws {
    root = try makeTemporaryDirectory(prefix: "functions-e2e")
    home = root + "/functions-home"
    work = root + "/work"
    userHome = root + "/user-home"
    for directory in [work, userHome] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
  }

  deinit {
    // Stop whatever a failed test left running, by the PIDs this sandbox recorded.
    if let data = FileManager.default.contents(atPath: home + "/data/registry.json"),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let functions = object["functions"] as? [String: [String: Any]]
    {
      for entry in functions.values {
        if let process = entry["process"] as? [String: Any], let group = process["processGroup"] as? Int32 {
          kill(-group, SIGKILL)
        }
      }
    }
    try? FileManager.default.removeItem(atPath: root)
  }

  var environment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["FUNCTIONS_HOME"] = home
    environment["FUNCTIONS_CACHE_DIR"] = Sandbox.sharedCache
    environment["HOME"] = userHome
    // Keep pip's download cache where it normally is, so builds stay fast across runs.
    environment["PIP_CACHE_DIR"] = Sandbox.pipCache
    environment["NO_COLOR"] = "1"
    for (key, value) in extraEnvironment { environment[key] = value }
    return environment
  }

  /// Changes keys of a function's manifest.
  func editManifest(_ name: String, _ change: (inout [String: Any]) -> Void) throws {
    let path = work + "/\(name)/function.json"
    var manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    change(&manifest)
    try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
  }

  /// Runs `functions` with the arguments and returns its exit status and output.
  @discardableResult
  func run(
    _ arguments: [String], in directory: String? = nil, input: Data? = nil,
    environment extra: [String: String] = [:],
    timeout: Duration = .seconds(240)
  ) throws -> CommandOutput {
    var environment = self.environment
    for (key, value) in extra { environment[key] = value }
    let result = try ProcessRunner().run(
      ProcessSpec(
        executable: Sandbox.binary, arguments: arguments, environment: environment,
        workingDirectory: directory ?? work),
      standardInput: input, timeout: timeout)
    return CommandOutput(status: result.status, stdout: result.output, stderr: result.errorOutput)
  }

  /// Writes a file under the work directory, creating folders.
  func write(_ text: String, to relativePath: String) throws {
    let path = work + "/" + relativePath
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  func read(_ relativePath: String) -> String? {
    FileManager.default.contents(atPath: work + "/" + relativePath).map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  /// Returns `functions list --json` decoded as an array of objects.
  func list() throws -> [[String: Any]] {
    let output = try run(["list", "--json"])
    #expect(output.status == 0, "list failed: \(output.stderr)")
    return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]) ?? []
  }

  func state(of name: String) throws -> String? {
    try list().first { $0["name"] as? String == name }?["state"] as? String
  }

  /// The path of the binary under test: `FUNCTIONS_BINARY`, or `functions` next to the test executable.
  static let binary: String = {
    if let override = ProcessInfo.processInfo.environment["FUNCTIONS_BINARY"] { return override }
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    let beside = (executable as NSString).deletingLastPathComponent + "/functions"
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    return packageRoot + "/.build/debug/functions"
  }()

  static let sharedCache: String = {
    let path = NSTemporaryDirectory() + "functions-e2e-cache"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  static let pipCache: String = {
    ProcessInfo.processInfo.environment["PIP_CACHE_DIR"]
      ?? ((ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/pip")
  }()
}

func makeTemporaryDirectory(prefix: String) throws -> String {
  var template = Array((NSTemporaryDirectory() + "\(prefix)-XXXXXX").utf8CString)
  guard let pointer = mkdtemp(&template) else {
    throw CocoaError(.fileWriteUnknown)
  }
  return String(cString: pointer)
}

/// Runs git in `directory` with a fixed author, for the local repositories the tests use as remotes.
func git(_ arguments: [String], in directory: String) throws {
  var environment = ProcessInfo.processInfo.environment
  environment["GIT_AUTHOR_NAME"] = "Test"
  environment["GIT_AUTHOR_EMAIL"] = "test@example.invalid"
  environment["GIT_COMMITTER_NAME"] = "Test"
  environment["GIT_COMMITTER_EMAIL"] = "test@example.invalid"
  try ProcessRunner().checkedRun(
    ProcessSpec(
      executable: "git", arguments: arguments, environment: environment, workingDirectory: directory),
    timeout: .seconds(60))
}

/// Sends a request to a local URL and returns the status and body, or nil when no server responds.
func httpRequest(_ url: String, method: String = "GET", body: Data? = nil, headers: [String: String] = [:])
  async
  -> (Int, String)?
{
  guard let url = URL(string: url) else { return nil }
  var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
  request.httpMethod = method
  request.httpBody = body
  for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
  let configuration = URLSessionConfiguration.ephemeral
  configuration.connectionProxyDictionary = [:]
  let session = URLSession(configuration: configuration)
  defer { session.finishTasksAndInvalidate() }
  guard let (data, response) = try? await session.data(for: request), let http = response as? HTTPURLResponse
  else {
    return nil
  }
  return (http.statusCode, String(decoding: data, as: UTF8.self))
}

/// A listening TCP socket on 127.0.0.1, to occupy a port.
final class PortHolder {
  let descriptor: Int32
  let port: Int

  init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.descriptor = descriptor
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(descriptor, 4) == 0 else { throw CocoaError(.fileWriteUnknown) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  deinit { close(descriptor) }
}

extension ProcessResult {
  /// The exit status, with 128 plus the signal number for a child that a signal ended.
  var status: Int32 {
    switch termination {
    case .exited(let code): code
    case .signalled(let signal): 128 + signal
    }
  }

  var stderr: String { errorOutput }
}
