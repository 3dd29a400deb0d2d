import CSystem
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The way a child process ended.
public enum ProcessTermination: Equatable, Sendable, CustomStringConvertible {
  case exited(Int32)
  case signalled(Int32)

  public var isSuccess: Bool { self == .exited(0) }

  public var description: String {
    switch self {
    case .exited(let code): "exit status \(code)"
    case .signalled(let signal): "signal \(signal)"
    }
  }
}

/// The outcome of a finished child process with its captured output.
public struct ProcessResult: Sendable {
  public let commandLine: [String]
  public let termination: ProcessTermination
  public let output: String
  public let errorOutput: String

  /// Returns the last `count` non-empty lines of standard error and standard output combined.
  public func tail(lines count: Int = 15) -> [String] {
    let lines = (output + "\n" + errorOutput).split(separator: "\n", omittingEmptySubsequences: true)
    return lines.suffix(count).map(String.init)
  }
}

/// Failures of the process runner.
public enum ProcessError: Error, CustomStringConvertible, Sendable {
  case executableNotFound(String)
  case spawnFailed(commandLine: [String], errno: Int32)
  case failed(ProcessResult)

  public var description: String {
    switch self {
    case .executableNotFound(let name):
      return "'\(name)' was not found on PATH"
    case .spawnFailed(let commandLine, let code):
      return "could not start \(ShellQuoting.join(commandLine)): \(String(cString: strerror(code)))"
    case .failed(let result):
      var text = "\(ShellQuoting.join(result.commandLine)) failed with \(result.termination)"
      let tail = result.tail()
      if !tail.isEmpty {
        text += ":\n" + tail.map { "    " + $0 }.joined(separator: "\n")
      }
      return text
    }
  }
}

/// The destination of a spawned child's standard output and error.
public enum OutputDestination: Sendable {
  /// Both streams are captured through pipes.
  case capture
  /// Both streams are appended to this file.
  case appendToFile(String)
  /// Both streams are inherited from this process.
  case inherit
}

/// A request to start a child process.
public struct ProcessSpec: Sendable {
  public var executable: String
  public var arguments: [String]
  public var environment: [String: String]
  public var workingDirectory: String?
  public var output: OutputDestination
  /// Starts the child in a new session, so it outlives this process and has its own process group.
  public var startsNewSession: Bool
  /// Starts the child as the leader of a new process group in this session, so the group can be
  /// signalled as a whole.
  public var startsNewProcessGroup: Bool = false
  /// A listening socket the child inherits as descriptor 3, as systemd socket activation passes it
  /// (`LISTEN_FDS=1`), so a restarted server takes over connections that waited meanwhile.
  public var listeningSocket: Int32?

  public init(
    executable: String, arguments: [String], environment: [String: String],
    workingDirectory: String? = nil, output: OutputDestination = .capture, startsNewSession: Bool = false
  ) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.output = output
    self.startsNewSession = startsNewSession
  }

  public var commandLine: [String] { [executable] + arguments }
}

/// Starts child processes with `posix_spawn`; the one place in the tool that launches programs.
///
/// Captured children stay in this process's process group, so Ctrl-C at a terminal reaches them too.
/// Detached children (`startsNewSession`) get a session of their own and are stopped by group.
public struct ProcessRunner: Sendable {
  public init() {}

