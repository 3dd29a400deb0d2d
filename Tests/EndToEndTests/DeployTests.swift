import Basics
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Deploys with the real `functions` binary and the real `aws` CLI against a moto server on 127.0.0.1.
///
/// Expected values come from the Lambda API reference (CreateFunction, UpdateFunctionCode,
/// CreateFunctionUrlConfig, TagResource) unless a comment names moto's own behaviour.
@Suite("Deploy to Lambda", .serialized, .timeLimit(.minutes(10)))
struct DeployTests {
  /// Starts a sandbox with its own moto server.
  static func start() async throws -> (Sandbox, MotoServer) {
    let sandbox = try Sandbox()
    let moto = try await MotoServer(directory: sandbox.root)
    try MotoServer.requireLoopback(moto.endpoint)
    sandbox.use(moto)
    return (sandbox, moto)
  }

  @Test("create, unchanged, code and configuration updates")
  func lifecycle() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")

    let created = try sandbox.run(["deploy", "worker"])
    #expect(created.status == 0, "\(created.stderr)")
    #expect(created.stdout == "worker\n")
    #expect(moto.count("POST /2015-03-31/functions") == 1)

    let function = try sandbox.awsJSON(["lambda", "get-function", "--function-name", "worker"], moto: moto)
    let configuration = try #require(function["Configuration"] as? [String: Any])
    #expect(configuration["Runtime"] as? String == "python3.12")
    #expect(configuration["Handler"] as? String == "app.handler")
    #expect(
      configuration["Role"] as? String == "arn:aws:iam::123456789012:role/functions-lambda-basic-execution")
    let tags = try #require(function["Tags"] as? [String: String])
    #expect(tags["managed-by"] == "functions")
    #expect(tags["functions-name"] == "worker")
    // CodeSha256 is the base64 SHA-256 of the .zip (Lambda FunctionConfiguration).
    let package = sandbox.home + "/state/worker/lambda-package.zip"
    let digest = Data(try SHA256.digest(ofFileAt: package)).base64EncodedString()
    #expect(configuration["CodeSha256"] as? String == digest)

    let packaged = try sandbox.run(["aws", "package", "worker"])
    #expect(packaged.stdout == package + "\n")
    #expect(packaged.stderr.contains("CodeSha256 \(digest)"))

    let record = try #require(try sandbox.deployment(of: "worker"))
    #expect(record["status"] as? String == "deployed")
    #expect(record["codeFingerprint"] as? String == digest)
    #expect(record["region"] as? String == "us-east-1")
    #expect(record["localCodeMatches"] as? String == "yes")

    let unchanged = try sandbox.run(["deploy", "worker"])
    #expect(unchanged.status == 0, "\(unchanged.stderr)")
    #expect(unchanged.stderr.contains("code unchanged, nothing uploaded, configuration unchanged"))
    #expect(moto.count("PUT /2015-03-31/functions/worker/code") == 0, "an unchanged deploy uploads nothing")
    #expect(moto.count("PUT /2015-03-31/functions/worker/configuration") == 0)

    try sandbox.write("def handler(event, context):\n    return {'v': 2}\n", to: "worker/app.py")
    #expect(try sandbox.deployment(of: "worker")?["localCodeMatches"] as? String == "no")
    let codeChange = try sandbox.run(["deploy", "worker"])
    #expect(codeChange.status == 0, "\(codeChange.stderr)")
    #expect(codeChange.stderr.contains("code uploaded, configuration unchanged"))
    #expect(moto.count("PUT /2015-03-31/functions/worker/code") == 1)
    #expect(try sandbox.deployment(of: "worker")?["localCodeMatches"] as? String == "yes")

    try sandbox.setAWS("worker", ["memorySize": 256, "timeout": 30])
    let configChange = try sandbox.run(["deploy", "worker"])
    #expect(configChange.status == 0, "\(configChange.stderr)")
    #expect(configChange.stderr.contains("code unchanged, nothing uploaded, configuration updated"))
    #expect(moto.count("PUT /2015-03-31/functions/worker/configuration") == 1)
    let updated = try sandbox.awsJSON(
      ["lambda", "get-function-configuration", "--function-name", "worker"], moto: moto)
    #expect(updated["MemorySize"] as? Int == 256)
    #expect(updated["Timeout"] as? Int == 30)

    let described = try sandbox.run(["aws", "describe", "worker", "--json"])
    #expect(described.status == 0, "\(described.stderr)")
    let view = try #require(jsonObject(described.stdout))
    #expect(view["name"] as? String == "worker")
    #expect(view["localCodeMatches"] as? String == "yes")
    #expect((view["details"] as? [String: String])?["memory"] == "256")
  }

  @Test("HTTP function gets a function URL")
  func functionURL() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("api", template: "http")

    let deployed = try sandbox.run(["deploy", "api"])
    #expect(deployed.status == 0, "\(deployed.stderr)")
    let url = deployed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(url.hasPrefix("https://"), "deploy prints the function URL: \(url)")
    // AWS_IAM is the manifest's default auth type.
    let config = try sandbox.awsJSON(
      ["lambda", "get-function-url-config", "--function-name", "api"], moto: moto)
    #expect(config["AuthType"] as? String == "AWS_IAM")
    #expect(config["FunctionUrl"] as? String == url)

    let printed = try sandbox.run(["aws", "url", "api"])
    #expect(printed.stdout == url + "\n")
    #expect(try sandbox.deployment(of: "api")?["url"] as? String == url)

    try sandbox.editManifest("api") { manifest in
      var aws = manifest["aws"] as? [String: Any] ?? [:]
      aws["functionUrlAuth"] = "NONE"
      manifest["aws"] = aws
    }
    let opened = try sandbox.run(["deploy", "api"])
    #expect(opened.status == 0, "\(opened.stderr)")
    #expect(moto.count("PUT /2021-10-31/functions/api/url") == 1)
    // An auth type of NONE needs a public resource policy (Lambda "Control access to function URLs").
    #expect(moto.count("POST /2015-03-31/functions/api/policy") == 1)
    let reopened = try sandbox.awsJSON(
      ["lambda", "get-function-url-config", "--function-name", "api"], moto: moto)
    #expect(reopened["AuthType"] as? String == "NONE")
    // NOTE: moto stores function URL configurations but serves nothing at the URL. The checks above
    // cover the requests the tool sent instead of a request to the URL.
  }

  @Test("list shows managed functions only")
  func listManagedOnly() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.createUnmanagedFunction("stranger", moto: moto)
    try sandbox.makeLambda("worker")
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)

    let listed = try sandbox.run(["aws", "list", "--json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    let functions = try #require(
      try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    #expect(functions.map { $0["cloudName"] as? String } == ["worker"])
    #expect(functions.first?["name"] as? String == "worker")
  }

  @Test("unmanaged function needs adopt")
  func adoptRejection() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.createUnmanagedFunction("worker", moto: moto)
    try sandbox.makeLambda("worker")

    let rejected = try sandbox.run(["deploy", "worker"])
    #expect(rejected.status == 1)
    #expect(rejected.stderr.contains("was not deployed by functions"))
    #expect(rejected.stderr.contains("--adopt"))
    #expect(moto.count("PUT /2015-03-31/functions/worker/code") == 0)
    #expect(try sandbox.deployment(of: "worker") == nil, "a rejected deploy records nothing")
    let deleteRejected = try sandbox.run(["aws", "delete", "worker"])
    #expect(deleteRejected.status == 1)
    #expect(moto.count("DELETE /2015-03-31/functions/worker") == 0)

    let adopted = try sandbox.run(["deploy", "worker", "--adopt"])
    #expect(adopted.status == 0, "\(adopted.stderr)")
    let tags = try sandbox.awsJSON(
      ["lambda", "list-tags", "--resource", "arn:aws:lambda:us-east-1:123456789012:function:worker"],
      moto: moto)
    #expect((tags["Tags"] as? [String: String])?["managed-by"] == "functions")
    #expect((tags["Tags"] as? [String: String])?["team"] == "other", "adopting keeps the existing tags")
  }

  @Test("dry run prints and changes nothing")
  func dryRun() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    try sandbox.editManifest("worker") { $0["environment"] = ["API_TOKEN": "hunter2"] }

    let planned = try sandbox.run(["deploy", "worker", "--dry-run"])
    #expect(planned.status == 0, "\(planned.stderr)")
    #expect(planned.stdout.contains("aws lambda create-function --function-name worker"))
    #expect(planned.stdout.contains("--environment ***"))
    #expect(!planned.stdout.contains("hunter2"), "secret values never print")
    #expect(planned.stdout.contains("--endpoint-url \(moto.endpoint)"))
    #expect(moto.count("POST /2015-03-31/functions") == 0)
    let functions = try sandbox.awsJSON(["lambda", "list-functions"], moto: moto)
    #expect((functions["Functions"] as? [Any])?.isEmpty == true)
    #expect(try sandbox.deployment(of: "worker") == nil)

    // The secret reaches Lambda on a real deploy.
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)
    let configuration = try sandbox.awsJSON(
      ["lambda", "get-function-configuration", "--function-name", "worker"], moto: moto)
    #expect(
      ((configuration["Environment"] as? [String: Any])?["Variables"] as? [String: String])?["API_TOKEN"]
        == "hunter2")
  }

  @Test("code changed elsewhere is reported, then replaced")
  func changedOutside() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)

    // Another tool uploads different code.
    let zip = sandbox.root + "/other.zip"
    let zipped = try ProcessRunner().run(
      ProcessSpec(
        executable: "python3",
        arguments: [
          "-c",
          "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('app.py','def handler(e,c):\\n    return 1\\n'); z.close()",
          zip,
        ], environment: sandbox.environment), timeout: .seconds(30))
    #expect(zipped.termination == .exited(0), "\(zipped.errorOutput)")
    _ = try sandbox.awsJSON(
      ["lambda", "update-function-code", "--function-name", "worker", "--zip-file", "fileb://" + zip],
      moto: moto)
    let synced = try sandbox.run(["sync", "aws", "--json"])
    #expect(synced.stdout.contains("\"changed-outside\""), "\(synced.stdout)")

    let redeployed = try sandbox.run(["deploy", "worker"])
    #expect(redeployed.status == 0, "\(redeployed.stderr)")
    #expect(redeployed.stderr.contains("was changed outside functions since its last deploy"))
    #expect(try sandbox.deployment(of: "worker")?["status"] as? String == "deployed")
  }

  @Test("sync finds a function deleted elsewhere")
  func syncGone() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    try sandbox.makeLambda("other")
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)
    #expect(try sandbox.run(["deploy", "other"]).status == 0)

    _ = try sandbox.awsJSON(["lambda", "delete-function", "--function-name", "worker"], moto: moto)
    let synced = try sandbox.run(["sync", "aws", "--json"])
    #expect(synced.status == 0, "\(synced.stderr)")
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [[String: Any]])
    let statuses = Dictionary(
      uniqueKeysWithValues: rows.map { ($0["name"] as? String ?? "", $0["status"] as? String) })
    #expect(statuses["worker"] == "gone")
    #expect(statuses["other"] == "deployed")
    #expect(try sandbox.deployment(of: "worker")?["status"] as? String == "gone")

    let deleted = try sandbox.run(["aws", "delete", "other"])
    #expect(deleted.status == 0, "\(deleted.stderr)")
    #expect(moto.count("DELETE /2015-03-31/functions/other") == 1)
    #expect(try sandbox.deployment(of: "other") == nil)
    let listed = try sandbox.list().map { $0["name"] as? String }
    #expect(listed.contains("other"), "deleting the cloud function keeps the local one registered")
  }

  @Test("remote invoke calls the Invoke API")
  func remoteInvoke() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)

    let invoked = try sandbox.run(["invoke", "worker", "--remote", "--data", #"{"order": 42}"#])
    #expect(invoked.status == 0, "\(invoked.stderr)")
    #expect(moto.count("POST /2015-03-31/functions/worker/invocations") == 1)
    // NOTE: with use_docker off, moto runs no code and returns the payload it received, so this checks
    // the event the tool sent rather than the function's result.
    #expect(jsonObject(invoked.stdout)?["order"] as? Int == 42)
  }

  @Test("large package goes through S3")
  func s3Upload() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    let tiny = ["FUNCTIONS_LAMBDA_UPLOAD_LIMIT": "10"]

    let noBucket = try sandbox.run(["deploy", "worker"], environment: tiny)
    #expect(noBucket.status == 1)
    #expect(noBucket.stderr.contains("aws.deploymentBucket"))

    try sandbox.editManifest("worker") { manifest in
      var aws = manifest["aws"] as? [String: Any] ?? [:]
      aws["deploymentBucket"] = "deploy-bucket"
      manifest["aws"] = aws
    }
    let missing = try sandbox.run(["deploy", "worker"], environment: tiny)
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("the deployment bucket 'deploy-bucket' cannot be used"))
    #expect(moto.count("POST /2015-03-31/functions") == 0)

    _ = try sandbox.aws(["s3api", "create-bucket", "--bucket", "deploy-bucket"], endpoint: moto.endpoint)
    let uploaded = try sandbox.run(["deploy", "worker"], environment: tiny)
    #expect(uploaded.status == 0, "\(uploaded.stderr)")
    #expect(moto.requests().contains { $0.hasPrefix("PUT /deploy-bucket/functions/worker/") })
  }

  @Test("missing CLI and credentials are explained")
  func failures() async throws {
    let (sandbox, moto) = try await Self.start()
    defer { withExtendedLifetime(moto) {} }
    try sandbox.makeLambda("worker")

    let noCLI = try sandbox.run(["deploy", "worker"], environment: ["PATH": "/nonexistent"])
    #expect(noCLI.status == 1)
    #expect(noCLI.stderr.contains("the 'aws' command was not found on PATH"))
    #expect(noCLI.stderr.contains("functions doctor"))

    let noCredentials = try sandbox.run(
      ["aws", "list"], environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
    #expect(noCredentials.status == 1)
    #expect(noCredentials.stderr.contains("run 'aws configure'"), "\(noCredentials.stderr)")

    try sandbox.editManifest("worker") { manifest in
      var aws = manifest["aws"] as? [String: Any] ?? [:]
      aws["role"] = "missing-role"
      manifest["aws"] = aws
    }
    let missingRole = try sandbox.run(["deploy", "worker"])
    #expect(missingRole.status == 1)
    #expect(missingRole.stderr.contains("the execution role 'missing-role' was not found"))
    #expect(try sandbox.deployment(of: "worker") == nil)
  }

  @Test("half-way failure keeps registry true")
  func halfWayFailure() async throws {
    let (sandbox, moto) = try await Self.start()
    try sandbox.makeLambda("worker")
    #expect(try sandbox.run(["deploy", "worker"]).status == 0)

    // moto accepts any configuration the manifest allows, so a wrapper in front of the real aws CLI makes
    // the configuration update fail after the code update went through.
    let realAWS = try #require(ExecutableLookup.find("aws", environment: ProcessInfo.processInfo.environment))
    let wrapper = sandbox.root + "/bin/aws"
    try FileManager.default.createDirectory(atPath: sandbox.root + "/bin", withIntermediateDirectories: true)
    try Data(
      """
      #!/bin/sh
      for argument in "$@"; do
        if [ "$argument" = update-function-configuration ]; then
          echo "An error occurred (ServiceException) when calling the UpdateFunctionConfiguration operation: injected" >&2
          exit 255
        fi
      done
      exec \(realAWS) "$@"

      """.utf8
    ).write(to: URL(fileURLWithPath: wrapper))
    chmod(wrapper, 0o755)
    sandbox.extraEnvironment["PATH"] =
      sandbox.root + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
    try sandbox.write("def handler(event, context):\n    return 3\n", to: "worker/app.py")
    try sandbox.setAWS("worker", ["memorySize": 512])
    let failed = try sandbox.run(["deploy", "worker"])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("aws lambda update-function-configuration"), "\(failed.stderr)")
    #expect(failed.stderr.contains("An error occurred"), "the CLI's own message is shown")
    #expect(moto.count("PUT /2015-03-31/functions/worker/code") == 1)

    let configuration = try sandbox.awsJSON(
      ["lambda", "get-function-configuration", "--function-name", "worker"], moto: moto)
    let record = try #require(try sandbox.deployment(of: "worker"))
    #expect(record["codeFingerprint"] as? String == configuration["CodeSha256"] as? String)
    #expect(
      record["localCodeMatches"] as? String == "unknown", "the new code runs with the old configuration")
    #expect(configuration["MemorySize"] as? Int == 128)
  }

  /// The Google Cloud commands reach gcloud through the same table; with no gcloud on PATH they name the
  /// fix before anything runs. Deploys through the real gcloud are tested against a loopback stand-in of
  /// Google's APIs in GCPProviderTests.
  @Test("gcp without gcloud names the install")
  func gcpWithoutGcloud() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run(["new", "http", "web"]).status == 0)
    let emptyPath = sandbox.root + "/empty-path"
    try FileManager.default.createDirectory(atPath: emptyPath, withIntermediateDirectories: true)
    let output = try sandbox.run(
      ["gcp", "deploy", "web", "--project", "demo", "--region", "us-central1"],
      environment: ["PATH": emptyPath])
    #expect(output.status == 1)
    #expect(output.stderr.contains("gcloud"))
    #expect(output.stderr.contains("functions doctor"))
  }
}
