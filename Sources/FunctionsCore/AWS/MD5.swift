import Foundation

/// MD5 digests (RFC 1321), which Amazon SQS reports as `md5OfBody` and Amazon S3 as a simple object's
/// `eTag`. Used only to fill sample events, never for security.
enum MD5 {
  /// Returns the lowercase hexadecimal MD5 digest of `data`.
  static func hexDigest(of data: Data) -> String {
    var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476]
    for block in paddedBlocks(data) {
      process(block, state: &state)
    }
    return state.flatMap { word in
      (0..<4).map { String(format: "%02x", UInt8(truncatingIfNeeded: word >> (8 * $0))) }
    }.joined()
  }

  static func hexDigest(of text: String) -> String {
    hexDigest(of: Data(text.utf8))
  }

  /// Per-round left-rotation amounts.
  private static let shifts: [UInt32] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
  ]

  /// The table of constants: the integer part of 2^32 × |sin(i + 1)|.
  private static let constants: [UInt32] = (0..<64).map { index in
    UInt32(truncatingIfNeeded: Int64((abs(sin(Double(index + 1))) * 4_294_967_296).rounded(.down)))
  }

  /// Appends the padding and the 64-bit little-endian bit length, then cuts the message into 16-word
  /// blocks.
  private static func paddedBlocks(_ data: Data) -> [[UInt32]] {
    var bytes = [UInt8](data)
    let bitLength = UInt64(bytes.count) &* 8
    bytes.append(0x80)
    while bytes.count % 64 != 56 { bytes.append(0) }
    for shift in stride(from: 0, to: 64, by: 8) {
      bytes.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    return stride(from: 0, to: bytes.count, by: 64).map { start in
      (0..<16).map { word in
        let offset = start + word * 4
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
          | UInt32(bytes[offset + 3]) << 24
      }
    }
  }

  private static func process(_ block: [UInt32], state: inout [UInt32]) {
    var a = state[0]
    var b = state[1]
    var c = state[2]
    var d = state[3]
    for index in 0..<64 {
      var mixed: UInt32
      var wordIndex: Int
      switch index {
      case 0..<16:
        mixed = (b & c) | (~b & d)
        wordIndex = index
      case 16..<32:
        mixed = (d & b) | (~d & c)
        wordIndex = (5 * index + 1) % 16
      case 32..<48:
        mixed = b ^ c ^ d
        wordIndex = (3 * index + 5) % 16
      default:
        mixed = c ^ (b | ~d)
        wordIndex = (7 * index) % 16
      }
      mixed = mixed &+ a &+ constants[index] &+ block[wordIndex]
      a = d
      d = c
      c = b
      b = b &+ ((mixed << shifts[index]) | (mixed >> (32 - shifts[index])))
    }
    state[0] = state[0] &+ a
    state[1] = state[1] &+ b
    state[2] = state[2] &+ c
    state[3] = state[3] &+ d
  }
}
