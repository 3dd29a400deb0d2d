#!/usr/bin/env bash
# Compare the process and docker backends on one Google Cloud HTTP function, in one run:
#   - time from `functions run` to the first good response (warm build: image and environment exist),
#   - warm invocation latency (hyperfine over curl against the running function),
#   - rebuild time of the image after a one-line source change (warm layer cache),
#   - save-to-new-response time of run --watch on docker against a manual stop and run.
# Needs a reachable Docker daemon (DOCKER_HOST), the base image BASE_IMAGE (default
# functions-test/base:bookworm, see scripts/base-image.sh), hyperfine and curl. Everything listens on
# 127.0.0.1. Usage: bench/docker.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs="${1:-10}"
base="${BASE_IMAGE:-functions-test/base:bookworm}"
swift build -c release --static-swift-stdlib >/dev/null
functions="$PWD/.build/release/functions"

work="$(mktemp -d)"
trap '"$functions" stop --all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export FUNCTIONS_HOME="$work/home" NO_COLOR=1
mkdir -p "$FUNCTIONS_HOME/config"
printf '{"dockerBaseImages": {"python": "%s"}}\n' "$base" >"$FUNCTIONS_HOME/config/settings.json"
cd "$work"
"$functions" new http bench >/dev/null 2>&1

now() { date +%s.%N; }
for backend in process docker; do
  "$functions" build bench --backend "$backend" >/dev/null 2>&1
  total=0
  for _ in $(seq 1 5); do
    start=$(now)
    url=$("$functions" run bench --backend "$backend" 2>/dev/null)
    curl -sf "$url/?name=x" >/dev/null
    total=$(echo "$total + $(now) - $start" | bc -l)
    "$functions" stop bench >/dev/null 2>&1
  done
  printf '%s: run to first response, mean of 5: %.3f s\n' "$backend" "$(echo "$total / 5" | bc -l)"
  url=$("$functions" run bench --backend "$backend" 2>/dev/null)
  hyperfine --style basic --warmup 20 --runs 200 -N --export-markdown "$work/$backend.md" \
    "curl -sf $url/?name=x" 2>/dev/null | grep -E "Time|Range"
  "$functions" stop bench >/dev/null 2>&1
done

total=0
for i in $(seq 1 "$runs"); do
  echo "# change $i" >>bench/main.py
  start=$(now)
  "$functions" build bench --backend docker >/dev/null 2>&1
  total=$(echo "$total + $(now) - $start" | bc -l)
done
printf 'docker: rebuild after a one-line change, mean of %s: %.3f s\n' "$runs" "$(echo "$total / $runs" | bc -l)"

# Hot reload on the docker backend: from a saved change to the first response of the new code, with
# `run --watch` (image rebuilt, new container behind the supervisor's relay) and with a manual
# `functions stop` + `functions run`. Both use bench/watch_step.py, as bench/watch.sh does.
printf '{"backend": "docker", "dockerBaseImages": {"python": "%s"}}\n' "$base" \
  >"$FUNCTIONS_HOME/config/settings.json"
step="python3 $root/bench/watch_step.py"
for name in watched manual; do
  "$functions" new http "$name" >/dev/null 2>&1
  sed -i 's/f"Hello /f"Ping /' "$name/main.py"
done
port_watched=18751 port_manual=18752
"$functions" run watched --watch --port $port_watched >/dev/null 2>&1
"$functions" run manual --port $port_manual >/dev/null 2>&1
hyperfine --style basic --warmup 1 --runs "$runs" \
  -n "docker, run --watch: save to first new response" \
  "$step edit $work/watched/main.py http://127.0.0.1:$port_watched/" \
  -n "docker, stop + run: save to first new response" \
  "$step restart $work/manual/main.py http://127.0.0.1:$port_manual/ manual $functions" 2>/dev/null |
  grep -E "docker,|Time|Range"
