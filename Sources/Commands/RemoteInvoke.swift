import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions invoke NAME --remote`: the same options as a local invoke, sent to the deployed function.
enum RemoteInvoke {
  /// The options of a local invoke, as the event the deployed function receives.
  struct Input {
    let body: Data?
    let headers: [(String, String)]
    let query: [(String, String?)]
  }

  static func run(_ parsed: ParsedCommand, context: CommandContext, name: String, input: Input) async throws {
    let (entry, loaded) = try context.loadFunction(name)
    let manifest = loaded.manifest
    if !parsed.values("attribute").isEmpty {
      throw parsed.usageError("--attribute cannot be used with --remote (Pub/Sub messages are local only)")
    }
    let settings = try Settings.load(layout: context.layout)
    let provider = try context.cloudProvider(manifest.provider, settings: settings)
    if manifest.provider == .gcp {
      try await invokeGoogleCloud(
        parsed, context: context, entry: entry, manifest: manifest, provider: provider, settings: settings,
        input: input)
      return
    }
    guard let invoker = provider as? any RemoteInvoking else {
      throw CommandFailure(
        "invoke --remote is not available for \(manifest.provider.rawValue) functions in this build of functions"
      )
    }
    var target = context.cloudTarget(
      parsed, provider: manifest.provider, manifest: manifest, settings: settings)
    if target.region == nil { target.region = entry.deployment?.region }
    let cloudName = entry.deployment?.cloudName ?? manifest.name

    let isEvent = manifest.trigger == .event || parsed.value("event") != nil
    let payload: Data
    if isEvent {
      payload = input.body ?? Data("{}".utf8)
    } else {
      payload = functionURLEvent(
        parsed, input: input, cloudName: cloudName, url: entry.deployment?.url,
        region: target.region ?? entry.deployment?.region ?? "us-east-1", clock: context.clock)
    }

    let result = try invoker.invoke(cloudName: cloudName, target: target, payload: payload)
    if parsed.flag("log"), let log = result.log {
      FileHandle.standardError.write(Data(LogFile.displayable(log).utf8))
    }
    if let functionError = result.functionError {
      let object = (try? JSONSerialization.jsonObject(with: result.payload)) as? [String: Any]
      let type = object?["errorType"] as? String ?? functionError
      let message = object?["errorMessage"] as? String ?? String(decoding: result.payload, as: UTF8.self)
      context.diagnostics.error("\(type): \(message)")
      throw ExitStatus(code: 1)
    }
    if isEvent {
      StandardOutput.write(String(decoding: result.payload, as: UTF8.self))
      if StandardOutput.isTerminal { StandardOutput.write("\n") }
      return
    }
    // An HTTP function's result becomes the response its function URL would send.
    switch APIGatewayEvents.makeResponse(fromResult: result.payload, source: .functionURL) {
    case .success(let response):
      if parsed.flag("include") {
        var head = "HTTP/1.1 \(response.status)\r\n"
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        StandardOutput.write(head + "\r\n")
      }
      StandardOutput.write(String(decoding: response.body, as: UTF8.self))
      guard (200..<300).contains(response.status) else {
        context.diagnostics.error("\(name) answered with status \(response.status)")
        throw ExitStatus(code: 1)
      }
    case .failure(let failure):
      throw CommandFailure("\(name) returned a result that a function URL cannot send: \(failure)")
    }
  }

  /// Makes the function URL event (payload format 2.0) that the options describe.
  static func functionURLEvent(
    _ parsed: ParsedCommand, input: Input, cloudName: String, url: String?, region: String,
    clock: any WallClock
  ) -> Data {
    var headers = input.headers
    if !headers.contains(where: { $0.0.lowercased() == "content-type" }), let body = input.body {
      let isJSON = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil
      headers.append(("Content-Type", isJSON ? "application/json" : "text/plain; charset=utf-8"))
    }
    let host = url.flatMap { URL(string: $0)?.host } ?? "\(cloudName).lambda-url.\(region).on.aws"
    headers.insert(("Host", host), at: 0)
    let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))
    let rawQuery = input.query.map { key, value in
      let encodedKey = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
      guard let value else { return encodedKey }
      return encodedKey + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
    }.joined(separator: "&")
    let request = GatewayRequest(
      method: parsed.value("method")?.uppercased() ?? (input.body == nil ? "GET" : "POST"),
      rawPath: parsed.value("path") ?? "/", rawQuery: rawQuery.isEmpty ? nil : rawQuery,
      headers: headers.map { (name: $0.0, value: $0.1) }, body: input.body ?? Data(), userAgent: "functions",
      time: clock.now(), requestID: UUID().uuidString.lowercased())
    let context = GatewayContext(
      apiID: String(host.split(separator: ".").first ?? Substring(cloudName)), region: region,
      functionName: cloudName, domainName: host)
    return APIGatewayEvents.makeEvent(request, source: .functionURL, context: context)
  }

  /// Sends the request to a deployed Google Cloud function's HTTPS URL, with an identity token from
  /// `gcloud auth print-identity-token` unless the manifest allows unauthenticated calls.
  static func invokeGoogleCloud(
    _ parsed: ParsedCommand, context: CommandContext, entry: RegistryEntry, manifest: Manifest,
    provider: any CloudProvider, settings: Settings, input: Input
  ) async throws {
    let name = entry.name
    if case .pubsub(let topic) = manifest.trigger {
      throw CommandFailure(
        "\(name) is triggered by the Pub/Sub topic \(topic), not by HTTPS; publish to it with "
          + "'gcloud pubsub topics publish \(topic) --message TEXT'")
    }
    var target = context.cloudTarget(parsed, provider: .gcp, manifest: manifest, settings: settings)
    if target.region == nil { target.region = entry.deployment?.region }
    if target.project == nil { target.project = entry.deployment?.project }
    let cloudName = entry.deployment?.cloudName ?? manifest.name
    guard let url = try entry.deployment?.url ?? provider.describe(cloudName: cloudName, target: target)?.url
    else {
      throw CommandFailure(
        "\(name) has no deployed URL; deploy it with 'functions deploy \(name)' or check "
          + "'functions gcp describe \(name)'")
    }

    var headers = input.headers
    if !manifest.gcp.allowUnauthenticated {
      headers.append(("Authorization", "Bearer " + (try identityToken(context: context))))
    }
    let request = InvocationRequest(
      method: parsed.value("method")?.uppercased() ?? (input.body == nil ? "GET" : "POST"),
      path: parsed.value("path") ?? "/", query: input.query, headers: headers, body: input.body,
      timeout: TimeInterval(parsed.int("timeout") ?? 60))
    let response = try await Invoker().send(request, to: url)
    if parsed.flag("include") { StandardOutput.write(response.head) }
    StandardOutput.write(String(decoding: response.body, as: UTF8.self))
    guard response.isSuccess else {
      context.diagnostics.error("\(name) answered with status \(response.statusCode)")
      throw ExitStatus(code: 1)
    }
  }

  /// Returns the identity token of the account `gcloud` is logged in with.
  static func identityToken(context: CommandContext) throws -> String {
    let result: ProcessResult
    do {
      result = try context.runner.run(
        ProcessSpec(
          executable: "gcloud", arguments: ["auth", "print-identity-token", "--quiet"],
          environment: context.environment),
        timeout: .seconds(60))
    } catch {
      throw CommandFailure(
        "cannot run gcloud to get an identity token: \(error); install the Google Cloud CLI and check it "
          + "with 'functions doctor'")
    }
    let token = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    guard result.termination == .exited(0), !token.isEmpty else {
      throw CommandFailure(
        "gcloud could not print an identity token: "
          + result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
          + "; log in with 'gcloud auth login', or set \"gcp.allowUnauthenticated\": true for a public function"
      )
    }
    return token
  }
}
