#!/usr/bin/env bash
# Build the package and run every test suite. The end-to-end suites run the real functions-framework,
# which pip installs from PyPI into a shared environment cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# Many end-to-end tests wait on child processes synchronously, which keeps one of Swift's cooperative
# threads (one per core), and start servers, containers and emulators that need the CPU on time: Lambda
# timeouts, restarts and readiness waits are measured in seconds. Two tests at once on a 2-core machine
# still failed now and then, so tests run one at a time unless the variable says otherwise.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-1}"
swift test --skip-build "$@"
