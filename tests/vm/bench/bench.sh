# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.bench (label bench): procinfo-bench at each process count of SIZES
# (comma-separated, default 1000): bench-spawn fills the guest up to that
# many processes as /proc counts them (half short argv, half ~200 bytes, 1
# in 10 with 3 extra threads), then every method of procinfo-bench runs
# ROUNDS (default 3) rotated rounds, with --kmem, and must see them all;
# with FRACTION, a ratio below FRACTION x its target (or kernel memory
# above 1.2 / FRACTION per byte returned) fails the case. The floor is
# walk_floor.ko (tests/vm/kmod); ps is procps's, at /opt/procps/bin/ps (the
# guest's own ps is busybox's). Each size's CSV and JSON are printed
# between BENCH-CSV-BEGIN/END and BENCH-JSON-BEGIN/END lines, for
# scripts/run-bench.sh to take from the log.
# METHODS (comma-separated) limits procinfo-bench's methods.
# ARGS: [SIZES [ROUNDS [FRACTION [METHODS]]]]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SIZES=${1:-1000}
ROUNDS=${2:-3}
FRACTION=${3:-}
METHODS=${4:-}
[ "$FRACTION" != 0 ] || FRACTION= # 0: report only
PS=/opt/procps/bin/ps
echo 65536 >/proc/sys/kernel/pid_max
echo 200000 >/proc/sys/kernel/threads-max
load_modules
[ -f /test/walk_floor.ko ] || fail "/test/walk_floor.ko missing (vm.build-test-kmod)"
insmod /test/walk_floor.ko || fail "insmod walk_floor.ko failed"
# run-vm's init mounts cgroup2; a guest started otherwise may not have.
[ -f /sys/fs/cgroup/cgroup.controllers ] || mount -t cgroup2 cgroup2 /sys/fs/cgroup ||
	fail "cannot mount cgroup2 for --kmem"
[ -x $PS ] || fail "$PS missing (procps on the host, FILES of vm.bench)"
$PS --version | grep -q procps || fail "$PS is not procps's ps"

for n in $(echo "$SIZES" | tr ',' ' '); do
	t0=$(stamp)
	spawn_to "$n" bench-spawn
	expect=$(nproc_now)
	info "$expect processes, spawned in $(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }') s"
	t0=$(stamp)
	rc=0
	# shellcheck disable=SC2086 # FRACTION: no word or two
	procinfo-bench --rounds "$ROUNDS" --expect "$expect" --processes "$n" --label "$n" \
		--ps $PS --kmem --csv "/tmp/bench-$n.csv" --json "/tmp/bench-$n.json" \
		${FRACTION:+--min-ratio-fraction "$FRACTION"} ${METHODS:+--methods "$METHODS"} || rc=$?
	info "procinfo-bench at $n took $(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }') s"
	echo "BENCH-CSV-BEGIN $n"
	cat "/tmp/bench-$n.csv"
	echo "BENCH-CSV-END $n"
	echo "BENCH-JSON-BEGIN $n"
	cat "/tmp/bench-$n.json"
	echo "BENCH-JSON-END $n"
	[ "$rc" -eq 0 ] || fail "procinfo-bench at $n processes: exit $rc"
	ok "procinfo-bench at $n processes"
done

rmmod walk_floor || fail "rmmod walk_floor failed"
unload_modules
pass "bench"
