import Foundation

/// Finds programs on `PATH`.
public enum ExecutableLookup {
  /// Returns the absolute path of `name`: itself when it contains a slash, otherwise the first
  /// executable file of that name in the environment's `PATH`.
  public static func find(_ name: String, environment: [String: String]) -> String? {
    if name.contains("/") {
      return FileManager.default.isExecutableFile(atPath: name) ? name : nil
    }
    let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/\(name)"
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
        FileManager.default.isExecutableFile(atPath: candidate)
      {
        return candidate
      }
    }
    return nil
  }
}

/// Quotes arguments the way a POSIX shell reads them, for messages and `--dry-run` output.
public enum ShellQuoting {
  public static func quote(_ argument: String) -> String {
    let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:@%+,"))
    if !argument.isEmpty, argument.unicodeScalars.allSatisfy({ safe.contains($0) }) {
      return argument
    }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  public static func join(_ arguments: [String]) -> String {
    arguments.map(quote).joined(separator: " ")
  }
}
