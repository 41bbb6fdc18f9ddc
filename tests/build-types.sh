#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-types.sh SRC OUT TYPE...: for each CMake build TYPE, a clean
# configure of SRC in OUT/TYPE with warnings as errors, a build of the SDK
# and its unit tests, and a run of them. What users building Release or
# Debug themselves get (GCC's optimiser-dependent warnings differ by type).
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: build-types.sh SRC OUT TYPE..." >&2; exit 2; }
src=$1
out=$2
shift 2
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
for type in "$@"; do
	dir=$out/$type
	rm -rf "$dir"
	mkdir -p "$out"
	echo "build-types.sh: $type"
	cmake -S "$src" -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE="$type" -DPROCINFO_WERROR=ON -DPROCINFO_CCACHE=ON \
		-DPROCINFO_DEBUG_TIER=OFF -DPROCINFO_PKG_TIER=OFF >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; echo "build-types.sh: FAIL: configure $type"; exit 1; }
	cmake --build "$dir" -j "$(nproc)" --target procinfo procinfo-unit ||
		{ echo "build-types.sh: FAIL: build $type"; exit 1; }
	"$dir/tests/unit/procinfo-unit" --log_level=error ||
		{ echo "build-types.sh: FAIL: unit tests, $type build"; exit 1; }
	echo "build-types.sh: OK: $type"
done
