# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-sources-agree: the four sources read on a quiescent guest agree in
# strict mode (`procinfo-compare --strict` exit 0), for both views.
#
# What "quiescent" honestly means: nothing that is compared changes between
# the reads. Two things in any live guest are never quiescent:
#   - the observers: each reading tool (procinfo-ps, procinfo-compare) is in
#     its own reads and changes between them (its heap grows, it uses CPU),
#     and so is this script's shell, which forks the readers;
#   - kernel threads that run by themselves: under TCG rcu_preempt gains
#     ticks every second, kcompactd and kworkers now and then.
# So the strict check is made on the processes this test controls: init,
# sleeping, stopped and zombie processes started here (some in the container
# view), and every kernel thread whose CPU time did not move while it was
# watched for WATCH seconds. Each source is saved with
#   procinfo-ps --source SRC [--containers] --pid CONTROLLED --save FILE
# and the saves are compared pairwise with --strict: json/device,
# json/procfs, device/procfs, and a file: snapshot saved first against a
# device read taken last. All must exit 0; a round is retried (up to
# ROUNDS, default 5) only if a kernel thread woke up in between; such a
# thread leaves the set, and every failed round's report is printed.
# Then the direct forms on the whole live system, for both views: live mode
# (`procinfo-compare json device` etc.) must be consistent, exit 0; --strict
# with live sources, and a saved snapshot against a live source
# (`procinfo-compare file:X device`), are refused with exit 2 (two reads of
# a running system never agree field by field).
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

WATCH=${1:-5}
ROUNDS=${2:-5}
load_modules

# ---- processes under control
busybox sleep 100000 &
sleeper=$!
sh -c 'while :; do busybox sleep 100001; done' 'an argument with  spaces' x &
spaces=$!
busybox sleep 100002 &
stopped=$!
kill -STOP "$stopped"
# A zombie: its parent execs a sleep that never reaps it.
sh -c 'busybox true & exec busybox sleep 100003' &
zparent=$!
sleep 1
zombie=$(grep -l "^PPid:[[:space:]]*$zparent\$" /proc/[0-9]*/status 2>/dev/null | head -n 1 | cut -d/ -f3)
[ -n "$zombie" ] || fail "no zombie child of $zparent"
grep -q '^State:.*Z' "/proc/$zombie/status" || fail "pid $zombie is not a zombie"
grep -q '^State:.*T' "/proc/$stopped/status" || fail "pid $stopped is not stopped"
info "sleeping $sleeper, $spaces; stopped $stopped; zombie $zombie (parent $zparent)"

