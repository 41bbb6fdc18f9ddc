#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# run-tests.sh [CTEST_ARGS...]: install the dependencies, configure and build
# with the ci preset (CMakePresets.json: warnings are errors, every tier:
# unit, kbuild, vm, lint, debug, pkg, bench, build.types) in build/, and run
# the whole suite. Extra arguments go to ctest, e.g.
#   scripts/run-tests.sh -L kbuild
#   scripts/run-tests.sh -R '^vm\.(boot\.core|fields)$'
# Exit status: ctest's (non-zero when a test failed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

"$repo/scripts/install-deps.sh"

cmake --preset ci
cmake --build --preset ci -j "$(nproc)"

start=$(date +%s)
set +e
ctest --preset ci "$@"
rc=$?
set -e
echo "run-tests.sh: ctest exited $rc after $(($(date +%s) - start))s (logs: build/Testing/Temporary/LastTest.log, VM consoles: build/vm-logs/, per-case results: build/vm-results/)"
exit "$rc"
