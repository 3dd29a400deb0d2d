import Basics
import Foundation

/// The Node.js runtime client that ships with the tool: a small ES module that follows the Lambda
/// Runtime API loop (Lambda developer guide, "Using the Lambda runtime API for custom runtimes") and the
/// Node.js handler contract (async handlers, callback handlers, the context object, console lines
/// prefixed with time, request ID and level).
public enum NodeBootstrap {
  /// The bootstrap's file name, `node-bootstrap-HASH.mjs`, where `HASH` is the start of the source's
  /// SHA-256 digest, so a changed bootstrap never reuses an old file or image layer.
  public static let fileName = "node-bootstrap-\(SHA256.hexDigest(of: source).prefix(12)).mjs"

  /// Writes the bootstrap into `directory` when missing or changed, and returns its path.
  public static func install(in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(fileName)
    if !FileManager.default.fileExists(atPath: path) {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      try AtomicFile.write(Data(source.utf8), to: path)
    }
    return path
  }

  static let source = #"""
    // Lambda Runtime API client for Node.js functions, run by `functions`.
    import http from "node:http";
    import path from "node:path";
    import fs from "node:fs";
    import util from "node:util";
    import { pathToFileURL } from "node:url";

    const api = process.env.AWS_LAMBDA_RUNTIME_API;
    const [apiHost, apiPort] = api.split(":");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const base = "/2018-06-01/runtime";
    let currentRequestId = "";

    function call(method, route, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(body);
        const request = http.request(
          { host: apiHost, port: apiPort, method, path: base + route, agent,
            headers: data ? { "content-type": "application/json", "content-length": data.length, ...headers } : headers },
          (response) => {
            const chunks = [];
            response.on("data", (chunk) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
          });
        request.on("error", reject);
        if (data) request.write(data);
        request.end();
      });
    }

    function errorDocument(error) {
      if (error instanceof Error) {
        return { errorType: error.name || "Error", errorMessage: error.message,
                 trace: String(error.stack || "").split("\n") };
      }
      return { errorType: "string", errorMessage: String(error), trace: [] };
    }

    for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
      console[name] = (...args) => {
        const text = util.format(...args).replace(/\n/g, "\r");
        process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}\n`);
      };
    }

    async function initError(errorType, message) {
      const document = { errorType, errorMessage: message, trace: [] };
      process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(document)}\n`);
      await call("POST", "/init/error", JSON.stringify(document), { "Lambda-Runtime-Function-Error-Type": errorType });
      process.exit(1);
    }

    async function loadHandler() {
      const handlerString = process.env._HANDLER || "";
      const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
      const dot = handlerString.lastIndexOf(".");
      if (dot <= 0 || dot === handlerString.length - 1) {
        return initError("Runtime.MalformedHandlerName", `Bad handler ${handlerString}`);
      }
      const modulePath = handlerString.slice(0, dot);
      const functionPath = handlerString.slice(dot + 1);
      const candidates = [".mjs", ".js", ".cjs"].map((extension) => path.resolve(taskRoot, modulePath + extension));
      const file = candidates.find((candidate) => fs.existsSync(candidate));
      if (!file) {
        return initError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}'`);
      }
      let module;
      try {
        module = await import(pathToFileURL(file).href);
      } catch (error) {
        const type = error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError";
        return initError(type, `${error.name}: ${error.message}`);
      }
      const handler = module[functionPath] ?? module.default?.[functionPath];
      if (typeof handler !== "function") {
        return initError("Runtime.HandlerNotFound", `${modulePath}.${functionPath} is undefined or not exported`);
      }
      return handler;
    }

    function invokeHandler(handler, event, context) {
      return new Promise((resolve, reject) => {
        let settled = false;
        const callback = (error, result) => {
          if (settled) return;
          settled = true;
          error ? reject(error) : resolve(result);
        };
        try {
          const returned = handler(event, context, callback);
          if (returned && typeof returned.then === "function") {
            returned.then((value) => callback(null, value), (error) => callback(error));
          } else if (handler.length < 3) {
            callback(null, returned);
          }
        } catch (error) {
          callback(error);
        }
      });
    }

    const handler = await loadHandler();
    for (;;) {
      const next = await call("GET", "/invocation/next");
      if (next.status !== 200) process.exit(1);
      const requestId = next.headers["lambda-runtime-aws-request-id"];
      const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
      currentRequestId = requestId;
      if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
      const context = {
        awsRequestId: requestId,
        invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      let event;
      try {
        event = JSON.parse(next.body.toString("utf8"));
      } catch (error) {
        const document = { errorType: "Runtime.UnmarshalError", errorMessage: `Unable to parse event: ${error.message}`, trace: [] };
        await call("POST", `/invocation/${requestId}/error`, JSON.stringify(document), { "Lambda-Runtime-Function-Error-Type": document.errorType });
        continue;
      }
      try {
        const result = await invokeHandler(handler, event, context);
        const body = JSON.stringify(result === undefined ? null : result);
        await call("POST", `/invocation/${requestId}/response`, body);
      } catch (error) {
        const document = errorDocument(error);
        console.error(`Invoke Error \t${JSON.stringify(document)}`);
        await call("POST", `/invocation/${requestId}/error`, JSON.stringify(document), { "Lambda-Runtime-Function-Error-Type": document.errorType });
      }
    }
    """#
}
