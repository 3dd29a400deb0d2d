import Basics
import CommandLineKit
import Foundation
import FunctionsCore
import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// `functions run NAME`: builds when needed and starts the function in the background.
enum RunCommand {
  static func make() -> Command {
    Command(
      "run", abstract: "Start a function locally and print its URL.",
      discussion: """
        Builds the function when needed, starts it in the background (functions-framework for Google \
        Cloud functions, a local Lambda Invoke API and HTTP gateway for AWS functions), waits until it \
        accepts connections, and prints its URL. With --watch (or "watch": true in the manifest), the \
        function restarts when a source file changes, after building its environment again when \
        requirements.txt changed; otherwise code changes take effect after 'functions stop' and another \
        'functions run'. Environment variables apply in this order, later ones winning: the \
        manifest's environment, the env file, then --env.
        """,
      arguments: [ArgumentSpec("name", help: "The function to run.")],
      options: [
        .value(
          "port", short: "p", valueName: "port", help: "The TCP port to listen on.",
          defaultDescription: "a free port", integerRange: 1...65535),
        .value(
          "host", valueName: "address", help: "The address to listen on.", defaultDescription: "127.0.0.1"),
        .value(
          "env", short: "e", valueName: "key=value", help: "Set an environment variable for the function.",
          isRepeating: true),
        .value(
          "env-file", valueName: "file", help: "Read environment variables from this dotenv file.",
          defaultDescription: ".env in the function's directory, when present"),
        .value(
          "timeout", valueName: "seconds",
          help: "How long to wait for the function to accept requests, in seconds.",
          defaultDescription: "60", integerRange: 1...3600),
        BackendOption.option,
        .flag("foreground", help: "Stream the logs and stop the function on Ctrl-C."),
        .flag("watch", short: "w", help: "Restart the function when a source file changes."),
        .flag("json", help: "Print the running function as JSON."),
      ],
      run: { parsed in try await run(parsed) })
  }

  struct Report: Encodable {
    let name: String
    let url: String
    let pid: Int32
    let logFile: String
  }

