import Foundation

/// The locations of the tool's files.
///
/// With `FUNCTIONS_HOME` set, everything lives under it (`config/`, `data/`, `state/`, `cache/`).
/// Otherwise the XDG base directories apply, each with a `functions` folder. `FUNCTIONS_CACHE_DIR`
/// moves only the cache (environments), so several homes can share built environments.
public struct StateLayout: Sendable, Equatable {
  public let configDirectory: String
  public let dataDirectory: String
  public let stateDirectory: String
  public let cacheDirectory: String
  /// Whether `FUNCTIONS_CACHE_DIR` points the cache elsewhere, so registries other than this one may use
  /// its environments.
  public let isCacheShared: Bool

  public init(
    configDirectory: String, dataDirectory: String, stateDirectory: String, cacheDirectory: String,
    isCacheShared: Bool = false
  ) {
    self.configDirectory = configDirectory
    self.dataDirectory = dataDirectory
    self.stateDirectory = stateDirectory
    self.cacheDirectory = cacheDirectory
    self.isCacheShared = isCacheShared
  }

  /// Resolves the layout from the environment variables named above.
  public init(environment: [String: String]) {
    let cacheOverride = environment["FUNCTIONS_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    if let home = environment["FUNCTIONS_HOME"], !home.isEmpty {
      self.init(
        configDirectory: "\(home)/config", dataDirectory: "\(home)/data", stateDirectory: "\(home)/state",
        cacheDirectory: cacheOverride ?? "\(home)/cache", isCacheShared: cacheOverride != nil)
      return
    }
    let userHome = environment["HOME"] ?? NSHomeDirectory()
    func base(_ variable: String, _ fallback: String) -> String {
      // The XDG Base Directory specification treats relative values as invalid, to be ignored.
      if let value = environment[variable], value.hasPrefix("/") { return value }
      return "\(userHome)/\(fallback)"
    }
    self.init(
      configDirectory: base("XDG_CONFIG_HOME", ".config") + "/functions",
      dataDirectory: base("XDG_DATA_HOME", ".local/share") + "/functions",
      stateDirectory: base("XDG_STATE_HOME", ".local/state") + "/functions",
      cacheDirectory: cacheOverride ?? (base("XDG_CACHE_HOME", ".cache") + "/functions"),
      isCacheShared: cacheOverride != nil)
  }

  public var settingsFile: String { "\(configDirectory)/settings.json" }
  public var registryFile: String { "\(dataDirectory)/registry.json" }
  public var registryLockFile: String { "\(dataDirectory)/registry.lock" }
  public var environmentsDirectory: String { "\(cacheDirectory)/environments" }
  /// Compiled Python files, kept out of the function's source directory.
  public var bytecodeDirectory: String { "\(cacheDirectory)/pycache" }

  /// Removes the compiled files of the sources in `functionDirectory`, before a server or runtime starts.
  ///
  /// Python checks a cached file against the source's modification time in whole seconds and its size, so
  /// an edit that keeps the size within the same second would otherwise run the old code.
  public func removeBytecode(forSourcesIn functionDirectory: String) {
    try? FileManager.default.removeItem(atPath: bytecodeDirectory + functionDirectory)
  }

  /// The run state and logs of one function.
  public func stateDirectory(for functionName: String) -> String { "\(stateDirectory)/\(functionName)" }
  public func logFile(for functionName: String) -> String {
    "\(stateDirectory(for: functionName))/output.log"
  }
}
