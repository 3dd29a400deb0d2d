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
    return digest[0..<Int(length)].map { String(format: "%02x", $0) }.joined()
  }

  public static func hexDigest(of text: String) -> String {
    hexDigest(of: Data(text.utf8))
  }
}
