import Basics
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Why a moto server could not be used.
struct MotoError: Error, CustomStringConvertible {
  let description: String
}

/// A moto server (the AWS emulator from PyPI's `moto[server]`) started on 127.0.0.1 for one test and
/// stopped by its PID.
final class MotoServer: @unchecked Sendable {
  let endpoint: String
  let pid: pid_t
  /// The server's output, which includes one werkzeug line per request: `"PUT /path HTTP/1.1" 200`.
  let logFile: String

  init(directory: String) async throws {
    guard let executable = MotoServer.executable else {
      throw MotoError(
        description: "moto_server was not found on PATH; install it with pip install 'moto[server]'")
    }
    let port = try MotoServer.freePort()
    endpoint = "http://127.0.0.1:\(port)"
    try MotoServer.requireLoopback(endpoint)
    logFile = directory + "/moto.log"
    var environment = ProcessInfo.processInfo.environment
    // moto loads AWS managed policies such as AWSLambdaBasicExecutionRole only when asked to.
    environment["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    pid = try ProcessRunner().start(
      ProcessSpec(
        executable: executable, arguments: ["-H", "127.0.0.1", "-p", String(port)], environment: environment,
        output: .appendToFile(logFile), startsNewSession: true))

    let deadline = Date().addingTimeInterval(60)
    while await httpRequest(endpoint + "/moto-api/data.json") == nil {
      guard Date() < deadline else {
        stop()
        throw MotoError(description: "moto_server did not answer on \(endpoint) within 60 s")
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    // Without Docker, moto cannot run the function; this setting makes Invoke return at once.
    let configured = await httpRequest(
      endpoint + "/moto-api/config", method: "POST", body: Data(#"{"lambda": {"use_docker": false}}"#.utf8))
    guard configured?.0 == 201 || configured?.0 == 200 else {
      stop()
      throw MotoError(
        description: "moto_server rejected its configuration: \(String(describing: configured))")
    }
  }

  deinit { stop() }

  func stop() {
    kill(-pid, SIGTERM)
    _ = ProcessRunner.poll(pid) ?? ProcessRunner.wait(for: pid)
  }

  /// Fails unless `endpoint` is a loopback address, so no test can reach a real AWS endpoint.
  static func requireLoopback(_ endpoint: String) throws {
    let host = URL(string: endpoint)?.host ?? ""
    guard host == "127.0.0.1" || host == "::1" || host == "[::1]" else {
      throw MotoError(description: "refusing the non-loopback AWS endpoint \(endpoint)")
    }
  }

  /// Returns the request lines moto logged, such as `PUT /2015-03-31/functions/worker/code`.
  func requests() -> [String] {
    let text =
      (FileManager.default.contents(atPath: logFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return text.split(separator: "\n").compactMap { line in
      guard let start = line.firstIndex(of: "\""),
        let end = line[line.index(after: start)...].firstIndex(of: "\"")
      else { return nil }
      let request = line[line.index(after: start)..<end]
      return request.split(separator: " ").prefix(2).joined(separator: " ")
    }
  }

  func count(_ request: String) -> Int {
    requests().filter { $0 == request }.count
  }

  /// Dummy credentials and the endpoint, for `functions` and for the tests' own `aws` calls.
  var environment: [String: String] {
    [
      "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
      "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint, "AWS_PAGER": "",
    ]
  }

  static let executable: String? = ExecutableLookup.find(
    "moto_server", environment: ProcessInfo.processInfo.environment)

  private static func freePort() throws -> Int {
    let holder = try PortHolder()
    return holder.port
  }
}

extension Sandbox {
  /// Points `functions` at `moto` with dummy credentials and no shared AWS configuration.
  func use(_ moto: MotoServer) {
    for (key, value) in moto.environment { extraEnvironment[key] = value }
    extraEnvironment["AWS_CONFIG_FILE"] = root + "/aws-config-absent"
    extraEnvironment["AWS_SHARED_CREDENTIALS_FILE"] = root + "/aws-credentials-absent"
  }

  /// Runs the real `aws` CLI against moto and returns its JSON output.
  func awsJSON(_ arguments: [String], moto: MotoServer) throws -> [String: Any] {
    let output = try aws(arguments, endpoint: moto.endpoint)
    #expect(output.status == 0, "aws \(arguments.joined(separator: " ")) failed: \(output.stderr)")
    return jsonObject(output.stdout) ?? [:]
  }

  /// Creates a Lambda function directly through the aws CLI, as someone other than `functions` would.
  func createUnmanagedFunction(_ name: String, moto: MotoServer) throws {
    try write("def handler(event, context):\n    return 1\n", to: "unmanaged/app.py")
    _ = try ProcessRunner().checkedRun(
      ProcessSpec(
        executable: "python3",
        arguments: [
          "-c",
          "import zipfile; z = zipfile.ZipFile('unmanaged.zip', 'w'); z.write('unmanaged/app.py', 'app.py'); z.close()",
        ],
        environment: ProcessInfo.processInfo.environment, workingDirectory: work),
      timeout: .seconds(30))
    _ = try awsJSON(
      ["iam", "create-role", "--role-name", "other", "--assume-role-policy-document", "{}"], moto: moto)
    _ = try awsJSON(
      [
        "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler",
        "app.handler", "--role", "arn:aws:iam::123456789012:role/other", "--zip-file",
        "fileb://unmanaged.zip",
        "--tags", "team=other",
      ], moto: moto)
  }

  /// Returns the `deployment` object of `functions list --json` for one function.
  func deployment(of name: String) throws -> [String: Any]? {
    try list().first { $0["name"] as? String == name }?["cloud"] as? [String: Any]
  }
}
