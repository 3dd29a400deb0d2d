import Testing

@testable import Basics

@Suite("ColorPolicy")
struct ColorPolicyTests {
  /// https://no-color.org: `NO_COLOR` disables colour when it is present and not empty.
  @Test(
    "when colour is enabled",
    arguments: [
      (true, [:], false, true),
      (false, [:], false, false),
      (true, ["NO_COLOR": "1"], false, false),
      (true, ["NO_COLOR": "0"], false, false),
      (true, ["NO_COLOR": ""], false, true),
      (true, [:], true, false),
      (true, ["TERM": "dumb"], false, false),
      (true, ["TERM": "xterm-256color"], false, true),
      (false, ["TERM": "xterm-256color"], false, false),
    ] as [(Bool, [String: String], Bool, Bool)]
  )
  func enabled(isTerminal: Bool, environment: [String: String], noColorFlag: Bool, expected: Bool) {
    let policy = ColorPolicy(isTerminal: isTerminal, environment: environment, noColorFlag: noColorFlag)
    #expect(policy.isEnabled == expected)
  }

  @Test("paint wraps text in SGR codes")
  func paint() {
    let enabled = ColorPolicy(isTerminal: true, environment: [:], noColorFlag: false)
    let disabled = ColorPolicy(isTerminal: false, environment: [:], noColorFlag: false)

    #expect(enabled.paint("error:", "1;31") == "\u{1B}[1;31merror:\u{1B}[0m")
    #expect(disabled.paint("error:", "1;31") == "error:")
  }
}
