import Testing

@testable import FunctionsCore

@Suite("FunctionName")
struct FunctionNameTests {
  @Test(
    "valid names",
    arguments: ["hello", "a", "Hello-World_2", "fn9", "a" + String(repeating: "b", count: 62)]
  )
  func validNames(name: String) {
    #expect(FunctionName.violation(in: name) == nil)
  }

  @Test(
    "invalid names with reasons",
    arguments: [
      ("", "a function name cannot be empty"),
      ("a" + String(repeating: "b", count: 63), "it is 64 characters long; the maximum is 63"),
      ("9lives", "it must start with a letter, not '9'"),
      ("-hello", "it must start with a letter, not '-'"),
      ("_hello", "it must start with a letter, not '_'"),
      ("élan", "it must start with a letter, not 'é'"),
      ("my.function", "it contains '.'; use only letters, digits, hyphens and underscores"),
      ("my function", "it contains ' '; use only letters, digits, hyphens and underscores"),
      ("café", "it contains 'é'; use only letters, digits, hyphens and underscores"),
      ("a/b", "it contains '/'; use only letters, digits, hyphens and underscores"),
    ]
  )
  func invalidNames(name: String, expected: String) {
    #expect(FunctionName.violation(in: name) == expected)
  }

  /// Cloud Functions documentation, "Deploy a function": a name starts with a letter, is followed by up
  /// to 62 letters, digits, hyphens or underscores, and ends with a letter or digit.
  @Test(
    "names must end with letter or digit",
    arguments: [
      ("hello-", "it must end with a letter or digit, not '-'"),
      ("hello_", "it must end with a letter or digit, not '_'"),
    ]
  )
  func trailingCharacter(name: String, expected: String) {
    #expect(FunctionName.violation(in: name) == expected)
  }
}