  /// Runs a child to completion and returns its result whatever its exit status.
  /// `onLine` receives each line of output as it arrives, for verbose progress.
  /// A child still running after `timeout` is killed with SIGKILL.
  public func run(
    _ spec: ProcessSpec, standardInput: Data? = nil, timeout: Duration? = nil,
    onLine: (@Sendable (String) -> Void)? = nil
  ) throws -> ProcessResult {
    var spec = spec
    spec.output = .capture
    // A timed child leads a process group, so the timer also stops the programs it started, which
    // would otherwise keep the output pipes open.
    if timeout != nil && !spec.startsNewSession { spec.startsNewProcessGroup = true }
    let child = try spawn(spec, standardInput: standardInput)
    // The flag stops the timer from signalling a PID that was already reaped and may be reused.
    let isReaped = Arc(Mutex(false))
    if let timeout {
      let pid = child.pid
      let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
      DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
        isReaped.value.withLock { reaped in
          if !reaped { kill(-pid, SIGKILL) }
        }
      }
    }
    let (output, errorOutput) = child.drain(onLine: onLine)
    // Wait for the exit without reaping, so the PID stays ours until the timer is disarmed.
    var info = siginfo_t()
    while waitid(P_PID, id_t(child.pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
    isReaped.value.withLock { $0 = true }
    let termination = Self.wait(for: child.pid)
    return ProcessResult(
      commandLine: spec.commandLine, termination: termination, output: output, errorOutput: errorOutput)
  }

  /// Runs a child and throws `ProcessError.failed` unless it exits with status 0.
  @discardableResult
  public func checkedRun(
    _ spec: ProcessSpec, standardInput: Data? = nil, timeout: Duration? = nil,
    onLine: (@Sendable (String) -> Void)? = nil
  ) throws -> ProcessResult {
    let result = try run(spec, standardInput: standardInput, timeout: timeout, onLine: onLine)
    guard result.termination.isSuccess else { throw ProcessError.failed(result) }
    return result
  }

  /// Starts a child whose output goes to a file or to this process's streams, and returns its PID
  /// without waiting.
  public func start(_ spec: ProcessSpec) throws -> pid_t {
    precondition(!isCapture(spec.output), "start() cannot capture output; use run()")
    return try spawn(spec, standardInput: nil).pid
  }

  /// Starts a child whose standard output and error both go into one pipe, and returns its PID and the
  /// pipe's read end, which the caller reads and closes.
  public func startPiped(_ spec: ProcessSpec, ownProcessGroup: Bool = false) throws -> (
    pid: pid_t, output: Int32
  ) {
    var spec = spec
    spec.output = .capture
    spec.startsNewProcessGroup = ownProcessGroup
    let child = try spawn(spec, standardInput: nil, mergesOutput: true)
    return (child.pid, child.outputReader)
  }

  /// Waits for a child of this process to end.
  public static func wait(for pid: pid_t) -> ProcessTermination {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
      if errno != EINTR { return .exited(-1) }
    }
    return termination(fromWaitStatus: status)
  }

  /// Returns the termination of a child that has ended, or nil while it still runs.
  public static func poll(_ pid: pid_t) -> ProcessTermination? {
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    if result == 0 { return nil }
    if result == -1 { return .exited(-1) }
    return termination(fromWaitStatus: status)
  }

  private static func termination(fromWaitStatus status: Int32) -> ProcessTermination {
    // The W* macros are not imported into Swift; these are their glibc definitions.
    let signal = status & 0x7f
    if signal == 0 { return .exited((status >> 8) & 0xff) }
    return .signalled(signal)
  }

  private func isCapture(_ destination: OutputDestination) -> Bool {
    if case .capture = destination { return true }
    return false
  }

  private func spawn(_ spec: ProcessSpec, standardInput: Data?, mergesOutput: Bool = false) throws
    -> SpawnedChild
  {
    guard let executablePath = ExecutableLookup.find(spec.executable, environment: spec.environment)
    else {
      throw ProcessError.executableNotFound(spec.executable)
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
    if spec.startsNewSession {
      flags |= csystem_spawn_setsid_flag()
    } else if spec.startsNewProcessGroup {
      flags |= Int16(POSIX_SPAWN_SETPGROUP)
      posix_spawnattr_setpgroup(&attributes, 0)
    }
    posix_spawnattr_setflags(&attributes, flags)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaultSignals, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)

    var parentEnds: [Int32] = []
    var childEnds: [Int32] = []
    defer {
      for end in childEnds { close(end) }
    }

    // Standard input: the given bytes through a pipe, otherwise /dev/null.
    var inputWriter: Int32 = -1
    if standardInput != nil {
      let (readEnd, writeEnd) = try makePipe()
      posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
      childEnds.append(readEnd)
      inputWriter = writeEnd
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }

    var outputReader: Int32 = -1
    var errorReader: Int32 = -1
    switch spec.output {
    case .capture where mergesOutput:
      let (outRead, outWrite) = try makePipe()
      posix_spawn_file_actions_adddup2(&actions, outWrite, 1)
      posix_spawn_file_actions_adddup2(&actions, outWrite, 2)
      childEnds.append(outWrite)
      parentEnds.append(outRead)
      outputReader = outRead
    case .capture:
      let (outRead, outWrite) = try makePipe()
      let (errRead, errWrite) = try makePipe()
      posix_spawn_file_actions_adddup2(&actions, outWrite, 1)
      posix_spawn_file_actions_adddup2(&actions, errWrite, 2)
      childEnds += [outWrite, errWrite]
      parentEnds += [outRead, errRead]
      outputReader = outRead
      errorReader = errRead
    case .appendToFile(let path):
      posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
      posix_spawn_file_actions_adddup2(&actions, 1, 2)
    case .inherit:
      break
    }
    if let socket = spec.listeningSocket {
      posix_spawn_file_actions_adddup2(&actions, socket, 3)
      csystem_spawn_add_close_from(&actions, 4)
    } else {
      csystem_spawn_add_close_from(&actions, 3)
    }
    if let directory = spec.workingDirectory {
      csystem_spawn_add_chdir(&actions, directory)
    }

    let argv = ([executablePath] + spec.arguments).map { strdup($0) } + [nil]
    let envp = spec.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }

