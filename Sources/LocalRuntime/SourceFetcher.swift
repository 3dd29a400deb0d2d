import Basics
import Foundation
import FunctionsCore

/// Clones function sources from git and moves them to the newest commit of their ref.
public struct SourceFetcher: Sendable {
  let runner: ProcessRunner
  let environment: [String: String]
  let layout: StateLayout

  public init(runner: ProcessRunner = ProcessRunner(), environment: [String: String], layout: StateLayout) {
    self.runner = runner
    self.environment = environment
    self.layout = layout
  }

  /// A cloned source.
  public struct Clone: Sendable {
    public let directory: String
    public let functionDirectory: String
    public let commit: String
  }

  /// Clones `source` shallowly (only `source.path` is checked out) into the cache, replacing an earlier
  /// clone for the same function, and checks that no symbolic link in it points outside the clone.
  public func clone(_ source: GitSource, name: String) throws -> Clone {
    let key = SHA256.hexDigest(of: "\(source.cloneURL)#\(source.ref ?? ""):\(source.path)").prefix(10)
    let directory = "\(layout.cacheDirectory)/sources/\(name)-\(key)"
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(
      atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)

    var arguments = ["clone", "--quiet", "--depth", "1"]
    if let ref = source.ref { arguments += ["--branch", ref] }
    if !source.path.isEmpty { arguments += ["--sparse"] }
    arguments += ["--", source.cloneURL, directory]
    do {
      try git(arguments)
      if !source.path.isEmpty { try git(["-C", directory, "sparse-checkout", "set", "--", source.path]) }
      let functionDirectory = source.path.isEmpty ? directory : "\(directory)/\(source.path)"
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: functionDirectory, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw RuntimeError.io(
          "the repository has no folder '\(source.path)' at \(source.ref ?? "its default branch")")
      }
      try checkSymbolicLinks(in: functionDirectory, staysIn: directory)
      return Clone(
        directory: directory, functionDirectory: functionDirectory, commit: try commit(in: directory))
    } catch {
      try? FileManager.default.removeItem(atPath: directory)
      throw error
    }
  }

  /// Fetches the newest commit of the source's ref and moves the clone to it; returns the old and new commits.
  public func update(cloneDirectory: String, source: GitSource) throws -> (old: String, new: String) {
    let old = try commit(in: cloneDirectory)
    try git(["-C", cloneDirectory, "fetch", "--quiet", "--depth", "1", "origin", source.ref ?? "HEAD"])
    try git(["-C", cloneDirectory, "reset", "--quiet", "--hard", "FETCH_HEAD"])
    let functionDirectory = source.path.isEmpty ? cloneDirectory : "\(cloneDirectory)/\(source.path)"
    try checkSymbolicLinks(in: functionDirectory, staysIn: cloneDirectory)
    return (old, try commit(in: cloneDirectory))
  }

  private func commit(in directory: String) throws -> String {
    try git(["-C", directory, "rev-parse", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Rejects a clone whose symbolic links point outside it, so a repository cannot make the tool read or
  /// write elsewhere on the machine.
  func checkSymbolicLinks(in directory: String, staysIn root: String) throws {
    let rootPath = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return }
    for case let relative as String in enumerator {
      let path = "\(directory)/\(relative)"
      guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
        continue
      }
      let absolute =
        destination.hasPrefix("/")
        ? destination
        : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
      let resolved = URL(fileURLWithPath: absolute).standardized.path
      guard resolved == rootPath || resolved.hasPrefix(rootPath + "/") else {
        throw RuntimeError.io(
          "the repository's symbolic link \(relative) points outside it (\(destination)); it was not added")
      }
    }
  }

  @discardableResult
  private func git(_ arguments: [String]) throws -> ProcessResult {
    var environment = self.environment
    environment["GIT_TERMINAL_PROMPT"] = "0"
    // Only transports that do not run commands: ext:: and fd:: stay off, whatever the user's git config sets.
    environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh"
    let result = try runner.run(
      ProcessSpec(
        executable: "git", arguments: ["-c", "protocol.ext.allow=never"] + arguments, environment: environment
      ),
      timeout: .seconds(300))
    guard result.termination.isSuccess else { throw ProcessError.failed(result) }
    return result
  }
}
