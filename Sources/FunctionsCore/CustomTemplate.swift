import Foundation

/// A template folder for `functions new NAME --template SOURCE`: the new function's files, with
/// `template.json` describing the template and its variables.
///
/// ```json
/// {"description": "An HTTP greeter", "variables": {"greeting": {"description": "The word", "default": "Hello"}}}
/// ```
///
/// Every other file is copied into the new function's folder. In file contents and file names,
/// `{{name}}` becomes the function's name and `{{VARIABLE}}` the variable's value; other text between
/// braces is left alone. The template must contain a `function.json`, whose `name` is set to the new name.
public struct CustomTemplate: Sendable, Equatable {
  /// One variable that the template declares.
  public struct Variable: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The value used when `--set` does not give one; a variable without a default is required.
    public var defaultValue: String?
  }

  public static let descriptorName = "template.json"

  public let directory: String
  public let description: String?
  public let variables: [Variable]

  /// Reads the template in `directory`.
  public init(directory: String) throws(CustomTemplateError) {
    self.directory = directory
    let descriptor = directory + "/" + Self.descriptorName
    guard let data = FileManager.default.contents(atPath: descriptor) else {
      throw .notATemplate(directory: directory)
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw .invalidDescriptor(path: descriptor, reason: "expected a JSON object")
    }
    description = object["description"] as? String
    var variables: [Variable] = []
    if let declared = object["variables"] {
      guard let map = declared as? [String: Any] else {
        throw .invalidDescriptor(path: descriptor, reason: "'variables' must be an object")
      }
      for (name, value) in map.sorted(by: { $0.key < $1.key }) {
        guard Self.isVariableName(name), name != "name" else {
          throw .invalidDescriptor(
            path: descriptor,
            reason: "invalid variable name '\(name)': expected letters, digits and underscores, not 'name'")
        }
        guard let details = value as? [String: Any] else {
          throw .invalidDescriptor(path: descriptor, reason: "variable '\(name)' must be an object")
        }
        if let defaultValue = details["default"], !(defaultValue is String) {
          throw .invalidDescriptor(path: descriptor, reason: "the default of '\(name)' must be a string")
        }
        variables.append(
          Variable(
            name: name, description: details["description"] as? String,
            defaultValue: details["default"] as? String))
      }
    }
    self.variables = variables
    guard FileManager.default.fileExists(atPath: directory + "/" + Manifest.fileName) else {
      throw .invalidDescriptor(path: directory, reason: "the template has no \(Manifest.fileName)")
    }
  }

  static func isVariableName(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first,
      first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    return text.unicodeScalars.allSatisfy {
      $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0)
    }
  }

  /// Returns every variable's value: `assignments` first, then the defaults. Fails on an undeclared or a
  /// missing variable.
  public func values(for functionName: String, assignments: [String: String]) throws(CustomTemplateError)
    -> [String: String]
  {
    let declared = Set(variables.map(\.name))
    for name in assignments.keys.sorted() where !declared.contains(name) {
      throw .unknownVariable(name: name, declared: variables.map(\.name))
    }
    var values = ["name": functionName]
    for variable in variables {
      guard let value = assignments[variable.name] ?? variable.defaultValue else {
        throw .missingVariable(name: variable.name, description: variable.description)
      }
      values[variable.name] = value
    }
    return values
  }

  /// Copies the template into `destination`, which must not exist, replacing the variables. Symbolic links
  /// are copied only when they point inside the template; nothing is left behind on failure.
  public func render(into destination: String, values: [String: String]) throws(CustomTemplateError) {
    let manager = FileManager.default
    guard !manager.fileExists(atPath: destination) else { throw .destinationExists(destination) }
    do {
      try manager.createDirectory(atPath: destination, withIntermediateDirectories: false)
      try copyTree(relative: "", into: destination, values: values)
      try setManifestName(in: destination, to: values["name"] ?? "")
    } catch let error as CustomTemplateError {
      try? manager.removeItem(atPath: destination)
      throw error
    } catch {
      try? manager.removeItem(atPath: destination)
      throw .cannotWrite(path: destination, reason: error.localizedDescription)
    }
  }

  private func copyTree(relative: String, into destination: String, values: [String: String]) throws {
    let manager = FileManager.default
    let source = relative.isEmpty ? directory : directory + "/" + relative
    for name in try manager.contentsOfDirectory(atPath: source).sorted() {
      if relative.isEmpty && (name == Self.descriptorName || name == ".git") { continue }
      let childRelative = relative.isEmpty ? name : relative + "/" + name
      let sourcePath = directory + "/" + childRelative
      let targetRelative = Self.substitute(childRelative, values: values)
      let targetComponents = targetRelative.split(separator: "/", omittingEmptySubsequences: false)
      // A value with a slash would move the file into other folders, and `..` out of the function's folder.
      guard targetComponents.count == childRelative.split(separator: "/").count,
        !targetComponents.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
      else {
        throw CustomTemplateError.escapingPath(childRelative)
      }
      let targetPath = destination + "/" + targetRelative
      let attributes = try manager.attributesOfItem(atPath: sourcePath)
      switch attributes[.type] as? FileAttributeType {
      case .typeSymbolicLink:
        let target = try manager.destinationOfSymbolicLink(atPath: sourcePath)
        guard Self.staysInside(link: childRelative, target: target) else {
          throw CustomTemplateError.escapingLink(path: childRelative, target: target)
        }
        try manager.createSymbolicLink(atPath: targetPath, withDestinationPath: target)
      case .typeDirectory:
        try manager.createDirectory(atPath: targetPath, withIntermediateDirectories: true)
        try copyTree(relative: childRelative, into: destination, values: values)
      case .typeRegular:
        let data = try Data(contentsOf: URL(fileURLWithPath: sourcePath))
        // Files that are not UTF-8 text, such as images, are copied unchanged.
        let content: Data
        if let text = String(data: data, encoding: .utf8) {
          content = Data(Self.substitute(text, values: values).utf8)
        } else {
          content = data
        }
        try content.write(to: URL(fileURLWithPath: targetPath), options: .withoutOverwriting)
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
        try manager.setAttributes(
          [.posixPermissions: permissions & 0o111 != 0 ? 0o755 : 0o644], ofItemAtPath: targetPath)
      default:
        throw CustomTemplateError.unsupportedFile(childRelative)
      }
    }
  }

  /// Returns whether a relative link at `link` (relative to the template) resolves inside the template.
  static func staysInside(link: String, target: String) -> Bool {
    guard !target.hasPrefix("/") else { return false }
    var components = link.split(separator: "/").dropLast().map(String.init)
    for part in target.split(separator: "/") {
      switch part {
      case ".": continue
      case "..":
        guard !components.isEmpty else { return false }
        components.removeLast()
      default: components.append(String(part))
      }
    }
    return true
  }

  /// Replaces `{{name}}` and `{{VARIABLE}}` with their values, allowing spaces inside the braces.
  static func substitute(_ text: String, values: [String: String]) -> String {
    guard text.contains("{{") else { return text }
    var result = ""
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      result += rest[..<open.lowerBound]
      let afterOpen = rest[open.upperBound...]
      guard let close = afterOpen.range(of: "}}") else {
        result += rest[open.lowerBound...]
        return result
      }
      let key = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      if let value = values[key] {
        result += value
      } else {
        result += rest[open.lowerBound..<close.upperBound]
      }
      rest = afterOpen[close.upperBound...]
    }
    return result + rest
  }

  private func setManifestName(in destination: String, to name: String) throws {
    let path = destination + "/" + Manifest.fileName
    guard let data = FileManager.default.contents(atPath: path),
      var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else {
      throw CustomTemplateError.invalidDescriptor(
        path: directory + "/" + Manifest.fileName,
        reason: "it is not a JSON object after the variables were set")
    }
    object["name"] = name
    let output = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try (output + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
  }
}

