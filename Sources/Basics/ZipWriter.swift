import CZlib
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One file or directory to put into a ZIP archive.
public struct ZipEntry: Sendable, Equatable {
  /// The source of the entry's bytes.
  public enum Content: Sendable, Equatable {
    case directory
    /// A file on disk, read in chunks while the archive is written.
    case file(path: String)
    case data(Data)
  }

  /// The path inside the archive, `/`-separated and relative, without a trailing `/`.
  public var path: String
  public var content: Content
  /// Whether the entry gets mode 0755 instead of 0644 (directories always get 0755).
  public var isExecutable: Bool

  public init(path: String, content: Content, isExecutable: Bool = false) {
    self.path = path
    self.content = content
    self.isExecutable = isExecutable
  }
}

/// Failures while writing an archive.
public enum ZipError: Error, CustomStringConvertible, Sendable, Equatable {
  case invalidPath(String)
  case duplicatePath(String)
  case unreadable(path: String, reason: String)
  case unwritable(path: String, reason: String)
  /// The archive needs ZIP64 (an entry or offset of 4 GiB or more, or more than 65,535 entries).
  case tooLarge(String)
  case compressionFailed(code: Int32)

  public var description: String {
    switch self {
    case .invalidPath(let path):
      "invalid archive path '\(path)': it must be relative, without '.', '..' or empty components"
    case .duplicatePath(let path):
      "the archive path '\(path)' appears twice"
    case .unreadable(let path, let reason):
      "cannot read \(path): \(reason)"
    case .unwritable(let path, let reason):
      "cannot write \(path): \(reason)"
    case .tooLarge(let what):
      "\(what) is too large for a ZIP archive without ZIP64 (at most 4 GiB and 65,535 entries)"
    case .compressionFailed(let code):
      "zlib deflate failed with code \(code)"
    }
  }
}

/// Writes deterministic ZIP archives (PKWARE APPNOTE 6.3.10): the same entries give the same bytes.
///
/// Entries are sorted by their UTF-8 path bytes, every timestamp is 1980-01-01 00:00 (the earliest DOS
/// date), files get mode 0644 or 0755 and directories 0755, and no extra fields are written. File data is
/// deflated by zlib at level 6. Empty files and directories are stored. The output is the same only for
/// the same zlib version, because another zlib release may produce a different deflate stream.
public enum ZipWriter {
  /// The DOS date of 1980-01-01: (year - 1980) << 9 | month << 5 | day.
  static let fixedDate: UInt16 = (0 << 9) | (1 << 5) | 1
  static let fixedTime: UInt16 = 0
  static let compressionLevel: Int32 = 6
  /// General purpose flag bit 11: file names are UTF-8 (APPNOTE appendix D).
  static let utf8Flag: UInt16 = 1 << 11
  /// "Version made by": high byte 3 is UNIX, so unzip reads the mode from the external attributes.
  static let versionMadeBy: UInt16 = (3 << 8) | 20
  static let versionNeeded: UInt16 = 20
  static let chunkSize = 1 << 16

  /// Writes `entries` to a new archive at `path`, replacing it atomically.
  public static func write(_ entries: [ZipEntry], to path: String) throws(ZipError) {
    let sorted = try validatedAndSorted(entries)
    let temporaryPath = path + ".partial-\(getpid())"
    guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
      let handle = FileHandle(forWritingAtPath: temporaryPath)
    else {
      throw .unwritable(path: temporaryPath, reason: String(cString: strerror(errno)))
    }
    do throws(ZipError) {
      var output = ArchiveOutput(handle: handle, path: temporaryPath)
      var centralDirectory = Data()
      for entry in sorted {
        centralDirectory.append(try writeEntry(entry, to: &output))
      }
      let centralOffset = output.offset
      try output.append(centralDirectory)
      try output.append(
        endOfCentralDirectory(count: sorted.count, size: centralDirectory.count, offset: centralOffset))
      try? handle.synchronize()
      try? handle.close()
      guard rename(temporaryPath, path) == 0 else {
        throw ZipError.unwritable(path: path, reason: String(cString: strerror(errno)))
      }
    } catch {
      try? handle.close()
      unlink(temporaryPath)
      throw error
    }
  }

