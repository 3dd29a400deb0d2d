#!/usr/bin/env bash
# Measure the core commands with hyperfine, side by side in one run, and write docs/benchmarks.md.
#
#   bench/run.sh            # full run
#   RUNS=10 bench/run.sh    # fewer timed runs per command
#
# Everything runs in a temporary FUNCTIONS_HOME on 127.0.0.1. Needs hyperfine (Debian: apt-get install
# hyperfine) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-30}

for tool in hyperfine curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (Debian: apt-get install $tool)" >&2; exit 1; }
done

swift build -c release --product functions --static-swift-stdlib >/dev/null
functions="$root/.build/release/functions"

work=$(mktemp -d "${TMPDIR:-/tmp}/functions-bench-XXXXXX")
export FUNCTIONS_HOME="$work/home"
cleanup() {
  "$functions" stop --all -q >/dev/null 2>&1 || true
  [[ -n "${direct_pid:-}" ]] && kill "$direct_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results"
mkdir -p "$results" "$work/functions"
cd "$work/functions"

echo "== Registering 1,000 functions"
for i in $(seq 1 1000); do "$functions" new http "fn$i" -q; done
"$functions" new http hello -q
"$functions" build hello -q

echo "== Registry commands"
hyperfine --warmup 3 --runs "$runs" --export-json "$results/registry.json" \
  -n "functions list (1,001 functions)" "$functions list" \
  -n "functions list --json (1,001 functions)" "$functions list --json" \
  -n "functions --help" "$functions --help" \
  -n "functions build (no change)" "$functions build hello -q" \
  -n "true (process start floor)" "true"

echo "== Time from start to the first 200"
port_functions=18731
port_direct=18732
environment=$("$functions" build hello --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["environment"])')
# The same server functions run starts: functions-framework from the same environment, bound to loopback.
direct="$environment/bin/python -m functions_framework --target hello_http --source $work/functions/hello/main.py \
--signature-type http --host 127.0.0.1 --port $port_direct"
cat >"$work/direct.sh" <<SCRIPT
#!/usr/bin/env bash
cd "$work/functions/hello"
PYTHONUNBUFFERED=1 $direct >/dev/null 2>&1 &
echo \$! > "$work/direct.pid"
until curl -sf -o /dev/null "http://127.0.0.1:$port_direct/"; do sleep 0.01; done
SCRIPT
chmod +x "$work/direct.sh"
stop_direct="if [ -f $work/direct.pid ]; then kill \$(cat $work/direct.pid) 2>/dev/null; while kill -0 \$(cat $work/direct.pid) 2>/dev/null; do sleep 0.01; done; rm -f $work/direct.pid; fi"

hyperfine --warmup 2 --runs "$runs" --export-json "$results/start.json" \
  -n "functions run, then the first 200" \
  --prepare "$functions stop hello -q >/dev/null 2>&1 || true" \
  "$functions run hello --port $port_functions -q >/dev/null && curl -sf -o /dev/null http://127.0.0.1:$port_functions/" \
  -n "functions-framework started directly, then the first 200" \
  --prepare "$stop_direct" \
  "$work/direct.sh"
eval "$stop_direct"
"$functions" stop hello -q >/dev/null 2>&1 || true

echo "== Writing docs/benchmarks.md"
python3 "$root/bench/report.py" "$results" "$root/docs/benchmarks.md"
echo "Wrote docs/benchmarks.md"
