import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions invoke NAME`: sends a request or a Pub/Sub message to a running function.
enum InvokeCommand {
  static func make() -> Command {
    Command(
      "invoke", abstract: "Send a request to a running function and print the response body.",
      discussion: """
        For an HTTP function, the options build the HTTP request. For a Pub/Sub function, --data becomes \
        the message data and is delivered as Eventarc delivers it: a binary-mode CloudEvent of type \
        google.cloud.pubsub.topic.v1.messagePublished. For an AWS event function, --data or --event is the \
        event, sent through the local Lambda Invoke API; a function error prints 'errorType: errorMessage'. \
        A function error or a status outside 200-299 exits with status 1.
        """,
      arguments: [ArgumentSpec("name", help: "The running function to invoke.")],
      options: [
        .value(
          "data", short: "d", valueName: "data",
          help: "The request body, message data or event: text, @FILE, or - for standard input."),
        .value(
          "event", valueName: "file-or-name",
          help:
            "Send a JSON event from a file, or a saved event by name from the function's events/ folder "
            + "(AWS functions: through the Invoke API)."),
        .value(
          "method", short: "X", valueName: "method", help: "The HTTP method.",
          defaultDescription: "POST with --data, otherwise GET"),
        .value("path", valueName: "path", help: "The request path.", defaultDescription: "/"),
        .value("query", valueName: "key=value", help: "Add a query parameter.", isRepeating: true),
        .value(
          "header", short: "H", valueName: "'name: value'", help: "Add a request header.", isRepeating: true),
        .value(
          "attribute", valueName: "key=value", help: "Add a Pub/Sub message attribute.", isRepeating: true),
        .value(
          "timeout", valueName: "seconds", help: "How long to wait for the response, in seconds.",
          defaultDescription: "60", integerRange: 1...3600),
        .flag("include", short: "i", help: "Print the status line and response headers before the body."),
        .flag("log", help: "Print the invocation's log on standard error (AWS event functions)."),
        .flag(
          "remote",
          help: "Invoke the deployed function instead of the local one (AWS: the Lambda Invoke API, with "
            + "HTTP options turned into the function URL event)."),
      ] + CloudProviders.targetOptions,
      run: { parsed in try await run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    let functionDirectory = (try? context.registry.entry(named: name))?.directory
    let body =
      try readEvent(parsed, context: context, functionDirectory: functionDirectory)
      ?? readData(parsed, context: context)
    var headers = try OptionParsing.headers(parsed)
    let attributes = try OptionParsing.attributes(parsed)
    let query: [(String, String?)] = parsed.values("query").map { item in
      guard let equals = item.firstIndex(of: "=") else { return (item, nil) }
      return (String(item[..<equals]), String(item[item.index(after: equals)...]))
    }

    if parsed.flag("remote") {
      try await RemoteInvoke.run(
        parsed, context: context, name: name,
        input: RemoteInvoke.Input(body: body, headers: headers, query: query))
      return
    }

    let (entry, loaded) = try context.loadFunction(name)
    // A watched function whose last change failed still has its server, which returns the failure.
    let serves = entry.effectiveState == .running || entry.watchedServerIsAlive
    guard serves, let process = entry.process else {
      if entry.effectiveState == .crashed {
        throw CommandFailure(
          "\(name) crashed; see 'functions logs \(name)', then start it again with 'functions run \(name)'")
      }
      throw CommandFailure("\(name) is not running; start it with 'functions run \(name)'")
    }
    let timeout = TimeInterval(parsed.int("timeout") ?? 60)
    try rejectInapplicableOptions(parsed, manifest: loaded.manifest)

    // An AWS event file is a Lambda event, whatever the trigger, so it goes through the Invoke API, as
    // `sam local invoke --event` does; --data on an HTTP function is an HTTP body for the gateway.
    if loaded.manifest.provider == .aws, parsed.value("event") != nil || loaded.manifest.trigger == .event {
      try await invokeLambda(
        name: name, baseURL: process.url, payload: body ?? Data("{}".utf8), showsLog: parsed.flag("log"),
        timeout: timeout, context: context)
      return
    }

    let request: InvocationRequest
    switch loaded.manifest.trigger {
    case .http:
      if !headers.contains(where: { $0.0.lowercased() == "content-type" }), let body {
        let isJSON = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil
        headers.append(("Content-Type", isJSON ? "application/json" : "text/plain; charset=utf-8"))
      }
      request = InvocationRequest(
        method: parsed.value("method")?.uppercased() ?? (body == nil ? "GET" : "POST"),
        path: parsed.value("path") ?? "/", query: query, headers: headers, body: body, timeout: timeout)
    case .event:
      throw CommandFailure("\(name) is an event function; only AWS functions have that trigger")
    case .pubsub(let topic):
      let settings = try Settings.load(layout: context.layout)
      let event = PubSubEvent(
        project: loaded.manifest.gcp.project ?? settings.gcpProject ?? Settings.localProject, topic: topic,
        region: loaded.manifest.gcp.region ?? settings.gcpRegion ?? Settings.defaultGoogleCloudRegion,
        functionName: name, data: body ?? Data(), attributes: attributes,
        messageID: String(UInt64.random(in: 1_000_000_000_000...9_999_999_999_999)),
        publishTime: context.clock.now())
      request = InvocationRequest(
        method: "POST", path: parsed.value("path") ?? "/", query: query, headers: event.headers + headers,
        body: event.body(), timeout: timeout)
    }

    let logFile = context.layout.logFile(for: name)
    let logOffset = LogFile.size(logFile)
    let response = try await Invoker().send(request, to: process.url)
    if parsed.flag("include") { StandardOutput.write(response.head) }
    StandardOutput.write(String(decoding: response.body, as: UTF8.self))
    if !response.body.isEmpty, response.body.last != UInt8(ascii: "\n"), StandardOutput.isTerminal {
      StandardOutput.write("\n")
    }
    if case .pubsub = loaded.manifest.trigger {
      // An event function's result is what it logs; show the lines this delivery wrote, after ending the
      // body's line so the two never run together in a combined output.
      if !response.body.isEmpty, response.body.last != UInt8(ascii: "\n"), !StandardOutput.isTerminal {
        StandardOutput.write("\n")
      }
      let (written, _) = LogFile.read(logFile, from: logOffset)
      for line in String(decoding: written, as: UTF8.self).split(separator: "\n") {
        context.diagnostics.status("log: \(line)")
      }
    }
    guard response.isSuccess else {
      context.diagnostics.error("\(name) answered with status \(response.statusCode)")
      throw ExitStatus(code: 1)
    }
  }

  /// Sends `payload` through the function's local Lambda Invoke API and prints the result.
  static func invokeLambda(
    name: String, baseURL: String, payload: Data, showsLog: Bool, timeout: TimeInterval,
    context: CommandContext
  ) async throws {
    let request = InvocationRequest(
      method: "POST", path: "/2015-03-31/functions/\(name)/invocations",
      headers: [("X-Amz-Log-Type", showsLog ? "Tail" : "None"), ("Content-Type", "application/json")],
      body: payload, timeout: timeout)
    let response = try await Invoker().send(request, to: baseURL)
    if showsLog, let encoded = response.header("X-Amz-Log-Result"), let log = Data(base64Encoded: encoded) {
      FileHandle.standardError.write(Data(LogFile.displayable(String(decoding: log, as: UTF8.self)).utf8))
    }
    guard response.isSuccess else {
      let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
      let message = (object?["Message"] as? String) ?? String(decoding: response.body, as: UTF8.self)
      throw CommandFailure(
        "\(response.header("x-amzn-ErrorType") ?? "status \(response.statusCode)"): \(message)")
    }
    if let failure = response.lambdaFunctionError {
      context.diagnostics.error("\(failure.type): \(failure.message)")
      throw ExitStatus(code: 1)
    }
    StandardOutput.write(String(decoding: response.body, as: UTF8.self))
    if StandardOutput.isTerminal { StandardOutput.write("\n") }
  }

  /// Rejects options that do not apply to the function's trigger, instead of ignoring them.
  static func rejectInapplicableOptions(_ parsed: ParsedCommand, manifest: Manifest) throws {
    let isLambdaEvent =
      manifest.provider == .aws && (manifest.trigger == .event || parsed.value("event") != nil)
    var inapplicable: [String] = []
    if case .pubsub = manifest.trigger {
    } else if !parsed.values("attribute").isEmpty {
      inapplicable.append("--attribute (Pub/Sub functions only)")
    }
    if manifest.provider != .aws, parsed.flag("log") { inapplicable.append("--log (AWS functions only)") }
    if manifest.provider == .aws, !isLambdaEvent, parsed.flag("log") {
      inapplicable.append("--log (AWS event invocations only; see 'functions logs')")
    }
    if isLambdaEvent {
      for option in ["method", "path"] where parsed.value(option) != nil {
        inapplicable.append("--\(option)")
      }
      for option in ["query", "header"] where !parsed.values(option).isEmpty {
        inapplicable.append("--\(option)")
      }
      if parsed.flag("include") { inapplicable.append("--include") }
    }
    guard inapplicable.isEmpty else {
      throw parsed.usageError(
        "\(inapplicable.joined(separator: ", ")) cannot be used with \(manifest.name) "
          + "(\(manifest.provider.rawValue), \(manifest.trigger.kind) trigger\(parsed.value("event") != nil ? ", --event" : ""))"
      )
    }
  }

  /// Returns the contents of --event after checking that they are JSON, naming the line and column if not.
  /// An event is a file path, or the name of a saved event in the function's `events/` folder
  /// (`--event order-created` reads `events/order-created.json`), so test events travel with the code.
  static func readEvent(_ parsed: ParsedCommand, context: CommandContext, functionDirectory: String?) throws
    -> Data?
  {
    guard let file = parsed.value("event") else { return nil }
    if parsed.value("data") != nil { throw parsed.usageError("give --data or --event, not both") }
    var path = context.absolutePath(file)
    if !FileManager.default.fileExists(atPath: path), let functionDirectory, !file.contains("/") {
      let saved = "\(functionDirectory)/events/\(file.hasSuffix(".json") ? file : file + ".json")"
      if FileManager.default.fileExists(atPath: saved) { path = saved }
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw parsed.usageError("cannot read the event file \(path); check that it exists and is readable")
    }
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
      throw CommandFailure(
        "the event file \(path) is not valid JSON: \(JSONErrorText.describe(error, in: data))")
    }
    return data
  }

  /// Returns the body from --data: literal text, `@FILE`, or `-` for standard input.
  static func readData(_ parsed: ParsedCommand, context: CommandContext) throws -> Data? {
    guard let data = parsed.value("data") else { return nil }
    if data == "-" {
      return FileHandle.standardInput.readDataToEndOfFile()
    }
    if data.hasPrefix("@") {
      let path = context.absolutePath(String(data.dropFirst()))
      guard let contents = FileManager.default.contents(atPath: path) else {
        throw parsed.usageError("cannot read --data file \(path); check that it exists and is readable")
      }
      return contents
    }
    return Data(data.utf8)
  }
}
