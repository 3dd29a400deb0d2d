import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

/// `functions publish TOPIC`: delivers a message to every running function subscribed to the topic.
enum PublishCommand {
  static func make() -> Command {
    Command(
      "publish", abstract: "Deliver a message to every running function subscribed to a topic.",
      discussion: """
        Google Cloud Pub/Sub functions whose trigger topic matches get the Pub/Sub CloudEvent, as with \
        'functions invoke'. AWS functions that list the topic in "aws.subscriptions" get an SNS or SQS event \
        through their Invoke API. Prints each delivery and exits with status 1 if any failed.
        """,
      arguments: [ArgumentSpec("topic", help: "The topic to publish to.")],
      options: [
        .value(
          "data", short: "d", valueName: "data",
          help: "The message data: text, @FILE, or - for standard input."),
        .value(
          "attribute", valueName: "key=value",
          help: "Add a message attribute (Pub/Sub attributes, SNS and SQS string message attributes).",
          isRepeating: true),
      ],
      run: { parsed in try await run(parsed) })
  }

  /// One delivery's outcome.
  struct Delivery: Sendable {
    let function: String
    let failure: String?
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let topic = parsed.argument("topic") ?? ""
    let data = try InvokeCommand.readData(parsed, context: context) ?? Data()
    let attributes = try OptionParsing.attributes(parsed)
    let settings = try Settings.load(layout: context.layout)

    var targets: [(RegistryEntry, Manifest, RunningProcess)] = []
    for entry in try context.registry.read().sortedEntries where entry.effectiveState == .running {
      guard let process = entry.process,
        let manifest = try? ManifestReader.load(path: entry.manifestPath).manifest
      else { continue }
      let isSubscribed =
        manifest.trigger == .pubsub(topic: topic) || manifest.aws.subscriptions.contains { $0.topic == topic }
      if isSubscribed && (manifest.provider == .gcp || manifest.provider == .aws) {
        targets.append((entry, manifest, process))
      }
    }
    // While the Pub/Sub emulator runs, Google Cloud functions get the message from it, through their push
    // subscriptions, as an application's own publish would reach them.
    let emulator = EmulatorCommand.emulator(context)
    if let record = emulator.running() {
      let messageID = try await emulator.publish(
        topic: topic, data: data, attributes: attributes, record: record)
      context.diagnostics.status(
        "Published message \(messageID) to \(topic) on the Pub/Sub emulator (\(record.address)); it pushes the "
          + "message to each subscribed function and retries failed pushes, so 'functions logs NAME' shows the "
          + "result")
      for (entry, manifest, _) in targets where manifest.provider == .gcp {
        StandardOutput.line("\(entry.name): queued by the Pub/Sub emulator")
      }
      targets.removeAll { $0.1.provider == .gcp }
      if targets.isEmpty { return }
    }
    guard !targets.isEmpty else {
      context.diagnostics.note("no running function is subscribed to '\(topic)'; nothing was delivered")
      return
    }

    let now = context.clock.now()
    let subscribers = targets
    let messageID = String(UInt64.random(in: 1_000_000_000_000...9_999_999_999_999))
    let deliveries = await withTaskGroup(of: Delivery.self) { group in
      for (entry, manifest, process) in subscribers {
        group.addTask {
          await deliver(
            to: entry, manifest: manifest, process: process, topic: topic, data: data,
            attributes: attributes,
            messageID: messageID, time: now, settings: settings)
        }
      }
      var results: [Delivery] = []
      for await result in group { results.append(result) }
      return results.sorted { $0.function < $1.function }
    }
    for delivery in deliveries {
      if let failure = delivery.failure {
        StandardOutput.line("\(delivery.function): failed: \(failure)")
      } else {
        StandardOutput.line("\(delivery.function): delivered")
      }
    }
    if deliveries.contains(where: { $0.failure != nil }) { throw ExitStatus(code: 1) }
  }

  static func deliver(
    to entry: RegistryEntry, manifest: Manifest, process: RunningProcess, topic: String, data: Data,
    attributes: [String: String], messageID: String, time: Date, settings: Settings
  ) async -> Delivery {
    do {
      let request: InvocationRequest
      if manifest.provider == .gcp {
        let event = PubSubEvent(
          project: manifest.gcp.project ?? settings.gcpProject ?? Settings.localProject, topic: topic,
          region: manifest.gcp.region ?? settings.gcpRegion ?? Settings.defaultGoogleCloudRegion,
          functionName: entry.name, data: data, attributes: attributes, messageID: messageID,
          publishTime: time)
        request = InvocationRequest(method: "POST", path: "/", headers: event.headers, body: event.body())
      } else {
        let shape = manifest.aws.subscriptions.first { $0.topic == topic }?.event ?? .sns
        var options = SampleEvents.Options()
        options.message = String(decoding: data, as: UTF8.self)
        options.messageAttributes = attributes
        options.topic = topic
        options.queue = topic
        options.region = manifest.aws.region ?? settings.awsRegion ?? "us-east-1"
        options.functionName = entry.name
        let event = SampleEvents.generate(
          shape == .sqs ? .sqs : .sns, options: options, clock: FixedClock(time))
        request = InvocationRequest(
          method: "POST", path: "/2015-03-31/functions/\(entry.name)/invocations",
          headers: [("Content-Type", "application/json")], body: event)
      }
      let response = try await Invoker().send(request, to: process.url)
      if !response.isSuccess {
        return Delivery(function: entry.name, failure: "status \(response.statusCode)")
      }
      if let failure = response.lambdaFunctionError {
        return Delivery(function: entry.name, failure: "\(failure.type): \(failure.message)")
      }
      return Delivery(function: entry.name, failure: nil)
    } catch {
      return Delivery(function: entry.name, failure: "\(error)")
    }
  }
}
