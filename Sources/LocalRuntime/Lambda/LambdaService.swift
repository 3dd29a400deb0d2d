import Basics
import Foundation
import FunctionsCore

/// The local endpoint of one Lambda function: the Invoke API for every function, and for HTTP
/// functions a gateway that turns each request into the configured event and the result back into a
/// response.
public final class LambdaService: Sendable {
  let pool: InstancePool
  let configuration: LambdaFunctionConfiguration
  let invokeAPI: InvokeAPI
  let server: HTTPServer
  let logWriter: LogWriter

  public init(configuration: LambdaFunctionConfiguration, host: String, port: Int) {
    let writer = LogWriter(path: configuration.logFile)
    logWriter = writer
    let pool = InstancePool(
      launcher: InstanceLauncher(configuration: configuration, logWriter: writer),
      maxInstances: configuration.manifest.aws.maxConcurrency)
    let invokeAPI = InvokeAPI(pool: pool, configuration: configuration)
    self.pool = pool
    self.configuration = configuration
    self.invokeAPI = invokeAPI
    // Requests up to 10 MB reach the handlers, which apply Lambda's 6 MB limit with its own messages.
    let limits = HTTPServer.Limits(
      maxBodyBytes: 10 * 1024 * 1024,
      bodyTooLarge: { limit in
        InvokeAPI.error(
          413, type: "RequestEntityTooLargeException",
          message:
            "Request must be smaller than \(LambdaLimits.synchronousPayloadBytes) bytes for the InvokeFunction operation",
          requestID: LambdaInvocation.makeRequestID())
      })
    let gateway = Gateway(pool: pool, configuration: configuration)
    server = HTTPServer(host: host, port: port, limits: limits) { request in
      if InvokeAPI.matches(request) { return await invokeAPI.handle(request) }
      // Other Lambda API calls (get-function, delete-function, …) must not reach the function.
      if request.path.hasPrefix("/2015-03-31/functions") {
        return InvokeAPI.error(
          400, type: "InvalidRequestContentException",
          message: "the local endpoint serves only the Invoke operation (\(request.method) \(request.path))",
          requestID: LambdaInvocation.makeRequestID())
      }
      return await gateway.handle(request)
    }
  }

  /// Starts one instance, then listens, and returns the bound port. A function whose runtime fails to
  /// initialise throws with Lambda's error, before the port accepts connections.
  public func start() async throws -> Int {
    if let failure = await pool.prewarm() {
      await pool.shutDown()
      throw RuntimeError.io("\(configuration.name) failed to initialise: \(failure)")
    }
    return try server.start()
  }

  /// Starts instances from `newConfiguration` from now on, after a code change, and initialises one.
  /// Returns nil on success, otherwise Lambda's initialisation error. The Invoke API and the gateway keep
  /// the trigger and settings the service started with.
  public func reload(_ newConfiguration: LambdaFunctionConfiguration) async -> String? {
    await pool.reload(with: InstanceLauncher(configuration: newConfiguration, logWriter: logWriter))
  }

  /// Makes new invocations wait while a reload prepares the new code.
  public func holdInvocations() async {
    await pool.holdInvocations()
  }

  /// Lets invocations continue on the current instances, after a reload that could not prepare the code.
  public func resumeInvocations() async {
    await pool.resumeInvocations()
  }

  /// Stops listening and stops every instance.
  public func stop() async {
    await server.stop()
    await pool.shutDown()
  }
}

/// The HTTP gateway: API Gateway (HTTP or REST API) or a function URL, by the manifest's event source.
struct Gateway: Sendable {
  let pool: InstancePool
  let configuration: LambdaFunctionConfiguration
  /// Computed once, because it does not change between requests.
  let apiID: String

  init(pool: InstancePool, configuration: LambdaFunctionConfiguration) {
    self.pool = pool
    self.configuration = configuration
    apiID = Self.apiID(for: configuration.name)
  }

