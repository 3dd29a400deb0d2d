import Testing

@testable import Basics

/// Expected results follow the PATTERN FORMAT section of git's gitignore documentation.
@Suite("IgnorePatterns")
struct IgnorePatternsTests {
  struct Case: Sendable, CustomStringConvertible {
    let patterns: String
    let path: String
    let isDirectory: Bool
    let isIgnored: Bool

    init(_ patterns: String, _ path: String, directory: Bool = false, _ isIgnored: Bool) {
      self.patterns = patterns
      self.path = path
      self.isDirectory = directory
      self.isIgnored = isIgnored
    }

    var description: String { "\(patterns.debugDescription) \(path)\(isDirectory ? "/" : "")" }
  }

  static let cases: [Case] = [
    // `*` stays within one path segment and matches at any depth without a slash.
    Case("*.pyc", "a.pyc", true),
    Case("*.pyc", "pkg/sub/a.pyc", true),
    Case("*.pyc", "a.py", false),
    Case("src/*.py", "src/a.py", true),
    Case("src/*.py", "src/deep/a.py", false),
    Case("docs/*", "docs/a.md", true),
    Case("docs/*", "docs", directory: true, false),
    Case("?.txt", "a.txt", true),
    Case("?.txt", "ab.txt", false),
    Case("[ab].txt", "b.txt", true),
    Case("[!ab].txt", "b.txt", false),
    Case("[!ab].txt", "c.txt", true),
    // `**` forms.
    Case("**/logs", "logs", directory: true, true),
    Case("**/logs", "a/b/logs", directory: true, true),
    Case("logs/**", "logs/x/y.txt", true),
    Case("logs/**", "logs", directory: true, false),
    Case("a/**/b", "a/b", true),
    Case("a/**/b", "a/x/y/b", true),
    Case("a/**/b", "c/a/b", false),
    // A leading slash anchors to the root; an inner slash does too.
    Case("/build", "build", directory: true, true),
    Case("/build", "pkg/build", directory: true, false),
    Case("doc/frotz", "doc/frotz", true),
    Case("doc/frotz", "a/doc/frotz", false),
    Case("build", "pkg/build", true),
    // A trailing slash matches directories only.
    Case("cache/", "cache", directory: true, true),
    Case("cache/", "cache", false),
    Case("cache/", "a/cache", directory: true, true),
    // Negation: the last matching pattern decides.
    Case("*.log\n!keep.log", "keep.log", false),
    Case("*.log\n!keep.log", "other.log", true),
    Case("!keep.log\n*.log", "keep.log", true),
    // Comments, blank lines, escapes and trailing spaces.
    Case("# comment\n\n*.tmp", "# comment", false),
    Case("# comment\n\n*.tmp", "x.tmp", true),
    Case("\\#name", "#name", true),
    Case("\\!name", "!name", true),
    Case("name   ", "name", true),
    Case("a\\ ", "a ", true),
    Case("a.b", "axb", false),
  ]

  @Test("gitignore syntax", arguments: cases)
  func matching(testCase: Case) {
    let patterns = IgnorePatterns(text: testCase.patterns)
    #expect(patterns.isIgnored(testCase.path, isDirectory: testCase.isDirectory) == testCase.isIgnored)
  }

  @Test("later lists take precedence")
  func combinedLists() {
    let defaults = IgnorePatterns(text: "/events/\n.env")
    let user = IgnorePatterns(text: "!events/")
    let combined = IgnorePatterns([defaults, user])
    #expect(!combined.isIgnored("events", isDirectory: true))
    #expect(combined.isIgnored(".env", isDirectory: false))
  }

  @Test("unclosed class is literal")
  func unclosedClass() {
    let patterns = IgnorePatterns(text: "a[b")
    #expect(patterns.isIgnored("a[b", isDirectory: false))
  }
}
