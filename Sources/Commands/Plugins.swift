import Basics
import CommandLineKit
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// External commands: an executable named `functions-X` on `PATH` runs as `functions X …`, as git and
/// kubectl do with theirs. Built-in commands always win over a plugin of the same name.
enum Plugins {
  static let prefix = "functions-"

  /// Returns the plugins on `PATH` by command name, the first directory winning, sorted by name.
  static func discover(environment: [String: String]) -> [(name: String, path: String)] {
    var found: [String: String] = [:]
    for directory in (environment["PATH"] ?? "").split(separator: ":") where !directory.isEmpty {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: String(directory)) else {
        continue
      }
      for entry in entries where entry.hasPrefix(prefix) && entry.count > prefix.count {
        let name = String(entry.dropFirst(prefix.count))
        let path = "\(directory)/\(entry)"
        if found[name] == nil, FileManager.default.isExecutableFile(atPath: path) { found[name] = path }
      }
    }
    return found.keys.sorted().map { ($0, found[$0]!) }
  }

  /// Returns the plugin that should run for these arguments: the first argument that is not an option,
  /// when it is no built-in command and a `functions-NAME` executable exists.
  static func plugin(for arguments: [String], root: Command, environment: [String: String]) -> (
    String, [String]
  )? {
    guard let index = arguments.firstIndex(where: { !$0.hasPrefix("-") }) else { return nil }
    let name = arguments[index]
    guard root.subcommand(named: name) == nil, name != "help", !name.contains("/") else { return nil }
    guard let path = ExecutableLookup.find(prefix + name, environment: environment) else { return nil }
    return (path, Array(arguments[(index + 1)...]))
  }

  /// Runs a plugin with the terminal's streams and returns its exit status.
  static func run(_ path: String, arguments: [String], environment: [String: String]) -> Int32 {
    do {
      let pid = try ProcessRunner().start(
        ProcessSpec(executable: path, arguments: arguments, environment: environment, output: .inherit))
      // Ctrl-C reaches the plugin, which shares the terminal's process group; this process waits for it.
      signal(SIGINT, SIG_IGN)
      switch ProcessRunner.wait(for: pid) {
      case .exited(let code): return code
      case .signalled(let number): return 128 + number
      }
    } catch {
      FileHandle.standardError.write(Data("error: cannot run the plugin \(path): \(error)\n".utf8))
      return 1
    }
  }

  /// Returns the help section that lists plugins, or an empty string when there are none.
  static func helpSection(environment: [String: String]) -> String {
    let plugins = discover(environment: environment)
    guard !plugins.isEmpty else { return "" }
    let width = plugins.map(\.name.count).max() ?? 0
    let lines = plugins.map {
      "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.path)"
    }
    return "\nPLUGINS:\n" + lines.joined(separator: "\n") + "\n"
  }
}
