import Foundation
import Testing

@testable import Basics

/// Archives are checked by readers this project did not write: Python's `zipfile` and Info-ZIP's `unzip`.
@Suite("ZipWriter")
struct ZipWriterTests {
  /// The view of an archive that Python's `zipfile` reports, one member per entry.
  struct Member: Decodable, Equatable {
    let name: String
    let mode: Int
    let dateTime: [Int]
    let method: Int
    let flags: Int
    let size: Int
    let sha256: String
  }

  /// Reads an archive with `zipfile`, checking every member's CRC-32 with `testzip()` first.
  static func readWithPython(_ archive: String) throws -> [Member] {
    let script = """
      import hashlib, json, sys, zipfile
      with zipfile.ZipFile(sys.argv[1]) as archive:
          bad = archive.testzip()
          if bad is not None:
              sys.exit("bad CRC in " + bad)
          members = []
          for info in archive.infolist():
              members.append({
                  "name": info.filename, "mode": info.external_attr >> 16, "dateTime": list(info.date_time),
                  "method": info.compress_type, "flags": info.flag_bits, "size": info.file_size,
                  "sha256": hashlib.sha256(archive.read(info)).hexdigest(),
              })
          print(json.dumps(members))
      """
    let result = try ProcessRunner().checkedRun(
      ProcessSpec(
        executable: "python3", arguments: ["-c", script, archive],
        environment: ProcessInfo.processInfo.environment),
      timeout: .seconds(60))
    return try JSONDecoder().decode([Member].self, from: Data(result.output.utf8))
  }

  static func fileDigest(_ path: String) throws -> String {
    SHA256.hex(try SHA256.digest(ofFileAt: path))
  }

