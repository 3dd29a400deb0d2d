import Basics
import Foundation
import FunctionsCore
import Testing

@testable import LocalRuntime

@Suite("GCPCommands")
struct GCPCommandTests {
  static let scope = GCPScope(project: "demo", region: "europe-west1")
  static let fingerprint = "0123456789abcdef" + String(repeating: "f", count: 48)

  @Test("HTTP deploy arguments")
  func httpDeploy() {
    let manifest = Manifest(
      name: "hello", entryPoint: "handle", trigger: .http,
      gcp: GoogleCloudSettings(memory: "256Mi", timeoutSeconds: 30, allowUnauthenticated: true))
    let command = GCPCommands.deploy(
      cloudName: "hello", registryName: "Hello.API", manifest: manifest, directory: "/src/hello",
      scope: Self.scope,
      fingerprint: Self.fingerprint, environmentFile: "/tmp/p/environment.yaml",
      ignoreFile: "/tmp/p/gcloudignore",
      clearsEnvironment: false)
    #expect(
      command.arguments == [
        "gcloud", "functions", "deploy", "hello", "--gen2", "--project=demo", "--region=europe-west1",
        "--runtime=python312", "--source=/src/hello", "--entry-point=handle", "--trigger-http",
        "--memory=256Mi",
        "--timeout=30s", "--env-vars-file=/tmp/p/environment.yaml", "--ignore-file=/tmp/p/gcloudignore",
        "--update-labels=managed-by=functions,functions-name=hello_api,functions-fingerprint=0123456789abcdef",
        "--allow-unauthenticated", "--quiet", "--format=json",
      ])
    #expect(command.secretPositions.isEmpty)
  }

  @Test("Pub/Sub deploy without options")
  func pubsubDeploy() {
    let manifest = Manifest(name: "orders", entryPoint: "handle", trigger: .pubsub(topic: "orders"))
    let command = GCPCommands.deploy(
      cloudName: "orders", registryName: "orders", manifest: manifest, directory: "/src", scope: Self.scope,
      fingerprint: Self.fingerprint, environmentFile: nil, ignoreFile: nil, clearsEnvironment: true)
    #expect(command.arguments.contains("--trigger-topic=orders"))
    #expect(command.arguments.contains("--clear-env-vars"))
    #expect(!command.arguments.contains("--allow-unauthenticated"))
    #expect(!command.arguments.contains { $0.hasPrefix("--memory") || $0.hasPrefix("--timeout") })
  }

  @Test("list filters by label")
  func list() {
    #expect(
      GCPCommands.list(project: "demo", region: nil).arguments == [
        "gcloud", "functions", "list", "--v2", "--project=demo", "--regions=-",
        "--filter=labels.managed-by=functions", "--quiet", "--format=json",
      ])
  }

  @Test("logs read with start time")
  func logs() {
    let command = GCPCommands.readLogs(
      cloudName: "hello", scope: Self.scope, limit: 50, startTime: "2026-01-01T00:00:00Z")
    #expect(command.arguments.contains("--limit=50"))
    #expect(command.arguments.contains("--start-time=2026-01-01T00:00:00Z"))
    #expect(command.arguments.contains("--gen2"))
  }

  @Test(
    "environment file quoting",
    arguments: [
      (["A": "1"], "\"A\": \"1\"\n"),
      (["B": "x: y", "A": "#not a comment"], "\"A\": \"#not a comment\"\n\"B\": \"x: y\"\n"),
      (["Q": "say \"hi\"\nbye"], "\"Q\": \"say \\\"hi\\\"\\nbye\"\n"),
    ])
  func environmentFile(environment: [String: String], expected: String) {
    #expect(GCPCommands.environmentFileText(environment) == expected)
  }

  @Test("label values", arguments: [("hello", "hello"), ("Hello.API", "hello_api"), ("a_b-c", "a_b-c")])
  func labelValue(name: String, expected: String) {
    #expect(GCPLabels.value(name) == expected)
  }
}

@Suite("GCPReservedVariables")
struct GCPReservedVariableTests {
  @Test(
    "reserved names",
    arguments: [
      "PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE",
      "X_GOOGLE_ANYTHING", "", "A=B",
    ])
  func reserved(name: String) {
    #expect(GCPReservedVariables.reason(for: name) != nil)
  }

  @Test("ordinary names", arguments: ["GREETING", "PORT_NUMBER", "X_GOOGLER", "k_service"])
  func allowed(name: String) {
    #expect(GCPReservedVariables.reason(for: name) == nil)
  }

  @Test("message names the variable")
  func message() {
    #expect(throws: GCPError.self) { try GCPReservedVariables.validate(["OK": "1", "PORT": "8080"]) }
    let error = GCPError.reservedVariable(name: "PORT", reason: GCPReservedVariables.reason(for: "PORT")!)
    #expect(error.description.hasPrefix("environment variable PORT cannot be deployed to Cloud Functions"))
  }
}

