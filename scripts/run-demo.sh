#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# run-demo.sh: show everything working, in a throwaway VM. Installs the
# dependencies, builds the SDK and tools (CMake, in BUILD_DIR) and the
# modules for the guest kernel, boots that kernel in QEMU (tests/vm/run-vm)
# and there: loads sysinfo.ko and continfo.ko, prints both /proc files,
# lists processes from the device with procinfo-ps, checks that every
# source agrees with procinfo-compare, saves a snapshot and compares it
# with the system a moment later, shows a scrape of procinfo-exporter, and
# unloads the modules.
# Environment: BUILD_DIR (default build), KVER (default: the newest
# installed linux-headers-*-amd64).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${BUILD_DIR:-build}

"$repo/scripts/install-deps.sh"

kver=${KVER:-$(tests/vm/run-vm --print-kernel-release)}
[[ -n $kver ]] || { echo "run-demo.sh: no linux-headers-*-amd64 installed" >&2; exit 2; }

log=$(mktemp "${TMPDIR:-/tmp}/procinfo-demo-build.XXXXXX.log")
guest=$(mktemp "${TMPDIR:-/tmp}/procinfo-demo.XXXXXX.sh")
trap 'rm -f "$guest" "$log"' EXIT
quiet() {
	"$@" >"$log" 2>&1 || { cat "$log"; echo "run-demo.sh: FAILED: $*" >&2; exit 1; }
}

# The SDK and tools: an existing build directory as configured (the test
# command's ci preset, say), else a new one with the dev preset's choices.
if [[ ! -f $build/CMakeCache.txt ]]; then
	quiet cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
quiet cmake --build "$build" -j "$(nproc)" --target procinfo-ps procinfo-compare procinfo-exporter
echo "run-demo.sh: built libprocinfo, procinfo-ps, procinfo-compare and procinfo-exporter in $build"
moddir=$build/modules/$kver
quiet tests/kbuild/build-modules.sh --kdir "/usr/src/linux-headers-$kver" --out "$moddir"
echo "run-demo.sh: built sysinfo.ko and continfo.ko for $kver in $moddir"

cat >"$guest" <<'GUEST'
. /test/lib.sh
# A "container" process by the original keyword rule: its cmdline names busybox.
busybox sleep 600 &
sleeper=$!
# A container-shaped process: a plain sleeper in the cgroup Docker (systemd
# driver) gives a container; its identity comes from the cgroup path alone.
cid=$(printf '%064d' 0 | tr 0 c)
mkdir -p "/sys/fs/cgroup/system.slice/docker-$cid.scope"
busybox sleep 600 &
incontainer=$!
echo "$incontainer" >"/sys/fs/cgroup/system.slice/docker-$cid.scope/cgroup.procs"
show() { echo; echo "\$ $*"; "$@"; }
echo "### load the modules"
load_modules
lsmod
show head -n 12 "$SYSINFO"
echo "... ($(wc -l <"$SYSINFO") lines in all)"
show cat "$CONTINFO"
echo; echo "\$ procinfo-ps --source device -o pid,user,vsz,rss,mem,time,state,cmd --sort=-rss | head -n 8"
procinfo-ps --source device -o pid,user,vsz,rss,mem,time,state,cmd --sort=-rss | head -n 8
show procinfo-ps --source device --containers
show procinfo-ps --source device --by-container
echo
echo "### do the JSON files, the device and the kernel's own /proc agree? (exit status 0: yes)"
show procinfo-compare
echo "(exit status $?)"
echo
echo "### two snapshots saved a moment apart, read back and compared"
show procinfo-ps --source device --save /tmp/before.snap
busybox sleep 30 &
show procinfo-ps --source device --save /tmp/after.snap
show procinfo-ps --source file:/tmp/after.snap --pid "$!"
show procinfo-compare file:/tmp/before.snap file:/tmp/after.snap --ignore-field proc_jiffies,utime_ns,stime_ns
echo "(exit status $?: 1 means something changed, and the report says what)"
echo
echo "### a saved JSON document, saved again as a binary snapshot: the same data (exit status 0)"
show cp "$SYSINFO" /tmp/sysinfo.json
show procinfo-ps --source json:/tmp/sysinfo.json --save /tmp/from-json.snap
show procinfo-compare file:/tmp/from-json.snap json:/tmp/sysinfo.json
echo "(exit status $?)"
echo
echo "### Prometheus metrics: procinfo-exporter on 127.0.0.1:9356, one scrape"
procinfo-exporter 2>/tmp/exporter.log &
exporter=$!
sleep 1
cat /tmp/exporter.log
echo "\$ printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 9356 | grep '^procinfo_'"
printf 'GET /metrics HTTP/1.0\r\n\r\n' | nc -w 10 127.0.0.1 9356 | grep '^procinfo_'
kill "$exporter"
kill "$sleeper" "$incontainer"
echo
echo "### unload the modules"
unload_modules
lsmod
GUEST

exec tests/vm/run-vm --kernel-release "$kver" --modules "$moddir" \
	--add "$build/tools/procinfo-ps" --add "$build/tools/procinfo-compare" \
	--add "$build/tools/procinfo-exporter" "$guest"
