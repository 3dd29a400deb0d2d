"""Write docs/benchmarks-deploy.md from the JSON files bench/package.sh leaves in bench/results/package."""

import json
import platform
import subprocess
import sys
from pathlib import Path


def rows(path):
    """Return (name, mean, stddev, min, max) in seconds for each command of a hyperfine export."""
    data = json.loads(Path(path).read_text())
    return [(r["command"], r["mean"], r["stddev"] or 0.0, r["min"], r["max"]) for r in data["results"]]


def table(results):
    lines = ["| Command | Mean | ± σ | Min | Max |", "| --- | --- | --- | --- | --- |"]
    for name, mean, stddev, low, high in results:
        lines.append(f"| {name} | {mean:.2f} s | {stddev:.2f} s | {low:.2f} s | {high:.2f} s |")
    return "\n".join(lines)


def main():
    results, output, runs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    sizes = json.loads((results / "sizes.json").read_text())
    deploys = json.loads((results / "deploys.json").read_text())
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    same_functions = "yes" if deploys["functionsSameSHA"] else "no"
    same_sam = "yes" if deploys["samSameSHA"] else "no"
    text = f"""# Deploy benchmarks

Packaging a Lambda function with a few dependencies, `functions` against AWS SAM CLI, and what an
unchanged redeploy sends. Produced by `bench/package.sh` ({runs} hyperfine runs per command) on
{platform.system()} {platform.release()}, {cpu}, 2 cores shared with other work, so the spread is wide.
Versions: {deploys["sam"]}; {deploys["aws"]}.

The function is a Python 3.11 handler that imports `requests==2.32.3` (with `urllib3`, `idna`,
`certifi` and the compiled `charset-normalizer`) and the compiled `PyYAML==6.0.2`. pip downloads them
from PyPI, through pip's own download cache, which both sides share.

## Packaging time

`functions aws package` writes the package that a deploy uploads, without calling AWS. `sam build`
runs without `--use-container`, so it needs no Docker, and `zip -qrX` packs its output as SAM's own
`sam deploy` would. `functions deploy --dry-run` also packages, then plans against a moto server on
127.0.0.1. For a function that does not exist yet it makes three read calls (`lambda get-function`,
`iam get-role`, `sts get-caller-identity`), about 0.4 s each, because each starts the Python `aws` CLI.

With an empty dependency cache (`functions` removes `CACHE/lambda-dependencies`, SAM removes
`.aws-sam`):

{table(rows(results / "cold.json"))}

With the dependencies already installed (`functions`' cache, `sam build --cached`):

{table(rows(results / "warm.json"))}

## Package size

| Tool | ZIP bytes | Entries |
| --- | --- | --- |
| functions | {sizes["functions"]["bytes"]:,} | {sizes["functions"]["entries"]} |
| sam build + zip | {sizes["sam"]["bytes"]:,} | {sizes["sam"]["entries"]} |

Both packages hold the same modules and compiled extensions, built for `manylinux2014_x86_64`. A
comparison of the entry lists on this machine found these differences. `functions` keeps what pip
writes for a `--target` install (the console scripts in `bin/`, `INSTALLER` and `REQUESTED` in each
`.dist-info`) and the template's `.gitignore`. SAM leaves those out and adds an empty `PyYAML.libs`
folder.

## Same source, same package

Touching the handler without changing it and packaging again gives the same SHA-256 with `functions`:
**{same_functions}**. With `sam build` and `zip -X`: **{same_sam}**. The files `sam build` copies
carry new modification times, and `zip` stores each one in its entry's DOS date and time.

## An unchanged redeploy uploads nothing

Against moto: the first `functions deploy` took {deploys["firstDeploySeconds"]} s and moto logged
{deploys["uploadsAfterFirst"]} code upload (`CreateFunction`). The second deploy, without a change,
took {deploys["secondDeploySeconds"]} s, and the count of `CreateFunction` and `UpdateFunctionCode`
requests stayed at {deploys["uploadsAfterSecond"]}: the package's SHA-256 matched the deployed
`CodeSha256`, so only read calls were made.

Run it again with:

```sh
bench/package.sh            # RUNS=3 bench/package.sh for fewer runs
```
"""
    output.write_text(text)


if __name__ == "__main__":
    main()