  /// Returns the entries sorted by path after checking each path, and adds no implicit directories.
  static func validatedAndSorted(_ entries: [ZipEntry]) throws(ZipError) -> [ZipEntry] {
    guard entries.count <= 0xFFFF else { throw .tooLarge("an archive of \(entries.count) entries") }
    var seen = Set<[UInt8]>()
    for entry in entries {
      let components = entry.path.split(separator: "/", omittingEmptySubsequences: false)
      guard !entry.path.isEmpty, !entry.path.hasPrefix("/"), entry.path.utf8.count <= 0xFFFF,
        components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), !entry.path.contains("\\")
      else {
        throw .invalidPath(entry.path)
      }
      guard seen.insert(Array(entry.path.utf8)).inserted else { throw .duplicatePath(entry.path) }
    }
    return entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
  }

  /// Writes one local header and its data, and returns the entry's central directory record.
  private static func writeEntry(_ entry: ZipEntry, to output: inout ArchiveOutput) throws(ZipError) -> Data {
    let isDirectory = entry.content == .directory
    let name = Data((isDirectory ? entry.path + "/" : entry.path).utf8)
    let headerOffset = output.offset
    // The header is written with zero sizes first and rewritten once the data is written, so large files
    // stream through without being held in memory.
    var header = LocalHeader(name: name, method: 0, crc: 0, compressedSize: 0, uncompressedSize: 0)
    try output.append(header.bytes)

    let dataOffset = output.offset
    switch entry.content {
    case .directory:
      break
    case .data(let data):
      var source = DataChunks(data: data)
      (header.crc, header.uncompressedSize) = try deflate(from: &source, to: &output)
    case .file(let path):
      guard let input = FileHandle(forReadingAtPath: path) else {
        throw .unreadable(path: path, reason: String(cString: strerror(errno)))
      }
      defer { try? input.close() }
      var source = FileChunks(handle: input, path: path)
      (header.crc, header.uncompressedSize) = try deflate(from: &source, to: &output)
    }
    let compressedSize = output.offset - dataOffset
    if header.uncompressedSize > 0 {
      header.method = 8
      header.compressedSize = UInt64(compressedSize)
    } else if compressedSize > 0 {
      // An empty file is stored: drop the two bytes of the empty deflate stream.
      try output.truncate(to: dataOffset)
    }
    guard header.compressedSize <= 0xFFFF_FFFE, header.uncompressedSize <= 0xFFFF_FFFE,
      headerOffset <= 0xFFFF_FFFE
    else {
      throw .tooLarge("the entry '\(entry.path)'")
    }
    try output.overwrite(header.bytes, at: headerOffset)

    let mode: UInt32 = isDirectory ? 0o040755 : (entry.isExecutable ? 0o100755 : 0o100644)
    // MS-DOS attribute 0x10 marks a directory for readers that ignore the UNIX mode.
    let externalAttributes = (mode << 16) | (isDirectory ? 0x10 : 0)
    var record = Data()
    record.appendLittleEndian(UInt32(0x0201_4b50))
    record.appendLittleEndian(versionMadeBy)
    record.append(header.fieldsAfterSignature(externalAttributes: externalAttributes, offset: headerOffset))
    return record
  }

  /// Deflates every chunk of `source` into `output` and returns the CRC-32 and uncompressed size.
  private static func deflate<Source: ChunkSource>(from source: inout Source, to output: inout ArchiveOutput)
    throws(ZipError) -> (UInt32, UInt64)
  {
    var stream = z_stream()
    // Negative window bits ask zlib for a raw deflate stream, without the zlib header ZIP does not use.
    let initialized = deflateInit2_(
      &stream, compressionLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    guard initialized == Z_OK else { throw .compressionFailed(code: initialized) }
    defer { deflateEnd(&stream) }

    var crc = crc32(0, nil, 0)
    var total: UInt64 = 0
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let chunk = try source.next()
      let isLast = chunk == nil
      let bytes = chunk ?? []
      total += UInt64(bytes.count)
      if !bytes.isEmpty {
        crc = bytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
      }
      var input = bytes
      var status: Int32 = Z_OK
      try input.withUnsafeMutableBufferPointer { inputBuffer throws(ZipError) in
        stream.next_in = inputBuffer.baseAddress
        stream.avail_in = UInt32(inputBuffer.count)
        repeat {
          let produced = buffer.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = UInt32(outputBuffer.count)
            status = CZlib.deflate(&stream, isLast ? Z_FINISH : Z_NO_FLUSH)
            return outputBuffer.count - Int(stream.avail_out)
          }
          guard status != Z_STREAM_ERROR else { throw .compressionFailed(code: status) }
          if produced > 0 { try output.append(Data(buffer[0..<produced])) }
        } while stream.avail_out == 0 || (isLast && status != Z_STREAM_END)
      }
      if isLast { break }
    }
    return (UInt32(crc), total)
  }

  private static func endOfCentralDirectory(count: Int, size: Int, offset: Int) throws(ZipError) -> Data {
    guard size <= 0xFFFF_FFFE, offset <= 0xFFFF_FFFE else { throw .tooLarge("the archive") }
    var record = Data()
    record.appendLittleEndian(UInt32(0x0605_4b50))
    record.appendLittleEndian(UInt16(0))  // number of this disk
    record.appendLittleEndian(UInt16(0))  // disk where the central directory starts
    record.appendLittleEndian(UInt16(count))
    record.appendLittleEndian(UInt16(count))
    record.appendLittleEndian(UInt32(size))
    record.appendLittleEndian(UInt32(offset))
    record.appendLittleEndian(UInt16(0))  // comment length
    return record
  }
}

