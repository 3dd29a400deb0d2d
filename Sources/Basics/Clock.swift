import Foundation

/// The source of the current time, passed in so tests can fix it.
public protocol WallClock: Sendable {
  func now() -> Date
}

/// The system's clock.
public struct SystemClock: WallClock {
  public init() {}
  public func now() -> Date { Date() }
}

/// A clock that returns a set time, for tests.
public struct FixedClock: WallClock {
  public let date: Date
  public init(_ date: Date) { self.date = date }
  public func now() -> Date { date }
}

extension Date {
  /// The RFC 3339 form with milliseconds and a `Z` suffix, as Google Cloud writes timestamps.
  public var rfc3339: String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: self)
  }
}

extension Duration {
  /// The duration in whole milliseconds, rounded towards zero.
  public var wholeMilliseconds: Int64 {
    components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
  }
}
