import Foundation
import Testing

@testable import LocalRuntime

private let hostEnvironment = ProcessInfo.processInfo.environment

/// Writes an executable shell script named `name` into `directory`.
private func writeScript(_ name: String, in directory: String, body: String) throws {
  try ScratchDirectory.writeExecutable("#!/bin/sh\n\(body)\n", to: "\(directory)/\(name)")
}

/// Returns the host environment with `directory` first on PATH.
private func environment(withFirstOnPath directory: String) -> [String: String] {
  var environment = hostEnvironment
  environment["PATH"] = directory + ":" + (hostEnvironment["PATH"] ?? "/usr/bin:/bin")
  return environment
}

@Suite("PythonLocator", .timeLimit(.minutes(1)))
struct PythonLocatorTests {
  @Test("probe finds python3")
  func probeFindsPython3() throws {
    let python = try #require(PythonLocator(environment: hostEnvironment).probe("python3"))

    #expect(python.version.wholeMatch(of: /3\.\d+/) != nil, "version \(python.version)")
    #expect(python.path.hasSuffix("/python3"))
  }

  @Test("probe of a missing name")
  func probeMissingName() {
    #expect(PythonLocator(environment: hostEnvironment).probe("no-such-python-7f3a") == nil)
  }

  @Test(
    "broken exact version falls back",
    arguments: [
      "exit 1",
      "echo 3.98",
      "echo",
    ]
  )
  func brokenExactVersionFallsBack(scriptBody: String) throws {
    try ScratchDirectory.with { directory in
      try writeScript("python3.99", in: directory, body: scriptBody)
      let locator = PythonLocator(environment: environment(withFirstOnPath: directory))
      let fallback = try #require(locator.probe("python3"))

      let choice = try locator.interpreter(forVersion: "3.99")

      #expect(choice.interpreter == fallback)
      #expect(
        choice.fallbackWarning
          == "python3.99 does not run; using \(fallback.path) (Python \(fallback.version)) instead, so the "
          + "function runs on Python \(fallback.version), not 3.99 as in the cloud")
    }
  }

  @Test("exact version wins")
  func exactVersionWins() throws {
    try ScratchDirectory.with { directory in
      try writeScript("python3.99", in: directory, body: "echo 3.99")
      let locator = PythonLocator(environment: environment(withFirstOnPath: directory))

      let choice = try locator.interpreter(forVersion: "3.99")

      #expect(choice.interpreter == PythonInterpreter(path: "\(directory)/python3.99", version: "3.99"))
      #expect(choice.fallbackWarning == nil)
    }
  }

  @Test("fallback of the same version")
  func fallbackOfSameVersion() throws {
    try ScratchDirectory.with { directory in
      let version = try #require(PythonLocator(environment: hostEnvironment).probe("python3")).version
      try writeScript("python\(version)", in: directory, body: "exit 1")
      let locator = PythonLocator(environment: environment(withFirstOnPath: directory))

      let choice = try locator.interpreter(forVersion: version)

      #expect(choice.interpreter.version == version)
      #expect(choice.interpreter.path != "\(directory)/python\(version)")
      #expect(choice.fallbackWarning == nil)
    }
  }

  @Test("no python3 at all")
  func noPython() throws {
    try ScratchDirectory.with { directory in
      try writeScript("python3.99", in: directory, body: "exit 1")
      let locator = PythonLocator(environment: ["PATH": directory])

      let error = #expect(throws: RuntimeError.self) {
        try locator.interpreter(forVersion: "3.99")
      }
      #expect(
        error?.description
          == "python3 was not found on PATH; install Python 3.10 or newer (Debian: apt-get install python3 "
          + "python3-venv python3-pip) and run 'functions doctor'")
    }
  }
}