/// The fields a local header and a central directory record share.
private struct LocalHeader {
  let name: Data
  var method: UInt16
  var crc: UInt32
  var compressedSize: UInt64
  var uncompressedSize: UInt64

  var bytes: Data {
    var data = Data()
    data.appendLittleEndian(UInt32(0x0403_4b50))
    data.append(common)
    data.append(name)
    return data
  }

  /// Version needed, flags, method, time, date, CRC, sizes and name length.
  private var common: Data {
    var data = Data()
    data.appendLittleEndian(ZipWriter.versionNeeded)
    data.appendLittleEndian(ZipWriter.utf8Flag)
    data.appendLittleEndian(method)
    data.appendLittleEndian(ZipWriter.fixedTime)
    data.appendLittleEndian(ZipWriter.fixedDate)
    data.appendLittleEndian(crc)
    data.appendLittleEndian(UInt32(compressedSize))
    data.appendLittleEndian(UInt32(uncompressedSize))
    data.appendLittleEndian(UInt16(name.count))
    data.appendLittleEndian(UInt16(0))  // extra field length
    return data
  }

  /// Returns the central directory record's fields after its signature and "version made by".
  func fieldsAfterSignature(externalAttributes: UInt32, offset: Int) -> Data {
    var data = common
    data.appendLittleEndian(UInt16(0))  // comment length
    data.appendLittleEndian(UInt16(0))  // disk number start
    data.appendLittleEndian(UInt16(0))  // internal attributes
    data.appendLittleEndian(externalAttributes)
    data.appendLittleEndian(UInt32(offset))
    data.append(name)
    return data
  }
}

/// A sequence of byte chunks that ends with nil.
private protocol ChunkSource {
  mutating func next() throws(ZipError) -> [UInt8]?
}

private struct DataChunks: ChunkSource {
  let data: Data
  var position = 0

  mutating func next() throws(ZipError) -> [UInt8]? {
    guard position < data.count else { return nil }
    let end = min(position + ZipWriter.chunkSize, data.count)
    defer { position = end }
    return [UInt8](data[(data.startIndex + position)..<(data.startIndex + end)])
  }
}

private struct FileChunks: ChunkSource {
  let handle: FileHandle
  let path: String

  mutating func next() throws(ZipError) -> [UInt8]? {
    do {
      guard let data = try handle.read(upToCount: ZipWriter.chunkSize), !data.isEmpty else { return nil }
      return [UInt8](data)
    } catch {
      throw .unreadable(path: path, reason: error.localizedDescription)
    }
  }
}

/// The archive file being written, with its current length.
private struct ArchiveOutput {
  let handle: FileHandle
  let path: String
  private(set) var offset = 0

  init(handle: FileHandle, path: String) {
    self.handle = handle
    self.path = path
  }

  mutating func append(_ data: Data) throws(ZipError) {
    do {
      try handle.write(contentsOf: data)
    } catch {
      throw .unwritable(path: path, reason: error.localizedDescription)
    }
    offset += data.count
  }

  func overwrite(_ data: Data, at position: Int) throws(ZipError) {
    do {
      try handle.seek(toOffset: UInt64(position))
      try handle.write(contentsOf: data)
      try handle.seekToEnd()
    } catch {
      throw .unwritable(path: path, reason: error.localizedDescription)
    }
  }

  mutating func truncate(to position: Int) throws(ZipError) {
    do {
      try handle.truncate(atOffset: UInt64(position))
      try handle.seekToEnd()
    } catch {
      throw .unwritable(path: path, reason: error.localizedDescription)
    }
    offset = position
  }
}

extension Data {
  fileprivate mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
