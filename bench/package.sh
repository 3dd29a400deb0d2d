#!/usr/bin/env bash
# Measure Lambda packaging and write docs/benchmarks-deploy.md:
#
# - packaging time and ZIP size for a Python function with a few dependencies, in the same run:
#   `functions aws package` against `sam build` followed by zipping its output (hyperfine). Both run with
#   an empty and with a warm dependency cache. `functions deploy --dry-run` adds the read calls;
# - a deploy and a no-change redeploy to a moto server, counting the code uploads moto logged.
#
#   bench/package.sh          # about 3 minutes after the first run
#   RUNS=3 bench/package.sh   # fewer hyperfine runs
#
# AWS SAM CLI comes from PyPI into bench/.sam-venv (kept between runs), and pip fetches the function's
# dependencies from PyPI. Every AWS call goes to a moto server on 127.0.0.1 that this script starts and
# stops by PID; SAM's telemetry is switched off. Needs hyperfine, zip and moto_server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-5}
runtime=python3.11

for tool in hyperfine zip python3 moto_server; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

swift build -c release --product functions --static-swift-stdlib >/dev/null
functions="$root/.build/release/functions"

if [[ ! -x bench/.sam-venv/bin/sam ]]; then
  echo "== Installing aws-sam-cli into bench/.sam-venv"
  python3 -m venv bench/.sam-venv
  bench/.sam-venv/bin/pip install -q --disable-pip-version-check aws-sam-cli
fi
sam="$root/bench/.sam-venv/bin/sam"

work=$(mktemp -d "${TMPDIR:-/tmp}/functions-package-bench-XXXXXX")
results="$root/bench/results/package"
mkdir -p "$results"
moto_pid=""
cleanup() {
  [[ -n "$moto_pid" ]] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" \
  AWS_CONFIG_FILE="$work/absent" AWS_SHARED_CREDENTIALS_FILE="$work/absent" SAM_CLI_TELEMETRY=0
export FUNCTIONS_HOME="$work/home"
for _ in $(seq 50); do
  curl -fs "$AWS_ENDPOINT_URL/moto-api/data.json" >/dev/null 2>&1 && break
  sleep 0.2
done

echo "== Preparing the same function for both tools"
requirements='requests==2.32.3
PyYAML==6.0.2
'
handler='import requests, yaml


def handler(event, context):
    return {"requests": requests.__version__, "yaml": yaml.__version__}
'
"$functions" new event pkg --provider aws --runtime "$runtime" -q
printf '%s' "$requirements" >pkg/requirements.txt
printf '%s' "$handler" >pkg/app.py
mkdir -p sam/src
printf '%s' "$requirements" >sam/src/requirements.txt
printf '%s' "$handler" >sam/src/app.py
cat >sam/template.yaml <<YAML
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Pkg:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: $runtime
      Architectures: [x86_64]
YAML
sam_zip="cd $work/sam && $sam build >/dev/null 2>&1 && cd .aws-sam/build/Pkg && rm -f ../pkg.zip && zip -qrX ../pkg.zip ."
sam_cached_zip="cd $work/sam && $sam build --cached >/dev/null 2>&1 && cd .aws-sam/build/Pkg && rm -f ../pkg.zip && zip -qrX ../pkg.zip ."
package="$functions aws package pkg -q >/dev/null"
deploy_plan="$functions deploy pkg --dry-run -q >/dev/null"

echo "== Packaging with an empty dependency cache"
hyperfine --runs "$runs" --export-json "$results/cold.json" \
  -n "functions aws package (empty dependency cache)" \
  --prepare "rm -rf $FUNCTIONS_HOME/cache/lambda-dependencies" "$package" \
  -n "sam build + zip" \
  --prepare "rm -rf $work/sam/.aws-sam" "$sam_zip"

echo "== Packaging with a warm dependency cache"
hyperfine --warmup 1 --runs "$runs" --export-json "$results/warm.json" \
  -n "functions aws package (cached dependencies)" "$package" \
  -n "sam build --cached + zip" "$sam_cached_zip" \
  -n "functions deploy --dry-run (cached dependencies, new function)" "$deploy_plan" \
  -n "aws lambda get-function (one of the dry run's read calls)" \
  "aws lambda get-function --function-name pkg >/dev/null 2>&1 || true"

functions_zip="$FUNCTIONS_HOME/state/pkg/lambda-package.zip"
sam_zip_file="$work/sam/.aws-sam/build/pkg.zip"
python3 - "$functions_zip" "$sam_zip_file" >"$results/sizes.json" <<'PYTHON'
import json, sys, zipfile, hashlib, os
out = {}
for label, path in (("functions", sys.argv[1]), ("sam", sys.argv[2])):
    with zipfile.ZipFile(path) as archive:
        out[label] = {"bytes": os.path.getsize(path), "entries": len(archive.infolist()),
                      "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest()}
print(json.dumps(out))
PYTHON

echo "== Same source, same package"
first=$(sha256sum "$functions_zip" | cut -d' ' -f1)
touch pkg/app.py
"$functions" deploy pkg --dry-run -q >/dev/null
second=$(sha256sum "$functions_zip" | cut -d' ' -f1)
(cd "$work/sam" && $sam build >/dev/null 2>&1 && cd .aws-sam/build/Pkg && rm -f ../pkg.zip && zip -qrX ../pkg.zip .)
sam_first=$(sha256sum "$sam_zip_file" | cut -d' ' -f1)
sleep 1
touch sam/src/app.py
(cd "$work/sam" && $sam build >/dev/null 2>&1 && cd .aws-sam/build/Pkg && rm -f ../pkg.zip && zip -qrX ../pkg.zip .)
sam_second=$(sha256sum "$sam_zip_file" | cut -d' ' -f1)

echo "== Deploy, then redeploy without a change"
start=$EPOCHREALTIME
"$functions" deploy pkg -q >/dev/null
deploy_first=$(python3 -c "print(round($EPOCHREALTIME - $start, 2))")
uploads_first=$(grep -cE '"(POST /2015-03-31/functions|PUT /2015-03-31/functions/pkg/code) ' "$work/moto.log" || true)
start=$EPOCHREALTIME
"$functions" deploy pkg -q >/dev/null
deploy_second=$(python3 -c "print(round($EPOCHREALTIME - $start, 2))")
uploads_total=$(grep -cE '"(POST /2015-03-31/functions|PUT /2015-03-31/functions/pkg/code) ' "$work/moto.log" || true)

cat >"$results/deploys.json" <<JSON
{"functionsSameSHA": $([[ $first == "$second" ]] && echo true || echo false),
 "samSameSHA": $([[ $sam_first == "$sam_second" ]] && echo true || echo false),
 "firstDeploySeconds": $deploy_first, "secondDeploySeconds": $deploy_second,
 "uploadsAfterFirst": $uploads_first, "uploadsAfterSecond": $uploads_total,
 "sam": "$("$sam" --version)", "aws": "$(aws --version 2>&1)"}
JSON

echo "== Writing docs/benchmarks-deploy.md"
python3 "$root/bench/package_report.py" "$results" "$root/docs/benchmarks-deploy.md" "$runs"
echo "Wrote docs/benchmarks-deploy.md"
