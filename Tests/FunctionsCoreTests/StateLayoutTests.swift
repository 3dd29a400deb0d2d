import Testing

@testable import FunctionsCore

@Suite("StateLayout")
struct StateLayoutTests {
  @Test("FUNCTIONS_HOME holds everything")
  func functionsHome() {
    let layout = StateLayout(environment: [
      "FUNCTIONS_HOME": "/srv/fh", "HOME": "/home/ada", "XDG_DATA_HOME": "/xdg/data",
    ])

    #expect(layout.configDirectory == "/srv/fh/config")
    #expect(layout.dataDirectory == "/srv/fh/data")
    #expect(layout.stateDirectory == "/srv/fh/state")
    #expect(layout.cacheDirectory == "/srv/fh/cache")
    #expect(!layout.isCacheShared)
  }

  @Test("file paths inside the layout")
  func filePaths() {
    let layout = StateLayout(environment: ["FUNCTIONS_HOME": "/srv/fh"])

    #expect(layout.settingsFile == "/srv/fh/config/settings.json")
    #expect(layout.registryFile == "/srv/fh/data/registry.json")
    #expect(layout.registryLockFile == "/srv/fh/data/registry.lock")
    #expect(layout.environmentsDirectory == "/srv/fh/cache/environments")
    #expect(layout.bytecodeDirectory == "/srv/fh/cache/pycache")
    #expect(layout.stateDirectory(for: "hello") == "/srv/fh/state/hello")
    #expect(layout.logFile(for: "hello") == "/srv/fh/state/hello/output.log")
  }

  @Test("FUNCTIONS_CACHE_DIR moves only the cache")
  func cacheOverride() {
    let withHome = StateLayout(environment: [
      "FUNCTIONS_HOME": "/srv/fh", "FUNCTIONS_CACHE_DIR": "/shared/cache",
    ])
    let withXDG = StateLayout(environment: ["HOME": "/home/ada", "FUNCTIONS_CACHE_DIR": "/shared/cache"])

    #expect(withHome.cacheDirectory == "/shared/cache")
    #expect(withHome.dataDirectory == "/srv/fh/data")
    #expect(withXDG.cacheDirectory == "/shared/cache")
    #expect(withXDG.dataDirectory == "/home/ada/.local/share/functions")
    #expect(withHome.isCacheShared)
    #expect(withXDG.isCacheShared)
  }

  @Test("XDG defaults under HOME")
  func xdgDefaults() {
    let layout = StateLayout(environment: ["HOME": "/home/ada"])

    #expect(layout.configDirectory == "/home/ada/.config/functions")
    #expect(layout.dataDirectory == "/home/ada/.local/share/functions")
    #expect(layout.stateDirectory == "/home/ada/.local/state/functions")
    #expect(layout.cacheDirectory == "/home/ada/.cache/functions")
    #expect(!layout.isCacheShared)
  }

  @Test("absolute XDG variables apply")
  func xdgVariables() {
    let layout = StateLayout(environment: [
      "HOME": "/home/ada", "XDG_CONFIG_HOME": "/x/config", "XDG_DATA_HOME": "/x/data",
      "XDG_STATE_HOME": "/x/state", "XDG_CACHE_HOME": "/x/cache",
    ])

    #expect(layout.configDirectory == "/x/config/functions")
    #expect(layout.dataDirectory == "/x/data/functions")
    #expect(layout.stateDirectory == "/x/state/functions")
    #expect(layout.cacheDirectory == "/x/cache/functions")
  }

  /// XDG Base Directory Specification: a relative path in these variables is invalid and is ignored.
  @Test("relative XDG variables ignored")
  func relativeXDGVariables() {
    let layout = StateLayout(environment: [
      "HOME": "/home/ada", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "./data",
    ])

    #expect(layout.configDirectory == "/home/ada/.config/functions")
    #expect(layout.dataDirectory == "/home/ada/.local/share/functions")
  }

  @Test("empty overrides ignored")
  func emptyOverrides() {
    let layout = StateLayout(environment: [
      "HOME": "/home/ada", "FUNCTIONS_HOME": "", "FUNCTIONS_CACHE_DIR": "",
    ])

    #expect(layout.dataDirectory == "/home/ada/.local/share/functions")
    #expect(layout.cacheDirectory == "/home/ada/.cache/functions")
  }
}
