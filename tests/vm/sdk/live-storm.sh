# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-live-storm: live-mode `procinfo-compare` (no arguments: the JSON
# files against the device and both against procfs, both views) exits 0 in
# RUNS (default 50) consecutive runs while a fork/exec/exit storm runs:
# STORMERS (default 3) shell loops, each spawning short-lived processes
# (fork+exit, exec of another program, exec chains that change name and
# command line, background children, processes whose resident set grows
# while they run, container-view processes whose cmdline contains busybox).
# Every run that exits otherwise prints its report; the test fails if any did,
# or if the storm used fewer than 10 pids per run. A run that accepted a
# command line neither read of A saw (a process that may have run rewrites
# its argv) prints its report too: the storm's programs never do, so each
# is a lead to read, counted but not failed.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

RUNS=${1:-50}
STORMERS=${2:-3}
load_modules

storm() {
	while [ ! -e /tmp/stop ]; do
		/bin/busybox true
		/bin/busybox true &
		/bin/sh -c ':'
		/bin/sh -c ':' &
		/bin/sh -c 'exec /bin/busybox sleep 0.01'
		/bin/busybox sleep 0.02 &
		(/bin/busybox usleep 3000; exec /bin/busybox true) &
		/bin/busybox awk 'BEGIN { for (i = 0; i < 3000; i++) a[i] = i }'
		/bin/busybox sh -c 'exec /bin/busybox cat /proc/self/stat' >/dev/null
		wait
	done
}

rm -f /tmp/stop
i=0
while [ "$i" -lt "$STORMERS" ]; do
	storm &
	# Niced: under emulation, and with the rest of the suite on the host,
	# the loops at nice 0 took ~3/4 of the guest's CPU and a run 7 s. They
	# still fork, exec and exit meanwhile (counted below).
	renice -n 10 -p $! >/dev/null || fail "renice the storm"
	i=$((i + 1))
done
sleep 1
# Rate of the storm: pids consumed per second (last_pid of loadavg).
p0=$(cut -d' ' -f5 /proc/loadavg)
t0=$(stamp)
sleep 2
p1=$(cut -d' ' -f5 /proc/loadavg)
info "storm: $STORMERS loops, ~$(awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$(stamp)" 'BEGIN { printf "%d", (b - a) / (e - s) }') new pids/s, $(nproc_now) processes now"

failed=0
argv_seen=0
run=1
t0=$(stamp)
while [ "$run" -le "$RUNS" ]; do
	rc=0
	out=$(procinfo-compare --verbose 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "---- run $run: exit $rc"
		echo "$out"
		failed=$((failed + 1))
	fi
	# A command line neither read of A saw, accepted because the process
	# may have run (setproctitle), where A's reads were not empty (mid-exec
	# or exiting): none of the storm's programs rewrites its argv, so each
	# one is shown for whoever looks into it.
	argv=$(echo "$out" | grep '^  accepted .*: cmdline: .*may have run' |
		grep -v ': cmdline: A= B=') || true
	if [ -n "$argv" ]; then
		echo "info: run $run accepted a command line outside A's reads:"
		echo "$out"
		argv_seen=$((argv_seen + 1))
	fi
	run=$((run + 1))
done
t1=$(stamp)
p2=$(cut -d' ' -f5 /proc/loadavg)
touch /tmp/stop
wait
info "$RUNS runs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s; $((p2 - p1)) pids used meanwhile"
echo "last report:"
echo "$out" | grep -v '^  accepted'
procinfo-compare --verbose | grep -c '^  accepted' | sed 's/^/info: accepted differences in one quiet --verbose run: /'
info "runs with a command line accepted as rewritten: $argv_seen of $RUNS"
[ "$failed" -eq 0 ] || fail "$failed of $RUNS live runs were not consistent"
# each run raced against processes coming and going
[ $((p2 - p1)) -ge $((RUNS * 10)) ] || fail "the storm used only $((p2 - p1)) pids in $RUNS runs"
ok "$RUNS of $RUNS live runs consistent under the storm"
unload_modules
pass "sdk-live-storm"
