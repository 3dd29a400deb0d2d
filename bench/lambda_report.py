"""Turn the wrk, Python and hyperfine results of bench/lambda.sh into docs/benchmarks-lambda.md."""

import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone


def to_ms(text):
    """Convert a wrk duration such as '512.00us', '1.23ms' or '2.00s' to milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(match.group(1)), match.group(2)
    return {"us": value / 1000, "ms": value, "s": value * 1000}[unit]


def read_wrk(path):
    text = open(path).read()
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", text, re.MULTILINE))
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "p50": to_ms(percentiles["50"]),
        "p99": to_ms(percentiles["99"]),
        "rps": requests,
        "errors": int(errors.group(1)) if errors else 0,
    }


def main(results_dir, output, duration):
    wrk = {name[:-4]: read_wrk(os.path.join(results_dir, name)) for name in os.listdir(results_dir) if name.endswith(".txt") and name != "floor.txt"}
    floor = json.load(open(os.path.join(results_dir, "floor.txt")))
    cold = {r["command"]: r for r in json.load(open(os.path.join(results_dir, "cold.json")))["results"]}
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
    versions = ", ".join(
        subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        for command in (["wrk", "--version"], ["hyperfine", "--version"])
        if subprocess.run(command, capture_output=True, text=True).stdout.strip()
    )

    gateway_1, chalice_1, invoke_1 = wrk["gateway-1"], wrk["chalice-1"], wrk["invoke-api-1"]
    gateway_10, chalice_10 = wrk["gateway-10"], wrk["chalice-10"]
    cold_start = cold["functions run (starts the service and one initialised instance)"]["median"] * 1000
    imports = cold["python imports awslambdaric and the handler"]["median"] * 1000
    ratio = gateway_10["rps"] / chalice_10["rps"]

    lines = [
        "# Benchmarks: AWS Lambda functions locally",
        "",
        "Produced by `bench/lambda.sh`, every row in one run on the same machine. wrk ran for "
        f"{duration} s per row with one thread.",
        "",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Tools: {versions}",
        "",
        "## Warm round trip, one connection",
        "",
        "| Path | Median (ms) | 99th percentile (ms) | Requests/s | Non-2xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, result in (
        ("HTTP gateway (HTTP API event) → awslambdaric", gateway_1),
        ("Invoke API → awslambdaric", invoke_1),
        ("`chalice local`, same handler", chalice_1),
    ):
        lines.append(f"| {label} | {result['p50']:.2f} | {result['p99']:.2f} | {result['rps']:.0f} | {result['errors']} |")
    lines += [
        f"| In-process call from Python (the floor) | {floor['median_us'] / 1000:.4f} | | | |",
        "",
        f"Goal: a warm HTTP-gateway round trip under 2 ms at the median: {'met' if gateway_1['p50'] < 2 else 'not met'} "
        f"({gateway_1['p50']:.2f} ms).",
        "",
        "## Throughput, 10 connections",
        "",
        "| Path | Requests/s | Median (ms) | Non-2xx |",
        "| --- | ---: | ---: | ---: |",
        f"| HTTP gateway (4 instances at most, the default) | {gateway_10['rps']:.0f} | {gateway_10['p50']:.2f} | {gateway_10['errors']} |",
        f"| `chalice local` | {chalice_10['rps']:.0f} | {chalice_10['p50']:.2f} | {chalice_10['errors']} |",
        "",
        f"Goal: at least 10x the throughput of `chalice local`: {'met' if ratio >= 10 else 'not met'} ({ratio:.1f}x).",
        "",
        "## Cold start (hyperfine, medians)",
        "",
        "| Command | Median (ms) |",
        "| --- | ---: |",
        f"| `functions run`: the service starts and one instance initialises (a cold start) | {cold_start:.1f} |",
        f"| `python -c 'import awslambdaric.bootstrap, app'` | {imports:.1f} |",
        "",
        f"`functions run` returns once the first instance's runtime has asked for work, so it contains one cold "
        f"start. Starting Python and importing awslambdaric and the handler alone takes {imports:.1f} ms, so the "
        f"tool's own share (its own start, the service's start, spawning the runtime, the Runtime API round trip "
        f"and the readiness poll) is {cold_start - imports:.1f} ms. Goal: within 50 ms of awslambdaric's own "
        f"start-up: {'met' if cold_start - imports <= 50 else 'not met'}.",
        "",
    ]
    with open(output, "w") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
