"""Turn hyperfine's JSON exports from bench/run.sh into docs/benchmarks.md."""

import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone

GOALS = {
    "functions list (1,001 functions)": ("median under 15 ms", lambda r, _: r["median"] < 0.015),
    "functions build (no change)": ("under 50 ms", lambda r, _: r["median"] < 0.050),
    "functions run, then the first 200": (
        "within 1.25x of functions-framework started directly",
        lambda r, all_results: r["median"]
        <= 1.25 * all_results["functions-framework started directly, then the first 200"]["median"],
    ),
}


def load(results_dir):
    results = {}
    for name in sorted(os.listdir(results_dir)):
        with open(os.path.join(results_dir, name)) as handle:
            for result in json.load(handle)["results"]:
                results[result["command"]] = result
    return results


def milliseconds(seconds):
    return f"{seconds * 1000:.1f}"


def main(results_dir, output):
    results = load(results_dir)
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = os.cpu_count()
    hyperfine = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmarks",
        "",
        "Produced by `bench/run.sh` (hyperfine, in one run, on the same machine). Times are wall-clock, "
        "in milliseconds.",
        "",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {cpu}, {cores} cores, {platform.system()} {platform.release()}",
        f"- Tools: {hyperfine}",
        "",
        "| Command | Median | Mean ± σ | Min | Max | Runs | Goal | Met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for command, result in results.items():
        goal, check = GOALS.get(command, ("", None))
        met = "" if check is None else ("yes" if check(result, results) else "no")
        lines.append(
            f"| {command} | {milliseconds(result['median'])} | {milliseconds(result['mean'])} ± "
            f"{milliseconds(result['stddev'] or 0)} | {milliseconds(result['min'])} | "
            f"{milliseconds(result['max'])} | {len(result['times'])} | {goal} | {met} |"
        )
    direct = results.get("functions-framework started directly, then the first 200")
    ours = results.get("functions run, then the first 200")
    if direct and ours:
        lines += [
            "",
            f"`functions run` reached its first 200 in {ours['median'] / direct['median']:.2f}x the time "
            "functions-framework needs when started directly from the same environment. Both sides poll "
            "for readiness: `functions run` every 5 ms with a TCP connect and then one `GET /robots.txt`, which functions-framework answers itself without calling the function; the direct side with `curl` every "
            "10 ms.",
        ]
    lines += [
        "",
        "What each row measures:",
        "",
        "- `functions list`: reads the registry with 1,001 functions and checks each running one.",
        "- `functions build (no change)`: computes the runtime and requirements fingerprint and finds the "
        "environment ready.",
        "- `functions run, then the first 200`: `functions run` (which waits until the server answers) "
        "followed by one `curl`; the function is stopped before each run, outside the timing.",
        "- `true`: the cost of starting any process on this machine, the floor for the rows above.",
        "",
        "## Other benchmarks",
        "",
        "Each has its own page with the command that produces it and its results:",
        "",
        "- [benchmarks-lambda.md](benchmarks-lambda.md) (`bench/lambda.sh`): Lambda gateway latency and "
        "throughput against `chalice local`, and cold start.",
        "- [benchmarks-publish.md](benchmarks-publish.md) (`bench/publish.sh`): `functions publish` to 20 "
        "running subscribers.",
        "- [benchmarks-watch.md](benchmarks-watch.md) (`bench/watch.sh`): from a saved change to the first "
        "response of the new code with `run --watch`, against stopping and running by hand.",
        "- [benchmarks-deploy.md](benchmarks-deploy.md) (`bench/package.sh`): Lambda packaging time and size "
        "against `sam build`, and an unchanged redeploy.",
        "- [benchmarks-docker.md](benchmarks-docker.md) (`bench/docker.sh`): the process and docker backends "
        "side by side, and an image rebuild after a one-line change.",
        "",
    ]
    with open(output, "w") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
