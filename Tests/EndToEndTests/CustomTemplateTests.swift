import Basics
import Foundation
import Testing

/// `functions new NAME --template SOURCE` with template folders from a directory or a git repository.
@Suite("Custom templates", .timeLimit(.minutes(5)))
struct CustomTemplateE2ETests {
  /// Writes a small template with one required and one defaulted variable.
  private func makeTemplate(at directory: String) throws {
    let files = [
      "template.json":
        #"{"description": "A greeter", "variables": {"team": {}, "greeting": {"default": "Hello"}}}"#,
      "function.json":
        #"{"version": 1, "name": "{{name}}", "entryPoint": "greet", "environment": {"TEAM": "{{team}}"}}"#,
      "main.py": "import functions_framework\n\n@functions_framework.http\ndef greet(request):\n"
        + "    return '{{ greeting }} from {{name}}'\n",
      "docs/{{name}}.md": "# {{name}}\nKeep {{unknown}} as it is.\n",
    ]
    for (path, content) in files {
      let full = directory + "/" + path
      try FileManager.default.createDirectory(
        atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(content.utf8).write(to: URL(fileURLWithPath: full))
    }
  }

  @Test("local template renders and registers")
  func localTemplate() throws {
    let sandbox = try Sandbox()
    let template = sandbox.root + "/templates/greeter"
    try makeTemplate(at: template)

    let created = try sandbox.run(["new", "hi", "--template", template, "--set", "team=core"])
    #expect(created.status == 0, "\(created.stderr)")
    #expect(sandbox.read("hi/main.py")?.contains("return 'Hello from hi'") == true)
    #expect(sandbox.read("hi/docs/hi.md") == "# hi\nKeep {{unknown}} as it is.\n")
    #expect(sandbox.read("hi/template.json") == nil)
    let manifest = try #require(sandbox.read("hi/function.json"))
    #expect(manifest.contains("\"name\" : \"hi\""))
    #expect(manifest.contains("\"TEAM\" : \"core\""))
    #expect(try sandbox.state(of: "hi") == "new")
    #expect(try sandbox.run(["describe", "hi"]).stdout.contains("Entry point: greet"))
  }

  @Test("missing or unknown variable leaves nothing")
  func variableErrors() throws {
    let sandbox = try Sandbox()
    let template = sandbox.root + "/templates/greeter"
    try makeTemplate(at: template)

    let missing = try sandbox.run(["new", "hi", "--template", template])
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("needs a value for 'team'; add --set team=VALUE"))
    let unknown = try sandbox.run([
      "new", "hi", "--template", template, "--set", "team=a", "--set", "color=red",
    ])
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("has no variable 'color'; it declares greeting, team"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.work).isEmpty)
    #expect(try sandbox.list().isEmpty)
  }

  @Test("link out of template is rejected")
  func escapingLink() throws {
    let sandbox = try Sandbox()
    let template = sandbox.root + "/templates/greeter"
    try makeTemplate(at: template)
    try FileManager.default.createSymbolicLink(
      atPath: template + "/secrets", withDestinationPath: "../../../etc")

    let created = try sandbox.run(["new", "hi", "--template", template, "--set", "team=a"])
    #expect(created.status == 1)
    #expect(created.stderr.contains("symbolic link secrets points outside the template"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.work).isEmpty)
    #expect(try sandbox.list().isEmpty)
  }

  @Test("link inside template is kept")
  func insideLink() throws {
    let sandbox = try Sandbox()
    let template = sandbox.root + "/templates/greeter"
    try makeTemplate(at: template)
    try FileManager.default.createSymbolicLink(
      atPath: template + "/README.md", withDestinationPath: "docs/{{name}}.md")

    #expect(try sandbox.run(["new", "hi", "--template", template, "--set", "team=a"]).status == 0)
    let target = try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.work + "/hi/README.md")
    #expect(target == "docs/{{name}}.md")
  }

  @Test("template from a git repository")
  func gitTemplate() throws {
    let sandbox = try Sandbox()
    let bare = sandbox.root + "/templates.git"
    let seed = sandbox.root + "/seed"
    try git(["init", "--quiet", "--bare", "--initial-branch=main", bare], in: sandbox.root)
    try git(["init", "--quiet", "--initial-branch=main", seed], in: sandbox.root)
    try makeTemplate(at: seed + "/greeter")
    try git(["add", "."], in: seed)
    try git(["commit", "--quiet", "-m", "template"], in: seed)
    try git(["push", "--quiet", bare, "main"], in: seed)

    let created = try sandbox.run(
      [
        "new", "from-git", "--template", "file://\(bare)#main:greeter", "--set", "team=web", "--set",
        "greeting=Hi",
      ])
    #expect(created.status == 0, "\(created.stderr)")
    #expect(sandbox.read("from-git/main.py")?.contains("return 'Hi from from-git'") == true)
    // The clone was only needed to copy the template.
    let sources = sandbox.home + "/cache/sources"
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: sources)) ?? []).isEmpty)

    let injected = try sandbox.run(["new", "bad", "--template", "--upload-pack=touch /tmp/x"])
    #expect(injected.status == 64)
  }
}
