import Foundation

/// A Node.js function's `node_modules` folder, which the docker backend copies into the image as it is.
///
/// The image build runs with the network off and `functions` installs nothing from npm (the process
/// backend and Lambda packages use the same folder), so the dependencies must be installed in the
/// function's directory before the build.
enum NodeModules {
  static let folderName = "node_modules"

  /// Returns whether the function's directory has a `node_modules` folder.
  static func exists(in directory: String) -> Bool {
    var isDirectory: ObjCBool = false
    let path = (directory as NSString).appendingPathComponent(folderName)
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// Throws when `package.json` lists `dependencies` that the function's own `node_modules` lacks.
  ///
  /// Only the function's own folder goes into the image, so a package that Node.js finds in a parent
  /// folder on the host (a workspace or monorepo) is missing in the container.
  static func checkDependencies(in directory: String) throws {
    let manifestPath = (directory as NSString).appendingPathComponent("package.json")
    guard let data = FileManager.default.contents(atPath: manifestPath) else { return }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw DockerError.io("\(manifestPath) is not valid JSON; fix it and build again")
    }
    guard let dependencies = (object as? [String: Any])?["dependencies"] as? [String: Any] else { return }
    let missing = dependencies.keys.sorted().filter { name in
      let path = "\(directory)/\(folderName)/\(name)"
      return (try? FileManager.default.attributesOfItem(atPath: path)) == nil
    }
    guard !missing.isEmpty else { return }
    throw DockerError.missingNodeModules(directory: directory, packages: missing)
  }

  /// Returns the paths, relative to the function's directory, of the regular files and symbolic links in
  /// `node_modules`, sorted. The names excluded from the function's own files stay in, because a package
  /// may ship any of them.
  static func entries(in directory: String) throws -> [String] {
    let root = (directory as NSString).appendingPathComponent(folderName)
    guard let enumerator = FileManager.default.enumerator(atPath: root) else {
      throw DockerError.io("cannot read \(root)")
    }
    var entries: [String] = []
    while let relative = enumerator.nextObject() as? String {
      let type = enumerator.fileAttributes?[.type] as? FileAttributeType
      if type == .typeRegular || type == .typeSymbolicLink { entries.append("\(folderName)/\(relative)") }
    }
    return entries.sorted()
  }
}