  static func run(_ parsed: ParsedCommand) async throws {
    let context = CommandContext(parsed: parsed)
    let name = parsed.argument("name") ?? ""
    var overrides: [(String, String)] = []
    for assignment in parsed.values("env") {
      guard let pair = EnvironmentFile.parseAssignment(assignment) else {
        throw parsed.usageError(
          "invalid --env '\(assignment)': expected KEY=VALUE with a valid variable name")
      }
      overrides.append(pair)
    }
    let envFile = parsed.value("env-file").map(context.absolutePath)
    if let envFile, !FileManager.default.isReadableFile(atPath: envFile) {
      throw parsed.usageError("the env file \(envFile) does not exist or is not readable")
    }
    let host = parsed.value("host") ?? "127.0.0.1"
    guard Ports.isIPAddress(host) else {
      throw parsed.usageError(
        "invalid --host '\(host)': expected an IPv4 address such as 127.0.0.1 or 0.0.0.0")
    }
    // NOTE: IPv6 is rejected because functions-framework builds its bind address as HOST:PORT, which is
    // invalid for an IPv6 literal, and URLSession on Linux rejects bracketed IPv6 URLs.
    guard !host.contains(":") else {
      throw parsed.usageError(
        "--host '\(host)' is an IPv6 address, which is not supported yet; use 127.0.0.1 or 0.0.0.0")
    }

    // One `run` at a time per function, so two at once cannot start two servers. The lock lives beside
    // the state directories, so an unknown name leaves no directory behind.
    try validateFunctionName(name, parsed)
    let locks = context.layout.stateDirectory + "/.locks"
    try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
    let runLock = try FileLock(path: "\(locks)/\(name).run")
    defer { runLock.unlock() }

    let (entry, loaded) = try context.loadFunction(name)
    // A watched function whose last change failed is recorded as crashed, but its server still runs.
    if entry.effectiveState == .running || entry.watchedServerIsAlive, let process = entry.process {
      var notApplied: [String] = []
      if let port = parsed.int("port"), port != process.port { notApplied.append("--port \(port)") }
      if parsed.flag("watch") && process.watches != true { notApplied.append("--watch") }
      let notAppliedNote = notApplied.isEmpty ? "" : "; \(notApplied.joined(separator: " and ")) not applied"
      let crashedNote =
        entry.effectiveState == .crashed
        ? "; its last change failed to start, so fix the code and save again (see 'functions logs \(name)')"
        : ""
      context.diagnostics.note(
        "\(name) is already running (PID \(process.pid))\(notAppliedNote)\(crashedNote); to restart it with "
          + "new code or options, run 'functions stop \(name)' first")
      StandardOutput.line(process.url)
      return
    }
    try context.runHook("prerun", entry: entry, manifest: loaded.manifest)
    let backend = try BackendOption.resolve(parsed, manifest: loaded.manifest, context: context)
    let outcome = try context.build(entry, manifest: loaded.manifest, marksBuilt: false, backend: backend)
    var options = StartOptions(
      host: host, port: parsed.int("port"), overrides: overrides, envFile: envFile,
      startTimeout: .seconds(parsed.int("timeout") ?? 60), region: try context.awsRegion(for: loaded.manifest)
    )
    options.watch = parsed.flag("watch") || loaded.manifest.watch
    // Watch for Ctrl-C before anything starts, so an early one still stops the function cleanly.
    let interrupted = parsed.flag("foreground") ? SignalWatch(signals: [SIGINT, SIGTERM]) : nil
    context.diagnostics.progress("\(name): starting…")
    let environment = outcome.environment
    let logFile = context.layout.logFile(for: name)
    let logOffset = LogFile.size(logFile)
    let process = try await context.localFunctions().start(entry, build: outcome, options: options)
    if let environment, loaded.manifest.provider == .gcp {
      let request = LaunchRequest(
        manifest: loaded.manifest, directory: entry.directory, environment: environment, variables: [:],
        host: host,
        port: process.port)
      context.diagnostics.debug(
        "server: " + ShellQuoting.join(context.functionServer().commandLine(for: request)))
    }

    if loaded.manifest.provider == .gcp {
      await EmulatorCommand.subscribe(entry, url: process.url, context: context)
    }
    try context.runHook("postrun", entry: entry, manifest: loaded.manifest)
    if parsed.flag("json") {
      try printJSON(Report(name: name, url: process.url, pid: process.pid, logFile: logFile))
    } else {
      StandardOutput.line(process.url)
    }
    guard let interrupted else {
      let watching = options.watch ? " and restarts when its source changes" : ""
      context.diagnostics.status(
        "\(name) is running\(watching); 'functions logs \(name)' shows its output, "
          + "'functions stop \(name)' stops it")
      return
    }
    try await streamUntilInterrupted(
      name: name, process: process, logFile: logFile, from: logOffset, interrupted: interrupted,
      context: context)
  }

  /// Streams the log to standard output until Ctrl-C or SIGTERM, or until the function exits, then stops it.
  static func streamUntilInterrupted(
    name: String, process: RunningProcess, logFile: String, from offset: UInt64, interrupted: SignalWatch,
    context: CommandContext
  ) async throws {
    await LogFile.follow(
      logFile, from: offset, shouldStop: { interrupted.hasFired || !process.isAlive },
      write: { data in StandardOutput.write(LogFile.displayable(String(decoding: data, as: UTF8.self))) })
    let (rest, _) = LogFile.read(logFile, from: LogFile.size(logFile))
    if !rest.isEmpty { StandardOutput.write(String(decoding: rest, as: UTF8.self)) }
    if interrupted.hasFired {
      try await context.localFunctions().stop(name)
      context.diagnostics.status("Stopped \(name)")
    } else {
      context.diagnostics.error("\(name) exited; see 'functions logs \(name)'")
      throw ExitStatus(code: 1)
    }
  }
}

/// Records that one of the given signals arrived, instead of letting it end the process.
final class SignalWatch: @unchecked Sendable {
  private let sources: [DispatchSourceSignal]
  private let lock = NSLock()
  private var fired = false

  init(signals: [Int32]) {
    var sources: [DispatchSourceSignal] = []
    for number in signals {
      signal(number, SIG_IGN)
      sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
    }
    self.sources = sources
    for source in sources {
      source.setEventHandler { [weak self] in self?.markFired() }
      source.resume()
    }
  }

  var hasFired: Bool {
    lock.lock()
    defer { lock.unlock() }
    return fired
  }

  private func markFired() {
    lock.lock()
    fired = true
    lock.unlock()
  }
}
