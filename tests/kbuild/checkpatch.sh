#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# checkpatch.sh [FILE...]
#
# Runs the kernel's scripts/checkpatch.pl --strict --no-tree -f on every
# driver/*.c, driver/*.h, the uapi header and the test fixtures of
# tests/vm/kmod (or on the FILEs given) and
# fails on any ERROR, WARNING or CHECK.
#
# checkpatch.pl comes from, in this order: $CHECKPATCH (path of the script),
# an unpacked linux-source tree ($LINUX_SRC, /usr/src/linux-source-6.1,
# /opt/linux-src/linux-source-6.1), or the cache
# ${PROCINFO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/procinfo}/checkpatch-6.1/,
# filled once from /usr/src/linux-source-6.1.tar.xz (package
# linux-source-6.1) with just checkpatch.pl, spelling.txt and
# const_structs.checkpatch.
#
# The uapi header is checked with --ignore BIT_MACRO: BIT()/BIT_ULL() are
# kernel-internal and do not exist for user space, so (1U << n) is the
# right spelling there (as in the kernel's own include/uapi).
#
# Exit status: 0 clean, 1 style problems, 2 checkpatch unavailable.
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$self_dir/../.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz

find_checkpatch() {
	local d
	if [[ -n ${CHECKPATCH:-} ]]; then
		echo "$CHECKPATCH"
		return
	fi
	for d in "${LINUX_SRC:-}" /usr/src/linux-source-6.1 /opt/linux-src/linux-source-6.1; do
		if [[ -n $d && -f $d/scripts/checkpatch.pl && -f $d/scripts/spelling.txt ]]; then
			echo "$d/scripts/checkpatch.pl"
			return
		fi
	done
	local cache=${PROCINFO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/procinfo}/checkpatch-6.1
	if [[ ! -f $cache/.complete ]]; then
		if [[ ! -f $tarball ]]; then
			echo "checkpatch.sh: no checkpatch.pl: install linux-source-6.1 ($tarball)" >&2
			return 2
		fi
		mkdir -p "$cache"
		exec {lock}>"$cache/.lock"
		flock -w 600 "$lock"
		if [[ ! -f $cache/.complete ]]; then
			echo "checkpatch.sh: extracting checkpatch.pl from $tarball into $cache" >&2
			tar -xJf "$tarball" -C "$cache" --strip-components=1 \
				linux-source-6.1/scripts/checkpatch.pl \
				linux-source-6.1/scripts/spelling.txt \
				linux-source-6.1/scripts/const_structs.checkpatch
			touch "$cache/.complete"
		fi
		exec {lock}>&-
	fi
	echo "$cache/scripts/checkpatch.pl"
}

checkpatch=$(find_checkpatch) || exit 2
command -v perl >/dev/null || { echo "checkpatch.sh: perl not installed" >&2; exit 2; }

if [[ $# -gt 0 ]]; then
	files=("$@")
else
	shopt -s nullglob
	files=()
	# Sources only: an in-tree module build leaves generated *.mod.c.
	for f in "$repo"/driver/*.c "$repo"/driver/*.h "$repo"/driver/include/uapi/linux/*.h \
		 "$repo"/tests/vm/kmod/*.c; do
		[[ $f == *.mod.c ]] || files+=("$f")
	done
	shopt -u nullglob
fi
[[ ${#files[@]} -gt 0 ]] || { echo "checkpatch.sh: no files to check" >&2; exit 2; }

echo "checkpatch.sh: $checkpatch --strict --no-tree on ${#files[@]} files"
bad=0
for f in "${files[@]}"; do
	args=(--strict --no-tree --terse --show-types --no-summary -f)
	[[ $f == */uapi/* ]] && args+=(--ignore BIT_MACRO)
	set +e
	out=$(cd "$repo" && perl "$checkpatch" "${args[@]}" "$f" 2>&1)
	rc=$?
	set -e
	if [[ $rc -ne 0 ]] || grep -qE '(ERROR|WARNING|CHECK):' <<<"$out"; then
		printf '%s\n' "$out"
		bad=1
	else
		echo "ok: ${f#"$repo"/}"
	fi
done
if [[ $bad -ne 0 ]]; then
	echo "checkpatch.sh: FAIL: style problems above"
	exit 1
fi
echo "checkpatch.sh: OK: no errors, warnings or checks"
