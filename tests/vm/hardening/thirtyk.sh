# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.thirtyk: 30,000 processes. The JSON file and the device list
# every spawned pid, and the kernel memory one snapshot takes is reported:
# computed (records + strings of the device snapshot, JSON text) and
# measured (Slab + VmallocUsed while a reader holds the JSON file open),
# with the time of each path ("MEM", "TIME", "HELD" lines). ARGS: [N]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

TOTAL=${1:-30000}
echo 65536 >/proc/sys/kernel/pid_max
echo 200000 >/proc/sys/kernel/threads-max
load_modules

kmem() {	# Slab + VmallocUsed, KiB
	awk '/^Slab:|^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo
}

t0=$(stamp)
mass-spawn $((TOTAL - $(nproc_now))) >/tmp/pids || fail "mass-spawn failed"
n=$(nproc_now)
info "spawned to $n processes in $(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }') s"
[ "$n" -ge "$TOTAL" ] || fail "only $n processes"

procinfo-hard list json "$SYSINFO" >/tmp/json.pids || fail "JSON read failed"
procinfo-hard list device | awk '{ print $1 }' >/tmp/dev.pids || fail "snapshot failed"
nj=$(wc -l </tmp/json.pids)
nd=$(wc -l </tmp/dev.pids)
info "JSON lists $nj, device $nd processes"
missing=$(sort /tmp/pids /tmp/json.pids /tmp/json.pids | uniq -u | head -n 3)
[ -z "$missing" ] || fail "JSON lacks spawned pids: $missing"
missing=$(sort /tmp/pids /tmp/dev.pids /tmp/dev.pids | uniq -u | head -n 3)
[ -z "$missing" ] || fail "device lacks spawned pids: $missing"
ok "both paths list all $TOTAL+ processes"

check "memory and time of one snapshot" procinfo-hard mem "$SYSINFO"
sync
echo 3 >/proc/sys/vm/drop_caches
k0=$(kmem)
exec 3<"$SYSINFO"
k1=$(kmem)
exec 3<&-
k2=$(kmem)
echo "HELD kmem_before_kb=$k0 kmem_while_open_kb=$k1 kmem_after_close_kb=$k2 held_kb=$((k1 - k0))"
unload_modules
pass "thirtyk"
