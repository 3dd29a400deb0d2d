import Foundation
import Testing

@testable import FunctionsCore

private let httpManifest = Manifest(name: "hello", entryPoint: "hello_http", trigger: .http)
private let pubsubManifest = Manifest(
  name: "orders", entryPoint: "hello_pubsub", trigger: .pubsub(topic: "orders"))

private func contents(of path: String) -> String? {
  FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

@Suite("Templates")
struct TemplatesTests {
  @Test("files of each template")
  func filesList() {
    for (kind, manifest) in [(TemplateKind.http, httpManifest), (.pubsub, pubsubManifest)] {
      let paths = Templates.files(for: kind, manifest: manifest).map(\.0)
      #expect(paths == ["main.py", "requirements.txt", "function.json", ".gitignore"])
    }
  }

  @Test("source file follows manifest")
  func sourceFollowsManifest() {
    var manifest = httpManifest
    manifest.source = "app.py"
    let paths = Templates.files(for: .http, manifest: manifest).map(\.0)
    #expect(paths.first == "app.py")
  }

  @Test("HTTP source greets by name")
  func httpSource() throws {
    let files = Dictionary(uniqueKeysWithValues: Templates.files(for: .http, manifest: httpManifest))
    let source = try #require(files["main.py"])

    #expect(source.contains("@functions_framework.http\ndef hello_http(request):"))
    #expect(source.contains("return f\"Hello {name}!\""))
  }

  @Test("Pub/Sub source takes a CloudEvent")
  func pubsubSource() throws {
    let files = Dictionary(uniqueKeysWithValues: Templates.files(for: .pubsub, manifest: pubsubManifest))
    let source = try #require(files["main.py"])

    #expect(source.contains("@functions_framework.cloud_event\ndef hello_pubsub(cloud_event):"))
    #expect(source.contains("base64.b64decode(data)"))
  }

  @Test("requirements and manifest files")
  func requirementsAndManifest() throws {
    let files = Dictionary(uniqueKeysWithValues: Templates.files(for: .pubsub, manifest: pubsubManifest))

    #expect(files["requirements.txt"] == "functions-framework==3.*\n")
    let manifestText = try #require(files["function.json"])
    let (parsed, warnings) = try ManifestReader.parse(Data(manifestText.utf8), path: "function.json")
    #expect(parsed == pubsubManifest)
    #expect(warnings.isEmpty)
  }

  @Test("default entry points")
  func defaultEntryPoints() {
    #expect(TemplateKind.http.defaultEntryPoint == "hello_http")
    #expect(TemplateKind.pubsub.defaultEntryPoint == "hello_pubsub")
  }

  @Test("write creates the directory")
  func writeCreatesDirectory() throws {
    try ScratchDirectory.with { scratch in
      let directory = "\(scratch)/nested/hello"
      let files = Templates.files(for: .http, manifest: httpManifest)

      try Templates.write(files, into: directory)

      for (path, content) in files {
        #expect(contents(of: "\(directory)/\(path)") == content, "\(path)")
      }
    }
  }

  @Test("write never overwrites files")
  func writeNeverOverwrites() throws {
    try ScratchDirectory.with { directory in
      let existing = Data("{\"mine\": true}\n".utf8)
      try existing.write(to: URL(fileURLWithPath: "\(directory)/function.json"))
      try Data("print('mine')\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/main.py"))

      let error = #expect(throws: TemplateError.self) {
        try Templates.write(Templates.files(for: .http, manifest: httpManifest), into: directory)
      }

      #expect(
        error?.description
          == "\(directory) already contains main.py, function.json; 'functions new' never overwrites files: "
          + "pick another name or --dir, or adopt the directory with 'functions add \(directory)'")
      #expect(FileManager.default.contents(atPath: "\(directory)/function.json") == existing)
      #expect(contents(of: "\(directory)/main.py") == "print('mine')\n")
      #expect(!FileManager.default.fileExists(atPath: "\(directory)/requirements.txt"))
      #expect(!FileManager.default.fileExists(atPath: "\(directory)/.gitignore"))
    }
  }

  @Test("failed write removes new directory")
  func failedWriteRemovesDirectory() throws {
    try ScratchDirectory.with { scratch in
      let directory = "\(scratch)/hello"
      // The second file's folder does not exist, so its write fails after the first file is written.
      let files = [("a.txt", "first\n"), ("missing/b.txt", "second\n")]

      let error = #expect(throws: TemplateError.self) {
        try Templates.write(files, into: directory)
      }

      #expect(error != nil)
      #expect(!FileManager.default.fileExists(atPath: directory))
    }
  }

  @Test("failed write keeps existing directory")
  func failedWriteKeepsExistingDirectory() throws {
    try ScratchDirectory.with { directory in
      try Data("keep\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/notes.txt"))
      let files = [("a.txt", "first\n"), ("missing/b.txt", "second\n")]

      #expect(throws: TemplateError.self) {
        try Templates.write(files, into: directory)
      }

      #expect(contents(of: "\(directory)/notes.txt") == "keep\n")
      #expect(!FileManager.default.fileExists(atPath: "\(directory)/a.txt"))
    }
  }
}
