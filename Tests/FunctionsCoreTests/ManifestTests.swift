import Foundation
import Testing

@testable import FunctionsCore

/// The path shown in messages; `parse` never opens it.
private let manifestPath = "/projects/hello/function.json"

private func parse(_ text: String) throws(ManifestError) -> (Manifest, [String]) {
  try ManifestReader.parse(Data(text.utf8), path: manifestPath)
}

/// Returns the message of the error that parsing `text` throws, or nil when it parses.
private func errorMessage(_ text: String) -> String? {
  do {
    _ = try parse(text)
    return nil
  } catch {
    return error.description
  }
}

@Suite("ManifestReader")
struct ManifestReaderTests {
  static let longName = "a" + String(repeating: "b", count: 63)

  @Test(
    "malformed manifests",
    arguments: [
      (
        #"{"version": 1, "entryPoint": "hello_http"}"#,
        #"\#(manifestPath): missing key 'name'; add "name": "my-function""#
      ),
      (
        #"{"version": 1, "name": "", "entryPoint": "hello_http"}"#,
        #"\#(manifestPath): invalid value "" for 'name'; expected a valid function name "#
          + "(a function name cannot be empty)"
      ),
      (
        #"{"version": 1, "name": "\#(longName)", "entryPoint": "hello_http"}"#,
        #"\#(manifestPath): invalid value "\#(longName)" for 'name'; expected a valid function name "#
          + "(it is 64 characters long; the maximum is 63)"
      ),
      (
        #"{"version": 1, "name": "9lives", "entryPoint": "hello_http"}"#,
        #"\#(manifestPath): invalid value "9lives" for 'name'; expected a valid function name "#
          + "(it must start with a letter, not '9')"
      ),
      (
        #"{"version": 1, "name": "my.function", "entryPoint": "hello_http"}"#,
        #"\#(manifestPath): invalid value "my.function" for 'name'; expected a valid function name "#
          + "(it contains '.'; use only letters, digits, hyphens and underscores)"
      ),
      (
        #"{"version": 1, "name": 5, "entryPoint": "hello_http"}"#,
        "\(manifestPath): invalid value 5 for 'name'; expected a string"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "hello_http", "runtime": "python39"}"#,
        #"\#(manifestPath): invalid value "python39" for 'runtime'; expected one of python310, "#
          + "python311, python312, python313"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "hello_http", "provider": "azure"}"#,
        #"\#(manifestPath): invalid value "azure" for 'provider'; expected one of gcp, aws"#
      ),
      (
        #"{"version": 1, "name": "hello"}"#,
        #"\#(manifestPath): missing key 'entryPoint'; add "entryPoint": the name of the Python function "#
          + "to call"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "hello-http"}"#,
        #"\#(manifestPath): invalid value "hello-http" for 'entryPoint'; expected a Python function name"#
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "trigger": {"type": "htp"}}"#,
        #"\#(manifestPath): invalid value "htp" for 'trigger.type'; expected one of http, pubsub"#
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "trigger": "http"}"#,
        #"\#(manifestPath): invalid value "http" for 'trigger'; expected an object such as "#
          + #"{"type": "http"}"#
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "trigger": {"type": "pubsub"}}"#,
        #"\#(manifestPath): missing key 'trigger.topic'; add "topic": the Pub/Sub topic that "#
          + "triggers the function"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "trigger": {"type": "pubsub", "topic": "ab"}}"#,
        #"\#(manifestPath): invalid value "ab" for 'trigger.topic'; expected a topic ID of 3 to 255 "#
          + "characters"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "trigger": {"type": "pubsub", "topic": "google-x"}}"#,
        #"\#(manifestPath): invalid value "google-x" for 'trigger.topic'; expected a topic ID that "#
          + "does not start with 'goog'"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "gcp": {"memory": "300Mi"}}"#,
        #"\#(manifestPath): invalid value "300Mi" for 'gcp.memory'; expected one of 128Mi, 256Mi, "#
          + "512Mi, 1Gi, 2Gi, 4Gi, 8Gi, 16Gi, 32Gi"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "gcp": {"timeout": 0}}"#,
        "\(manifestPath): invalid value 0 for 'gcp.timeout'; expected a number of seconds from 1 to 3600"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "gcp": {"timeout": 3601}}"#,
        "\(manifestPath): invalid value 3601 for 'gcp.timeout'; expected a number of seconds from 1 to "
          + "3600"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "gcp": {"timeout": 1.5}}"#,
        "\(manifestPath): invalid value 1.5 for 'gcp.timeout'; expected an integer"
      ),
      (
        #"{"name": "hello", "entryPoint": "f"}"#,
        #"\#(manifestPath): missing key 'version'; add "version": 1"#
      ),
      (
        #"{"version": 2, "name": "hello", "entryPoint": "f"}"#,
        "\(manifestPath): manifest version 2 is not supported by this version of functions (it reads "
          + "version 1); upgrade functions or rewrite the file"
      ),
      (
        #"{"version": true, "name": "hello", "entryPoint": "f"}"#,
        "\(manifestPath): invalid value true for 'version'; expected an integer"
      ),
      (
        #"{"version": 1, "name": "hello", "entryPoint": "f", "environment": {"PORT_NUMBER": 8080}}"#,
        "\(manifestPath): invalid value 8080 for 'environment.PORT_NUMBER'; expected a string (quote "
          + "numbers and booleans)"
      ),
      (
        #"[{"version": 1, "name": "hello", "entryPoint": "f"}]"#,
        "\(manifestPath): the top level must be a JSON object, not an array"
      ),
    ]
  )
  func malformedManifests(text: String, expected: String) {
    #expect(errorMessage(text) == expected)
  }

  @Test(
    "malformed JSON names line and column",
    arguments: [
      // The stray word `oops` starts at line 3, column 3.
      ("{\n  \"name\": \"hello\",\n  oops\n}\n", "line 3, column 3: invalid value"),
      // Column counts characters, so the two bytes of `é` are one column.
      ("{\"é\": x}", "line 1, column 7: invalid value"),
    ]
  )
  func malformedJSONPosition(text: String, reason: String) {
    #expect(errorMessage(text) == "\(manifestPath) is not valid JSON: \(reason)")
  }

  @Test("unknown keys are warnings")
  func unknownKeysAreWarnings() throws {
    let text = """
      {
        "version": 1, "name": "hello", "entryPoint": "hello_http", "colour": "blue",
        "trigger": {"type": "http", "retry": true},
        "gcp": {"region": "europe-west1", "x": 1}
      }
      """
    let (manifest, warnings) = try parse(text)

    #expect(manifest.gcp.region == "europe-west1")
    #expect(manifest.trigger == .http)
    #expect(
      warnings.sorted() == [
        "\(manifestPath): unknown key 'colour' is ignored",
        "\(manifestPath): unknown key 'gcp.x' is ignored",
        "\(manifestPath): unknown key 'trigger.retry' is ignored",
      ])
  }

  @Test("defaults for optional keys")
  func defaults() throws {
    let (manifest, warnings) = try parse(#"{"version": 1, "name": "hello", "entryPoint": "hello_http"}"#)

    #expect(manifest.provider == .gcp)
    #expect(manifest.runtime == "python312")
    #expect(manifest.source == "main.py")
    #expect(manifest.trigger == .http)
    #expect(manifest.environment.isEmpty)
    #expect(manifest.envFile == nil)
    #expect(manifest.gcp == GoogleCloudSettings())
    #expect(warnings.isEmpty)
  }

  @Test("null optional keys read as absent")
  func nullOptionalKeys() throws {
    let text = """
      {"version": 1, "name": "hello", "entryPoint": "f", "runtime": null, "environment": null, "envFile": null}
      """
    let (manifest, _) = try parse(text)

    #expect(manifest.runtime == "python312")
    #expect(manifest.environment.isEmpty)
    #expect(manifest.envFile == nil)
  }

  @Test("round trip through jsonText")
  func roundTrip() throws {
    let manifests = [
      Manifest(name: "hello", entryPoint: "hello_http", trigger: .http),
      Manifest(
        name: "orders-worker", runtime: "python311", entryPoint: "handle_order", source: "src/app.py",
        trigger: .pubsub(topic: "orders.v1"), environment: ["GREETING": "Hi", "EMPTY": ""],
        envFile: ".env.local",
        gcp: GoogleCloudSettings(
          region: "europe-west1", project: "demo-project", memory: "512Mi", timeoutSeconds: 120)),
    ]
    for original in manifests {
      let (parsed, warnings) = try parse(original.jsonText())
      #expect(parsed == original)
      #expect(warnings.isEmpty)
    }
  }

  @Test("load reads a manifest file")
  func loadReadsFile() throws {
    try ScratchDirectory.with { directory in
      let manifest = Manifest(name: "hello", entryPoint: "hello_http", trigger: .http)
      let path = "\(directory)/function.json"
      try Data(manifest.jsonText().utf8).write(to: URL(fileURLWithPath: path))

      let loaded = try ManifestReader.load(directory: directory)

      #expect(loaded.manifest == manifest)
      #expect(loaded.path == path)
      #expect(loaded.directory == directory)
      #expect(loaded.warnings.isEmpty)
    }
  }

  @Test("load of missing manifest")
  func loadMissingManifest() throws {
    try ScratchDirectory.with { directory in
      let error = #expect(throws: ManifestError.self) {
        try ManifestReader.load(directory: directory)
      }
      #expect(
        error?.description
          == "\(directory)/function.json was not found; create it with 'functions new' or adopt the "
          + "directory with 'functions add'")
    }
  }
}

