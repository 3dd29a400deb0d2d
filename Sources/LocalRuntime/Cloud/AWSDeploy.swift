import Basics
import Foundation
import FunctionsCore

/// One step of a Lambda deploy.
struct AWSDeployStep {
  enum Kind {
    /// Must succeed, and prints JSON.
    case required
    /// Must succeed, and prints progress text rather than JSON (`aws s3 cp`).
    case plainOutput
    /// Create the function, retried while IAM has not yet propagated a role this deploy created.
    case createFunction(waitsForNewRole: Bool)
    /// May fail because what it adds exists already (`ResourceConflictException`).
    case conflictAllowed
  }

  let command: CloudCommand
  let kind: Kind
}

/// The steps of one deploy, worked out from the package and the function's current state.
struct AWSDeployPlan {
  var steps: [AWSDeployStep] = []
  var package: LambdaPackage
  var uploadsCode = false
  var changesConfiguration = false
}

/// Environment variable names Lambda reserves and rejects in a function's configuration (Lambda
/// developer guide, "Defined runtime environment variables").
public enum LambdaReservedVariables {
  public static let names: Set<String> = [
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
  ]
}

extension AWSProvider {
  public func plan(_ request: DeployRequest) throws -> [CloudCommand] {
    try makePlan(request).steps.map(\.command)
  }

  public func deploy(_ request: DeployRequest) throws -> DeployOutcome {
    let plan = try makePlan(request)
    for step in plan.steps {
      try run(step)
    }
    guard let function = try describe(cloudName: request.manifest.name, target: request.target) else {
      throw CloudError.failed(
        "Lambda reports no function '\(request.manifest.name)' right after the deploy; run 'functions aws "
          + "describe \(request.registryName)' to check")
    }
    return DeployOutcome(
      function: function, uploadedCode: plan.uploadsCode, changedConfiguration: plan.changesConfiguration)
  }

  /// Writes the function's package into the cache.
  func package(for request: DeployRequest) throws -> LambdaPackage {
    try packager.makePackage(
      registryName: request.registryName, directory: request.directory.path, manifest: request.manifest,
      progress: progress)
  }

  private func run(_ step: AWSDeployStep) throws {
    switch step.kind {
    case .required:
      try cli.json(step.command)
    case .plainOutput:
      let result = try cli.run(step.command)
      guard result.termination.isSuccess else {
        throw CloudError.commandFailed(command: step.command, result: result)
      }
    case .conflictAllowed:
      let result = try cli.run(step.command)
      if !result.termination.isSuccess && !result.errorOutput.contains("(ResourceConflictException)") {
        throw CloudError.commandFailed(command: step.command, result: result)
      }
    case .createFunction(let waitsForNewRole):
      // IAM needs several seconds before Lambda can assume a new role; until then CreateFunction fails
      // with InvalidParameterValueException "cannot be assumed by Lambda".
      for attempt in 1...8 {
        let result = try cli.run(step.command)
        if result.termination.isSuccess { return }
        guard waitsForNewRole, attempt < 8, result.errorOutput.contains("cannot be assumed by Lambda") else {
          throw CloudError.commandFailed(command: step.command, result: result)
        }
        progress("waiting for the new execution role to reach Lambda")
        Thread.sleep(forTimeInterval: 3)
      }
    }
  }

