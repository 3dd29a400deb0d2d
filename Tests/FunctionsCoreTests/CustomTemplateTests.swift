import Testing

@testable import FunctionsCore

/// Variable substitution and link checks of template folders.
@Suite("CustomTemplate")
struct CustomTemplateTests {
  @Test(
    "substitution",
    arguments: [
      ("{{name}}", "fn"),
      ("a {{ name }} b", "a fn b"),
      ("{{team}}/{{name}}", "core/fn"),
      ("{{unknown}} stays", "{{unknown}} stays"),
      ("open {{name", "open {{name"),
      ("no braces", "no braces"),
      ("{{name}}{{name}}", "fnfn"),
    ])
  func substitution(_ input: String, _ expected: String) {
    #expect(CustomTemplate.substitute(input, values: ["name": "fn", "team": "core"]) == expected)
  }

  @Test(
    "links",
    arguments: [
      ("README.md", "docs/readme.md", true),
      ("docs/link", "../main.py", true),
      ("link", "../outside", false),
      ("docs/link", "../../outside", false),
      ("link", "/etc/passwd", false),
      ("a/b/link", "./../../c", true),
    ])
  func links(_ link: String, _ target: String, _ staysInside: Bool) {
    #expect(CustomTemplate.staysInside(link: link, target: target) == staysInside)
  }

  @Test(
    "variable names", arguments: [("team", true), ("_x1", true), ("1x", false), ("a-b", false), ("", false)])
  func variableNames(_ name: String, _ valid: Bool) {
    #expect(CustomTemplate.isVariableName(name) == valid)
  }
}