@Suite("Manifest")
struct ManifestTests {
  @Test("signature type by trigger")
  func signatureType() {
    #expect(Manifest(name: "a", entryPoint: "f", trigger: .http).signatureType == "http")
    #expect(
      Manifest(name: "a", entryPoint: "f", trigger: .pubsub(topic: "orders")).signatureType == "cloudevent")
  }

  @Test("trigger kind and summary")
  func triggerSummary() {
    #expect(Trigger.http.kind == "http")
    #expect(Trigger.http.summary == "http")
    #expect(Trigger.pubsub(topic: "orders").kind == "pubsub")
    #expect(Trigger.pubsub(topic: "orders").summary == "pubsub:orders")
  }

  @Test("jsonText leaves out absent settings")
  func jsonTextLeavesOutAbsentSettings() throws {
    let text = Manifest(name: "hello", entryPoint: "hello_http", trigger: .http).jsonText()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])

    #expect(object["gcp"] == nil)
    #expect(object["envFile"] == nil)
    #expect(object["version"] as? Int == 1)
    #expect(text.hasSuffix("\n"))
  }
}

@Suite("Runtimes")
struct RuntimesTests {
  @Test(
    "Python version of a runtime",
    arguments: [
      ("python312", "3.12"), ("python310", "3.10"), ("python39", "3.9"), ("python3", nil),
      ("python3x", nil), ("nodejs20", nil), ("", nil),
    ] as [(String, String?)]
  )
  func pythonVersion(runtime: String, expected: String?) {
    #expect(Runtimes.pythonVersion(of: runtime) == expected)
  }
}

@Suite("Manifest gcp.allowUnauthenticated")
struct ManifestAllowUnauthenticatedTests {
  @Test("defaults to false")
  func defaultsToFalse() throws {
    let (manifest, _) = try parse(#"{"version": 1, "name": "hello", "entryPoint": "hello_http"}"#)
    #expect(manifest.gcp.allowUnauthenticated == false)
  }

  @Test("true is read and written back")
  func roundTrip() throws {
    let text = #"{"version": 1, "name": "hello", "entryPoint": "h", "gcp": {"allowUnauthenticated": true}}"#
    let (manifest, warnings) = try parse(text)
    #expect(manifest.gcp.allowUnauthenticated)
    #expect(warnings.isEmpty)
    let (again, _) = try parse(manifest.jsonText())
    #expect(again.gcp.allowUnauthenticated)
  }

  @Test("non-boolean is rejected")
  func rejectsString() {
    let message = errorMessage(
      #"{"version": 1, "name": "hello", "entryPoint": "h", "gcp": {"allowUnauthenticated": "yes"}}"#)
    #expect(
      message
        == #"\#(manifestPath): invalid value "yes" for 'gcp.allowUnauthenticated'; expected true or false"#)
  }
}