  func makePlan(_ request: DeployRequest) throws -> AWSDeployPlan {
    let manifest = request.manifest
    let name = manifest.name
    let target = request.target
    let variables = try environmentVariables(request)

    let existing = try cli.jsonIfFound(getFunction(name, target: target))
    let configuration = existing?["Configuration"] as? [String: Any]
    let tags = existing?["Tags"] as? [String: String] ?? [:]
    if existing != nil, tags[Self.managedTag.key] != Self.managedTag.value, !request.adopt {
      throw CloudError.notManaged(cloudName: name, provider: "Lambda")
    }

    progress("packaging \(request.registryName)")
    var plan = AWSDeployPlan(package: try package(for: request))
    let code = try codeArguments(plan.package, request: request, steps: &plan.steps)
    let environmentJSON = try Self.environmentJSON(variables)
    let desired: [(option: String, value: String, current: String?)] = [
      ("--runtime", manifest.runtime, configuration?["Runtime"] as? String),
      ("--handler", manifest.handler, configuration?["Handler"] as? String),
      (
        "--memory-size", String(manifest.aws.memorySize),
        (configuration?["MemorySize"] as? NSNumber)?.stringValue
      ),
      (
        "--timeout", String(manifest.aws.timeoutSeconds),
        (configuration?["Timeout"] as? NSNumber)?.stringValue
      ),
    ]

    guard let configuration else {
      let stepsBeforeRole = plan.steps.count
      let role = try roleARN(manifest: manifest, target: target, steps: &plan.steps)
      let createsRole = plan.steps[stepsBeforeRole...].contains {
        $0.command.arguments.contains("create-role")
      }
      var arguments = ["--function-name", name]
      for item in desired { arguments += [item.option, item.value] }
      arguments += ["--role", role, "--architectures", manifest.aws.architecture] + code
      arguments += [
        "--tags", "\(Self.managedTag.key)=\(Self.managedTag.value),\(Self.nameTag)=\(request.registryName)",
      ]
      var secrets: Set<Int> = []
      if !variables.isEmpty {
        secrets.insert(arguments.count + 1)
        arguments += ["--environment", environmentJSON]
      }
      plan.steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "create-function", arguments, target: target, secretPositions: secrets),
          kind: .createFunction(waitsForNewRole: createsRole)))
      plan.steps.append(wait("function-active-v2", name, target))
      plan.uploadsCode = true
      plan.changesConfiguration = true
      try functionURLSteps(request, exists: false, steps: &plan.steps)
      return plan
    }

    let deployedArchitecture = (configuration["Architectures"] as? [String])?.first ?? "x86_64"
    let architectureChanged = deployedArchitecture != manifest.aws.architecture
    if configuration["CodeSha256"] as? String != plan.package.codeSHA256 || architectureChanged {
      plan.steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "update-function-code",
            ["--function-name", name, "--architectures", manifest.aws.architecture] + code, target: target),
          kind: .required))
      plan.steps.append(wait("function-updated-v2", name, target))
      plan.uploadsCode = true
    }

    var arguments = ["--function-name", name]
    for item in desired where item.value != item.current { arguments += [item.option, item.value] }
    if let role = try changedRole(
      manifest: manifest, deployed: configuration["Role"] as? String, target: target)
    {
      arguments += ["--role", role]
    }
    let deployedVariables =
      (configuration["Environment"] as? [String: Any])?["Variables"] as? [String: String] ?? [:]
    var secrets: Set<Int> = []
    if deployedVariables != variables {
      secrets.insert(arguments.count + 1)
      arguments += ["--environment", environmentJSON]
    }
    if arguments.count > 2 {
      plan.steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "update-function-configuration", arguments, target: target, secretPositions: secrets),
          kind: .required))
      plan.steps.append(wait("function-updated-v2", name, target))
      plan.changesConfiguration = true
    }

    if tags[Self.managedTag.key] != Self.managedTag.value || tags[Self.nameTag] != request.registryName,
      let arn = configuration["FunctionArn"] as? String
    {
      let tagText = "\(Self.managedTag.key)=\(Self.managedTag.value),\(Self.nameTag)=\(request.registryName)"
      plan.steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "tag-resource", ["--resource", arn, "--tags", tagText], target: target),
          kind: .required))
    }
    try functionURLSteps(request, exists: true, steps: &plan.steps)
    return plan
  }

  /// Returns the variables the function gets in the cloud: the manifest's `environment` with the file
  /// named by `envFile` on top. A `.env` file that the manifest does not name stays local.
  func environmentVariables(_ request: DeployRequest) throws -> [String: String] {
    var variables = request.manifest.environment
    if let envFile = request.manifest.envFile {
      let path = envFile.hasPrefix("/") ? envFile : request.directory.path + "/" + envFile
      for (key, value) in try EnvironmentFile.load(path: path) { variables[key] = value }
    }
    let reserved = variables.keys.filter { LambdaReservedVariables.names.contains($0) }.sorted()
    if let first = reserved.first {
      throw CloudError.failed(
        "the environment variable \(first) is reserved by Lambda, which sets it in every function; rename it "
          + "in function.json or the env file")
    }
    return variables
  }

  static func environmentJSON(_ variables: [String: String]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: ["Variables": variables], options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// Returns the code options for create or update: the ZIP directly, or through S3 when it is over the
  /// direct upload limit, adding the upload step.
  private func codeArguments(_ package: LambdaPackage, request: DeployRequest, steps: inout [AWSDeployStep])
    throws -> [String]
  {
    guard package.byteCount > uploadLimit else { return ["--zip-file", "fileb://" + package.path] }
    guard let bucket = request.manifest.aws.deploymentBucket ?? defaultBucket else {
      throw CloudError.packageTooLarge(byteCount: package.byteCount, limit: uploadLimit)
    }
    let check = cli.command("s3api", "head-bucket", ["--bucket", bucket], target: request.target)
    let result = try cli.run(check)
    guard result.termination.isSuccess else {
      throw CloudError.bucketMissing(bucket: bucket, message: CloudError.cliMessage(result))
    }
    let hex = Data(base64Encoded: package.codeSHA256).map { SHA256.hex($0) } ?? package.sourceFingerprint
    let key = "functions/\(request.registryName)/\(hex).zip"
    steps.append(
      AWSDeployStep(
        command: cli.command("s3", "cp", [package.path, "s3://\(bucket)/\(key)"], target: request.target),
        kind: .plainOutput))
    return ["--code", "S3Bucket=\(bucket),S3Key=\(key)"]
  }

  /// Returns the role ARN for a new function, adding the steps that create the basic role when needed.
  private func roleARN(manifest: Manifest, target: CloudTarget, steps: inout [AWSDeployStep]) throws -> String
  {
    if let role = manifest.aws.role {
      if role.hasPrefix("arn:") { return role }
      let found = try cli.jsonIfFound(cli.command("iam", "get-role", ["--role-name", role], target: target))
      guard let arn = (found?["Role"] as? [String: Any])?["Arn"] as? String else {
        throw CloudError.roleMissing(role: role)
      }
      return arn
    }
    let roleName = Self.basicRoleName
    let attach = AWSDeployStep(
      command: cli.command(
        "iam", "attach-role-policy", ["--role-name", roleName, "--policy-arn", Self.basicPolicyARN],
        target: target),
      kind: .required)
    let found = try cli.jsonIfFound(
      cli.command("iam", "get-role", ["--role-name", roleName], target: target))
    if let arn = (found?["Role"] as? [String: Any])?["Arn"] as? String {
      // A deploy that stopped between creating the role and attaching its policy left the role bare.
      let attached = try cli.json(
        cli.command("iam", "list-attached-role-policies", ["--role-name", roleName], target: target))
      let policies = attached["AttachedPolicies"] as? [[String: Any]] ?? []
      if !policies.contains(where: { $0["PolicyArn"] as? String == Self.basicPolicyARN }) {
        steps.append(attach)
      }
      return arn
    }

    // The role's ARN follows from the account, which GetCallerIdentity returns without changing anything.
    let identity = try cli.json(cli.command("sts", "get-caller-identity", [], target: target))
    guard let account = identity["Account"] as? String else {
      throw CloudError.unexpectedOutput(
        command: cli.command("sts", "get-caller-identity", [], target: target), reason: "no Account field")
    }
    let trust = """
      {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},\
      "Action":"sts:AssumeRole"}]}
      """
    steps.append(
      AWSDeployStep(
        command: cli.command(
          "iam", "create-role",
          [
            "--role-name", roleName, "--assume-role-policy-document", trust,
            "--tags", "Key=\(Self.managedTag.key),Value=\(Self.managedTag.value)",
          ],
          target: target),
        kind: .conflictAllowed))
    steps.append(attach)
    return "arn:aws:iam::\(account):role/\(roleName)"
  }

  /// Returns the manifest's role ARN when it differs from the deployed one; a manifest without a role
  /// leaves the deployed role alone.
  private func changedRole(manifest: Manifest, deployed: String?, target: CloudTarget) throws -> String? {
    guard let role = manifest.aws.role else { return nil }
    if role.hasPrefix("arn:") { return role == deployed ? nil : role }
    if let deployed, deployed.hasSuffix("/" + role) { return nil }
    var unused: [AWSDeployStep] = []
    return try roleARN(manifest: manifest, target: target, steps: &unused)
  }

  private func functionURLSteps(_ request: DeployRequest, exists: Bool, steps: inout [AWSDeployStep]) throws {
    guard request.manifest.trigger == .http else { return }
    let name = request.manifest.name
    let target = request.target
    let auth = request.manifest.aws.functionURLAuth.rawValue
    let current =
      exists
      ? try cli.jsonIfFound(
        cli.command("lambda", "get-function-url-config", ["--function-name", name], target: target))
      : nil
    if current == nil {
      steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "create-function-url-config", ["--function-name", name, "--auth-type", auth],
            target: target),
          kind: .required))
    } else if current?["AuthType"] as? String != auth {
      steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "update-function-url-config", ["--function-name", name, "--auth-type", auth],
            target: target),
          kind: .required))
    } else {
      return
    }
    if request.manifest.aws.functionURLAuth == .none {
      // A URL with auth type NONE also needs a resource-based policy that lets anyone call it (Lambda
      // developer guide, "Control access to Lambda function URLs").
      steps.append(
        AWSDeployStep(
          command: cli.command(
            "lambda", "add-permission",
            [
              "--function-name", name, "--statement-id", "FunctionURLAllowPublicAccess", "--action",
              "lambda:InvokeFunctionUrl", "--principal", "*", "--function-url-auth-type", "NONE",
            ],
            target: target),
          kind: .conflictAllowed))
    }
  }

  private func wait(_ waiter: String, _ name: String, _ target: CloudTarget) -> AWSDeployStep {
    AWSDeployStep(
      command: cli.command("lambda", "wait", [waiter, "--function-name", name], target: target),
      kind: .required)
  }
}
