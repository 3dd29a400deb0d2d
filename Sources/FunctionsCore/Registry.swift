import Basics
import Foundation

/// A function's local state as the registry records it.
public enum LocalState: String, Codable, Sendable, CaseIterable {
  case new
  case built
  case running
  case stopped
  case crashed
}

/// A function process started by `functions run`.
public struct RunningProcess: Codable, Equatable, Sendable {
  public var pid: Int32
  /// The process group (equal to `pid`, which leads a session of its own).
  public var processGroup: Int32
  /// Start time in clock ticks after boot, to tell the process from a later one that reuses its PID.
  public var startTime: UInt64?
  public var host: String
  public var port: Int
  public var startedAt: Date
  /// True when the function restarts on source changes (`run --watch`).
  public var watches: Bool?

  public init(pid: Int32, processGroup: Int32, startTime: UInt64?, host: String, port: Int, startedAt: Date) {
    self.pid = pid
    self.processGroup = processGroup
    self.startTime = startTime
    self.host = host
    self.port = port
    self.startedAt = startedAt
  }

  /// The URL the function listens on, with IPv6 hosts in brackets.
  public var url: String {
    let shownHost = host == "0.0.0.0" ? "127.0.0.1" : host
    return shownHost.contains(":") ? "http://[\(shownHost)]:\(port)" : "http://\(shownHost):\(port)"
  }

  /// Whether the recorded process is still the one that was started.
  public var isAlive: Bool { ProcessControl.isSameProcess(pid, startTime: startTime) }
}

/// One registered function.
public struct RegistryEntry: Codable, Equatable, Sendable {
  public var name: String
  /// The function's directory (absolute), which contains `function.json`.
  public var directory: String
  public var provider: String
  public var runtime: String
  /// The trigger summary (`http`, `pubsub:orders`), copied from the manifest for fast listing.
  public var trigger: String
  public var state: LocalState
  /// The fingerprint of the environment the last build prepared.
  public var environmentFingerprint: String?
  public var process: RunningProcess?
  /// The backend of the last start (`process` or `docker`); nil for entries written before backends existed.
  public var backend: String?
  public var registeredAt: Date
  /// The git source of a function added from a repository; nil for a local directory.
  public var source: RegisteredSource?
  /// The function's deployment; nil until the first deploy. Added in registry version 2.
  public var deployment: CloudDeployment?

  public init(
    name: String, directory: String, provider: String, runtime: String, trigger: String,
    state: LocalState = .new, registeredAt: Date
  ) {
    self.name = name
    self.directory = directory
    self.provider = provider
    self.runtime = runtime
    self.trigger = trigger
    self.state = state
    self.registeredAt = registeredAt
  }

  /// The state to show: a function recorded as running whose process has died is `crashed`.
  public var effectiveState: LocalState {
    if state == .running, process?.isAlive != true { return .crashed }
    return state
  }

  /// The URL while the function runs.
  public var url: String? { effectiveState == .running || watchedServerIsAlive ? process?.url : nil }

  /// Whether a function run with `--watch` still has its server, even after a change that failed to start
  /// (state `crashed`): the server then returns the failure for every request until the next good save.
  public var watchedServerIsAlive: Bool { process?.watches == true && process?.isAlive == true }

  public var manifestPath: String { (directory as NSString).appendingPathComponent(Manifest.fileName) }
}

/// A git source of a registered function, with the commit it is at.
public struct RegisteredSource: Codable, Equatable, Sendable {
  /// The URL as the user gave it.
  public var url: String
  public var git: GitSource
  public var commit: String
  /// The clone in the cache; the function's directory is inside it.
  public var cloneDirectory: String

  public init(url: String, git: GitSource, commit: String, cloneDirectory: String) {
    self.url = url
    self.git = git
    self.commit = commit
    self.cloneDirectory = cloneDirectory
  }
}

/// The state a provider last reported for a deployed function.
public enum CloudStatus: String, Codable, Sendable, CaseIterable {
  /// Deployed by `functions`, with the code it recorded.
  case deployed
  /// The deployed code is no longer the code `functions` deployed: someone changed it outside the tool.
  case changedOutside = "changed-outside"
  /// The provider no longer has the function.
  case gone
}

