/// Environment variable names that Cloud Functions (2nd gen) sets itself or rejects.
///
/// Source: Google Cloud's "Environment variables for services" page in the Cloud Run documentation
/// (section "Reserved environment variables for functions" and the list of keys that cannot be used),
/// and the Cloud Run "Container runtime contract", which reserves `K_CONFIGURATION` with `K_SERVICE`,
/// `K_REVISION` and `PORT`.
public enum GCPReservedVariables {
  /// Names the platform sets at run time, with what each holds.
  static let reserved: [String: String] = [
    "FUNCTION_TARGET": "Cloud Functions sets it to the function to run",
    "FUNCTION_SIGNATURE_TYPE": "Cloud Functions sets it to the function's type (http or event)",
    "K_SERVICE": "Cloud Functions sets it to the name of the function resource",
    "K_REVISION": "Cloud Functions sets it to the function's revision",
    "K_CONFIGURATION": "Cloud Run sets it to the configuration that created the revision",
    "PORT": "Cloud Functions sets it to the port the function listens on",
  ]

  /// Returns the reason `name` cannot be deployed, or nil when it is allowed.
  public static func reason(for name: String) -> String? {
    if name.isEmpty { return "a name cannot be empty" }
    if name.contains("=") { return "a name cannot contain '='" }
    if name.hasPrefix("X_GOOGLE_") { return "names starting with X_GOOGLE_ are reserved for Google" }
    if let use = reserved[name] { return "the name is reserved because \(use)" }
    return nil
  }

  /// Throws `GCPError.reservedVariable` for the first reserved name in sorted order.
  public static func validate(_ environment: [String: String]) throws(GCPError) {
    for name in environment.keys.sorted() {
      if let reason = reason(for: name) { throw .reservedVariable(name: name, reason: reason) }
    }
  }
}
