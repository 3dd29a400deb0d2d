import Basics
import Foundation

/// User settings from `settings.json`: defaults for commands that need a provider, region or project.
public struct Settings: Codable, Equatable, Sendable {
  /// The settings format; a file without it is read as version 1.
  public var version: Int? = 1
  public var defaultProvider: String?
  public var gcpRegion: String?
  public var gcpProject: String?
  public var awsRegion: String?
  /// The execution backend for functions whose manifest names none.
  public var backend: Backend?
  /// Base images of the Docker backend: `python3.12` for one Python version, `python` for every other.
  public var dockerBaseImages: [String: String]?
  /// The AWS named profile deploys use when neither `--profile` nor the manifest names one.
  public var awsProfile: String?
  /// The S3 bucket for packages over Lambda's direct upload limit, when the manifest names none.
  public var awsDeploymentBucket: String?
  /// An endpoint for every `aws` call (`--endpoint-url`), such as a local emulator.
  public var awsEndpointURL: String?

  public init() {}

  /// The region used for Google Cloud functions when neither the manifest nor the settings name one.
  public static let defaultGoogleCloudRegion = "us-central1"
  /// The project used for local Pub/Sub events when neither the manifest nor the settings name one.
  public static let localProject = "local-project"

  /// Reads the settings file; a missing file gives the defaults.
  public static func load(layout: StateLayout) throws -> Settings {
    guard let data = FileManager.default.contents(atPath: layout.settingsFile) else { return Settings() }
    do {
      return try JSONFormat.decoder().decode(Settings.self, from: data)
    } catch let DecodingError.typeMismatch(type, context) {
      let key = context.codingPath.map(\.stringValue).joined(separator: ".")
      throw RegistryError.io(
        "the settings file \(layout.settingsFile) is invalid: '\(key)' must be a \(type == String.self ? "string" : "\(type)"); "
          + "fix it or move it away")
    } catch {
      throw RegistryError.io(
        "the settings file \(layout.settingsFile) is not valid JSON (\(JSONErrorText.describe(error, in: data))); "
          + "fix it or move it away")
    }
  }
}