/// A function's deployment, as recorded by `deploy` and checked by `sync`.
public struct CloudDeployment: Codable, Equatable, Sendable {
  /// `aws` or `gcp`.
  public var provider: String
  /// The function's name in the cloud.
  public var cloudName: String
  public var region: String?
  /// The Google Cloud project or the AWS profile the deploy used, when one was given.
  public var project: String?
  public var profile: String?
  public var url: String?
  /// The provider's code fingerprint after the deploy (`CodeSha256` on AWS).
  public var codeFingerprint: String?
  /// The fingerprint of the local source that was deployed, to tell whether the local code changed since.
  public var sourceFingerprint: String?
  public var deployedAt: Date
  public var status: CloudStatus
  /// When `sync` last compared the record with the provider.
  public var checkedAt: Date?

  public init(
    provider: String, cloudName: String, region: String? = nil, project: String? = nil,
    profile: String? = nil,
    url: String? = nil, codeFingerprint: String? = nil, sourceFingerprint: String? = nil, deployedAt: Date,
    status: CloudStatus = .deployed, checkedAt: Date? = nil
  ) {
    self.provider = provider
    self.cloudName = cloudName
    self.region = region
    self.project = project
    self.profile = profile
    self.url = url
    self.codeFingerprint = codeFingerprint
    self.sourceFingerprint = sourceFingerprint
    self.deployedAt = deployedAt
    self.status = status
    self.checkedAt = checkedAt
  }
}

/// The registry file's content.
public struct RegistryDocument: Codable, Equatable, Sendable {
  /// Version 2 adds each entry's `deployment`. Version 1 documents are read as they are and written as
  /// version 2, so an older `functions` stops with "upgrade functions" instead of dropping the record.
  public static let currentVersion = 2
  public static let readableVersions = 1...2
  public var version: Int
  public var functions: [String: RegistryEntry]

  public init(functions: [String: RegistryEntry] = [:]) {
    version = Self.currentVersion
    self.functions = functions
  }

  /// The entries sorted by name.
  public var sortedEntries: [RegistryEntry] { functions.values.sorted { $0.name < $1.name } }
}

/// Registry failures. A registry that cannot be read is never overwritten.
public enum RegistryError: Error, CustomStringConvertible, Sendable {
  case corrupt(path: String, reason: String)
  case unsupportedVersion(path: String, found: Int)
  case io(String)
  case notRegistered(String, suggestion: String? = nil)
  case alreadyRegistered(name: String, directory: String)

  public var description: String {
    switch self {
    case .corrupt(let path, let reason):
      "the registry at \(path) is corrupt (\(reason)); it was left untouched: repair it, or move it away "
        + "to start with an empty registry"
    case .unsupportedVersion(let path, let found):
      "the registry at \(path) has version \(found), which this version of functions cannot read "
        + "(it reads versions 1 and \(RegistryDocument.currentVersion)); upgrade functions"
    case .io(let message):
      message
    case .notRegistered(let name, let suggestion?):
      "no function named '\(name)' is registered. Did you mean '\(suggestion)'?"
    case .notRegistered(let name, nil):
      "no function named '\(name)' is registered; see 'functions list', or register one with "
        + "'functions new' or 'functions add'"
    case .alreadyRegistered(let name, let directory):
      "a function named '\(name)' is already registered (in \(directory)); pick another name, or "
        + "'functions remove \(name)' first"
    }
  }
}

/// The record of every function, stored as a versioned JSON document.
///
/// Readers take no lock: writers replace the file atomically, so a reader sees the old or the new
/// document. Every change runs under an exclusive file lock as read, modify, write.
public struct Registry: Sendable {
  public let layout: StateLayout

  public init(layout: StateLayout) {
    self.layout = layout
  }

  public var path: String { layout.registryFile }

  /// Reads the current document; a missing file is an empty registry.
  public func read() throws(RegistryError) -> RegistryDocument {
    guard let data = FileManager.default.contents(atPath: path) else {
      if FileManager.default.fileExists(atPath: path) {
        throw .io("cannot read the registry at \(path); check its permissions")
      }
      return RegistryDocument()
    }
    return try decode(data)
  }

