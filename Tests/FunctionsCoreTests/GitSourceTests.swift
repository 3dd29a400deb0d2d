import FunctionsCore
import Testing

@Suite("GitSourceParser")
struct GitSourceTests {
  @Test(
    "URL forms map to clone URL, ref and path",
    arguments: [
      ("https://github.com/acme/fns", "https://github.com/acme/fns.git", nil, ""),
      ("https://github.com/acme/fns.git", "https://github.com/acme/fns.git", nil, ""),
      ("https://github.com/acme/fns/tree/main/hello", "https://github.com/acme/fns.git", "main", "hello"),
      ("https://github.com/acme/fns/tree/v1.2/a/b", "https://github.com/acme/fns.git", "v1.2", "a/b"),
      (
        "https://github.com/acme/fns/blob/main/hello/main.py", "https://github.com/acme/fns.git", "main",
        "hello"
      ),
      ("git@github.com:acme/fns.git", "git@github.com:acme/fns.git", nil, ""),
      ("git@github.com:acme/fns.git#dev:fn", "git@github.com:acme/fns.git", "dev", "fn"),
      (
        "file:///srv/repos/fns.git#main:functions/hello", "file:///srv/repos/fns.git", "main",
        "functions/hello"
      ),
      ("https://example.com/fns.git#:sub", "https://example.com/fns.git", nil, "sub"),
      ("ssh://git@example.com/fns.git#release", "ssh://git@example.com/fns.git", "release", ""),
    ] as [(String, String, String?, String)])
  func parses(url: String, cloneURL: String, ref: String?, path: String) throws {
    let source = try GitSourceParser.parse(url)
    #expect(source.cloneURL == cloneURL)
    #expect(source.ref == ref)
    #expect(source.path == path)
  }

  @Test(
    "unsafe URLs are rejected",
    arguments: [
      ("-uProxyCommand=touch /tmp/x", "it starts with '-'"),
      ("ext::sh -c touch% /tmp/x", "transport helpers such as 'ext::' are not allowed"),
      ("fd::17", "transport helpers such as 'ext::' are not allowed"),
      ("file:///srv/fns.git#main:../../etc", "the path must not leave the repository ('..')"),
      ("file:///srv/fns.git#main:/etc", "the path must be relative to the repository"),
      ("file:///srv/fns.git#--upload-pack=x:fn", "the ref '--upload-pack=x' is not a branch or tag name"),
      ("ftp://example.com/fns.git", "use an https://, ssh://, git:// or file:// URL, or user@host:path"),
      ("https://github.com/acme", "a GitHub URL needs OWNER/REPO"),
    ])
  func rejects(url: String, reason: String) {
    #expect(throws: GitSourceError.invalid(url: url, reason: reason)) { try GitSourceParser.parse(url) }
  }
}
