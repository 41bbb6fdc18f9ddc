# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-timing (labels vm, bench): the four sources side by side at TOTAL
# (default 10,000) processes: wall time of
#   procinfo-ps --source SRC --no-header >/dev/null
# for SRC = json, device, procfs, file:/tmp/all.snap (saved just before), in
# ROUNDS (default 3) rounds of BATCH (default 5) runs each, sources
# interleaved; the table gives the best and median round's time per run and
# the ratio procfs/SRC (how many times faster than the procfs walk), and the
# startup cost of the tool (`procinfo-ps --version`) for scale, and the read
# alone (`--pid 1`: the whole snapshot is read, one row printed). Every run
# must exit 0 and list every process. Lines of the table start with "TIMING".
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

TOTAL=${1:-10000}
ROUNDS=${2:-3}
BATCH=${3:-5}
echo 65536 >/proc/sys/kernel/pid_max
echo 200000 >/proc/sys/kernel/threads-max
load_modules

t0=$(stamp)
mass-spawn $((TOTAL - $(nproc_now))) >/tmp/pids || fail "mass-spawn failed"
n=$(nproc_now)
info "spawned to $n processes in $(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }') s"
[ "$n" -ge "$TOTAL" ] || fail "only $n processes"

run_ok procinfo-ps --source device --save /tmp/all.snap
for src in json device procfs file:/tmp/all.snap; do
	lines=$(procinfo-ps --source "$src" --no-header | wc -l) ||
		fail "procinfo-ps --source $src failed"
	# The reader itself may be in the list, the saver of the file too.
	[ "$lines" -ge "$TOTAL" ] || fail "procinfo-ps --source $src: $lines lines, want >= $TOTAL"
	info "$src: $lines lines"
done

# Seconds (2 decimals, /proc/uptime) for BATCH runs of the command.
batch() {
	_s=$(stamp)
	_i=0
	while [ "$_i" -lt "$BATCH" ]; do
		"$@" >/dev/null || fail "exit $?: $*"
		_i=$((_i + 1))
	done
	awk -v a="$_s" -v b="$(stamp)" 'BEGIN { printf "%.2f\n", b - a }'
}

: >/tmp/times
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for src in json device procfs file:/tmp/all.snap; do
		echo "${src%%:*} $(batch procinfo-ps --source "$src" --no-header)" >>/tmp/times
	done
	echo "startup $(batch procinfo-ps --version)" >>/tmp/times
	# The whole snapshot read, one row printed: the read without the table.
	for src in json device procfs file:/tmp/all.snap; do
		echo "read-${src%%:*} $(batch procinfo-ps --source "$src" --pid 1 --no-header)" >>/tmp/times
	done
	r=$((r + 1))
done

# Per source: best and median round, milliseconds per run.
summary() {
	grep "^$1 " /tmp/times | awk '{ print $2 }' | sort -n |
		awk -v b="$BATCH" '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[1] * 1000 / b, v[int((NR + 1) / 2)] * 1000 / b }'
}
# shellcheck disable=SC2046 # two words: best median
set -- $(summary procfs)
procfs_best=$1
procfs_med=$2
echo "TIMING procinfo-ps --source SRC --no-header >/dev/null, $n processes, $ROUNDS rounds x $BATCH runs, ms per run"
echo "TIMING source   best_ms  median_ms  procfs/src(best)  procfs/src(median)"
for s in json device procfs file startup; do
	# shellcheck disable=SC2046
	set -- $(summary $s)
	awk -v s="$s" -v b="$1" -v m="$2" -v pb="$procfs_best" -v pm="$procfs_med" 'BEGIN {
		if (s == "startup")
			printf "TIMING %-8s %8.1f %10.1f  (procinfo-ps --version: process start, no read)\n", s, b, m
		else
			printf "TIMING %-8s %8.1f %10.1f %17.1fx %18.1fx\n", s, b, m, (b > 0 ? pb / b : 0), (m > 0 ? pm / m : 0)
	}'
done
# Without the process start (dynamic loading, the same for every source).
# shellcheck disable=SC2046
set -- $(summary startup)
st=$1
echo "TIMING minus startup ($st ms), best round:"
for s in json device procfs file; do
	# shellcheck disable=SC2046
	set -- $(summary $s)
	awk -v s="$s" -v b="$1" -v st="$st" -v pb="$procfs_best" 'BEGIN {
		x = b - st; p = pb - st
		printf "TIMING   %-8s %8.1f ms %8.1fx\n", s, x, (x > 0 ? p / x : 0)
	}'
done
# shellcheck disable=SC2046
set -- $(summary read-procfs)
rp=$1
echo "TIMING read only (procinfo-ps --source SRC --pid 1: every process read, one row printed), best round:"
for s in json device procfs file; do
	# shellcheck disable=SC2046
	set -- $(summary "read-$s")
	awk -v s="$s" -v b="$1" -v m="$2" -v st="$st" -v rp="$rp" 'BEGIN {
		x = b - st; p = rp - st
		printf "TIMING   %-8s %8.1f ms (median %.1f), less start-up %8.1f ms %8.1fx\n", s, b, m, x, (x > 0 ? p / x : 0)
	}'
done
unload_modules
pass "sdk-timing"
