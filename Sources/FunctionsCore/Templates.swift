import Foundation

/// The starter functions `functions new` writes.
public enum TemplateKind: String, CaseIterable, Sendable {
  case http
  case pubsub
  /// A plain AWS Lambda event handler.
  case event

  public var defaultEntryPoint: String {
    switch self {
    case .http: "hello_http"
    case .pubsub: "hello_pubsub"
    case .event: "handler"
    }
  }
}

/// Errors while writing a template.
public enum TemplateError: Error, CustomStringConvertible, Sendable {
  case existingFiles(directory: String, files: [String])
  case cannotWrite(path: String, reason: String)

  public var description: String {
    switch self {
    case .existingFiles(let directory, let files):
      "\(directory) already contains \(files.joined(separator: ", ")); 'functions new' never overwrites "
        + "files: pick another name or --dir, or adopt the directory with 'functions add \(directory)'"
    case .cannotWrite(let path, let reason):
      "cannot write \(path): \(reason)"
    }
  }
}

/// Writes a template's files.
public enum Templates {
  /// Returns the files of a template, by path relative to the function's directory.
  public static func files(for kind: TemplateKind, manifest: Manifest) -> [(String, String)] {
    if manifest.provider == .aws {
      return AWSTemplates.files(isHTTP: kind == .http, manifest: manifest)
    }
    let source: String
    switch kind {
    case .http: source = httpSource(entryPoint: manifest.entryPoint)
    case .pubsub, .event: source = pubsubSource(entryPoint: manifest.entryPoint)
    }
    return [
      (manifest.source, source),
      ("requirements.txt", "functions-framework==3.*\n"),
      (Manifest.fileName, manifest.jsonText()),
      (".gitignore", "__pycache__/\n*.pyc\n.env\n.venv/\n"),
    ]
  }

  /// Creates `directory` and writes the files; checks first that none exists, and removes what it wrote
  /// if a write fails, so a failure leaves nothing half-written.
  public static func write(_ files: [(String, String)], into directory: String) throws(TemplateError) {
    let manager = FileManager.default
    let existing = files.map(\.0).filter { manager.fileExists(atPath: "\(directory)/\($0)") }
    guard existing.isEmpty else { throw .existingFiles(directory: directory, files: existing) }

    let createdDirectory = !manager.fileExists(atPath: directory)
    var written: [String] = []
    do {
      try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
      for (relativePath, content) in files {
        let path = "\(directory)/\(relativePath)"
        // `.withoutOverwriting` fails if another process created the file since the check above.
        try Data(content.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        written.append(path)
        if AWSTemplates.executableFiles.contains(relativePath) {
          try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
      }
    } catch {
      for path in written { try? manager.removeItem(atPath: path) }
      if createdDirectory { try? manager.removeItem(atPath: directory) }
      throw .cannotWrite(path: directory, reason: error.localizedDescription)
    }
  }

  static func httpSource(entryPoint: String) -> String {
    """
    import functions_framework


    @functions_framework.http
    def \(entryPoint)(request):
        \"\"\"Return a greeting for the name in a JSON body ({"name": "Ada"}) or the query (?name=Ada).\"\"\"
        body = request.get_json(silent=True)
        if isinstance(body, dict) and "name" in body:
            name = body["name"]
        elif "name" in request.args:
            name = request.args["name"]
        else:
            name = "World"
        return f"Hello {name}!"

    """
  }

  static func pubsubSource(entryPoint: String) -> String {
    """
    import base64

    import functions_framework


    @functions_framework.cloud_event
    def \(entryPoint)(cloud_event):
        \"\"\"Log a greeting for each Pub/Sub message; the message data is the name to greet.\"\"\"
        data = cloud_event.data["message"].get("data", "")
        name = base64.b64decode(data).decode("utf-8") if data else "World"
        print(f"Hello {name}!")

    """
  }
}
