#!/usr/bin/env bash
# Build the base image that the Docker backend's tests configure for Python, Node.js and custom runtimes,
# without pulling anything.
#
# Usage: scripts/base-image.sh [TAG]   (default functions-test/base:bookworm)
#
# debootstrap installs Debian bookworm into a directory: minbase, plus python3, python3-venv and python3-pip
# for Python functions, nodejs for Node.js functions, and curl for the custom-runtime template's bootstrap.
# Bookworm's python3 is 3.11 and its nodejs is 18. `docker import` turns that root file system into an
# image. Its tarball is cached in ${FUNCTIONS_CI_CACHE:-/var/cache/functions-ci} under a name that
# includes a digest of the package list, so only the first run with a given list downloads packages (from
# DEBIAN_MIRROR, default http://deb.debian.org/debian). Later runs import the cached tarball, and a run
# whose tag already exists in the daemon does nothing.
# Needs root (debootstrap), debootstrap, and a docker client that reaches a daemon (DOCKER_HOST).
set -euo pipefail

tag="${1:-functions-test/base:bookworm}"
cache_dir="${FUNCTIONS_CI_CACHE:-/var/cache/functions-ci}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
packages=python3,python3-venv,python3-pip,nodejs,curl
# A new package list gets a new tarball, so an old cached root file system is never imported by mistake.
packages_digest="$(printf '%s' "$packages" | sha256sum | cut -c1-12)"
rootfs="$cache_dir/rootfs-$suite-minbase-$packages_digest.tar"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag already exists"
  exit 0
fi

if [[ ! -s "$rootfs" ]]; then
  command -v debootstrap >/dev/null || {
    echo "error: debootstrap not found; install it with: apt-get install debootstrap" >&2
    exit 1
  }
  mkdir -p "$cache_dir"
  work="$(mktemp -d "$cache_dir/debootstrap.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap $suite ($packages) from $mirror into $work/root"
  start=$SECONDS
  debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" >"$work/log" 2>&1 || {
    tail -n 30 "$work/log" >&2
    echo "error: debootstrap failed; the full log is above" >&2
    exit 1
  }
  # Package lists and downloaded .deb files are not needed in the image.
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
  tar -C "$work/root" --numeric-owner -cf "$work/rootfs.tar" .
  # Rename last, so an interrupted run never leaves a half-written tarball under the cached name.
  mv "$work/rootfs.tar" "$rootfs"
  echo "cached $rootfs after $((SECONDS - start)) s"
fi

echo "importing $rootfs as $tag"
docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  "$rootfs" "$tag" >/dev/null
docker image inspect --format '{{.Id}} {{.Size}}' "$tag"