  @Test("round trip through Python zipfile")
  func roundTrip() throws {
    try ScratchDirectory.with { directory in
      let archive = directory + "/out.zip"
      let entries = [
        ZipEntry(path: "main.py", content: .data(Data("print('hi')\n".utf8))),
        ZipEntry(path: "lib", content: .directory),
        ZipEntry(path: "lib/empty.txt", content: .data(Data())),
        ZipEntry(path: "bootstrap", content: .data(Data("#!/bin/sh\n".utf8)), isExecutable: true),
      ]
      try ZipWriter.write(entries, to: archive)
      let members = try Self.readWithPython(archive)

      #expect(members.map(\.name) == ["bootstrap", "lib/", "lib/empty.txt", "main.py"])
      let byName = Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0) })
      #expect(byName["main.py"]?.sha256 == SHA256.hexDigest(of: "print('hi')\n"))
      #expect(byName["main.py"]?.mode == 0o100644)
      #expect(byName["main.py"]?.method == 8, "non-empty files are deflated")
      #expect(byName["bootstrap"]?.mode == 0o100755)
      #expect(byName["lib/"]?.mode == 0o040755)
      #expect(byName["lib/empty.txt"]?.size == 0)
      #expect(byName["lib/empty.txt"]?.method == 0, "empty files are stored")
      for member in members {
        #expect(member.dateTime == [1980, 1, 1, 0, 0, 0], "\(member.name) has a fixed timestamp")
      }
    }
  }

  @Test("unzip -t accepts the archive")
  func unzipTest() throws {
    guard ExecutableLookup.find("unzip", environment: ProcessInfo.processInfo.environment) != nil else {
      // NOTE: Info-ZIP's unzip is optional on build machines; Python's zipfile covers the format then.
      return
    }
    try ScratchDirectory.with { directory in
      let archive = directory + "/out.zip"
      let entries = (0..<20).map {
        ZipEntry(
          path: "dir\($0 % 3)/file\($0).txt",
          content: .data(Data(String(repeating: "x\($0)", count: $0 * 50).utf8)))
      }
      try ZipWriter.write(entries + [ZipEntry(path: "dir0", content: .directory)], to: archive)
      let result = try ProcessRunner().run(
        ProcessSpec(
          executable: "unzip", arguments: ["-t", archive], environment: ProcessInfo.processInfo.environment),
        timeout: .seconds(60))
      #expect(result.termination.isSuccess, "\(result.output)\(result.errorOutput)")
      #expect(result.output.contains("No errors detected"))
    }
  }

  @Test("same input gives same SHA-256")
  func deterministic() throws {
    try ScratchDirectory.with { directory in
      let source = directory + "/source.bin"
      try Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(
        to: URL(fileURLWithPath: source))
      let entries = [
        ZipEntry(path: "b.txt", content: .data(Data("b".utf8))),
        ZipEntry(path: "a/source.bin", content: .file(path: source)),
        ZipEntry(path: "a", content: .directory),
      ]
      try ZipWriter.write(entries, to: directory + "/first.zip")
      // The file's own timestamp and mode change; the archive must not.
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSince1970: 1_000), .posixPermissions: 0o600],
        ofItemAtPath: source)
      try ZipWriter.write(entries.reversed(), to: directory + "/second.zip")

      #expect(try Self.fileDigest(directory + "/first.zip") == Self.fileDigest(directory + "/second.zip"))
    }
  }

  @Test("changed content changes the digest")
  func contentChangesDigest() throws {
    try ScratchDirectory.with { directory in
      try ZipWriter.write([ZipEntry(path: "a", content: .data(Data("1".utf8)))], to: directory + "/one.zip")
      try ZipWriter.write([ZipEntry(path: "a", content: .data(Data("2".utf8)))], to: directory + "/two.zip")
      try ZipWriter.write(
        [ZipEntry(path: "a", content: .data(Data("1".utf8)), isExecutable: true)],
        to: directory + "/three.zip")

      let digests = try ["one", "two", "three"].map { try Self.fileDigest(directory + "/\($0).zip") }
      #expect(Set(digests).count == 3)
    }
  }

  @Test("large incompressible file streams through")
  func largeFile() throws {
    try ScratchDirectory.with { directory in
      let source = directory + "/large.bin"
      // 24 MiB from a linear congruential generator: no repeats for deflate to find.
      var state: UInt64 = 42
      var bytes = [UInt8](repeating: 0, count: 24 << 20)
      for index in bytes.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[index] = UInt8(truncatingIfNeeded: state >> 56)
      }
      let data = Data(bytes)
      try data.write(to: URL(fileURLWithPath: source))
      let archive = directory + "/large.zip"
      try ZipWriter.write([ZipEntry(path: "large.bin", content: .file(path: source))], to: archive)

      let members = try Self.readWithPython(archive)
      #expect(members.count == 1)
      #expect(members.first?.size == data.count)
      #expect(members.first?.sha256 == SHA256.hexDigest(of: data))
    }
  }

  @Test("UTF-8 names keep their bytes")
  func utf8Names() throws {
    try ScratchDirectory.with { directory in
      let archive = directory + "/names.zip"
      let names = ["grüße.txt", "日本/データ.json", "emoji-🚀.py"]
      try ZipWriter.write(names.map { ZipEntry(path: $0, content: .data(Data($0.utf8))) }, to: archive)
      let members = try Self.readWithPython(archive)

      #expect(Set(members.map(\.name)) == Set(names))
      for member in members {
        #expect(member.flags & 0x800 != 0, "\(member.name) carries the UTF-8 flag")
        #expect(member.sha256 == SHA256.hexDigest(of: member.name))
      }
    }
  }

  @Test(
    "invalid paths are rejected",
    arguments: ["", "/abs", "a//b", "a/../b", "./a", "a/", "a\\b"])
  func invalidPaths(path: String) throws {
    try ScratchDirectory.with { directory in
      #expect(throws: ZipError.invalidPath(path)) {
        try ZipWriter.write([ZipEntry(path: path, content: .data(Data()))], to: directory + "/x.zip")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/x.zip"))
    }
  }

  @Test("duplicate paths are rejected")
  func duplicatePaths() throws {
    try ScratchDirectory.with { directory in
      let entry = ZipEntry(path: "a.txt", content: .data(Data()))
      #expect(throws: ZipError.duplicatePath("a.txt")) {
        try ZipWriter.write([entry, entry], to: directory + "/x.zip")
      }
    }
  }

  @Test("missing source leaves no archive")
  func missingSource() throws {
    try ScratchDirectory.with { directory in
      let archive = directory + "/x.zip"
      #expect(throws: ZipError.self) {
        try ZipWriter.write(
          [ZipEntry(path: "gone", content: .file(path: directory + "/does-not-exist"))], to: archive)
      }
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
      #expect(leftovers.isEmpty, "found \(leftovers)")
    }
  }

  @Test("empty archive is valid")
  func emptyArchive() throws {
    try ScratchDirectory.with { directory in
      try ZipWriter.write([], to: directory + "/empty.zip")
      #expect(try Self.readWithPython(directory + "/empty.zip").isEmpty)
      // An archive with no entries is only its 22-byte end of central directory record.
      let size = try FileManager.default.attributesOfItem(atPath: directory + "/empty.zip")[.size] as? Int
      #expect(size == 22)
    }
  }
}
