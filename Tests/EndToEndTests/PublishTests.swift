import Foundation
import Testing

/// `functions publish` fans a message out to the running subscribers of a topic.
@Suite("Publish", .timeLimit(.minutes(5)))
struct PublishTests {
  @Test("publish reaches every subscriber")
  func fanOut() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "pubsub", "gcp-sub", "--topic", "orders"]).status == 0)
    try sandbox.makeLambda(
      "sqs-sub",
      files: ["app.py": "def handler(event, context):\n    print('sqs:' + event['Records'][0]['body'])\n"])
    try sandbox.makeLambda(
      "sns-sub",
      files: [
        "app.py": "def handler(event, context):\n    print('sns:' + event['Records'][0]['Sns']['Message'])\n"
      ])
    try sandbox.makeLambda(
      "failing-sub", files: ["app.py": "def handler(event, context):\n    raise KeyError('x')\n"])
    try setSubscriptions(sandbox, "sqs-sub", [["topic": "orders", "event": "sqs"]])
    try setSubscriptions(sandbox, "sns-sub", [["topic": "orders", "event": "sns"]])
    try setSubscriptions(sandbox, "failing-sub", [["topic": "other", "event": "sns"]])
    for name in ["gcp-sub", "sqs-sub", "sns-sub", "failing-sub"] { _ = try sandbox.start(name) }

    let published = try sandbox.run(["publish", "orders", "--data", "order-42"])
    #expect(published.status == 0, "\(published.stderr)")
    #expect(published.stdout == "gcp-sub: delivered\nsns-sub: delivered\nsqs-sub: delivered\n")
    #expect(try sandbox.run(["logs", "gcp-sub"]).stdout.contains("Hello order-42!"))
    #expect(try sandbox.run(["logs", "sqs-sub"]).stdout.contains("sqs:order-42"))
    #expect(try sandbox.run(["logs", "sns-sub"]).stdout.contains("sns:order-42"))

    // A subscriber whose handler fails makes publish exit 1 and names it.
    let failed = try sandbox.run(["publish", "other", "--data", "x"])
    #expect(failed.status == 1)
    #expect(failed.stdout.hasPrefix("failing-sub: failed: KeyError"))

    let nobody = try sandbox.run(["publish", "nobody-listens"])
    #expect(nobody.status == 0)
    #expect(nobody.stderr.contains("no running function is subscribed to 'nobody-listens'"))
    #expect(try sandbox.run(["stop", "--all"]).status == 0)
  }

  private func setSubscriptions(_ sandbox: Sandbox, _ name: String, _ subscriptions: [[String: String]])
    throws
  {
    try sandbox.editManifest(name) { manifest in
      var aws = manifest["aws"] as? [String: Any] ?? [:]
      aws["subscriptions"] = subscriptions
      manifest["aws"] = aws
    }
  }
}
