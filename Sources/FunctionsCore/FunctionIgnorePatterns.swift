import Basics
import Foundation

extension IgnorePatterns {
  /// Files that no function needs watched: version control, caches, editor swap files.
  public static let builtIn = IgnorePatterns(
    text: """
      .git/
      .hg/
      .svn/
      __pycache__/
      *.pyc
      .venv/
      venv/
      node_modules/
      .pytest_cache/
      .mypy_cache/
      .ruff_cache/
      *.swp
      *.swx
      *~
      .#*
      4913
      .DS_Store
      """)

  /// Returns the built-in patterns, then every `.gitignore` in `directory` and its folders, then
  /// `.functionsignore` in `directory`. A later file can include again what an earlier one ignores, and a
  /// deeper `.gitignore` comes after the ones above it, because git gives it precedence. Folders that are
  /// already ignored are not searched.
  public static func load(forFunctionIn directory: String) -> IgnorePatterns {
    var patterns = builtIn
    var folders = [""]
    while !folders.isEmpty {
      var deeper: [String] = []
      for folder in folders {
        let path = folder.isEmpty ? directory : directory + "/" + folder
        if let data = FileManager.default.contents(atPath: path + "/.gitignore") {
          let text = String(decoding: data, as: UTF8.self)
          patterns = IgnorePatterns([patterns, IgnorePatterns(text: text, inFolder: folder)])
        }
        deeper += subfolders(of: path, relative: folder).filter { !patterns.isIgnored($0, isDirectory: true) }
      }
      folders = deeper.sorted()
    }
    if let data = FileManager.default.contents(atPath: directory + "/.functionsignore") {
      patterns = IgnorePatterns([patterns, IgnorePatterns(text: String(decoding: data, as: UTF8.self))])
    }
    return patterns
  }

  /// Returns the relative paths of the folders directly inside `path`, without following links.
  private static func subfolders(of path: String, relative: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.compactMap { name in
      let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
      guard attributes?[.type] as? FileAttributeType == .typeDirectory else { return nil }
      return relative.isEmpty ? name : relative + "/" + name
    }
  }
}
