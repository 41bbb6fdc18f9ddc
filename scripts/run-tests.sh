#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# run-tests.sh [CTEST_ARGS...]: install the dependencies, configure and build
# in build/ (Ninja when available), then run every ctest label (unit, kbuild,
# vm, lint) with --output-on-failure. Extra arguments go to ctest, e.g.
#   scripts/run-tests.sh -L kbuild
# Environment: BUILD_DIR (default build), CTEST_PARALLEL (default: nproc).
# Exit status: ctest's (non-zero when a test failed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${BUILD_DIR:-build}
jobs=$(nproc)

"$repo/scripts/install-deps.sh"

generator=()
if [[ ! -f $build/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then
	generator=(-G Ninja)
fi
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"

# On 2 cores two tests at a time: kbuild builds and QEMU guests each keep
# about one core busy.
parallel=${CTEST_PARALLEL:-$jobs}
start=$(date +%s)
set +e
ctest --test-dir "$build" --output-on-failure -j "$parallel" "$@"
rc=$?
set -e
echo "run-tests.sh: ctest exited $rc after $(($(date +%s) - start))s (logs: $build/Testing/Temporary/LastTest.log, VM consoles: $build/vm-logs/)"
exit "$rc"
