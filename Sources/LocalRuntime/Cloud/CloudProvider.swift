import Foundation
import FunctionsCore

/// Account scope of a cloud call. Each field is filled from a command-line option, then the manifest, then the
/// settings file. A field left nil lets the provider's CLI use its own configuration.
public struct CloudTarget: Sendable, Equatable {
  public var region: String?
  /// AWS named profile (`--profile`); not used by Google Cloud.
  public var profile: String?
  /// Google Cloud project (`--project`); not used by AWS.
  public var project: String?

  public init(region: String? = nil, profile: String? = nil, project: String? = nil) {
    self.region = region
    self.profile = profile
    self.project = project
  }
}

/// One provider CLI invocation, kept as an argument vector so `--dry-run` can print it exactly.
public struct CloudCommand: Sendable, Equatable {
  /// The argument vector, starting with the program name (`aws`, `gcloud`).
  public var arguments: [String]
  /// Positions in `arguments` whose values are secret and print as `***`.
  public var secretPositions: Set<Int>

  public init(arguments: [String], secretPositions: Set<Int> = []) {
    self.arguments = arguments
    self.secretPositions = secretPositions
  }
}

/// A deployed function as its provider reports it.
public struct CloudFunction: Sendable, Equatable {
  /// The function's name in the cloud.
  public var cloudName: String
  /// The registry name stored in the managed-by tag or label; nil when `functions` did not deploy it.
  public var registryName: String?
  public var region: String?
  /// The HTTPS URL (function URL on AWS, service URL on Google Cloud), when it has one.
  public var url: String?
  /// The provider's own state word, such as `Active` or `ACTIVE`.
  public var state: String
  /// The code fingerprint to compare with the local package: `CodeSha256` on AWS, the fingerprint label on Google Cloud.
  public var codeFingerprint: String?
  public var updateTime: String?
  /// Further fields for `describe`, such as runtime, memory and timeout, in display order.
  public var details: [(key: String, value: String)]

  public init(
    cloudName: String, registryName: String? = nil, region: String? = nil, url: String? = nil, state: String,
    codeFingerprint: String? = nil, updateTime: String? = nil, details: [(key: String, value: String)] = []
  ) {
    self.cloudName = cloudName
    self.registryName = registryName
    self.region = region
    self.url = url
    self.state = state
    self.codeFingerprint = codeFingerprint
    self.updateTime = updateTime
    self.details = details
  }

  public static func == (lhs: CloudFunction, rhs: CloudFunction) -> Bool {
    lhs.cloudName == rhs.cloudName && lhs.registryName == rhs.registryName && lhs.region == rhs.region
      && lhs.url == rhs.url && lhs.state == rhs.state && lhs.codeFingerprint == rhs.codeFingerprint
      && lhs.updateTime == rhs.updateTime && lhs.details.elementsEqual(rhs.details, by: { $0 == $1 })
  }
}

/// A request to deploy one registered function.
public struct DeployRequest: Sendable {
  public var registryName: String
  public var manifest: Manifest
  public var directory: URL
  public var target: CloudTarget
  /// Take over a cloud function of the same name that `functions` did not deploy.
  public var adopt: Bool

  public init(
    registryName: String, manifest: Manifest, directory: URL, target: CloudTarget, adopt: Bool = false
  ) {
    self.registryName = registryName
    self.manifest = manifest
    self.directory = directory
    self.target = target
    self.adopt = adopt
  }
}

/// The outcome of a deploy.
public struct DeployOutcome: Sendable {
  public var function: CloudFunction
  /// False when the deployed code already matched and nothing was uploaded.
  public var uploadedCode: Bool
  /// True when the configuration (memory, timeout, environment, trigger...) was changed.
  public var changedConfiguration: Bool

  public init(function: CloudFunction, uploadedCode: Bool, changedConfiguration: Bool) {
    self.function = function
    self.uploadedCode = uploadedCode
    self.changedConfiguration = changedConfiguration
  }
}

/// Deployment through one provider's official CLI.
public protocol CloudProvider: Sendable {
  /// `aws` or `gcp`, as in the manifest's `provider`.
  var provider: Provider { get }
  /// Returns the commands a deploy would run, for `--dry-run`, and changes nothing in the cloud.
  func plan(_ request: DeployRequest) throws -> [CloudCommand]
  func deploy(_ request: DeployRequest) throws -> DeployOutcome
  /// Nil when the function does not exist.
  func describe(cloudName: String, target: CloudTarget) throws -> CloudFunction?
  /// Only functions carrying the managed-by tag or label.
  func list(target: CloudTarget) throws -> [CloudFunction]
  func delete(cloudName: String, target: CloudTarget) throws
  /// Streams log lines to standard output; `since` in seconds.
  func logs(cloudName: String, target: CloudTarget, follow: Bool, since: Int?) throws
}
