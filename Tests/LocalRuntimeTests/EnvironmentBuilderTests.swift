import Foundation
import FunctionsCore
import Testing

@testable import LocalRuntime

/// Returns the fingerprint of a function whose `requirements.txt` contains `requirements`, or that has
/// none when `requirements` is nil.
private func fingerprint(runtime: String = "python312", requirements: String?) throws -> String {
  try ScratchDirectory.with { directory in
    if let requirements {
      try Data(requirements.utf8).write(to: URL(fileURLWithPath: "\(directory)/requirements.txt"))
    }
    let builder = EnvironmentBuilder(
      layout: StateLayout(environment: ["FUNCTIONS_HOME": directory]), environment: [:])
    let manifest = Manifest(name: "hello", runtime: runtime, entryPoint: "hello_http", trigger: .http)
    return builder.fingerprint(for: manifest, directory: directory)
  }
}

@Suite("EnvironmentBuilder")
struct EnvironmentBuilderTests {
  @Test(
    "comments and blank lines ignored",
    arguments: [
      "# pinned for the demo\nrequests==2.32.3\n\nflask==3.0.3\n",
      "requests==2.32.3\r\nflask==3.0.3\r\n",
      "   requests==2.32.3   \n\tflask==3.0.3",
      "\n\n# header\n\nrequests==2.32.3\n# between\nflask==3.0.3\n\n# trailer\n",
    ]
  )
  func commentsAndBlankLinesIgnored(variant: String) throws {
    let plain = try fingerprint(requirements: "requests==2.32.3\nflask==3.0.3\n")
    #expect(try fingerprint(requirements: variant) == plain)
  }

  @Test("runtime changes the fingerprint")
  func runtimeChangesFingerprint() throws {
    let requirements = "requests==2.32.3\n"
    #expect(
      try fingerprint(runtime: "python311", requirements: requirements)
        != fingerprint(requirements: requirements))
  }

  @Test("requirement changes the fingerprint")
  func requirementChangesFingerprint() throws {
    let older = try fingerprint(requirements: "requests==2.32.2\n")
    let newer = try fingerprint(requirements: "requests==2.32.3\n")
    let added = try fingerprint(requirements: "requests==2.32.2\nflask==3.0.3\n")

    #expect(older != newer)
    #expect(older != added)
  }

  @Test("missing and empty requirements agree")
  func missingAndEmptyAgree() throws {
    #expect(try fingerprint(requirements: nil) == fingerprint(requirements: ""))
    #expect(try fingerprint(requirements: nil) == fingerprint(requirements: "# nothing yet\n"))
  }

  @Test("fingerprint ignores the directory")
  func fingerprintIgnoresDirectory() throws {
    // Two functions with the same runtime and requirements share one environment.
    let first = try fingerprint(requirements: "flask==3.0.3\n")
    let second = try fingerprint(requirements: "flask==3.0.3\n")
    #expect(first == second)
  }

  @Test("fingerprint is 24 hex digits")
  func fingerprintFormat() throws {
    let value = try fingerprint(requirements: nil)
    #expect(value.count == 24)
    #expect(value.allSatisfy { "0123456789abcdef".contains($0) })
  }

  @Test("existing needs the completion marker")
  func existingNeedsMarker() throws {
    try ScratchDirectory.with { home in
      let layout = StateLayout(environment: ["FUNCTIONS_HOME": home])
      let builder = EnvironmentBuilder(layout: layout, environment: [:])
      let directory = builder.directory(for: "0123456789abcdef01234567")
      #expect(directory == "\(home)/cache/environments/0123456789abcdef01234567")

      try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
      #expect(builder.existing(fingerprint: "0123456789abcdef01234567") == nil)

      try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(directory)/.functions-environment.json"))
      let environment = try #require(builder.existing(fingerprint: "0123456789abcdef01234567"))
      #expect(environment.directory == directory)
      #expect(environment.python == "\(directory)/bin/python")
      #expect(environment.binDirectory == "\(directory)/bin")
      #expect(!environment.wasCreated)
    }
  }
}
