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

  /// Returns the built-in patterns followed by `.gitignore` and `.functionsignore` in `directory`, where
  /// they exist, so a later file can include again what an earlier one ignores.
  public static func load(forFunctionIn directory: String) -> IgnorePatterns {
    var lists = [builtIn]
    for name in [".gitignore", ".functionsignore"] {
      guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
      lists.append(IgnorePatterns(text: String(decoding: data, as: UTF8.self)))
    }
    return IgnorePatterns(lists)
  }
}
