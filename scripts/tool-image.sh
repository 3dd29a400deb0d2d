#!/usr/bin/env bash
# Build the functions tool's container image from the root Dockerfile, without network access.
#
# Usage: scripts/tool-image.sh [TAG]   (default functions:latest)
# BASE_IMAGE picks the base (default debian:bookworm-slim; CI uses the locally built
# functions-test/base:bookworm). The release binary is built first when .build/release/functions is
# missing. The shared libraries are copied from this machine, so the base image should be the same
# Debian release as the build machine.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-functions:latest}"
base="${BASE_IMAGE:-debian:bookworm-slim}"
binary=.build/release/functions
[[ -x "$binary" ]] || swift build -c release --static-swift-stdlib
docker_cli="$(command -v docker)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/image/usr/local/bin" "$stage/image/usr/local/lib/functions"
cp Dockerfile "$stage/Dockerfile"
cp "$binary" "$stage/image/usr/local/bin/functions"
cp "$docker_cli" "$stage/image/usr/local/bin/docker"
# Every library ldd resolves except the C library itself, which the base image provides.
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r library; do
  case "$(basename "$library")" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*) ;;
    *) cp -L "$library" "$stage/image/usr/local/lib/functions/" ;;
  esac
done
DOCKER_BUILDKIT=0 docker build --quiet --network none --pull=false --build-arg "BASE_IMAGE=$base" \
  --label managed-by=functions-ci --tag "$tag" "$stage"
