import Basics
import Foundation
import FunctionsCore
import Synchronization

/// Reloads a watched Lambda function after a source change: builds the environment again when the
/// requirements changed, reads the manifest again when it changed, then replaces the instances.
final class LambdaReloader: Sendable {
  let service: LambdaService
  let manifestPath: String
  let builder: EnvironmentBuilder
  let state: WatchedState
  let layout: StateLayout
  let hostEnvironment: [String: String]
  /// The configuration of the instances running now; only the reload task changes it.
  private let current: Mutex<LambdaFunctionConfiguration>

  init(
    service: LambdaService, configuration: LambdaFunctionConfiguration, manifestPath: String,
    layout: StateLayout, hostEnvironment: [String: String]
  ) {
    self.service = service
    self.manifestPath = manifestPath
    builder = EnvironmentBuilder(layout: layout, environment: hostEnvironment)
    state = WatchedState(layout: layout, name: configuration.name)
    self.layout = layout
    self.hostEnvironment = hostEnvironment
    current = Mutex(configuration)
  }

  func reload(_ change: SourceChange) async {
    let began = ContinuousClock.now
    // Invocations wait from here until the new code runs, as requests to a restarting Google Cloud
    // function wait in the accept queue.
    await service.holdInvocations()
    ServiceLog.info("\(change.summary) changed; reloading")
    var configuration = current.withLock { $0 }
    do {
      if change.changesManifest {
        configuration.manifest = try ManifestReader.load(path: manifestPath).manifest
      }
      if let container = configuration.container {
        // On the docker backend the code lives in the image, so every change builds it again; an
        // unchanged fingerprint reuses the image.
        let image = try DockerImageBuilder.make(layout: layout, environment: hostEnvironment).build(
          name: configuration.name, manifest: configuration.manifest, directory: configuration.directory,
          force: false,
          report: ServiceLog.buildStep)
        configuration.container = LambdaContainer(
          image: image, manifest: configuration.manifest, directory: configuration.directory,
          stateDirectory: container.stateDirectory)
      } else if change.changesRequirements, configuration.manifest.runtimeFamily == .python {
        let environment = try builder.prepare(
          manifest: configuration.manifest, directory: configuration.directory,
          report: ServiceLog.buildStep)
        configuration.environmentDirectory = environment.directory
      }
    } catch {
      // Warm instances keep serving the code they loaded; new ones would start from the changed files.
      ServiceLog.error(
        "reload failed: \(String(describing: error).withoutFinalPeriod); fix it and save again")
      state.record(.crashed)
      await service.resumeInvocations()
      return
    }
    current.withLock { $0 = configuration }
    layout.removeBytecode(forSourcesIn: configuration.directory)
    if let failure = await service.reload(configuration) {
      ServiceLog.error(
        "\(configuration.name) failed to initialise after the change: \(failure); "
          + "invocations return this error until the next change")
      state.record(.crashed)
    } else {
      ServiceLog.info(
        "reloaded \(configuration.name) in \((ContinuousClock.now - began).wholeMilliseconds) ms")
      state.record(.running)
    }
  }
}