@Suite("GCPFunctionParser")
struct GCPFunctionParserTests {
  static let described = """
    {"name": "projects/demo/locations/europe-west1/functions/hello", "state": "ACTIVE",
     "updateTime": "2026-01-01T00:00:01Z", "environment": "GEN_2",
     "labels": {"managed-by": "functions", "functions-name": "hello", "functions-fingerprint": "0123456789abcdef"},
     "buildConfig": {"runtime": "python312", "entryPoint": "handle"},
     "serviceConfig": {"uri": "https://hello-x.a.run.app", "availableMemory": "256Mi", "timeoutSeconds": 60,
                       "environmentVariables": {"B": "2", "A": "1"}},
     "url": "https://europe-west1-demo.cloudfunctions.net/hello"}
    """

  @Test("describe output")
  func describe() throws {
    let function = try GCPFunctionParser.function(fromJSON: Self.described, commandLine: ["gcloud"])
    #expect(function.cloudName == "hello")
    #expect(function.registryName == "hello")
    #expect(function.region == "europe-west1")
    #expect(function.url == "https://hello-x.a.run.app")
    #expect(function.state == "ACTIVE")
    #expect(function.codeFingerprint == "0123456789abcdef")
    #expect(function.updateTime == "2026-01-01T00:00:01Z")
    #expect(
      function.details.map(\.key) == [
        "runtime", "entryPoint", "trigger", "memory", "timeout", "environment", "generation",
      ])
    #expect(function.details.first { $0.key == "environment" }?.value == "A, B")
  }

  @Test("url field when serviceConfig has none")
  func urlFallback() throws {
    let function = try GCPFunctionParser.function(
      fromJSON: #"{"name": "projects/p/locations/r/functions/f", "url": "https://r-p.cloudfunctions.net/f"}"#,
      commandLine: ["gcloud"])
    #expect(function.url == "https://r-p.cloudfunctions.net/f")
    #expect(function.registryName == nil)
    #expect(function.state == "STATE_UNSPECIFIED")
  }

  @Test("list output and empty list")
  func list() throws {
    #expect(try GCPFunctionParser.functions(fromJSON: "[]\n", commandLine: ["gcloud"]).isEmpty)
    #expect(try GCPFunctionParser.functions(fromJSON: "", commandLine: ["gcloud"]).isEmpty)
    let listed = try GCPFunctionParser.functions(fromJSON: "[\(Self.described)]", commandLine: ["gcloud"])
    #expect(listed.map(\.cloudName) == ["hello"])
  }

  @Test("invalid output names the command")
  func invalid() {
    #expect(throws: GCPError.invalidOutput(commandLine: ["gcloud", "x"], detail: "expected a JSON object")) {
      try GCPFunctionParser.function(fromJSON: "Deploying...", commandLine: ["gcloud", "x"])
    }
  }

  @Test("log entries come oldest first")
  func logEntries() throws {
    let text = """
      [{"time_utc": "2026-01-02 03:04:06.000", "level": "E", "log": "second", "name": "hello"},
       {"time_utc": "2026-01-02 03:04:05.000", "level": "I", "log": "first", "name": "hello"}]
      """
    let entries = try GCPFunctionParser.logEntries(fromJSON: text, commandLine: ["gcloud"])
    #expect(entries.map(\.line) == ["2026-01-02 03:04:05.000 I first", "2026-01-02 03:04:06.000 E second"])
  }
}

@Suite("Google Cloud ignore rules")
struct GoogleCloudIgnoreRulesTests {
  static let rules = IgnorePatterns(
    text: """
      # comment
      *.log
      build/
      /top.txt
      docs/**/*.md
      !keep.log
      """)

  @Test(
    "matches",
    arguments: [
      ("app.log", false, true), ("deep/app.log", false, true), ("keep.log", false, false),
      ("build", true, true), ("build", false, false), ("top.txt", false, true), ("sub/top.txt", false, false),
      ("docs/a/b/c.md", false, true), ("main.py", false, false),
    ])
  func matches(path: String, isDirectory: Bool, expected: Bool) {
    #expect(Self.rules.isIgnored(path, isDirectory: isDirectory) == expected)
  }

  @Test("fingerprint ignores ignored files")
  func fingerprint() throws {
    try ScratchDirectory.with { directory in
      try Data("print(1)\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/main.py"))
      try Data("*.tmp\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/.functionsignore"))
      let (rules, generated) = GCPSourceFiles.ignoreRules(directory: directory)
      #expect(generated?.contains("*.tmp") == true)
      let before = try GCPSourceFiles.fingerprint(directory: directory, rules: rules)
      try Data("x".utf8).write(to: URL(fileURLWithPath: "\(directory)/scratch.tmp"))
      try Data("SECRET=1".utf8).write(to: URL(fileURLWithPath: "\(directory)/.env"))
      #expect(try GCPSourceFiles.fingerprint(directory: directory, rules: rules) == before)
      #expect(try GCPSourceFiles.files(directory: directory, rules: rules) == ["main.py"])
      try Data("print(2)\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/main.py"))
      #expect(try GCPSourceFiles.fingerprint(directory: directory, rules: rules) != before)
    }
  }

  @Test("own .gcloudignore is used as is")
  func ownIgnoreFile() throws {
    try ScratchDirectory.with { directory in
      try Data("secret.txt\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/.gcloudignore"))
      let (rules, generated) = GCPSourceFiles.ignoreRules(directory: directory)
      #expect(generated == nil)
      #expect(rules.isIgnored("secret.txt", isDirectory: false))
    }
  }
}
