# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.memlimit: what an unprivileged reader can make the kernel hold.
#  1. uid 65534 in a memory cgroup with memory.max=32M (16M on the debug
#     kernel) keeps 10,000 JSON files open, then 10,000 device snapshots
#     pending: the memory is charged to the cgroup, so the kernel's
#     unreclaimable memory never grows much past the limit (opens fail
#     with ENOMEM, or the cgroup's OOM killer ends the reader); all of it
#     comes back afterwards.
#  2. Without a cgroup limit, the per-user limit (sysinfo.max_user_mb)
#     bounds it; root (CAP_SYS_RESOURCE) is exempt.
# "HOLD" lines: what was held, the first error, the kernel's and the
# cgroup's growth.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

N=${1:-10000}
LIMIT_KB=32768
USER_MB=4
# On the debug kernel KASAN (redzones, quarantine) and kmemleak keep
# metadata next to every allocation, uncharged by design: the kernel's
# growth there is a multiple of what the cgroup is charged. Half the
# limits there: every open costs ~10x, and the paths are the same.
SLACK=1
case $(uname -r) in *procinfo-debug*) SLACK=4 LIMIT_KB=16384 USER_MB=2 ;; esac
# Largest kernel growth a HOLD line reports
max_growth() {
	sed -n 's/.*kernel_delta_kb=\(-*[0-9]*\).*/\1/p' "$1" | sort -n | tail -n 1
}

load_modules
[ -e /sys/fs/cgroup/cgroup.controllers ] || mount -t cgroup2 none /sys/fs/cgroup ||
	fail "cannot mount cgroup2"
echo +memory >/sys/fs/cgroup/cgroup.subtree_control || fail "no memory controller"
CG=/sys/fs/cgroup/reader
mkdir -p $CG
echo $((LIMIT_KB * 1024)) >$CG/memory.max

k0=$(kernel_kb)
procinfo-hard hold --json "$N" --device "$N" --uid 65534 --cgroup $CG >/tmp/hold1 2>&1
rc=$?
cat /tmp/hold1
info "reader exit status $rc (137: killed by the cgroup's OOM killer)"
[ "$rc" -eq 0 ] || [ "$rc" -eq 137 ] || fail "the reader failed (exit $rc)"
grow=$(max_growth /tmp/hold1)
[ -n "$grow" ] || fail "no HOLD line"
[ "$grow" -le $(((LIMIT_KB + 8192) * SLACK)) ] ||
	fail "the kernel grew by $grow KiB for a reader limited to $LIMIT_KB KiB"
if [ "$rc" -eq 0 ]; then
	grep -q 'HOLD json ok=[0-9]* first_error=ENOMEM' /tmp/hold1 ||
		fail "JSON opens beyond the cgroup limit did not fail with ENOMEM"
	grep -q 'HOLD device ok=[0-9]* first_error=ENOMEM' /tmp/hold1 ||
		fail "pending snapshots beyond the cgroup limit did not fail with ENOMEM"
fi
# what the kernel grew is charged: the cgroup grew at least 3/4 as much
awk -v s="$SLACK" '/kernel_delta_kb/ { split($0, f, /[ =]/); for (i in f) { if (f[i] == "kernel_delta_kb") k = f[i + 1]; if (f[i] == "cgroup_delta_kb") c = f[i + 1] }
	if (k > 4096 && c < k * 3 / 4 / s) { print "uncharged: kernel " k " KiB, cgroup " c " KiB"; bad = 1 } }
	END { exit bad }' /tmp/hold1 || fail "kernel memory held by the reader is not charged to its cgroup"
sleep 1
k1=$(kernel_kb)
info "unreclaimable kernel memory: $k0 KiB before, $k1 KiB after the reader ended"
# (KASAN's quarantine keeps freed memory a while: kmemleak judges leaks there)
[ "$SLACK" -gt 1 ] || [ "$k1" -le $((k0 + 4096)) ] || fail "$((k1 - k0)) KiB not given back"
ok "cgroup limit: charged and bounded (growth at most $grow KiB)"

# 2. the per-user limit, no cgroup limit
echo $USER_MB >/sys/module/sysinfo/parameters/max_user_mb
procinfo-hard hold --json "$N" --uid 65534 >/tmp/hold2 2>&1 || fail "reader failed"
procinfo-hard hold --device "$N" --uid 65534 >>/tmp/hold2 2>&1 || fail "reader failed"
cat /tmp/hold2
grep -q 'HOLD json ok=[0-9]* first_error=ENOMEM' /tmp/hold2 || fail "JSON opens not limited per user"
grep -q 'HOLD device ok=[0-9]* first_error=ENOMEM' /tmp/hold2 || fail "pending snapshots not limited per user"
opened=$(sed -n 's/HOLD json ok=\([0-9]*\).*/\1/p' /tmp/hold2 | head -n 1)
grow=$(max_growth /tmp/hold2)
# USER_MB of snapshots, plus the open files themselves (about 1 KiB each)
[ "$grow" -le $(((USER_MB * 1024 + opened * 2 + 1024) * SLACK)) ] ||
	fail "per-user limit $USER_MB MiB, but the kernel grew by $grow KiB for $opened files"
# root holds twice what the limit let uid 65534 hold
[ "${opened:-0}" -gt 0 ] || fail "uid 65534 could not hold a single JSON file under a $USER_MB MiB limit"
root_n=$((opened * 2))
root_opened=$(procinfo-hard hold --json $root_n | sed -n 's/HOLD json ok=\([0-9]*\).*/\1/p')
assert_eq "$root_opened" $root_n "root is exempt from the per-user limit"
ok "per-user limit: uid 65534 held $opened files, the kernel grew by $grow KiB"
echo 0 >/sys/module/sysinfo/parameters/max_user_mb
unload_modules
pass "memlimit"
