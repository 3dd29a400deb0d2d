import Foundation
import Testing

@testable import Basics

private func makeFile(_ path: String, permissions: Int) {
  _ = FileManager.default.createFile(
    atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: permissions])
}

@Suite("ExecutableLookup")
struct ExecutableLookupTests {
  @Test("first executable on PATH")
  func firstOnPath() throws {
    try ScratchDirectory.with { directory in
      let (first, second) = ("\(directory)/first", "\(directory)/second")
      try FileManager.default.createDirectory(atPath: first, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
      makeFile("\(first)/tool", permissions: 0o755)
      makeFile("\(second)/tool", permissions: 0o755)

      let found = ExecutableLookup.find("tool", environment: ["PATH": "\(first):\(second)"])

      #expect(found == "\(first)/tool")
    }
  }

  @Test("skips files that are not executable")
  func skipsNonExecutable() throws {
    try ScratchDirectory.with { directory in
      let (first, second) = ("\(directory)/first", "\(directory)/second")
      try FileManager.default.createDirectory(atPath: "\(first)/tool", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
      makeFile("\(second)/tool", permissions: 0o755)
      makeFile("\(second)/data", permissions: 0o644)

      // An empty PATH entry is skipped rather than read as the working directory.
      let path = "::\(first):\(second)"
      #expect(ExecutableLookup.find("tool", environment: ["PATH": path]) == "\(second)/tool")
      #expect(ExecutableLookup.find("data", environment: ["PATH": path]) == nil)
    }
  }

  @Test("path with a slash is used as given")
  func pathWithSlash() throws {
    try ScratchDirectory.with { directory in
      makeFile("\(directory)/tool", permissions: 0o755)

      #expect(ExecutableLookup.find("\(directory)/tool", environment: ["PATH": ""]) == "\(directory)/tool")
      #expect(ExecutableLookup.find("\(directory)/missing", environment: [:]) == nil)
    }
  }

  @Test("missing program not found")
  func missingProgram() {
    #expect(ExecutableLookup.find("no-such-program-7f3a", environment: ["PATH": "/usr/bin:/bin"]) == nil)
  }

  @Test("default PATH without one")
  func defaultPath() {
    #expect(ExecutableLookup.find("sh", environment: [:]) != nil)
  }
}
