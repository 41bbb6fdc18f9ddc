#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# run-demo.sh: show the driver working. Installs the dependencies, builds the
# modules for the guest kernel, boots it in QEMU (tests/vm/run-vm), loads
# sysinfo.ko and continfo.ko, prints both /proc files and the device's view
# (build/tests/vm/progs/procinfo-devdump, when built), the end of dmesg, and
# unloads the modules. Environment: BUILD_DIR (default build), KVER.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${BUILD_DIR:-build}

"$repo/scripts/install-deps.sh"

kver=${KVER:-}
if [[ -z $kver ]]; then
	kver=$(for d in /usr/src/linux-headers-*-amd64; do
		r=${d#/usr/src/linux-headers-}
		if [[ -f $d/Makefile && $r != *-cloud-amd64 && $r != *-rt-amd64 ]]; then echo "$r"; fi
	done | sort -V | tail -n 1)
fi
[[ -n $kver ]] || { echo "run-demo.sh: no linux-headers-*-amd64 installed" >&2; exit 2; }

moddir=$build/modules/$kver
guest=$(mktemp "${TMPDIR:-/tmp}/procinfo-demo.XXXXXX.sh")
klog=$(mktemp "${TMPDIR:-/tmp}/procinfo-demo-kbuild.XXXXXX.log")
trap 'rm -f "$guest" "$klog"' EXIT
tests/kbuild/build-modules.sh --kdir "/usr/src/linux-headers-$kver" --out "$moddir" >"$klog" 2>&1 || {
	cat "$klog"
	exit 1
}
echo "run-demo.sh: built sysinfo.ko and continfo.ko for $kver in $moddir"

add=()
devdump=$build/tests/vm/progs/procinfo-devdump
if [[ -x $devdump ]]; then
	add=(--add "$devdump")
else
	echo "run-demo.sh: note: $devdump not built (cmake --build $build), the device view is skipped"
fi

cat >"$guest" <<'GUEST'
. /test/lib.sh
S=/proc/sysinfo_so1_202041390
C=/proc/continfo_so1_202041390
# A "container" process by the original rule: its cmdline names busybox.
busybox sleep 600 &
sleeper=$!
echo "### insmod sysinfo.ko && insmod continfo.ko"
load_modules
lsmod
echo
echo "### head -n 30 $S   ($(wc -l <"$S") lines in all)"
head -n 30 "$S"
echo
echo "### cat $C"
cat "$C"
echo
if command -v procinfo-devdump >/dev/null; then
	echo "### procinfo-devdump (/dev/procinfo, first 30 lines)"
	procinfo-devdump | head -n 30
else
	echo "### /dev/procinfo: $(ls -l /dev/procinfo) (procinfo-devdump not built)"
fi
echo
echo "### dmesg | tail -n 15"
dmesg | tail -n 15
echo
kill "$sleeper"
echo "### rmmod continfo && rmmod sysinfo"
unload_modules
lsmod
GUEST

rc=0
tests/vm/run-vm --kernel-release "$kver" --modules "$moddir" "${add[@]}" "$guest" || rc=$?
exit "$rc"
