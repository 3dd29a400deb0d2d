import Testing

@testable import CommandLineKit

@Suite("suggestion(for:among:)")
struct SuggestionTests {
  static let commands = ["new", "run", "build", "deploy", "emulator", "logs"]

  @Test(
    "suggests close or prefixed candidates",
    arguments: [
      ("biuld", "build"),  // transposition
      ("buidl", "build"),  // transposition at the end
      ("bild", "build"),  // deletion
      ("buuild", "build"),  // insertion
      ("rnu", "run"),  // transposition
      ("runn", "run"),
      ("depoly", "deploy"),
      ("em", "emulator"),  // unique prefix
      ("emu", "emulator"),
      ("d", "deploy"),  // a one-letter unique prefix
      ("BUILD", "build"),  // case is ignored
      ("lgos", "logs"),
    ]
  )
  func suggestsCandidate(input: String, expected: String) {
    #expect(suggestion(for: input, among: Self.commands) == expected)
  }

  @Test(
    "no suggestion when too far",
    arguments: [
      "",
      "x",  // one letter that is no prefix
      "ab",  // two letters need distance 1
      "publish",
      "brand",  // distance 3 from "build"
      "emulate-all",
      "nw-run",
    ]
  )
  func noSuggestion(input: String) {
    #expect(suggestion(for: input, among: Self.commands) == nil)
  }

  @Test("prefix must be unique")
  func prefixMustBeUnique() {
    #expect(suggestion(for: "st", among: ["start", "stop", "status"]) == nil)
    #expect(suggestion(for: "stat", among: ["start", "stop", "status"]) == "status")
    #expect(suggestion(for: "strat", among: ["start", "stop", "status"]) == "start")
    #expect(suggestion(for: "sto", among: ["start", "stop", "status"]) == "stop")
  }

  @Test("short input needs a closer match")
  func shortInput() {
    #expect(suggestion(for: "x", among: ["ls", "rm"]) == nil)
    #expect(suggestion(for: "ab", among: ["cd"]) == nil)
    #expect(suggestion(for: "ab", among: ["ac"]) == "ac")
  }

  @Test("first candidate wins a tie")
  func tieGoesToFirst() {
    #expect(suggestion(for: "bat", among: ["bar", "baz"]) == "bar")
    #expect(suggestion(for: "bat", among: ["baz", "bar"]) == "baz")
  }

  @Test("no candidates")
  func noCandidates() {
    #expect(suggestion(for: "build", among: []) == nil)
  }

  @Test(
    "editDistance",
    arguments: [
      ("", "", 0),
      ("", "abc", 3),
      ("abc", "", 3),
      ("abc", "abc", 0),
      ("ab", "ba", 1),
      ("port", "prot", 1),
      ("kitten", "sitting", 3),
      ("build", "biuld", 1),
      ("ca", "abc", 3),  // no substring is edited twice, so 3 where unrestricted Damerau-Levenshtein gives 2
    ]
  )
  func editDistanceCases(source: String, target: String, expected: Int) {
    #expect(editDistance(source, target) == expected)
  }
}
