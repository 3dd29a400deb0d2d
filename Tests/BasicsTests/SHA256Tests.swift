import Foundation
import Testing

@testable import Basics

@Suite("SHA256")
struct SHA256Tests {
  /// The SHA-256 examples of NIST FIPS 180-2, appendix B, and the empty message.
  @Test(
    "known digests match",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
      (
        String(repeating: "a", count: 1_000_000),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
      ),
    ]
  )
  func knownDigests(message: String, expected: String) {
    #expect(SHA256.hexDigest(of: message) == expected)
  }

  @Test("text and bytes agree")
  func textAndBytesAgree() {
    let text = "Grüße, functions!\n"
    #expect(SHA256.hexDigest(of: text) == SHA256.hexDigest(of: Data(text.utf8)))
  }

  @Test("lowercase hex of 64 digits")
  func hexFormat() {
    let digest = SHA256.hexDigest(of: Data([0x00, 0xFF]))
    #expect(digest.count == 64)
    #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
  }

  @Test("file digest matches data digest")
  func fileDigest() throws {
    try ScratchDirectory.with { directory in
      let path = directory + "/data.bin"
      // Over one 1 MiB read chunk, so the digest spans several updates.
      let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) })
      try data.write(to: URL(fileURLWithPath: path))
      #expect(SHA256.hex(try SHA256.digest(ofFileAt: path)) == SHA256.hexDigest(of: data))
    }
  }
}
