import Foundation
import Testing

@testable import Basics

// NOTE: a writer killed between writing and renaming is not tested here, because the pause hook
// (`FUNCTIONS_TEST_PAUSE_BEFORE_RENAME_MS`) is read once per process. The end-to-end suites kill a
// real writer instead.

@Suite("AtomicFile", .timeLimit(.minutes(1)))
struct AtomicFileTests {
  @Test("write then read")
  func writeThenRead() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/state.json"
      let data = Data("{\"version\": 1}\n".utf8)

      try AtomicFile.write(data, to: path)

      #expect(FileManager.default.contents(atPath: path) == data)
    }
  }

  @Test("replaces content and leaves no temporary file")
  func replacesContent() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/state.json"
      try AtomicFile.write(Data("old content that is longer\n".utf8), to: path)

      try AtomicFile.write(Data("new\n".utf8), to: path)

      #expect(FileManager.default.contents(atPath: path) == Data("new\n".utf8))
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["state.json"])
    }
  }

  @Test("creates missing parent directories")
  func createsParents() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/a/b/state.json"

      try AtomicFile.write(Data("x".utf8), to: path)

      #expect(FileManager.default.contents(atPath: path) == Data("x".utf8))
    }
  }

  @Test("applies permissions")
  func appliesPermissions() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/secret.json"

      try AtomicFile.write(Data("{}".utf8), to: path, permissions: 0o600)

      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
  }

  @Test("empty data replaces content")
  func emptyData() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/empty"
      try AtomicFile.write(Data("something".utf8), to: path)

      try AtomicFile.write(Data(), to: path)

      #expect(FileManager.default.contents(atPath: path) == Data())
    }
  }

  @Test("parent that is a file")
  func parentIsFile() throws {
    try ScratchDirectory.with { directory in
      let blocker = "\(directory)/blocker"
      try Data("keep".utf8).write(to: URL(fileURLWithPath: blocker))

      #expect(throws: (any Error).self) {
        try AtomicFile.write(Data("x".utf8), to: "\(blocker)/state.json")
      }
      #expect(FileManager.default.contents(atPath: blocker) == Data("keep".utf8))
    }
  }

  @Test("concurrent writers in one process")
  func concurrentWritersInOneProcess() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/shared.json"
      let writerCount = 4
      let writesPerWriter = 10
      // Each writer's content is large enough that writes overlap in time.
      let contents = (0..<writerCount).map {
        Data(repeating: UInt8(ascii: "a") + UInt8($0), count: 256 * 1024)
      }
      try AtomicFile.write(contents[0], to: path)
      let writeErrors = LockedValue<[String]>([])
      let mixedReads = LockedValue(0)
      let group = DispatchGroup()

      for writer in 0..<writerCount {
        group.enter()
        Thread.detachNewThread {
          defer { group.leave() }
          for _ in 0..<writesPerWriter {
            do {
              try AtomicFile.write(contents[writer], to: path)
            } catch {
              writeErrors.withLock { $0.append("\(error)") }
            }
            if let seen = FileManager.default.contents(atPath: path), !contents.contains(seen) {
              mixedReads.withLock { $0 += 1 }
            }
          }
        }
      }

      #expect(group.wait(timeout: .now() + 30) == .success)
      let errors = writeErrors.withLock { $0 }
      #expect(errors.count == 0, "first error: \(errors.first ?? "none")")
      #expect(mixedReads.withLock { $0 } == 0, "reads that were neither the old nor a new content")
    }
  }
}
