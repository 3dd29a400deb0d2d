import Foundation

/// The starter files of AWS Lambda functions, by runtime family and trigger.
public enum AWSTemplates {
  /// The handler a template defines: `app.handler` (Python), `index.handler` (Node.js), or the name a
  /// custom runtime's `bootstrap` receives in `_HANDLER`.
  public static func defaultHandler(runtime: String) -> String {
    switch Runtimes.family(of: runtime) {
    case .python: "app.handler"
    case .node: "index.handler"
    case .custom: "function.handler"
    }
  }

  /// Returns the files of a template, by path relative to the function's directory.
  public static func files(isHTTP: Bool, manifest: Manifest) -> [(String, String)] {
    var files: [(String, String)]
    switch manifest.runtimeFamily {
    case .python:
      files = [
        ("app.py", isHTTP ? pythonHTTP : pythonEvent),
        ("requirements.txt", "# Packages the function imports, one per line.\n"),
      ]
    case .node:
      files = [("index.mjs", isHTTP ? nodeHTTP : nodeEvent)]
    case .custom:
      files = [("bootstrap", isHTTP ? shellHTTP : shellEvent)]
    }
    files.append((Manifest.fileName, manifest.jsonText()))
    files.append((".gitignore", "__pycache__/\n*.pyc\n.env\nnode_modules/\n"))
    return files
  }

  /// Files that must be executable.
  public static let executableFiles: Set<String> = ["bootstrap"]

  static let pythonHTTP = """
    import base64
    import json


    def handler(event, context):
        \"\"\"Return a greeting for the name in the query (?name=Ada) or a JSON body ({"name": "Ada"}).\"\"\"
        name = (event.get("queryStringParameters") or {}).get("name")
        body = event.get("body")
        if body and not name:
            if event.get("isBase64Encoded"):
                body = base64.b64decode(body).decode("utf-8")
            try:
                name = json.loads(body).get("name")
            except (ValueError, AttributeError):
                name = None
        return {
            "statusCode": 200,
            "headers": {"content-type": "text/plain"},
            "body": f"Hello {name or 'World'}!",
        }

    """

  static let pythonEvent = """
    import json


    def handler(event, context):
        \"\"\"Log the event and return a greeting with the request ID.\"\"\"
        print(json.dumps(event))
        return {"message": f"Hello from {context.function_name}!", "requestId": context.aws_request_id}

    """

  static let nodeHTTP = """
    // Return a greeting for the name in the query (?name=Ada) or a JSON body ({"name": "Ada"}).
    export const handler = async (event) => {
      let name = event.queryStringParameters?.name;
      if (!name && event.body) {
        const body = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
        try {
          name = JSON.parse(body).name;
        } catch {
          name = undefined;
        }
      }
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: `Hello ${name ?? "World"}!` };
    };

    """

  static let nodeEvent = """
    // Log the event and return a greeting with the request ID.
    export const handler = async (event, context) => {
      console.log(JSON.stringify(event));
      return { message: `Hello from ${context.functionName}!`, requestId: context.awsRequestId };
    };

    """

  static let shellHTTP = """
    #!/bin/sh
    # A custom runtime: fetch the next event from the Lambda Runtime API, post a response, repeat.
    set -eu
    api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
    headers=$(mktemp)
    trap 'rm -f "$headers"' EXIT
    trap 'exit 0' TERM INT
    while true; do
      curl -sS -D "$headers" -o /dev/null "$api/next"
      request_id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d: -f2 | tr -d '[:space:]')
      response='{"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "Hello from a shell bootstrap!"}'
      curl -sS -o /dev/null -X POST "$api/$request_id/response" -d "$response"
    done

    """

  static let shellEvent = """
    #!/bin/sh
    # A custom runtime: fetch the next event from the Lambda Runtime API, echo it back, repeat.
    set -eu
    api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
    headers=$(mktemp)
    trap 'rm -f "$headers"' EXIT
    trap 'exit 0' TERM INT
    while true; do
      event=$(curl -sS -D "$headers" "$api/next")
      request_id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d: -f2 | tr -d '[:space:]')
      echo "received $request_id"
      curl -sS -o /dev/null -X POST "$api/$request_id/response" -d "{\\"received\\": $event}"
    done

    """
}
