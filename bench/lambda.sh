#!/usr/bin/env bash
# Measure AWS Lambda functions run locally, side by side in one run, and write docs/benchmarks-lambda.md:
#
# - warm round trip on one connection (wrk --latency): the HTTP gateway, the Invoke API, and
#   `chalice local` (a peer from PyPI that emulates API Gateway) serving the same handler;
# - throughput with 10 connections: the HTTP gateway against `chalice local`;
# - the floor: the same handler called in-process from Python;
# - cold start: `functions run`, which starts one instance and waits until its runtime asks for work,
#   against the time Python needs to start and import awslambdaric and the handler (hyperfine).
#
#   bench/lambda.sh            # about 2 minutes
#   DURATION=5 bench/lambda.sh # shorter wrk runs, in seconds
#
# Everything listens on 127.0.0.1. Needs wrk and hyperfine (Debian: apt-get install wrk hyperfine);
# chalice and awslambdaric come from PyPI into a temporary virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
duration=${DURATION:-10}

for tool in wrk hyperfine curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (Debian: apt-get install $tool)" >&2; exit 1; }
done

swift build -c release --product functions --static-swift-stdlib >/dev/null
functions="$root/.build/release/functions"

work=$(mktemp -d "${TMPDIR:-/tmp}/functions-lambda-bench-XXXXXX")
export FUNCTIONS_HOME="$work/home"
chalice_pid=""
cleanup() {
  "$functions" stop --all -q >/dev/null 2>&1 || true
  [[ -n "$chalice_pid" ]] && kill "$chalice_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# One handler for every side: an API Gateway proxy response with a small JSON body.
handler_source='import json


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"hello": "world"})}
'

echo "== Preparing the function, chalice and the in-process floor"
"$functions" new http api --provider aws -q
printf '%s' "$handler_source" >api/app.py
"$functions" build api -q
api_url=$("$functions" run api -q)
"$functions" invoke api -q >/dev/null

python3 -m venv "$work/peer" >/dev/null
"$work/peer/bin/pip" install -q --disable-pip-version-check chalice awslambdaric >/dev/null
"$work/peer/bin/chalice" new-project peerapp >/dev/null
cat >peerapp/app.py <<'PYTHON'
import json

from chalice import Chalice, Response

app = Chalice(app_name="peerapp")


@app.route("/")
def index():
    return Response(body=json.dumps({"hello": "world"}), status_code=200, headers={"content-type": "application/json"})
PYTHON
chalice_port=18741
(cd peerapp && exec "$work/peer/bin/chalice" local --host 127.0.0.1 --port "$chalice_port" >"$work/chalice.log" 2>&1) &
chalice_pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$chalice_port/"; do sleep 0.1; done

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"hello": "world"}'
wrk.headers["Content-Type"] = "application/json"
LUA

results="$work/results"
mkdir -p "$results"
run_wrk() { # name connections url [script]
  local name=$1 connections=$2 url=$3 script=${4:-}
  local args=(-t 1 -c "$connections" -d "${duration}s" --latency)
  [[ -n "$script" ]] && args+=(-s "$script")
  echo "-- $name"
  wrk "${args[@]}" "$url" | tee "$results/$name.txt"
}

echo "== Warm round trip, one connection"
run_wrk gateway-1 1 "$api_url/"
run_wrk invoke-api-1 1 "$api_url/2015-03-31/functions/api/invocations" "$work/post.lua"
run_wrk chalice-1 1 "http://127.0.0.1:$chalice_port/"

echo "== Throughput, 10 connections"
run_wrk gateway-10 10 "$api_url/"
run_wrk chalice-10 10 "http://127.0.0.1:$chalice_port/"

echo "== In-process floor"
cp api/app.py "$work/floor_app.py"
(cd "$work" && "$work/peer/bin/python" - >"$results/floor.txt" <<'PYTHON'
import json
import statistics
import time

import floor_app

event = {"version": "2.0", "rawPath": "/", "headers": {}, "requestContext": {"http": {"method": "GET"}}}
samples = []
for _ in range(20000):
    start = time.perf_counter_ns()
    floor_app.handler(event, None)
    samples.append(time.perf_counter_ns() - start)
print(json.dumps({"median_us": statistics.median(samples) / 1000}))
PYTHON
)
cat "$results/floor.txt"

echo "== Cold start"
"$functions" new event cold --provider aws -q
"$functions" build cold -q
environment=$("$functions" build cold --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["environment"])')
hyperfine --warmup 2 --runs 15 --export-json "$results/cold.json" \
  -n "functions run (starts the service and one initialised instance)" \
  --prepare "$functions stop cold -q >/dev/null 2>&1 || true" \
  "$functions run cold -q" \
  -n "python imports awslambdaric and the handler" \
  --prepare "true" \
  "cd $work/cold && $environment/bin/python -c 'import awslambdaric.bootstrap, app'"
"$functions" stop cold -q >/dev/null 2>&1 || true

echo "== Writing docs/benchmarks-lambda.md"
python3 "$root/bench/lambda_report.py" "$results" "$root/docs/benchmarks-lambda.md" "$duration"
echo "Wrote docs/benchmarks-lambda.md"
