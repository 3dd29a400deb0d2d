import Foundation
import Testing

@testable import LocalRuntime

private func write(_ text: String, to path: String) throws {
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

private func append(_ text: String, to path: String) throws {
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seekToEnd()
  try handle.write(contentsOf: Data(text.utf8))
}

@Suite("LogFile", .timeLimit(.minutes(3)))
struct LogFileTests {
  @Test(
    "tail of a file",
    arguments: [
      ("a\nb\nc\n", 2, ["b", "c"]),
      ("a\nb\nc\n", nil, ["a", "b", "c"]),
      ("a\nb\nc\n", 10, ["a", "b", "c"]),
      ("a\nb\nc\n", 0, []),
      ("a\nb", 5, ["a", "b"]),
      ("a\n\nb\n", nil, ["a", "", "b"]),
      ("", nil, []),
    ] as [(String, Int?, [String])]
  )
  func tail(text: String, count: Int?, expected: [String]) throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/output.log"
      try write(text, to: path)

      #expect(LogFile.tail(path, lines: count) == expected)
    }
  }

  @Test("missing file has no lines and no size")
  func missingFile() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/missing.log"

      #expect(LogFile.tail(path, lines: nil) == [])
      #expect(LogFile.size(path) == 0)
      let (data, offset) = LogFile.read(path, from: 7)
      #expect(data.isEmpty)
      #expect(offset == 7)
    }
  }

  @Test("size in bytes")
  func size() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/output.log"
      try write("héllo\n", to: path)

      #expect(LogFile.size(path) == 7)
    }
  }

  @Test("read continues from an offset")
  func readFromOffset() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/output.log"
      try write("first\n", to: path)

      let (firstData, firstEnd) = LogFile.read(path, from: 0)
      #expect(firstData == Data("first\n".utf8))
      #expect(firstEnd == 6)

      try append("second\n", to: path)
      let (secondData, secondEnd) = LogFile.read(path, from: firstEnd)
      #expect(secondData == Data("second\n".utf8))
      #expect(secondEnd == 13)

      let (nothing, sameEnd) = LogFile.read(path, from: secondEnd)
      #expect(nothing.isEmpty)
      #expect(sameEnd == 13)
    }
  }

  @Test("truncated file is read from its start")
  func truncatedFile() throws {
    try ScratchDirectory.with { directory in
      let path = "\(directory)/output.log"
      try write("a long first run of the server\n", to: path)

      try write("new\n", to: path)
      let (data, end) = LogFile.read(path, from: 31)

      #expect(data == Data("new\n".utf8))
      #expect(end == 4)
    }
  }

  @Test("follow writes appended lines")
  func follow() async throws {
    try await ScratchDirectory.withAsync { directory in
      let path = "\(directory)/output.log"
      try write("old\n", to: path)
      let start = LogFile.size(path)
      let collected = LockedValue(Data())

      let follower = Task {
        await LogFile.follow(
          path, from: start, interval: .milliseconds(10),
          shouldStop: { collected.withLock { String(decoding: $0, as: UTF8.self).contains("second") } },
          write: { data in collected.withLock { $0.append(data) } })
      }
      try append("first\n", to: path)
      try await Task.sleep(for: .milliseconds(50))
      try append("second\n", to: path)

      let deadline = ContinuousClock.now + .seconds(60)
      while !collected.withLock({ String(decoding: $0, as: UTF8.self).contains("second") }),
        ContinuousClock.now < deadline
      {
        try await Task.sleep(for: .milliseconds(10))
      }
      follower.cancel()
      await follower.value

      #expect(String(decoding: collected.withLock { $0 }, as: UTF8.self) == "first\nsecond\n")
    }
  }
}
