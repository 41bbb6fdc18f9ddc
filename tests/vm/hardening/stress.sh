# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.stress: (1) for STORM seconds, readers of both /proc files and of
# the device run in parallel with a storm of fork/exit, fork/exec/exit,
# thread creation/exit and prctl(PR_SET_NAME) renames: every document is
# strict JSON, every snapshot decodes; (2) rmmod attempts while readers are
# active (refused, or the readers see the files vanish cleanly); (3) 50
# load/unload cycles with a reader of each path running. Prints counts
# ("STRESS ..." line). ARGS: [STORM_SECONDS [CYCLES [RMMOD_ROUNDS]]]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

STORM=${1:-40}
CYCLES=${2:-50}
RMMOD_ROUNDS=${3:-20}
load_modules

# ---- (1) readers during a storm
t0=$(stamp)
procinfo-hard storm --seconds "$STORM" >/tmp/storm.out 2>&1 &
storm=$!
pids=""
i=0
for what in "json $SYSINFO" "json $SYSINFO" "json $CONTINFO" device device; do
	i=$((i + 1))
	# shellcheck disable=SC2086 # two words on purpose
	procinfo-hard read $what --seconds "$STORM" --count-file /tmp/count.$i \
		>/tmp/read.$i 2>&1 &
	pids="$pids $!"
done
failed=0
for p in $pids; do
	wait "$p" || failed=1
done
wait "$storm" || failed=1
cat /tmp/storm.out /tmp/read.*
[ "$failed" = 0 ] || fail "a reader or the storm failed (see above)"
docs=$(($(cat /tmp/count.1) + $(cat /tmp/count.2) + $(cat /tmp/count.3)))
snaps=$(($(cat /tmp/count.4) + $(cat /tmp/count.5)))
ok "storm: $docs JSON documents and $snaps snapshots valid in $STORM s"

# ---- (2) rmmod while readers are active
rm -f /tmp/stop
procinfo-hard read json "$SYSINFO" --seconds 120 --tolerant --stop-file /tmp/stop >/tmp/tr.1 2>&1 &
r1=$!
procinfo-hard read device --seconds 120 --tolerant --stop-file /tmp/stop >/tmp/tr.2 2>&1 &
r2=$!
refused=0
removed=0
n=0
while [ $n -lt "$RMMOD_ROUNDS" ]; do
	n=$((n + 1))
	if rmmod continfo 2>/dev/null; then removed=$((removed + 1)); else refused=$((refused + 1)); fi
	if rmmod sysinfo 2>/dev/null; then removed=$((removed + 1)); else refused=$((refused + 1)); fi
	module_loaded sysinfo || insmod "$MODDIR/sysinfo.ko" || fail "re-insmod sysinfo"
	module_loaded continfo || insmod "$MODDIR/continfo.ko" || fail "re-insmod continfo"
	usleep 100000
done
ok "rmmod while reading: $refused refused, $removed went through"

# ---- (3) load/unload cycles with the readers still running
# rmmod sysinfo is refused (EAGAIN, busybox rmmod is non-blocking) while
# the device reader holds /dev/procinfo open: retry until it goes through.
rmmod_retry() {
	_t=0
	while ! rmmod "$1" 2>/dev/null; do
		_t=$((_t + 1))
		busy=$((busy + 1))
		[ $_t -lt 500 ] || fail "rmmod $1 refused 500 times in a row"
		usleep 10000
	done
}
busy=0
c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	rmmod_retry continfo
	rmmod_retry sysinfo
	load_modules
done
touch /tmp/stop
wait "$r1" || { cat /tmp/tr.1; fail "tolerant JSON reader failed"; }
wait "$r2" || { cat /tmp/tr.2; fail "tolerant device reader failed"; }
cat /tmp/tr.1 /tmp/tr.2
ok "$CYCLES load/unload cycles with readers running ($busy rmmod attempts refused while in use)"
check "JSON valid after the cycles" procinfo-hard list json "$SYSINFO" >/dev/null
unload_modules
t1=$(stamp)
# shellcheck disable=SC2046
set -- $(sed -n 's/^STORM //p' /tmp/storm.out | tr '=' ' ')
echo "STRESS storm_s=$STORM docs=$docs snapshots=$snaps $1=$2 $3=$4 $5=$6 $7=$8 rmmod_refused=$refused rmmod_ok=$removed cycles=$CYCLES cycle_refusals=$busy total_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
pass "stress"