  func handle(_ request: HTTPRequest) async -> HTTPResponse {
    guard configuration.manifest.trigger == .http else {
      let message =
        "\(configuration.name) has no HTTP trigger; invoke it through the Lambda Invoke API: "
        + "POST \(InvokeAPI.pathPrefix)\(configuration.name)/invocations"
      return HTTPResponse.json(
        404, CompactJSON.data(["message": message]) ?? Data())
    }
    let source = configuration.manifest.aws.httpEventSource
    let now = Date()
    let gatewayRequest = GatewayRequest(
      method: request.method, rawPath: request.path, rawQuery: request.rawQuery, headers: request.headers,
      body: request.body, sourceIP: request.remoteAddress, time: now,
      requestID: LambdaInvocation.makeRequestID(), httpVersion: request.version)
    let context = GatewayContext(
      accountID: configuration.accountID, apiID: apiID,
      region: configuration.region, functionName: configuration.name, domainName: Self.domainName(request))
    let event = APIGatewayEvents.makeEvent(gatewayRequest, source: source, context: context)
    guard event.count <= LambdaLimits.synchronousPayloadBytes else {
      return Self.response(APIGatewayEvents.failureResponse(.payloadTooLarge, source: source))
    }

    let invocation = LambdaInvocation(
      requestID: LambdaInvocation.makeRequestID(), payload: event,
      deadlineMilliseconds: Int64(now.timeIntervalSince1970 * 1000) + Int64(
        configuration.manifest.aws.timeoutSeconds) * 1000,
      invokedFunctionARN: configuration.functionARN, traceID: LambdaInvocation.makeTraceID(now: now))
    guard let result = await invokeWithinIntegrationTimeout(invocation, source: source) else {
      return Self.response(APIGatewayEvents.failureResponse(.timeout, source: source))
    }
    switch result.outcome {
    case .success(let body):
      switch APIGatewayEvents.makeResponse(fromResult: body, source: source) {
      case .success(let response): return Self.response(response)
      case .failure(let failure):
        ServiceLog.error("request \(invocation.requestID): \(failure)")
        return Self.response(APIGatewayEvents.failureResponse(failure, source: source))
      }
    case .functionError:
      let summary = result.outcome.errorSummary ?? ("Unhandled", "")
      let failure: GatewayFailure =
        switch summary.type {
        // A function that times out before the gateway's own limit is a failed invocation for the gateway.
        case "Function.ResponseSizeTooLarge": .payloadTooLarge
        default: .handlerError(errorType: summary.type, errorMessage: summary.message)
        }
      return Self.response(APIGatewayEvents.failureResponse(failure, source: source))
    }
  }

  /// Runs the invocation, but stops waiting when the API's integration timeout (29 s for a REST API, 30 s
  /// for an HTTP API) passes first, as API Gateway does. The invocation itself runs on.
  func invokeWithinIntegrationTimeout(_ invocation: LambdaInvocation, source: AWSHTTPEventSource) async
    -> InvocationResult?
  {
    let pool = self.pool
    guard let limit = APIGatewayEvents.integrationTimeout(for: source) else {
      return await pool.invoke(invocation)
    }
    return await withCheckedContinuation { continuation in
      let race = RaceLatch<InvocationResult?>(continuation)
      Task { race.resolve(await pool.invoke(invocation)) }
      Task {
        try? await Task.sleep(for: limit)
        race.resolve(nil)
      }
    }
  }

  /// Returns the `Host` header without its port, or `localhost` for an IP address, whose first label would
  /// make a meaningless `domainPrefix`.
  static func domainName(_ request: HTTPRequest) -> String {
    guard let host = request.header("Host") else { return "localhost" }
    let name = host.hasPrefix("[") ? host : String(host.split(separator: ":").first ?? "")
    return name.isEmpty || Ports.isIPAddress(name) || name.hasPrefix("[") ? "localhost" : name
  }

  static func response(_ response: GatewayResponse) -> HTTPResponse {
    HTTPResponse(status: response.status, headers: response.headers, body: response.body)
  }

  /// A stable ten-character API ID derived from the function name, like the IDs API Gateway assigns.
  static func apiID(for name: String) -> String {
    String(SHA256.hexDigest(of: name).prefix(10))
  }
}

/// Resumes a continuation with the first value offered and ignores later ones.
final class RaceLatch<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var continuation: CheckedContinuation<Value, Never>?

  init(_ continuation: CheckedContinuation<Value, Never>) {
    self.continuation = continuation
  }

  func resolve(_ value: Value) {
    lock.lock()
    let continuation = self.continuation
    self.continuation = nil
    lock.unlock()
    continuation?.resume(returning: value)
  }
}
