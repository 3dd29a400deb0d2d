import CCrypto
import Foundation

/// SHA-256 digests through OpenSSL's libcrypto.
public enum SHA256 {
  /// Returns the lowercase hexadecimal SHA-256 digest of `data`.
  public static func hexDigest(of data: Data) -> String {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let succeeded = data.withUnsafeBytes { buffer in
      EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
    }
    precondition(succeeded == 1, "EVP_Digest(SHA-256) failed")
    return hex(digest[0..<Int(length)])
  }

  /// Returns bytes as lowercase hexadecimal, without `String(format:)`, which is slow on Linux.
  public static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  public static func hexDigest(of text: String) -> String {
    hexDigest(of: Data(text.utf8))
  }

  /// Returns the SHA-256 digest of a file's bytes, read in 1 MiB chunks.
  public static func digest(ofFileAt path: String) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
    defer { EVP_MD_CTX_free(context) }
    precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(SHA-256) failed")
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      _ = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1, "EVP_DigestFinal_ex failed")
    return Array(digest[0..<Int(length)])
  }
}