/// A template that cannot be used, with the reason and the fix.
public enum CustomTemplateError: Error, CustomStringConvertible, Equatable {
  case notATemplate(directory: String)
  case invalidDescriptor(path: String, reason: String)
  case unknownVariable(name: String, declared: [String])
  case missingVariable(name: String, description: String?)
  case destinationExists(String)
  case escapingLink(path: String, target: String)
  case escapingPath(String)
  case unsupportedFile(String)
  case cannotWrite(path: String, reason: String)

  public var description: String {
    switch self {
    case .notATemplate(let directory):
      return "\(directory) is not a template: it has no \(CustomTemplate.descriptorName); "
        + "point --template at a folder that contains one"
    case .invalidDescriptor(let path, let reason):
      return "invalid template \(path): \(reason)"
    case .unknownVariable(let name, let declared):
      let known = declared.isEmpty ? "it declares none" : "it declares " + declared.joined(separator: ", ")
      return "the template has no variable '\(name)'; \(known)"
    case .missingVariable(let name, let description):
      let about = description.map { " (\($0))" } ?? ""
      return "the template needs a value for '\(name)'\(about); add --set \(name)=VALUE"
    case .destinationExists(let path):
      return "\(path) already exists; remove it or choose another name or --dir"
    case .escapingLink(let path, let target):
      return "the template's symbolic link \(path) points outside the template (\(target)); it was not copied"
    case .escapingPath(let path):
      return
        "the template file name \(path) would contain '/' or become '.', '..' or empty once its variables "
        + "are set; give those variables values without '/'"
    case .unsupportedFile(let path):
      return "the template contains \(path), which is neither a file, a folder nor a symbolic link"
    case .cannotWrite(let path, let reason):
      return "cannot write \(path): \(reason)"
    }
  }
}
