#!/usr/bin/env bash
# Build the package and run every test suite. The end-to-end suites run the real functions-framework,
# which pip installs from PyPI into a shared environment cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# Many end-to-end tests wait on child processes synchronously, which holds one of Swift's cooperative
# threads (one per core) each; more tests at once than that starve the tests that poll with Task.sleep
# and trip their time limits on a 2-core machine, so at most two tests run at once.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-2}"
swift test --skip-build "$@"
