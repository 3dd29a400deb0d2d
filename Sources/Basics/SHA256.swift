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
}
