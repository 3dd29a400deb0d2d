// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "functions",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "functions", targets: ["functions"])
  ],
  targets: [
    // The executable: a few lines that hand the arguments to the command tree.
    .executableTarget(name: "functions", dependencies: ["Commands"]),

    // One file per subcommand: declare arguments, validate, call the layers below, print.
    .target(
      name: "Commands",
      dependencies: ["CommandLineKit", "FunctionsCore", "LocalRuntime", "Basics"]
    ),

    // The command-line parser and help printer, written here because SwiftPM cannot fetch packages.
    .target(name: "CommandLineKit"),

    // Manifest, registry, settings, state layout, templates and event shapes.
    .target(name: "FunctionsCore", dependencies: ["Basics"]),

    // Environments, local processes and their supervision.
    .target(name: "LocalRuntime", dependencies: ["FunctionsCore", "Basics"]),

    // Plain utilities that know nothing of functions: processes, files, locks, JSON, terminal output.
    .target(name: "Basics", dependencies: ["CCrypto", "CSystem", "CZlib"]),

    // glibc process-spawning extensions that Swift cannot import directly.
    .target(name: "CSystem"),

    // OpenSSL's libcrypto (SHA-256), from Debian's libssl-dev.
    .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),

    // zlib (deflate and CRC-32 for the ZIP writer), from Debian's zlib1g-dev.
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

    .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
    .testTarget(name: "CommandLineKitTests", dependencies: ["CommandLineKit"]),
    .testTarget(name: "FunctionsCoreTests", dependencies: ["FunctionsCore", "Basics"]),
    .testTarget(
      name: "LocalRuntimeTests",
      dependencies: ["LocalRuntime", "FunctionsCore", "Basics", "GoogleCloudStandIn"]),

    // A loopback stand-in of the Google APIs gcloud calls, shared by the provider and end-to-end tests.
    .target(name: "GoogleCloudStandIn", dependencies: ["Basics"], path: "Tests/Support/GoogleCloudStandIn"),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["Basics", "functions", "GoogleCloudStandIn"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
