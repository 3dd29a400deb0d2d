import Basics
import Foundation
import Testing

/// Functions added from git, with local bare repositories as remotes (file://).
@Suite("Sources from git", .timeLimit(.minutes(5)))
struct GitSourceE2ETests {
  @Test("add from a repository and update")
  func addAndUpdate() throws {
    let sandbox = try Sandbox()
    let bare = sandbox.root + "/remote.git"
    let seed = sandbox.root + "/seed"
    try git(["init", "--quiet", "--bare", "--initial-branch=main", bare], in: sandbox.root)
    try git(["init", "--quiet", "--initial-branch=main", seed], in: sandbox.root)
    #expect(try sandbox.run(["new", "http", "hello", "--dir", seed]).status == 0)
    try FileManager.default.createDirectory(atPath: seed + "/other", withIntermediateDirectories: true)
    try Data("unrelated\n".utf8).write(to: URL(fileURLWithPath: seed + "/other/file.txt"))
    try git(["add", "."], in: seed)
    try git(["commit", "--quiet", "-m", "first"], in: seed)
    try git(["push", "--quiet", bare, "main"], in: seed)
    // The scaffolding registered it in this home; start from a clean registry for the add.
    #expect(try sandbox.run(["remove", "hello"]).status == 0)

    let added = try sandbox.run(["add", "file://\(bare)#main:hello"])
    #expect(added.status == 0, "\(added.stderr)")
    let entry = try #require(try sandbox.list().first { $0["name"] as? String == "hello" })
    let directory = try #require(entry["directory"] as? String)
    #expect(directory.hasSuffix("/hello"))
    #expect(directory.contains("/sources/"))
    // Only the function's folder was checked out.
    #expect(
      !FileManager.default.fileExists(atPath: (directory as NSString).deletingLastPathComponent + "/other"))
    #expect(try sandbox.run(["update", "hello"]).stdout.hasPrefix("hello is up to date at "))

    try Data("# changed\n".utf8).write(to: URL(fileURLWithPath: seed + "/hello/NOTES.md"))
    try git(["add", "."], in: seed)
    try git(["commit", "--quiet", "-m", "second"], in: seed)
    try git(["push", "--quiet", bare, "main"], in: seed)
    let updated = try sandbox.run(["update", "hello"])
    #expect(updated.status == 0, "\(updated.stderr)")
    #expect(updated.stdout.contains(" -> "))
    #expect(FileManager.default.fileExists(atPath: directory + "/NOTES.md"))

    let unsafe = try sandbox.run(["add", "ext::sh -c touch% /tmp/x"])
    #expect(unsafe.status == 64)
    #expect(unsafe.stderr.contains("transport helpers such as 'ext::' are not allowed"))
  }

  @Test("a link out of the clone is rejected")
  func symbolicLinkEscape() throws {
    let sandbox = try Sandbox()
    let bare = sandbox.root + "/remote.git"
    let seed = sandbox.root + "/seed"
    try git(["init", "--quiet", "--bare", "--initial-branch=main", bare], in: sandbox.root)
    try git(["init", "--quiet", "--initial-branch=main", seed], in: sandbox.root)
    #expect(try sandbox.run(["new", "http", "sneaky", "--dir", seed]).status == 0)
    #expect(try sandbox.run(["remove", "sneaky"]).status == 0)
    try FileManager.default.createSymbolicLink(
      atPath: seed + "/sneaky/passwd", withDestinationPath: "/etc/passwd")
    try git(["add", "."], in: seed)
    try git(["commit", "--quiet", "-m", "link"], in: seed)
    try git(["push", "--quiet", bare, "main"], in: seed)

    let added = try sandbox.run(["add", "file://\(bare)#main:sneaky"])
    #expect(added.status == 1)
    #expect(added.stderr.contains("symbolic link passwd points outside it"))
    #expect(try sandbox.list().isEmpty)
  }
}
