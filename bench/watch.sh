#!/usr/bin/env bash
# Measure `functions run --watch`: the time from saving a change to the first response of the new code,
# against stopping and running the function by hand, and against the runtime's own start-up. Writes
# docs/benchmarks-watch.md.
#
#   bench/watch.sh            # full run
#   RUNS=10 bench/watch.sh    # fewer timed runs per row
#
# Everything runs in a temporary FUNCTIONS_HOME on 127.0.0.1. Needs hyperfine (Debian: apt-get install
# hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-20}

command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }

swift build -c release --product functions --static-swift-stdlib >/dev/null
functions="$root/.build/release/functions"
step="python3 $root/bench/watch_step.py"

work=$(mktemp -d "${TMPDIR:-/tmp}/functions-bench-watch-XXXXXX")
export FUNCTIONS_HOME="$work/home"
cleanup() {
  "$functions" stop --all -q >/dev/null 2>&1 || true
  if [[ -f "$work/direct.pid" ]]; then kill "$(cat "$work/direct.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results"
mkdir -p "$results" "$work/functions"
cd "$work/functions"

# Three copies of the HTTP template whose greeting the steps switch between Ping and Pong.
for name in watched manual lambda; do
  if [[ $name == lambda ]]; then
    "$functions" new http "$name" --provider aws -q
    sed -i 's/f"Hello /f"Ping /' "$name/app.py"
  else
    "$functions" new http "$name" -q
    sed -i 's/f"Hello /f"Ping /' "$name/main.py"
  fi
done
port_watched=18741 port_manual=18742 port_lambda=18743 port_direct=18744
"$functions" run watched --watch --port $port_watched -q >/dev/null
"$functions" run lambda --watch --port $port_lambda -q >/dev/null
"$functions" run manual --port $port_manual -q >/dev/null
environment=$("$functions" build watched --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["environment"])')
direct="$environment/bin/python -m functions_framework --target hello_http --source $work/functions/manual/main.py \
--signature-type http --host 127.0.0.1 --port $port_direct"
stop_direct="if [ -f $work/direct.pid ]; then kill \$(cat $work/direct.pid) 2>/dev/null; \
while kill -0 \$(cat $work/direct.pid) 2>/dev/null; do sleep 0.01; done; rm -f $work/direct.pid; fi"

echo "== From a saved change to the first response of the new code"
hyperfine --warmup 2 --runs "$runs" ${HYPERFINE_OPTIONS:-} --export-json "$results/watch.json" \
  -n "functions-framework started directly, first 200 (the runtime's own start-up)" \
  --prepare "$stop_direct" \
  "$step direct $work/direct.pid http://127.0.0.1:$port_direct/ $direct" \
  -n "Google Cloud: save, run --watch restarts, first new response" \
  "$step edit $work/functions/watched/main.py http://127.0.0.1:$port_watched/" \
  -n "Google Cloud: save, functions stop, functions run, first new response" \
  "$step restart $work/functions/manual/main.py http://127.0.0.1:$port_manual/ manual $functions" \
  -n "AWS Lambda: save, run --watch reloads, first new response" \
  "$step edit $work/functions/lambda/app.py http://127.0.0.1:$port_lambda/"
eval "$stop_direct"

echo "== Writing docs/benchmarks-watch.md"
python3 - "$results/watch.json" "$root/docs/benchmarks-watch.md" "$runs" <<'PYTHON'
import json, platform, subprocess, sys
from datetime import date
results, output, runs = sys.argv[1], sys.argv[2], sys.argv[3]
rows = json.load(open(results))["results"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
floor = rows[0]["median"]
lines = [
    "# Benchmark: hot reload (`functions run --watch`)",
    "",
    "The time from saving a change to the first response that comes from the new code. The floor is the",
    "runtime's own start-up: functions-framework started directly until it returns its first 200.",
    "",
    f"Measured {date.today()} on {cpu} ({subprocess.check_output(['nproc']).decode().strip()} cores), "
    f"Linux {platform.release()}, with hyperfine, {runs} runs per row, every row started by the same Python "
    "step script (`bench/watch_step.py`).",
    "",
    "Reproduce: `bench/watch.sh` (needs hyperfine from Debian).",
    "",
    "| What | Median | Mean ± σ | Beyond the runtime's start-up |",
    "| --- | --- | --- | --- |",
]
for row in rows:
    if row is rows[0]:
        extra = "—"
    elif row["command"].startswith("AWS"):
        extra = "— (another runtime: awslambdaric)"
    else:
        extra = f"{(row['median'] - floor) * 1000:+.1f} ms"
    lines.append(
        f"| {row['command']} | {row['median'] * 1000:.1f} ms | "
        f"{row['mean'] * 1000:.1f} ± {row['stddev'] * 1000:.1f} ms | {extra} |")
lines += [
    "",
    "A watched Google Cloud function restarts functions-framework on the socket its supervisor keeps open,",
    "so the restart costs the debounce (50 ms of quiet after the last change) and the runtime's start-up.",
    "A watched Lambda function starts a new instance of its runtime client; the step includes that",
    "instance's initialisation. Goal: under 300 ms beyond the runtime's own start-up.",
    "",
]
open(output, "w").write("\n".join(lines))
PYTHON
echo "Wrote docs/benchmarks-watch.md"
