#!/usr/bin/env bash
# Build the package and run every test suite. The end-to-end suites run the real functions-framework,
# which pip installs from PyPI into a shared environment cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build "$@"
