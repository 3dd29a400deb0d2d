import Foundation

/// A function's source in a git repository: where to clone from, which ref, and the folder inside it.
public struct GitSource: Equatable, Sendable, Codable {
  /// The URL git clones.
  public var cloneURL: String
  /// The branch or tag; nil for the remote's default branch.
  public var ref: String?
  /// The function's folder inside the repository; empty for the repository's root.
  public var path: String

  public init(cloneURL: String, ref: String?, path: String) {
    self.cloneURL = cloneURL
    self.ref = ref
    self.path = path
  }
}

/// The reason a source URL was rejected before git saw it.
public enum GitSourceError: Error, Equatable, CustomStringConvertible, Sendable {
  case invalid(url: String, reason: String)

  public var description: String {
    switch self {
    case .invalid(let url, let reason): "invalid source URL '\(url)': \(reason)"
    }
  }
}

/// Parses and checks the source URLs `functions add` accepts:
/// `https://github.com/OWNER/REPO[/tree|blob/REF/PATH]`, `git@github.com:OWNER/REPO.git`, and any git URL
/// (`https://`, `ssh://`, `git://`, `file://`, or `user@host:path`) with an optional `#REF:PATH`.
public enum GitSourceParser {
  /// Returns whether an argument of `functions add` is a URL rather than a directory.
  public static func looksLikeURL(_ text: String) -> Bool {
    text.contains("://") || text.hasPrefix("git@") || text.contains("::")
  }

  public static func parse(_ text: String) throws(GitSourceError) -> GitSource {
    // Option injection: git would read a leading dash as an option (`-uProxyCommand=…`).
    guard !text.hasPrefix("-") else { throw .invalid(url: text, reason: "it starts with '-'") }
    // Transport helpers such as `ext::` run commands; git spells them `NAME::ADDRESS`.
    guard !text.contains("::") else {
      throw .invalid(url: text, reason: "transport helpers such as 'ext::' are not allowed")
    }
    guard !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
      throw .invalid(url: text, reason: "it contains white space")
    }

    var address = text
    var ref: String?
    var path = ""
    if let hash = text.lastIndex(of: "#") {
      address = String(text[..<hash])
      let fragment = text[text.index(after: hash)...]
      let parts = fragment.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      ref = parts.first.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
      path = parts.count > 1 ? String(parts[1]) : ""
    }

    let source: GitSource
    if let github = try gitHubSource(address, original: text), ref == nil, path.isEmpty {
      source = github
    } else {
      try checkScheme(address, original: text)
      source = GitSource(cloneURL: address, ref: ref, path: path)
    }
    try checkPath(source.path, original: text)
    if let ref = source.ref, ref.hasPrefix("-") || ref.contains("..") {
      throw .invalid(url: text, reason: "the ref '\(ref)' is not a branch or tag name")
    }
    return source
  }

  /// Maps GitHub web URLs to a clone URL, ref and path.
  static func gitHubSource(_ address: String, original: String) throws(GitSourceError) -> GitSource? {
    guard address.hasPrefix("https://github.com/") else { return nil }
    let parts = address.dropFirst("https://github.com/".count).split(separator: "/").map(String.init)
    guard parts.count >= 2 else { throw .invalid(url: original, reason: "a GitHub URL needs OWNER/REPO") }
    let repository = parts[1].hasSuffix(".git") ? String(parts[1].dropLast(4)) : parts[1]
    let cloneURL = "https://github.com/\(parts[0])/\(repository).git"
    guard parts.count > 2 else { return GitSource(cloneURL: cloneURL, ref: nil, path: "") }
    guard parts.count >= 4, parts[2] == "tree" || parts[2] == "blob" else {
      throw .invalid(url: original, reason: "expected /tree/REF/PATH or /blob/REF/PATH after the repository")
    }
    var pathParts = Array(parts[4...])
    // A blob URL names a file: the function is the folder that contains it.
    if parts[2] == "blob", !pathParts.isEmpty { pathParts.removeLast() }
    return GitSource(cloneURL: cloneURL, ref: parts[3], path: pathParts.joined(separator: "/"))
  }

  static func checkScheme(_ address: String, original: String) throws(GitSourceError) {
    let allowed = ["https://", "http://", "ssh://", "git://", "file://"]
    if allowed.contains(where: { address.hasPrefix($0) }) { return }
    // scp-like syntax: user@host:path, with no scheme.
    if let at = address.firstIndex(of: "@"), let colon = address.firstIndex(of: ":"), at < colon,
      !address.contains("/") || address.firstIndex(of: "/")! > colon
    {
      return
    }
    throw .invalid(url: original, reason: "use an https://, ssh://, git:// or file:// URL, or user@host:path")
  }

  static func checkPath(_ path: String, original: String) throws(GitSourceError) {
    if path.hasPrefix("/") {
      throw .invalid(url: original, reason: "the path must be relative to the repository")
    }
    if path.split(separator: "/").contains("..") {
      throw .invalid(url: original, reason: "the path must not leave the repository ('..')")
    }
  }
}
