import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Watches a directory tree with inotify and reports changed files in debounced batches.
///
/// Every directory under the root gets its own watch, and directories created later are added as they
/// appear. A batch is reported once no event arrived for `quietPeriod`, or at the latest `maximumDelay`
/// after its first event, so a burst of saves becomes one batch. Paths in a batch are relative to the
/// root, sorted and unique.
public final class FileWatcher: @unchecked Sendable {
  /// Decides whether a path, relative to the root, is ignored. `isDirectory` is true for a directory.
  public typealias IgnoreRule = @Sendable (_ relativePath: String, _ isDirectory: Bool) -> Bool

  public let root: String
  private let ignore: IgnoreRule
  private let quietPeriod: Duration
  private let maximumDelay: Duration
  private let onChange: @Sendable ([String]) -> Void
  private let inotifyDescriptor: Int32
  /// The pipe that wakes the reading thread when the watcher closes.
  private let wakeDescriptors: (read: Int32, write: Int32)
  private let lock = NSLock()
  /// Watch descriptors mapped to directories relative to the root ("" for the root itself).
  private var directories: [Int32: String] = [:]
  private var isClosed = false

  /// The events that mean a file's contents or a directory's entries changed. Writes count when the file
  /// is closed, so a half-written file is not reported.
  private static let eventMask: UInt32 =
    UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_CREATE)
    | UInt32(IN_DELETE)

  /// Starts watching `root`. `onChange` runs on the watcher's own thread, once per batch.
  public init(
    root: String, quietPeriod: Duration = .milliseconds(50), maximumDelay: Duration = .milliseconds(500),
    ignore: @escaping IgnoreRule, onChange: @escaping @Sendable ([String]) -> Void
  ) throws {
    self.root = root
    self.ignore = ignore
    self.quietPeriod = quietPeriod
    self.maximumDelay = maximumDelay
    self.onChange = onChange
    let descriptor = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
    guard descriptor >= 0 else { throw FileWatcherError.cannotWatch(path: root, errno: errno) }
    guard let pipeEnds = makeWakePipe() else {
      Glibc.close(descriptor)
      throw FileWatcherError.cannotWatch(path: root, errno: errno)
    }
    inotifyDescriptor = descriptor
    wakeDescriptors = pipeEnds
    do {
      try addTree("")
    } catch {
      Glibc.close(descriptor)
      Glibc.close(pipeEnds.read)
      Glibc.close(pipeEnds.write)
      throw error
    }
    let thread = Thread { [self] in readLoop() }
    thread.name = "functions-file-watcher"
    thread.start()
  }

  deinit { close() }

  /// Stops watching. No batch is reported after this returns, except one already being delivered.
  public func close() {
    lock.lock()
    let wasClosed = isClosed
    isClosed = true
    lock.unlock()
    guard !wasClosed else { return }
    var byte: UInt8 = 1
    _ = write(wakeDescriptors.write, &byte, 1)
  }

  /// The number of directories being watched.
  public var watchedDirectoryCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return directories.count
  }

  private var closed: Bool {
    lock.lock()
    defer { lock.unlock() }
    return isClosed
  }

  /// Adds a watch for the directory at `relative` and every directory below it that is not ignored.
  private func addTree(_ relative: String) throws {
    let absolute = relative.isEmpty ? root : root + "/" + relative
    let descriptor = inotify_add_watch(inotifyDescriptor, absolute, Self.eventMask)
    guard descriptor >= 0 else {
      // A directory that vanished before its watch was added is no longer there to watch.
      if errno == ENOENT || errno == ENOTDIR, !relative.isEmpty { return }
      if errno == ENOSPC { throw FileWatcherError.tooManyWatches(path: absolute) }
      throw FileWatcherError.cannotWatch(path: absolute, errno: errno)
    }
    lock.lock()
    directories[descriptor] = relative
    lock.unlock()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { return }
    for name in names {
      let child = relative.isEmpty ? name : relative + "/" + name
      var status = stat()
      // Symbolic links are not followed, so a link cannot lead the watcher out of the tree.
      guard lstat(root + "/" + child, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
      if !ignore(child, true) { try addTree(child) }
    }
  }

  private func readLoop() {
    var pending = Set<String>()
    var firstEvent: ContinuousClock.Instant?
    var lastEvent = ContinuousClock.now
    let capacity = 64 * 1024
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    defer {
      buffer.deallocate()
      Glibc.close(inotifyDescriptor)
      Glibc.close(wakeDescriptors.read)
      Glibc.close(wakeDescriptors.write)
    }
    while !closed {
      var timeout: Int32 = -1
      if let first = firstEvent {
        let due = min(lastEvent + quietPeriod, first + maximumDelay)
        let now = ContinuousClock.now
        if now >= due {
          let batch = pending.sorted()
          pending.removeAll()
          firstEvent = nil
          if !batch.isEmpty, !closed { onChange(batch) }
          continue
        }
        timeout = Int32(clamping: max(1, (due - now).wholeMilliseconds))
      }
      var descriptors = [
        pollfd(fd: inotifyDescriptor, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wakeDescriptors.read, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&descriptors, 2, timeout)
      if ready < 0 && errno != EINTR { break }
      if descriptors[1].revents != 0 { break }
      guard ready > 0, descriptors[0].revents & Int16(POLLIN) != 0 else { continue }
      let count = read(inotifyDescriptor, buffer, capacity)
      guard count > 0 else { continue }
      let before = pending.count
      collect(buffer: buffer, count: count, into: &pending)
      if pending.count != before {
        lastEvent = ContinuousClock.now
        if firstEvent == nil { firstEvent = lastEvent }
      }
    }
  }

  /// Adds the paths named by the inotify events in `buffer` to `pending`, and watches new directories.
  private func collect(buffer: UnsafeMutableRawPointer, count: Int, into pending: inout Set<String>) {
    let headerSize = MemoryLayout<inotify_event>.size
    var offset = 0
    while offset + headerSize <= count {
      let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
      var name = ""
      if event.len > 0 {
        let start = buffer.advanced(by: offset + headerSize).assumingMemoryBound(to: CChar.self)
        name = String(cString: start)
      }
      offset += headerSize + Int(event.len)

      if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
        // The kernel dropped events, so anything may have changed.
        pending.insert(".")
        continue
      }
      lock.lock()
      let directory = directories[event.wd]
      if event.mask & UInt32(IN_IGNORED) != 0 { directories[event.wd] = nil }
      lock.unlock()
      guard let directory, !name.isEmpty else { continue }

      let path = directory.isEmpty ? name : directory + "/" + name
      let isDirectory = event.mask & UInt32(IN_ISDIR) != 0
      if ignore(path, isDirectory) { continue }
      if isDirectory && event.mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 {
        try? addTree(path)
      }
      pending.insert(path)
    }
  }
}

/// Returns a pipe whose ends close on exec and never block, for waking a thread that waits in `poll`.
func makeWakePipe() -> (read: Int32, write: Int32)? {
  var ends: [Int32] = [0, 0]
  guard pipe(&ends) == 0 else { return nil }
  for end in ends {
    _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
  }
  return (ends[0], ends[1])
}

/// A failure to start watching files.
public enum FileWatcherError: Error, CustomStringConvertible, Equatable {
  case cannotWatch(path: String, errno: Int32)
  case tooManyWatches(path: String)

  public var description: String {
    switch self {
    case .cannotWatch(let path, let code):
      return "cannot watch \(path) for changes: \(String(cString: strerror(code)))"
    case .tooManyWatches(let path):
      return "cannot watch \(path): the inotify watch limit is reached; raise it with "
        + "'sysctl fs.inotify.max_user_watches=524288' or ignore large folders in .functionsignore"
    }
  }
}
