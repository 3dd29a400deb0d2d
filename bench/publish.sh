#!/usr/bin/env bash
# Measure `functions publish` fanning one message out to 20 running Pub/Sub functions, against one
# `functions invoke` of a single function, and write docs/benchmarks-publish.md.
#
#   bench/publish.sh
#
# Everything runs in a temporary FUNCTIONS_HOME on 127.0.0.1. Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-20}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (Debian: apt-get install hyperfine)" >&2; exit 1; }

swift build -c release --product functions --static-swift-stdlib >/dev/null
functions="$root/.build/release/functions"
work=$(mktemp -d "${TMPDIR:-/tmp}/functions-publish-bench-XXXXXX")
export FUNCTIONS_HOME="$work/home"
cleanup() {
  "$functions" stop --all -q >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

echo "== Starting 20 subscribers of topic 'orders'"
for i in $(seq 1 20); do
  "$functions" new pubsub "sub$i" --topic orders -q
  "$functions" run "sub$i" -q >/dev/null
done

hyperfine --warmup 2 --runs "$runs" --export-json "$work/publish.json" \
  -n "functions publish to 20 subscribers" "$functions publish orders --data hello -q" \
  -n "functions invoke of one subscriber" "$functions invoke sub1 --data hello -q"

python3 - "$work/publish.json" "$root/docs/benchmarks-publish.md" <<'PYTHON'
import json, os, platform, sys
from datetime import datetime, timezone
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
lines = [
    "# Benchmarks: publish fan-out",
    "",
    "Produced by `bench/publish.sh` (hyperfine, one run, the same machine): one message published to 20 running",
    "Google Cloud Pub/Sub functions, each a functions-framework server, against invoking one of them.",
    "",
    f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
    f"- Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
    "",
    "| Command | Median (ms) | Mean ± σ (ms) | Runs |",
    "| --- | ---: | ---: | ---: |",
]
for name, r in results.items():
    lines.append(f"| {name} | {r['median'] * 1000:.1f} | {r['mean'] * 1000:.1f} ± {(r['stddev'] or 0) * 1000:.1f} | {len(r['times'])} |")
lines.append("")
open(sys.argv[2], "w").write("\n".join(lines))
PYTHON
echo "Wrote docs/benchmarks-publish.md"
