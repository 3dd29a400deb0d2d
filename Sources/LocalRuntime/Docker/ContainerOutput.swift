import Basics
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Sends a container's standard output and error to a host file or FIFO that is bind-mounted into the
/// container, instead of through dockerd and an attached `docker run`.
///
/// Output that goes through dockerd can reach the host after the function's response. The process backend
/// has no such delay, because the runtime writes straight into a pipe or file that the tool reads. A
/// bind-mounted file gives a container the same path: a line that the function wrote before it responded
/// is already in the host file or FIFO when the response arrives.
///
/// The container's command runs under `/bin/sh -c 'exec "$@" >FILE 2>&1'`, so the image needs `/bin/sh`.
/// Images that run as a user other than root keep their output on the attached CLI, because that user
/// may not be allowed to open the host's file.
struct ContainerOutput: Sendable, Equatable {
  /// The path of the file or FIFO inside the container.
  static let mountTarget = "/run/functions/output"

  /// The image's command: its entry point followed by its CMD.
  let command: [String]

  /// Returns the redirection for `image`, or nil when its output stays on the attached CLI: the image runs
  /// as a user other than root, or it has no command.
  static func forImage(_ image: String, docker: DockerCLI) throws -> ContainerOutput? {
    if let cached = cache.withLock({ $0[image] }) { return cached.output }
    let result = try docker.checkedRun(
      ["image", "inspect", "--format", "{{json .Config}}", image], timeout: .seconds(30))
    let config = (try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any]
    let entryPoint = config?["Entrypoint"] as? [String] ?? []
    let cmd = config?["Cmd"] as? [String] ?? []
    let user = config?["User"] as? String ?? ""
    let command = entryPoint + cmd
    let output = isRoot(user) && !command.isEmpty ? ContainerOutput(command: command) : nil
    cache.withLock { $0[image] = CachedOutput(output: output) }
    return output
  }

  /// Image configurations read so far, by reference. A reference names the image's source fingerprint, so
  /// its configuration does not change while the tool runs.
  private static let cache = Mutex<[String: CachedOutput]>([:])

  private struct CachedOutput {
    let output: ContainerOutput?
  }

  /// Returns whether a Dockerfile `USER` value is root: empty, `root` or UID 0, with any group.
  static func isRoot(_ user: String) -> Bool {
    let name = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return name.isEmpty || name == "root" || name == "0"
  }

  /// Returns the `docker run` options that mount `hostPath` and replace the entry point with the shell.
  func runOptions(hostPath: String) -> [String] {
    [
      "--mount", "type=bind,source=\(hostPath),target=\(Self.mountTarget)", "--entrypoint", "/bin/sh",
    ]
  }

  /// Returns the arguments after the image name: the shell's redirection, then the image's command.
  /// `appends` opens the file in append mode, for a log file that the host writes to as well.
  func commandArguments(appends: Bool) -> [String] {
    let redirection = appends ? ">>" : ">"
    return ["-c", "exec \"$@\" \(redirection)\(Self.mountTarget) 2>&1", "sh"] + command
  }
}

/// A FIFO on the host that one container writes its output into, and the tool's descriptors for it.
///
/// The tool keeps a write descriptor of its own open until the container's `docker run` ends. Reads then
/// never see end-of-file before the container opened the FIFO, and do see it once the container is gone.
final class OutputFIFO: Sendable {
  let path: String
  /// The descriptor the tool reads from.
  let readDescriptor: Int32
  private let keeper: Mutex<Int32>

  /// Creates the FIFO at `path` with mode 0600, replacing any file there, and opens both ends.
  init(path: String) throws(LaunchFailure) {
    unlink(path)
    guard mkfifo(path, 0o600) == 0 else {
      throw .spawnFailed("cannot create the output FIFO \(path): \(String(cString: strerror(errno)))")
    }
    // Without O_NONBLOCK, opening the read end would wait for a writer. The keeper, opened next, is that
    // writer.
    let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard reader >= 0 else {
      unlink(path)
      throw .spawnFailed("cannot open the output FIFO \(path): \(String(cString: strerror(errno)))")
    }
    let writer = open(path, O_WRONLY | O_CLOEXEC)
    guard writer >= 0 else {
      close(reader)
      unlink(path)
      throw .spawnFailed("cannot open the output FIFO \(path): \(String(cString: strerror(errno)))")
    }
    // The output collector polls before each read and expects blocking reads.
    _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
    self.path = path
    readDescriptor = reader
    keeper = Mutex(writer)
  }

  /// Closes the tool's write end, so the reader sees end-of-file once the container has closed its own.
  func closeKeeper() {
    keeper.withLock { descriptor in
      if descriptor >= 0 { close(descriptor) }
      descriptor = -1
    }
  }

  /// Closes both descriptors and removes the FIFO, for a container that never started; nothing may read
  /// from it afterwards.
  func discard() {
    closeKeeper()
    close(readDescriptor)
    unlink(path)
  }
}