    var pid: pid_t = 0
    let code = posix_spawn(&pid, executablePath, &actions, &attributes, argv, envp)
    guard code == 0 else {
      for end in parentEnds { close(end) }
      if inputWriter >= 0 { close(inputWriter) }
      throw ProcessError.spawnFailed(commandLine: spec.commandLine, errno: code)
    }

    if inputWriter >= 0, let standardInput {
      let writer = inputWriter
      // A child that exits without reading its input must not end this process with SIGPIPE.
      signal(SIGPIPE, SIG_IGN)
      // A separate thread feeds stdin, so a child that writes much output before it reads cannot block
      // on a full pipe while this thread blocks on writing its input.
      Thread.detachNewThread {
        standardInput.withUnsafeBytes { buffer in
          var offset = 0
          while offset < buffer.count {
            let written = Glibc.write(writer, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { break }
            offset += written
          }
        }
        close(writer)
      }
    }
    return SpawnedChild(pid: pid, outputReader: outputReader, errorReader: errorReader)
  }

  private func makePipe() throws -> (Int32, Int32) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else {
      throw ProcessError.spawnFailed(commandLine: ["pipe"], errno: errno)
    }
    // Children close every descriptor above 2 anyway; close-on-exec also covers programs that other
    // threads of this process may start.
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    return (ends[0], ends[1])
  }
}

/// A spawned child with the parent's ends of its output pipes.
private struct SpawnedChild {
  let pid: pid_t
  let outputReader: Int32
  let errorReader: Int32

  /// Reads both pipes until the child closes them, and returns their text.
  func drain(onLine: (@Sendable (String) -> Void)?) -> (String, String) {
    var buffers = [Data(), Data()]
    var pending = [Data(), Data()]
    var descriptors = [
      pollfd(fd: outputReader, events: Int16(POLLIN), revents: 0),
      pollfd(fd: errorReader, events: Int16(POLLIN), revents: 0),
    ]
    var open = 2
    var chunk = [UInt8](repeating: 0, count: 65536)
    while open > 0 {
      if Glibc.poll(&descriptors, 2, -1) < 0 {
        if errno == EINTR { continue }
        break
      }
      for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
        let count = read(descriptors[index].fd, &chunk, chunk.count)
        if count > 0 {
          let data = Data(chunk[0..<count])
          buffers[index].append(data)
          if let onLine { pending[index] = emitLines(pending[index] + data, to: onLine) }
        } else if count == 0 || errno != EINTR {
          close(descriptors[index].fd)
          descriptors[index].fd = -1
          open -= 1
        }
      }
    }
    if let onLine {
      for rest in pending where !rest.isEmpty { onLine(String(decoding: rest, as: UTF8.self)) }
    }
    return (String(decoding: buffers[0], as: UTF8.self), String(decoding: buffers[1], as: UTF8.self))
  }

  private func emitLines(_ data: Data, to onLine: (String) -> Void) -> Data {
    var rest = data
    while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
      onLine(String(decoding: rest[rest.startIndex..<newline], as: UTF8.self))
      rest = Data(rest[(newline + 1)...])
    }
    return rest
  }
}

/// A reference to a non-copyable value, so escaping closures can share it.
final class Arc<Value: ~Copyable>: Sendable where Value: Sendable {
  let value: Value
  init(_ value: consuming Value) { self.value = value }
}
