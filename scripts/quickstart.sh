#!/usr/bin/env bash
# Build functions and run the quick start end to end: an HTTP function and a Pub/Sub function are
# scaffolded, built, run locally, invoked and stopped, with no Docker. Everything lands in a temporary
# directory (its own FUNCTIONS_HOME) that is removed at the end; pass --keep to keep it.
set -euo pipefail
cd "$(dirname "$0")/.."

keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

# Build dependencies from Debian: libcrypto (SHA-256), zlib, and libcurl for linking FoundationNetworking
# statically. Installed only when missing.
missing=()
for package in libssl-dev zlib1g-dev libcurl4-openssl-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (needed to build functions)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    sudo apt-get update -q && sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

echo "== Building functions (release)"
swift build -c release --product functions --static-swift-stdlib
functions="$PWD/.build/release/functions"

demo=$(mktemp -d "${TMPDIR:-/tmp}/functions-quickstart-XXXXXX")
export FUNCTIONS_HOME="$demo/home"
cleanup() {
  "$functions" stop --all >/dev/null 2>&1 || true
  if $keep; then echo "Kept $demo (FUNCTIONS_HOME=$FUNCTIONS_HOME)"; else rm -rf "$demo"; fi
}
trap cleanup EXIT
cd "$demo"

step() {
  echo
  printf '$ functions'
  for argument in "$@"; do
    # Show each argument as a shell would need it typed: plain, or in single quotes.
    if [[ "$argument" =~ ^[A-Za-z0-9_./=:@%+,-]+$ ]]; then printf ' %s' "$argument"; else printf " '%s'" "$argument"; fi
  done
  printf '\n'
  "$functions" "$@"
}

step doctor
step new http hello
step new pubsub orders --topic orders
step build hello
step run hello
step run orders
step list
step invoke hello
echo
step invoke hello --data '{"name": "Ada"}'
echo
step invoke hello --query name=Ada
echo
step invoke orders --data 'Ada' --attribute origin=quickstart
step logs orders --tail 1
step stop hello orders
step list
echo
echo "Quick start finished: both functions ran locally and were stopped."
