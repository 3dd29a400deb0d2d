import Foundation
import Testing

@testable import Basics

@Suite("ShellQuoting")
struct ShellQuotingTests {
  @Test(
    "quoting single arguments",
    arguments: [
      ("abc", "abc"),
      ("--flag=value", "--flag=value"),
      ("/usr/bin/python3", "/usr/bin/python3"),
      ("user@host:8080", "user@host:8080"),
      ("a+b,c%d", "a+b,c%d"),
      ("", "''"),
      ("two words", "'two words'"),
      ("it's", "'it'\\''s'"),
      ("$HOME", "'$HOME'"),
      ("*.py", "'*.py'"),
      ("~", "'~'"),
      ("a;b", "'a;b'"),
      ("line\nbreak", "'line\nbreak'"),
      ("\"quoted\"", "'\"quoted\"'"),
    ]
  )
  func quote(argument: String, expected: String) {
    #expect(ShellQuoting.quote(argument) == expected)
  }

  @Test("join quotes each argument")
  func join() {
    #expect(ShellQuoting.join(["python3", "-c", "print('hi')"]) == "python3 -c 'print('\\''hi'\\'')'")
  }

  @Test("a real shell reads it back")
  func shellRoundTrip() throws {
    let arguments = ["plain", "", "two words", "it's", "$HOME", "*", "a\"b", "tab\there", "new\nline", "ü"]
    let script = "for argument in " + ShellQuoting.join(arguments) + "; do printf '[%s]' \"$argument\"; done"

    let result = try ProcessRunner().run(
      ProcessSpec(
        executable: "/bin/sh", arguments: ["-c", script], environment: ["HOME": "/should-not-expand"]))

    #expect(result.output == arguments.map { "[\($0)]" }.joined())
  }
}
