import Basics
import Foundation
import FunctionsCore
import Testing

/// gitignore matching as the watcher uses it, with expected results from git's documentation ("gitignore",
/// PATTERN FORMAT). Callers never look inside an ignored folder, so the cases name the folder itself.
@Suite("IgnorePatterns of a function")
struct FunctionIgnorePatternsTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let patterns: String
    let path: String
    let isDirectory: Bool
    let ignored: Bool
    var testDescription: String { "\(patterns.replacingOccurrences(of: "\n", with: " | ")) ~ \(path)" }
  }

  static let cases: [Case] = [
    // A pattern without a slash matches a name at any depth.
    Case(patterns: "*.log", path: "debug.log", isDirectory: false, ignored: true),
    Case(patterns: "*.log", path: "logs/deep/debug.log", isDirectory: false, ignored: true),
    Case(patterns: "*.log", path: "debug.log.txt", isDirectory: false, ignored: false),
    // A leading slash anchors the pattern to the directory.
    Case(patterns: "/build", path: "build", isDirectory: true, ignored: true),
    Case(patterns: "/build", path: "src/build", isDirectory: true, ignored: false),
    // A slash in the middle anchors it too.
    Case(patterns: "doc/frotz", path: "doc/frotz", isDirectory: false, ignored: true),
    Case(patterns: "doc/frotz", path: "a/doc/frotz", isDirectory: false, ignored: false),
    // A trailing slash matches directories only, and everything inside them.
    Case(patterns: "cache/", path: "cache", isDirectory: false, ignored: false),
    Case(patterns: "cache/", path: "cache", isDirectory: true, ignored: true),
    Case(patterns: "cache/", path: "sub/cache", isDirectory: true, ignored: true),
    // `*` does not cross a slash; `?` is one character; brackets are a class.
    Case(patterns: "/src/*.py", path: "src/app.py", isDirectory: false, ignored: true),
    Case(patterns: "/src/*.py", path: "src/pkg/app.py", isDirectory: false, ignored: false),
    Case(patterns: "file?.txt", path: "file1.txt", isDirectory: false, ignored: true),
    Case(patterns: "file?.txt", path: "file10.txt", isDirectory: false, ignored: false),
    Case(patterns: "[ab].txt", path: "b.txt", isDirectory: false, ignored: true),
    Case(patterns: "[ab].txt", path: "c.txt", isDirectory: false, ignored: false),
    // `**` spans any number of directories.
    Case(patterns: "**/foo", path: "foo", isDirectory: false, ignored: true),
    Case(patterns: "**/foo", path: "a/b/foo", isDirectory: false, ignored: true),
    Case(patterns: "a/**/b", path: "a/b", isDirectory: false, ignored: true),
    Case(patterns: "a/**/b", path: "a/x/y/b", isDirectory: false, ignored: true),
    Case(patterns: "abc/**", path: "abc/x/y", isDirectory: false, ignored: true),
    // The last matching pattern wins, and `!` includes again.
    Case(patterns: "*.txt\n!keep.txt", path: "keep.txt", isDirectory: false, ignored: false),
    Case(patterns: "*.txt\n!keep.txt", path: "drop.txt", isDirectory: false, ignored: true),
    Case(patterns: "!keep.txt\n*.txt", path: "keep.txt", isDirectory: false, ignored: true),
    // Comments and blank lines match nothing; a backslash escapes a leading `#`.
    Case(patterns: "# comment\n\n", path: "# comment", isDirectory: false, ignored: false),
    Case(patterns: "\\#notes", path: "#notes", isDirectory: false, ignored: true),
    // Trailing spaces are dropped.
    Case(patterns: "tmp   ", path: "tmp", isDirectory: false, ignored: true),
  ]

  @Test("gitignore rules", arguments: cases)
  func rule(_ example: Case) {
    let patterns = IgnorePatterns(text: example.patterns)
    #expect(patterns.isIgnored(example.path, isDirectory: example.isDirectory) == example.ignored)
  }

  @Test("built-in patterns")
  func builtIn() {
    let patterns = IgnorePatterns.builtIn
    #expect(patterns.isIgnored(".git", isDirectory: true))
    #expect(patterns.isIgnored("pkg/__pycache__/mod.cpython-311.pyc", isDirectory: false))
    #expect(patterns.isIgnored(".main.py.swp", isDirectory: false))
    #expect(patterns.isIgnored("node_modules", isDirectory: true))
    #expect(!patterns.isIgnored("main.py", isDirectory: false))
    #expect(!patterns.isIgnored("requirements.txt", isDirectory: false))
  }

  @Test("function files combine in order")
  func loadCombines() throws {
    try ScratchDirectory.with { directory in
      try Data("*.log\n".utf8).write(to: URL(fileURLWithPath: directory + "/.gitignore"))
      try Data("!keep.log\nfixtures/\n".utf8).write(to: URL(fileURLWithPath: directory + "/.functionsignore"))
      let patterns = IgnorePatterns.load(forFunctionIn: directory)
      #expect(patterns.isIgnored("app.log", isDirectory: false))
      #expect(!patterns.isIgnored("keep.log", isDirectory: false))
      #expect(patterns.isIgnored("fixtures", isDirectory: true))
      #expect(patterns.isIgnored("__pycache__", isDirectory: true))
    }
  }

  @Test("nested .gitignore applies inside its folder")
  func nestedGitignore() throws {
    try ScratchDirectory.with { directory in
      let write = { (text: String, path: String) throws in
        let url = URL(fileURLWithPath: directory + "/" + path)
        try FileManager.default.createDirectory(
          at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
      }
      try write("*.tmp\nskipped/\n", ".gitignore")
      // As in git, a pattern with a slash is anchored to the folder of its file, and a deeper file
      // takes precedence over the one above it.
      try write("/out\n*.csv\n!keep.tmp\n", "data/.gitignore")
      try write("*.py\n", "skipped/.gitignore")
      let patterns = IgnorePatterns.load(forFunctionIn: directory)

      #expect(patterns.isIgnored("data/out", isDirectory: true))
      #expect(!patterns.isIgnored("out", isDirectory: true))
      #expect(!patterns.isIgnored("data/deep/out", isDirectory: true))
      #expect(patterns.isIgnored("data/deep/table.csv", isDirectory: false))
      #expect(!patterns.isIgnored("table.csv", isDirectory: false))
      #expect(patterns.isIgnored("other.tmp", isDirectory: false))
      #expect(!patterns.isIgnored("data/keep.tmp", isDirectory: false))
      // The .gitignore inside an ignored folder is never read.
      #expect(!patterns.isIgnored("main.py", isDirectory: false))
    }
  }
}