  /// Returns the entry for `name`, or throws `notRegistered`.
  public func entry(named name: String) throws(RegistryError) -> RegistryEntry {
    let document = try read()
    guard let entry = document.functions[name] else {
      throw .notRegistered(
        name, suggestion: Self.closestName(to: name, among: Array(document.functions.keys)))
    }
    return entry
  }

  /// Applies `change` to the document under the lock and writes the result atomically.
  /// Nothing is written when `change` throws.
  @discardableResult
  public func update<T>(_ change: (inout RegistryDocument) throws -> T) throws -> T {
    do {
      try FileManager.default.createDirectory(atPath: layout.dataDirectory, withIntermediateDirectories: true)
    } catch {
      throw RegistryError.io("cannot create \(layout.dataDirectory): \(error.localizedDescription)")
    }
    let lock = try FileLock(path: layout.registryLockFile)
    defer { lock.unlock() }
    var document = try read()
    let before = document
    let result = try change(&document)
    if document != before {
      let data = try JSONFormat.encoder().encode(document)
      try AtomicFile.write(data + Data("\n".utf8), to: path)
    }
    return result
  }

  /// Changes the entry named `name` under the lock.
  public func updateEntry(named name: String, _ change: (inout RegistryEntry) throws -> Void) throws {
    try update { document in
      guard var entry = document.functions[name] else { throw RegistryError.notRegistered(name) }
      try change(&entry)
      document.functions[name] = entry
    }
  }

  /// Decodes the document in one pass; only a document that fails to decode is parsed again to say why.
  private func decode(_ data: Data) throws(RegistryError) -> RegistryDocument {
    let decodingError: Error
    do {
      let document = try JSONFormat.decoder().decode(RegistryDocument.self, from: data)
      guard RegistryDocument.readableVersions.contains(document.version) else {
        throw RegistryError.unsupportedVersion(path: path, found: document.version)
      }
      var upgraded = document
      upgraded.version = RegistryDocument.currentVersion
      return upgraded
    } catch let error as RegistryError {
      throw error
    } catch {
      decodingError = error
    }

    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw .corrupt(path: path, reason: "not valid JSON: " + JSONErrorText.describe(error, in: data))
    }
    guard let root = object as? [String: Any] else {
      throw .corrupt(path: path, reason: "the top level is not an object")
    }
    guard let versionValue = root["version"] else {
      throw .corrupt(path: path, reason: "missing key 'version'")
    }
    guard let version = versionValue as? Int, !ManifestReader.isBoolean(versionValue) else {
      throw .corrupt(path: path, reason: "wrong type at 'version'")
    }
    guard RegistryDocument.readableVersions.contains(version) else {
      throw .unsupportedVersion(path: path, found: version)
    }
    switch decodingError {
    case DecodingError.keyNotFound(let key, let context):
      throw .corrupt(path: path, reason: "missing key '\(Self.keyPath(context.codingPath + [key]))'")
    case DecodingError.typeMismatch(_, let context):
      throw .corrupt(path: path, reason: "wrong type at '\(Self.keyPath(context.codingPath))'")
    case DecodingError.dataCorrupted(let context):
      throw .corrupt(path: path, reason: "invalid value at '\(Self.keyPath(context.codingPath))'")
    default:
      throw .corrupt(path: path, reason: "\(decodingError)")
    }
  }

  /// Returns the registered name closest to a mistyped one: at most two edits away, or a unique prefix.
  static func closestName(to name: String, among names: [String]) -> String? {
    let prefixed = names.filter { $0.hasPrefix(name) }
    if prefixed.count == 1 { return prefixed[0] }
    var best: (String, Int)?
    for candidate in names {
      let distance = editDistance(name.lowercased(), candidate.lowercased())
      if distance <= 2, distance < name.count, distance < (best?.1 ?? Int.max) {
        best = (candidate, distance)
      }
    }
    return best?.0
  }

  /// Levenshtein distance with adjacent transpositions counted as one edit.
  static func editDistance(_ left: String, _ right: String) -> Int {
    let a = Array(left)
    let b = Array(right)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], previousPrevious[j - 2] + 1)
        }
      }
      previousPrevious = previous
      previous = current
    }
    return previous[b.count]
  }

  private static func keyPath(_ path: [any CodingKey]) -> String {
    path.map(\.stringValue).joined(separator: ".")
  }
}
