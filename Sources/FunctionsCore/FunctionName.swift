/// Function name rules, from Cloud Functions: letters, digits, hyphens and underscores, starting with a
/// letter and ending with a letter or digit, at most 63 characters (gcloud functions deploy reference,
/// positional NAME, and the "Deploy a function" page).
public enum FunctionName {
  public static let maximumLength = 63

  /// Returns why `name` is invalid, or nil when it is valid.
  public static func violation(in name: String) -> String? {
    guard let first = name.unicodeScalars.first else {
      return "a function name cannot be empty"
    }
    guard name.count <= maximumLength else {
      return "it is \(name.count) characters long; the maximum is \(maximumLength)"
    }
    guard isLetter(first) else {
      return "it must start with a letter, not '\(Character(first))'"
    }
    if let bad = name.unicodeScalars.first(where: { !isAllowed($0) }) {
      return "it contains '\(Character(bad))'; use only letters, digits, hyphens and underscores"
    }
    if let last = name.unicodeScalars.last, !isLetter(last), !("0"..."9").contains(last) {
      return "it must end with a letter or digit, not '\(Character(last))'"
    }
    return nil
  }

  private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
  }

  private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
    isLetter(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
  }
}