# CPU time of each kernel thread: "PID NS" lines. /proc/PID/schedstat's
# first field (run time, ns) moves whenever the thread runs at all, as the
# device's utime_ns + stime_ns do; stat's ticks (fields 14 + 15) hide short
# runs, so they are only the fallback.
kthread_ticks() {
	for d in /proc/[0-9]*; do
		[ -e "$d/exe" ] && continue
		[ "$(head -c 1 "$d/cmdline" 2>/dev/null)" = "" ] || continue
		if read -r ns _ <"$d/schedstat" 2>/dev/null; then
			echo "${d#/proc/} $ns"
			continue
		fi
		# comm may hold spaces and ')': fields after the last ')'.
		s=$(cat "$d/stat" 2>/dev/null) || continue
		echo "${d#/proc/} $(echo "${s##*) }" | awk '{ print ($12 + $13) * 10000000 }')"
	done
}
kthread_ticks >/tmp/k0
sleep "$WATCH"
kthread_ticks >/tmp/k1
# "PID TICKS_BEFORE TICKS_AFTER" for the kernel threads in both samples.
awk 'NR == FNR { t[$1] = $2; next } ($1 in t) { print $1, t[$1], $2 }' /tmp/k0 /tmp/k1 >/tmp/k
idle_kthreads=$(awk '$2 == $3 { print $1 }' /tmp/k | tr '\n' ' ')
busy=$(while read -r p t0 t1; do
	[ "$t0" = "$t1" ] || printf '%s(%s, +%d us) ' "$(cat "/proc/$p/comm")" "$p" $(((t1 - t0) / 1000))
done </tmp/k)
info "kernel threads busy while watched ${WATCH}s, left out: ${busy:-none}"
CONTROLLED=$(echo "1 $sleeper $spaces $stopped $zparent $zombie $idle_kthreads" |
	tr ' ' '\n' | grep . | sort -n | tr '\n' ',' | sed 's/,$//')
info "controlled: $(echo "$CONTROLLED" | tr ',' '\n' | wc -l) processes ($(echo "$idle_kthreads" | wc -w) kernel threads)"

# One round for one view: save the four sources, compare them strictly.
round() {
	_view=$1
	_opt=
	[ "$_view" = containers ] && _opt=--containers
	# shellcheck disable=SC2086 # $_opt is empty or one word
	{
		run_ok procinfo-ps --source device $_opt --pid "$CONTROLLED" --save /tmp/first.snap
		run_ok procinfo-ps --source json $_opt --pid "$CONTROLLED" --save /tmp/json.snap
		run_ok procinfo-ps --source device $_opt --pid "$CONTROLLED" --save /tmp/device.snap
		run_ok procinfo-ps --source procfs $_opt --pid "$CONTROLLED" --save /tmp/procfs.snap
		run_ok procinfo-ps --source device $_opt --pid "$CONTROLLED" --save /tmp/last.snap
	}
	_bad=0
	for _pair in "json device" "json procfs" "device procfs" "first last"; do
		# shellcheck disable=SC2086 # two words
		set -- $_pair
		_rc=0
		_out=$(procinfo-compare "file:/tmp/$1.snap" "file:/tmp/$2.snap" --strict --verbose --view "$_view" 2>&1) || _rc=$?
		if [ "$_rc" -ne 0 ]; then
			echo "$_out"
			echo "($1 vs $2, view $_view: exit $_rc)"
			_bad=1
		else
			echo "$_out" | head -n 1 | sed "s/^/  /"
		fi
	done
	[ "$_bad" -eq 0 ]
}

# Kernel threads are in the set only because they were idle while watched;
# one that ran between the round's first and last snapshot (on a slow debug
# kernel, or one without schedstat whose ticks hide short runs, that
# happens) is no longer under control: it leaves the set. Only CPU-time
# fields of kernel threads qualify; anything else still fails the round.
drop_moved_kthreads() {
	_moved=$(procinfo-compare file:/tmp/first.snap file:/tmp/last.snap --strict --verbose --view "$1" 2>&1 |
		sed -n 's/^  mismatch pid \([0-9]*\) .*: \(utime\|stime\|cpu\)[a-z_]*: .*/\1/p' | sort -u)
	for _p in $_moved; do
		case " $idle_kthreads " in
		*" $_p "*) ;;
		*) continue ;;
		esac
		CONTROLLED=$(echo "$CONTROLLED" | tr ',' '\n' | grep -vx "$_p" | tr '\n' ',' | sed 's/,$//')
		info "kernel thread $_p ($(cat "/proc/$_p/comm" 2>/dev/null)) ran during the round: no longer controlled"
	done
}

for view in all containers; do
	r=1
	until round "$view"; do
		[ "$r" -lt "$ROUNDS" ] || fail "view $view: the sources disagreed in strict mode in $ROUNDS rounds"
		info "view $view: round $r disagreed (above); again"
		drop_moved_kthreads "$view"
		r=$((r + 1))
	done
	opt=
	[ "$view" = containers ] && opt=--containers
	# shellcheck disable=SC2086 # $opt is empty or one word
	n=$(procinfo-ps --source file:/tmp/device.snap $opt --no-header | wc -l)
	ok "view $view: json, device, procfs and a file: saved first agree in strict mode ($n processes, round $r)"
done
[ "$(procinfo-ps --source file:/tmp/device.snap --containers --no-header | wc -l)" -ge 1 ] ||
	fail "the containers view held no controlled process"

# ---- the direct forms on the whole live system
for view in all containers; do
	for pair in "json device" "json procfs" "device procfs" "procfs json" "procfs device"; do
		# shellcheck disable=SC2086 # two words
		set -- $pair
		expect_exit 0 "procinfo-compare $1 $2 --view $view (live)" procinfo-compare "$1" "$2" --view "$view"
		echo "$OUT" | sed 's/^/  | /'
		expect_exit 2 "procinfo-compare $1 $2 --strict --view $view is refused" \
			procinfo-compare "$1" "$2" --strict --view "$view"
	done
	opt=
	[ "$view" = containers ] && opt=--containers
	# shellcheck disable=SC2086
	run_ok procinfo-ps --source device $opt --save /tmp/x.snap
	expect_exit 2 "procinfo-compare file:X device --view $view is refused" \
		procinfo-compare file:/tmp/x.snap device --view "$view"
	echo "$OUT" | grep -q 'saved data and device:/dev/procinfo is live' || fail "no reason given: $OUT"
done

kill -CONT "$stopped"
kill "$sleeper" "$spaces" "$stopped" "$zparent"
wait
unload_modules
pass "sdk-sources-agree"
