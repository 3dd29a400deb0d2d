import Basics
import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

extension Sandbox {
  /// Creates and registers an AWS function with the given files, or from a template when `files` is empty.
  func makeLambda(
    _ name: String, template: String = "event", runtime: String = "python3.12", extraArguments: [String] = [],
    files: [String: String] = [:], aws: [String: Int] = [:]
  ) throws {
    let created = try run(
      ["new", template, name, "--provider", "aws", "--runtime", runtime] + extraArguments)
    #expect(created.status == 0, "\(created.stderr)")
    for (path, content) in files { try write(content, to: "\(name)/\(path)") }
    if !aws.isEmpty { try setAWS(name, aws) }
  }

  /// Changes settings in the `aws` section of a function's manifest.
  func setAWS(_ name: String, _ values: [String: Int]) throws {
    try editManifest(name) { manifest in
      var settings = manifest["aws"] as? [String: Any] ?? [:]
      for (key, value) in values { settings[key] = value }
      manifest["aws"] = settings
    }
  }

  /// Starts a function and returns its URL.
  func start(_ name: String) throws -> String {
    let output = try run(["run", name])
    #expect(output.status == 0, "run \(name) failed: \(output.stderr)")
    return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs the real `aws` CLI against a loopback endpoint with dummy credentials and no shared config.
  func aws(_ arguments: [String], endpoint: String) throws -> CommandOutput {
    let host = URL(string: endpoint)?.host ?? ""
    // Every AWS call in the tests goes to this machine; anything else is a bug in the test.
    precondition(
      host == "127.0.0.1" || host == "::1" || host == "localhost",
      "refusing non-loopback endpoint \(endpoint)")
    var environment = ProcessInfo.processInfo.environment
    environment["AWS_ACCESS_KEY_ID"] = "testing"
    environment["AWS_SECRET_ACCESS_KEY"] = "testing"
    environment["AWS_DEFAULT_REGION"] = "us-east-1"
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    environment["AWS_CONFIG_FILE"] = root + "/aws-config-absent"
    environment["AWS_SHARED_CREDENTIALS_FILE"] = root + "/aws-credentials-absent"
    environment["AWS_PAGER"] = ""
    let result = try ProcessRunner().run(
      ProcessSpec(
        executable: "aws", arguments: arguments + ["--endpoint-url", endpoint], environment: environment,
        workingDirectory: work),
      timeout: .seconds(120))
    let status: Int32 =
      switch result.termination {
      case .exited(let code): code
      case .signalled(let signal): 128 + signal
      }
    return CommandOutput(status: status, stdout: result.output, stderr: result.errorOutput)
  }
}

/// Posts to a function's local Lambda Invoke API and returns the status, headers and body.
func invokeAPI(
  _ baseURL: String, function: String, payload: Data, headers: [String: String] = [:]
) async throws -> (Int, [String: String], Data) {
  var request = URLRequest(url: URL(string: "\(baseURL)/2015-03-31/functions/\(function)/invocations")!)
  request.httpMethod = "POST"
  request.httpBody = payload
  request.timeoutInterval = 60
  for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
  let configuration = URLSessionConfiguration.ephemeral
  configuration.connectionProxyDictionary = [:]
  configuration.httpMaximumConnectionsPerHost = 32
  let session = URLSession(configuration: configuration)
  defer { session.finishTasksAndInvalidate() }
  let (data, response) = try await session.data(for: request)
  let http = response as! HTTPURLResponse
  var fields: [String: String] = [:]
  for (key, value) in http.allHeaderFields { fields[(key as? String ?? "").lowercased()] = "\(value)" }
  return (http.statusCode, fields, data)
}

func jsonObject(_ data: Data) -> [String: Any]? {
  (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

func jsonObject(_ text: String) -> [String: Any]? {
  jsonObject(Data(text.utf8))
}
