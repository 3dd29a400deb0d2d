import Foundation

/// Maps the JSON a function returns to the HTTP response a gateway sends.
///
/// Sources: "Output format of a Lambda function for proxy integration" (REST API, format 1.0),
/// "Working with AWS Lambda proxy integrations for HTTP APIs", section "Lambda function response
/// format" (format 2.0), and "Invoking Lambda function URLs", section "Response payload format".
enum LambdaResultMapping {
  /// Maps a REST API result, which must be an object with a `statusCode`.
  static func restAPIResponse(_ result: Data) -> Result<GatewayResponse, GatewayFailure> {
    Result {
      guard let object = try parse(result) as? [String: Any] else {
        throw GatewayFailure.malformedResult("the result is not a JSON object")
      }
      let status = try statusCode(object)
      let single = try headerGroups(object["headers"])
      let multiple = try multiValueHeaderGroups(object["multiValueHeaders"])
      // A name in both maps keeps only its `multiValueHeaders` values.
      let multipleNames = Set(multiple.map { $0.name.lowercased() })
      let kept = single.filter { !multipleNames.contains($0.name.lowercased()) }
      let headers = fields(sortedByName(kept + multiple))
      return GatewayResponse(status: status, headers: headers, body: try body(object))
    }.mapError { $0 as? GatewayFailure ?? .malformedResult("\($0)") }
  }

  /// Maps an HTTP API or function URL result: an object with a `statusCode` sets the response, and
  /// any other JSON value becomes a 200 response with that JSON as its body.
  static func payloadVersion2Response(_ result: Data) -> Result<GatewayResponse, GatewayFailure> {
    Result {
      let value = try parse(result)
      guard let object = value as? [String: Any], object["statusCode"] != nil else {
        // The service assumes status 200, `content-type: application/json` and the returned JSON,
        // byte for byte, as the body.
        return GatewayResponse(
          status: 200, headers: [(name: "content-type", value: "application/json")], body: result)
      }
      let status = try statusCode(object)
      var headers = fields(sortedByName(try headerGroups(object["headers"])))
      for cookie in try cookies(object["cookies"]) {
        headers.append((name: "set-cookie", value: cookie))
      }
      return GatewayResponse(status: status, headers: headers, body: try body(object))
    }.mapError { $0 as? GatewayFailure ?? .malformedResult("\($0)") }
  }

  /// Expands header groups into one field per value.
  private static func fields(_ groups: [(name: String, values: [String])]) -> [(name: String, value: String)]
  {
    groups.flatMap { group in group.values.map { (name: group.name, value: $0) } }
  }

  /// Orders header groups by name, ignoring case, so the output does not depend on JSON key order.
  private static func sortedByName(
    _ groups: [(name: String, values: [String])]
  ) -> [(name: String, values: [String])] {
    groups.sorted { ($0.name.lowercased(), $0.name) < ($1.name.lowercased(), $1.name) }
  }

  private static func parse(_ result: Data) throws -> Any {
    do {
      return try JSONSerialization.jsonObject(with: result, options: [.fragmentsAllowed])
    } catch {
      throw GatewayFailure.malformedResult("the result is not valid JSON")
    }
  }

  private static func statusCode(_ object: [String: Any]) throws -> Int {
    guard let value = object["statusCode"] else {
      throw GatewayFailure.malformedResult("statusCode is missing")
    }
    guard let number = value as? NSNumber, !JSONValues.isBoolean(value),
      let status = Int(exactly: number.doubleValue), (100...599).contains(status)
    else {
      throw GatewayFailure.malformedResult("statusCode is not an HTTP status code: \(JSONValues.text(value))")
    }
    return status
  }

  /// Reads a `headers` map of single values. Numbers and booleans are written as their JSON text.
  private static func headerGroups(_ value: Any?) throws -> [(name: String, values: [String])] {
    guard let value, !(value is NSNull) else { return [] }
    guard let map = value as? [String: Any] else {
      throw GatewayFailure.malformedResult("headers is not a JSON object")
    }
    return try map.map { name, value in
      guard let text = JSONValues.scalarText(value) else {
        throw GatewayFailure.malformedResult("headers.\(name) is not a string")
      }
      return (name: name, values: [text])
    }
  }

  private static func multiValueHeaderGroups(_ value: Any?) throws -> [(name: String, values: [String])] {
    guard let value, !(value is NSNull) else { return [] }
    guard let map = value as? [String: Any] else {
      throw GatewayFailure.malformedResult("multiValueHeaders is not a JSON object")
    }
    return try map.map { name, values in
      guard let list = values as? [Any] else {
        throw GatewayFailure.malformedResult("multiValueHeaders.\(name) is not an array")
      }
      let texts = try list.map { item in
        guard let text = JSONValues.scalarText(item) else {
          throw GatewayFailure.malformedResult(
            "multiValueHeaders.\(name) contains a value that is not a string")
        }
        return text
      }
      return (name: name, values: texts)
    }
  }

  private static func cookies(_ value: Any?) throws -> [String] {
    guard let value, !(value is NSNull) else { return [] }
    guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
      throw GatewayFailure.malformedResult("cookies is not an array of strings")
    }
    return list.compactMap { $0 as? String }
  }

  /// Returns the body bytes: empty for a missing or null body, base64-decoded when `isBase64Encoded`
  /// is true.
  // NOTE: A REST API decodes a base64 body only when the response's content type matches one of its
  // binary media types, and otherwise sends the base64 text. Here the body is always decoded, as if
  // `*/*` were a binary media type.
  private static func body(_ object: [String: Any]) throws -> Data {
    let isBase64Encoded = try base64Flag(object["isBase64Encoded"])
    guard let value = object["body"], !(value is NSNull) else { return Data() }
    guard let text = value as? String else {
      throw GatewayFailure.malformedResult("body is not a string")
    }
    guard isBase64Encoded else { return Data(text.utf8) }
    guard let data = Data(base64Encoded: text, options: [.ignoreUnknownCharacters]) else {
      throw GatewayFailure.malformedResult("body is not valid base64 although isBase64Encoded is true")
    }
    return data
  }

  private static func base64Flag(_ value: Any?) throws -> Bool {
    guard let value, !(value is NSNull) else { return false }
    guard JSONValues.isBoolean(value), let flag = value as? Bool else {
      throw GatewayFailure.malformedResult("isBase64Encoded is not a boolean")
    }
    return flag
  }
}

/// Type checks on values from `JSONSerialization`, where booleans and numbers are both `NSNumber`.
enum JSONValues {
  /// Returns whether `value` came from JSON `true` or `false`.
  static func isBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
  }

  /// Returns the text of a string, number or boolean, and nil for objects, arrays and null.
  static func scalarText(_ value: Any) -> String? {
    if let text = value as? String { return text }
    if isBoolean(value), let flag = value as? Bool { return flag ? "true" : "false" }
    if let number = value as? NSNumber {
      if let integer = Int(exactly: number.doubleValue) { return String(integer) }
      return number.stringValue
    }
    return nil
  }

  /// Renders `value` briefly, in JSON notation, for error messages.
  static func text(_ value: Any) -> String {
    if value is NSNull { return "null" }
    if let text = value as? String { return "\"\(text)\"" }
    return scalarText(value) ?? "\(type(of: value))"
  }
}
