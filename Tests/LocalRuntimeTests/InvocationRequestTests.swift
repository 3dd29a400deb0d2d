import Foundation
import Testing

@testable import LocalRuntime

private let base = "http://127.0.0.1:8080"

@Suite("InvocationRequest")
struct InvocationRequestTests {
  @Test(
    "query encoding table",
    arguments: [
      ("/", [], "/"),
      ("items", [], "/items"),
      ("/items", [("name", "Ada Lovelace")], "/items?name=Ada%20Lovelace"),
      ("/", [("q", "a&b")], "/?q=a%26b"),
      ("/", [("eq", "a=b")], "/?eq=a%3Db"),
      ("/", [("sum", "1+1")], "/?sum=1%2B1"),
      ("/", [("fragment", "#top")], "/?fragment=%23top"),
      ("/", [("list", "a;b")], "/?list=a%3Bb"),
      ("/", [("share", "100%")], "/?share=100%25"),
      ("/", [("city", "Zürich")], "/?city=Z%C3%BCrich"),
      ("/", [("mood", "😀")], "/?mood=%F0%9F%98%80"),
      ("/", [("flag", nil)], "/?flag"),
      ("/", [("empty", "")], "/?empty="),
      ("/", [("a", "1"), ("b", nil), ("c", "3")], "/?a=1&b&c=3"),
      ("/", [("key with space", "v")], "/?key%20with%20space=v"),
      ("/", [("a&b", "c=d")], "/?a%26b=c%3Dd"),
      ("/items?sort=asc", [("page", "2")], "/items?sort=asc&page=2"),
      ("/items?sort=asc", [], "/items?sort=asc"),
    ] as [(String, [(String, String?)], String)]
  )
  func queryEncoding(path: String, query: [(String, String?)], expected: String) {
    let request = InvocationRequest(method: "GET", path: path, query: query)
    #expect(request.url(base: base)?.absoluteString == base + expected)
  }

  @Test("query decodes to the same pairs")
  func queryRoundTrip() throws {
    let query: [(String, String?)] = [
      ("name", "Ada Lovelace"), ("q", "a&b=c"), ("city", "Zürich"), ("flag", nil), ("sum", "1+1"),
    ]
    let url = try #require(InvocationRequest(method: "GET", path: "/", query: query).url(base: base))
    let items = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems)

    #expect(items.map(\.name) == query.map(\.0))
    #expect(items.map(\.value) == query.map(\.1))
  }

  @Test("invalid URL message")
  func invalidURLMessage() {
    #expect(
      InvocationError.invalidURL("http://127.0.0.1:8080/a b").description
        == "invalid URL http://127.0.0.1:8080/a b; check --path and --query")
  }
}

@Suite("InvocationResponse")
struct InvocationResponseTests {
  @Test("head with sorted headers")
  func head() {
    let response = InvocationResponse(
      statusCode: 404, headers: [("X-Request-Id", "abc"), ("content-type", "text/plain")], body: Data())

    #expect(response.head == "HTTP/1.1 404 Not Found\ncontent-type: text/plain\nX-Request-Id: abc\n\n")
    #expect(!response.isSuccess)
  }

  @Test(
    "success by status",
    arguments: [(200, true), (204, true), (299, true), (301, false), (500, false)]
  )
  func success(statusCode: Int, expected: Bool) {
    #expect(InvocationResponse(statusCode: statusCode, headers: [], body: Data()).isSuccess == expected)
  }

  @Test("unknown status has empty reason")
  func unknownStatus() {
    let response = InvocationResponse(statusCode: 599, headers: [], body: Data())
    #expect(response.head == "HTTP/1.1 599 \n\n")
  }
}
