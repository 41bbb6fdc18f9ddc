#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# build-modules.sh --kdir KDIR --out OUT [--src DIR] [--expect NAME...]
#
# Builds sysinfo.ko and continfo.ko from driver/ (or --src DIR, whose
# modules --expect names, e.g. the test fixtures of tests/vm/kmod) against the
# kernel header tree KDIR, in a private copy of the sources at OUT (so that
# parallel builds for several flavours never share object files, and the
# source tree stays clean). Warnings are errors: KCFLAGS=-Werror W=1, and any
# "warning" line in the build output fails the build as well (that catches
# modpost and linker warnings, which -Werror does not).
#
# W=1 is kept: Debian 6.1 headers (amd64, cloud-amd64, rt-amd64) compile
# warning-free with W=1 and gcc 12, so every W=1 warning is ours.
#
# Exit status: 0 built and clean, 1 build failed or warned, 2 usage error.
set -euo pipefail

self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$self_dir/../../driver
kdir=
out=
expect=()

usage() {
	sed -n '4,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit "${1:-2}"
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--kdir) [[ $# -ge 2 ]] || usage; kdir=$2; shift 2 ;;
	--out) [[ $# -ge 2 ]] || usage; out=$2; shift 2 ;;
	--src) [[ $# -ge 2 ]] || usage; src=$2; shift 2 ;;
	--expect) [[ $# -ge 2 ]] || usage; expect+=("$2"); shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "build-modules.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[[ -n $kdir && -n $out ]] || usage
[[ -f $kdir/Makefile ]] || {
	echo "build-modules.sh: $kdir is not a kernel header tree (no Makefile)" >&2
	exit 2
}
[[ -f $src/Kbuild || -f $src/Makefile ]] || {
	echo "build-modules.sh: no driver sources in $src" >&2
	exit 2
}

src=$(cd "$src" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ $out != "$src" ]] || { echo "build-modules.sh: --out must not be the source tree" >&2; exit 2; }

# Fresh copy of the sources, without anything an in-tree build left behind.
find "$out" -mindepth 1 -delete
tar -C "$src" -cf - \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='*.symvers' --exclude='modules.order' \
	--exclude='.tmp_versions' --exclude='*.a' --exclude='*.dwo' . |
	tar -C "$out" -xf -
# The modules' version comes from the tree's top-level VERSION file
# (driver/Kbuild reads VERSION or ../VERSION).
if [[ -f $src/../VERSION && ! -f $out/VERSION ]]; then
	cp "$src/../VERSION" "$out/VERSION"
fi

log=$out/build.log
echo "build-modules.sh: building $src against $kdir in $out"
set +e
make -C "$kdir" M="$out" KCFLAGS=-Werror W=1 -j"$(nproc)" modules 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

if [[ $rc -ne 0 ]]; then
	echo "build-modules.sh: FAIL: make exited $rc (kernel tree $kdir)"
	exit 1
fi
if grep -qiE 'warning' "$log"; then
	echo "build-modules.sh: FAIL: the build printed warnings:"
	grep -iE 'warning' "$log"
	exit 1
fi
[[ ${#expect[@]} -gt 0 ]] || expect=(sysinfo continfo)
for m in "${expect[@]}"; do
	if [[ ! -f $out/$m.ko ]]; then
		echo "build-modules.sh: FAIL: $m.ko was not built"
		exit 1
	fi
done
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
echo "build-modules.sh: OK: ${expect[*]/%/.ko} for ${release:-$kdir} in $out"
