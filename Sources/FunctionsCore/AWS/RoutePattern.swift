import Foundation

/// A route template such as `/users/{id}` or `/files/{proxy+}`, matched against request paths to fill
/// `pathParameters`.
///
/// `{name}` matches one path segment; a greedy `{name+}` must be the last segment and matches one or
/// more segments, slashes included. Values are percent-decoded, with `+` kept as a plus sign.
struct RoutePattern: Equatable {
  /// The method part of a route key such as `ANY /{proxy+}`; nil when the template has none.
  var method: String?
  /// The path template, such as `/users/{id}`.
  var path: String

  /// Reads a template, with or without a leading method and space.
  init(_ template: String) {
    let trimmed = template.trimmingCharacters(in: .whitespaces)
    if let space = trimmed.firstIndex(of: " ") {
      method = String(trimmed[..<space])
      path = trimmed[space...].trimmingCharacters(in: .whitespaces)
    } else {
      method = nil
      path = trimmed
    }
  }

  /// The template segments, without empty ones.
  private var segments: [Substring] {
    path.split(separator: "/", omittingEmptySubsequences: true)
  }

  /// Returns the path parameters for `rawPath`: an empty list when the template has no variables, and
  /// nil when the path does not match the template.
  func match(_ rawPath: String) -> [(name: String, value: String)]? {
    let pathSegments = rawPath.split(separator: "/", omittingEmptySubsequences: true)
    let templateSegments = segments
    var parameters: [(name: String, value: String)] = []

    for (index, templateSegment) in templateSegments.enumerated() {
      if let name = Self.variableName(templateSegment, greedy: true) {
        let isLast = index == templateSegments.count - 1
        guard isLast, index < pathSegments.count else { return nil }
        let rest = pathSegments[index...].joined(separator: "/")
        parameters.append((name, RequestParts.percentDecode(rest)))
        return parameters
      }
      guard index < pathSegments.count else { return nil }
      let pathSegment = pathSegments[index]
      if let name = Self.variableName(templateSegment, greedy: false) {
        parameters.append((name, RequestParts.percentDecode(String(pathSegment))))
      } else if templateSegment != pathSegment {
        return nil
      }
    }
    return pathSegments.count == templateSegments.count ? parameters : nil
  }

  /// Returns the variable name in `{name}` (or in `{name+}` when `greedy`), or nil for a literal segment.
  private static func variableName(_ segment: Substring, greedy: Bool) -> String? {
    guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return nil }
    let inner = segment.dropFirst().dropLast()
    if greedy {
      return inner.hasSuffix("+") ? String(inner.dropLast()) : nil
    }
    return inner.hasSuffix("+") ? nil : String(inner)
  }
}
