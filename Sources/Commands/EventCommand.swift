import Basics
import CommandLineKit
import Foundation
import FunctionsCore

/// `functions event generate aws KIND`: prints a sample event.
enum EventCommand {
  static func make() -> Command {
    Command(
      "event", abstract: "Work with sample events.",
      subcommands: [
        Command(
          "generate", abstract: "Print a sample event that a cloud service sends to a function.",
          subcommands: [makeAWS()])
      ])
  }

  static func makeAWS() -> Command {
    Command(
      "aws", abstract: "Print a sample AWS Lambda event.",
      discussion:
        "The event is valid JSON in the shape the service sends; save it and pass it to 'functions invoke --event FILE'.",
      arguments: [
        ArgumentSpec(
          "kind",
          help: "The event source: " + SampleEvents.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            + ".")
      ],
      options: [
        .value(
          "method", valueName: "method", help: "The HTTP method (HTTP events).", defaultDescription: "GET"),
        .value("path", valueName: "path", help: "The request path (HTTP events).", defaultDescription: "/"),
        .value("query", valueName: "query", help: "The raw query string, such as 'a=1&b=2' (HTTP events)."),
        .value(
          "header", short: "H", valueName: "'name: value'", help: "Add a request header (HTTP events).",
          isRepeating: true),
        .value("body", valueName: "text", help: "The request body (HTTP events) or the SQS message body."),
        .value("bucket", valueName: "name", help: "The bucket (s3).", defaultDescription: "example-bucket"),
        .value(
          "key", valueName: "key", help: "The object key (s3).", defaultDescription: "uploads/example.txt"),
        .value(
          "message", valueName: "text", help: "The message (sqs, sns).",
          defaultDescription: "Hello from functions!"),
        .value(
          "region", valueName: "region", help: "The AWS Region in ARNs and records.",
          defaultDescription: "us-east-1"),
      ],
      run: { parsed in try run(parsed) })
  }

  static func run(_ parsed: ParsedCommand) throws {
    let kindText = parsed.argument("kind") ?? ""
    guard let kind = SampleEvents.Kind(rawValue: kindText) else {
      let kinds = SampleEvents.Kind.allCases.map(\.rawValue)
      let hint = suggestion(for: kindText, among: kinds).map { " Did you mean '\($0)'?" } ?? ""
      throw parsed.usageError(
        "unknown event kind '\(kindText)'; expected one of \(kinds.joined(separator: ", ")).\(hint)")
    }
    var options = SampleEvents.Options()
    if let method = parsed.value("method") { options.method = method.uppercased() }
    if let path = parsed.value("path") { options.path = path.hasPrefix("/") ? path : "/" + path }
    if let query = parsed.value("query") { options.query = query }
    options.headers += try OptionParsing.headers(parsed)
    if let body = parsed.value("body") { options.body = body }
    if let bucket = parsed.value("bucket") { options.bucket = bucket }
    if let key = parsed.value("key") { options.key = key }
    if let message = parsed.value("message") { options.message = message }
    if let region = parsed.value("region") { options.region = region }
    let data = SampleEvents.generate(kind, options: options, clock: SystemClock())
    StandardOutput.write(String(decoding: data, as: UTF8.self))
    if data.last != UInt8(ascii: "\n") { StandardOutput.write("\n") }
  }
}
