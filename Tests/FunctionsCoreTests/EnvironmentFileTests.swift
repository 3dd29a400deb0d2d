import Foundation
import Testing

@testable import FunctionsCore

private let envPath = "/projects/hello/.env"

@Suite("EnvironmentFile")
struct EnvironmentFileTests {
  @Test(
    "valid lines",
    arguments: [
      ("A=1", ["A": "1"]),
      ("# a comment\nA=1", ["A": "1"]),
      ("   # an indented comment\nA=1", ["A": "1"]),
      ("export A=1", ["A": "1"]),
      ("export   A=1", ["A": "1"]),
      ("A=\"two words\"", ["A": "two words"]),
      ("A='single $quoted \\n'", ["A": "single $quoted \\n"]),
      ("A=\"line1\\nline2\"", ["A": "line1\nline2"]),
      ("A=\"tab\\there\"", ["A": "tab\there"]),
      ("A=\"quote \\\" inside\"", ["A": "quote \" inside"]),
      ("A=\"back\\\\slash\"", ["A": "back\\slash"]),
      ("A=value # a comment", ["A": "value"]),
      ("A=value#not-a-comment", ["A": "value#not-a-comment"]),
      ("URL=http://127.0.0.1/?a=b#frag", ["URL": "http://127.0.0.1/?a=b#frag"]),
      ("\n\n   \n\tA=1\n\n", ["A": "1"]),
      ("A=", ["A": ""]),
      ("A=\"\"", ["A": ""]),
      ("  A = spaced  ", ["A": "spaced"]),
      ("A=b=c", ["A": "b=c"]),
      ("A=1\nA=2", ["A": "2"]),
      ("_PRIVATE=1\nB2=2", ["_PRIVATE": "1", "B2": "2"]),
      ("", [:]),
    ]
  )
  func validLines(text: String, expected: [String: String]) throws {
    #expect(try EnvironmentFile.parse(text, path: envPath) == expected)
  }

  @Test("CRLF line endings")
  func windowsLineEndings() throws {
    let values = try EnvironmentFile.parse("A=1\r\nB=two\r\n", path: envPath)
    #expect(values == ["A": "1", "B": "two"])
  }

  @Test("quoted value with inline comment")
  func quotedValueWithComment() throws {
    let values = try EnvironmentFile.parse("GREETING=\"Hello there\" # shown on the page", path: envPath)
    #expect(values == ["GREETING": "Hello there"])
  }

  @Test(
    "invalid lines name the line",
    arguments: [
      ("A=1\nnot an assignment", "\(envPath):2: invalid line 'not an assignment'; expected KEY=VALUE"),
      ("# comment\n\n1A=x", "\(envPath):3: invalid line '1A=x'; expected KEY=VALUE"),
      ("A-B=1", "\(envPath):1: invalid line 'A-B=1'; expected KEY=VALUE"),
      ("=value", "\(envPath):1: invalid line '=value'; expected KEY=VALUE"),
      ("MY VAR=1", "\(envPath):1: invalid line 'MY VAR=1'; expected KEY=VALUE"),
      ("ÄPFEL=1", "\(envPath):1: invalid line 'ÄPFEL=1'; expected KEY=VALUE"),
      ("export", "\(envPath):1: invalid line 'export'; expected KEY=VALUE"),
    ]
  )
  func invalidLines(text: String, expected: String) {
    let error = #expect(throws: EnvironmentFileError.self) {
      try EnvironmentFile.parse(text, path: envPath)
    }
    #expect(error?.description == expected)
  }

  @Test("load reads a file")
  func loadReadsFile() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/.env"
      try Data("# settings\nexport GREETING=\"Hi\"\nCOUNT=3\n".utf8).write(to: URL(fileURLWithPath: path))

      #expect(try EnvironmentFile.load(path: path) == ["GREETING": "Hi", "COUNT": "3"])
    }
  }

  @Test("load of missing file")
  func loadMissingFile() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/missing.env"
      let error = #expect(throws: EnvironmentFileError.self) {
        try EnvironmentFile.load(path: path)
      }
      #expect(error == .unreadable(path: path))
      #expect(error?.description == "cannot read the env file \(path); check that it exists and is readable")
    }
  }

  @Test(
    "parseAssignment cases",
    arguments: [
      ("A=1", "A", "1"),
      ("A=", "A", ""),
      ("A=b=c", "A", "b=c"),
      ("_X1=y", "_X1", "y"),
      ("A= spaced ", "A", " spaced "),
      ("A=\"quoted\"", "A", "\"quoted\""),
      ("=x", nil, nil),
      ("1A=x", nil, nil),
      ("A", nil, nil),
      ("A B=x", nil, nil),
      ("A-B=x", nil, nil),
      ("", nil, nil),
    ] as [(String, String?, String?)]
  )
  func parseAssignment(text: String, key: String?, value: String?) {
    let assignment = EnvironmentFile.parseAssignment(text)
    #expect(assignment?.0 == key)
    #expect(assignment?.1 == value)
  }

  @Test(
    "variable names",
    arguments: [
      ("A", true), ("_", true), ("_a1", true), ("PATH", true), ("a_b_C9", true),
      ("", false), ("1A", false), ("A-B", false), ("A B", false), ("Ä", false), ("A.B", false),
    ]
  )
  func variableNames(name: String, isValid: Bool) {
    #expect(EnvironmentFile.isValidName(name) == isValid)
  }
}
