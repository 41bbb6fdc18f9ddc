# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
#
# Helpers for guest scripts run by tests/vm/run-vm (busybox ash compatible).
# run-vm puts this file at /test/lib.sh; a guest script starts with
#
#	. /test/lib.sh
#
#   pass [MSG]              print "PASS: MSG" and exit 0
#   fail MSG                print "FAIL: MSG" and exit 1
#   skip MSG                print "SKIP: MSG" and exit 77 (ctest: skipped)
#   ok MSG                  print "ok: MSG" and go on (a passed check)
#   info MSG                print "info: MSG"
#   assert_eq ACTUAL EXPECTED [MSG]     fail unless the strings are equal
#   assert_ne ACTUAL UNEXPECTED [MSG]   fail if the strings are equal
#   assert_file FILE [MSG]  fail unless FILE exists
#   assert_nonempty FILE [MSG]  fail unless FILE can be read and is not empty
#   run_ok CMD [ARGS...]    run CMD, fail naming it if it exits non-zero
#   load_modules            insmod sysinfo.ko, then continfo.ko
#   unload_modules          rmmod continfo, then sysinfo (those loaded)
#   check DESC CMD...       run CMD: ok DESC, or fail naming its exit status
#   stamp                   seconds since boot
#   nproc_now               processes /proc lists now
#   kernel_kb               unreclaimable kernel memory now (SUnreclaim +
#                           VmallocUsed, KiB): what a held snapshot grows
#   spawn_hostile           run hostile-spawn: HOSTILE ("PID LABEL" lines)
#                           and STRICT (their pids, comma separated)
#   pid_of LABEL            the pid hostile-spawn started for LABEL
#   jget PID FIELD FILE     one field of a JSON document (raw escaped form)
#   dget PID FIELD [VIEW]   one field of a fresh device snapshot
#   SYSINFO, CONTINFO, DEV  the driver's files; FFFD the U+FFFD bytes
#   expect_exit N DESC CMD... run CMD; fail with DESC and CMD's output
#                           unless it exits N; its output is in $OUT
#   user_procs              the non-kernel processes: "PID NAME" lines
#
# MODDIR is /lib/modules/$(uname -r)/extra, where run-vm --modules puts them.

MODDIR=/lib/modules/$(uname -r)/extra

pass() {
	echo "PASS: ${1:-${0##*/}}"
	exit 0
}

fail() {
	_lib_elapsed
	echo "FAIL: $* $_lib_step"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# ok, info and fail lines end with the seconds since the previous ok/info line
# (or the case's start), so a slow step shows in any log without a rerun.
_lib_step_cs=
_lib_elapsed() {
	read -r _up _ </proc/uptime
	_now=${_up%.*}${_up#*.}
	_now=${_now#"${_now%%[!0]*}"}
	_now=${_now:-0}
	_d=$((_now - ${_lib_step_cs:-$_now}))
	_lib_step_cs=$_now
	_lib_step="[+$((_d / 100)).$((_d % 100 / 10))$((_d % 10)) s]"
}
_lib_elapsed

ok() {
	_lib_elapsed
	echo "ok: $* $_lib_step"
}

info() {
	_lib_elapsed
	echo "info: $* $_lib_step"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-assert_eq}: expected '$2', got '$1'"
}

assert_ne() {
	[ "$1" != "$2" ] || fail "${3:-assert_ne}: got '$1', which it must not be"
}

assert_file() {
	[ -e "$1" ] || fail "${2:-assert_file}: $1 does not exist"
}

assert_nonempty() {
	[ -r "$1" ] || fail "${2:-assert_nonempty}: $1 cannot be read"
	# /proc files report size 0: read them instead of testing -s.
	[ -n "$(head -c 1 "$1")" ] || fail "${2:-assert_nonempty}: $1 is empty"
}

run_ok() {
	"$@" || fail "command failed (exit $?): $*"
}

# check DESC CMD...: run CMD; ok DESC, or fail naming its exit status.
check() {
	_desc=$1
	shift
	"$@" || fail "$_desc (exit $?): $*"
	ok "$_desc"
}

# Seconds since boot, for timing lines.
stamp() {
	read -r _up _ </proc/uptime
	echo "$_up"
}

# How many processes /proc lists now.
nproc_now() {
	set -- /proc/[0-9]*
	echo $#
}

# spawn_to N SPAWNER [PIDFILE]: runs SPAWNER COUNT (mass-spawn, bench-spawn:
# COUNT sleepers, their pids on stdout, appended to PIDFILE) until /proc
# lists N processes; kernel threads come and go meanwhile (a kworker that
# was counted may have exited).
spawn_to() {
	_try=0
	_pids=${3:-/dev/null}
	: >>"$_pids"
	while _need=$(($1 - $(nproc_now))) && [ "$_need" -gt 0 ]; do
		_try=$((_try + 1))
		[ $_try -le 5 ] || fail "still $(nproc_now) processes after 5 rounds of spawning to $1"
		"$2" "$_need" >>"$_pids" ||
			fail "$2 to $1 failed (MemFree $(awk '/^MemFree/ { print $2 }' /proc/meminfo) KiB)"
	done
}

# Is module $1 loaded?
module_loaded() {
	grep -q "^$1 " /proc/modules
}

_lib_insmod() {
	[ -f "$MODDIR/$1.ko" ] || fail "load_modules: $MODDIR/$1.ko missing (run-vm --modules DIR?)"
	if ! out=$(insmod "$MODDIR/$1.ko" 2>&1); then
		echo "$out"
		dmesg | tail -n 20
		fail "load_modules: insmod $1.ko failed: $out"
	fi
	module_loaded "$1" || fail "load_modules: $1 not in /proc/modules after insmod"
}

load_modules() {
	_lib_insmod sysinfo
	_lib_insmod continfo
}

unload_modules() {
	for m in continfo sysinfo; do
		module_loaded "$m" || continue
		if ! out=$(rmmod "$m" 2>&1); then
			echo "$out"
			fail "unload_modules: rmmod $m failed: $out"
		fi
		! module_loaded "$m" || fail "unload_modules: $m still loaded after rmmod"
	done
}

# ---- the driver's files and shared case helpers

# shellcheck disable=SC2034 # used by the cases that source this file
SYSINFO=/proc/sysinfo_so1_202041390
# shellcheck disable=SC2034
CONTINFO=/proc/continfo_so1_202041390
# shellcheck disable=SC2034
FFFD=$(printf '\357\277\275')

spawn_hostile() {
	HOSTILE=$(hostile-spawn) || fail "hostile-spawn failed"
	[ -n "$HOSTILE" ] || fail "hostile-spawn started nothing"
	# shellcheck disable=SC2034
	STRICT=$(echo "$HOSTILE" | awk '{ printf "%s%s", sep, $1; sep = "," }')
	info "hostile processes: $(echo "$HOSTILE" | tr '\n' ' ')"
}

# pid_of LABEL: the pid hostile-spawn gave LABEL. In the shell alone: cases
# call it dozens of times, and each program start costs on the debug kernel.
pid_of() {
	_rest="$HOSTILE
"
	while [ -n "$_rest" ]; do
		_line=${_rest%%"
"*}
		_rest=${_rest#*"
"}
		_label=${_line#* }
		if [ "${_label%% *}" = "$1" ]; then
			echo "${_line%% *}"
			return 0
		fi
	done
	return 1
}

# Tables: every process's fields from one read, for many lookups without
# a procinfo-check run each (a process start costs ~1 s on the debug
# kernel). snapshot_table OUT "pid FIELD..." SOURCE... writes OUT: a header
# line of the field names, then one tab-separated line per process, from
# one read of SOURCE (--json FILE, or --device [--view containers]).
snapshot_table() {
	_out=$1 _fields=$2
	shift 2
	echo "$_fields" | tr ' ' '\t' >"$_out"
	# shellcheck disable=SC2086 # one argument per field
	procinfo-check get all $_fields "$@" >>"$_out" || fail "cannot read the fields of: $*"
}

# table_get TABLE PID FIELD...: the fields of PID, one per line; exit 3 if
# PID is not in TABLE, 2 if a field is not.
table_get() {
	_table=$1 _pid=$2
	shift 2
	awk -F '\t' -v pid="$_pid" -v fields="$*" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
			n = split(fields, want, " ")
			for (i = 1; i <= n; i++) if (!(want[i] in col)) { print "table_get: no field " want[i] " in " FILENAME >"/dev/stderr"; bad = 2; exit }
			next }
		$1 == pid { for (i = 1; i <= n; i++) print $col[want[i]]; found = 1; exit }
		END { if (bad) exit bad; if (!found) { print "table_get: pid " pid " not in " FILENAME >"/dev/stderr"; exit 3 } }' "$_table"
}

# jget PID FIELD FILE: a field of a saved JSON document; from FILE.fields
# once jtable FILE made it (FILE must not change after).
_JFIELDS="pid name cmdline name_len cmdline_len vsz_kb rss_kb mem_pct proc_jiffies state"
jtable() {
	snapshot_table "$1.fields" "$_JFIELDS" --json "$1"
}

jget() {
	if [ -f "$3.fields" ]; then
		table_get "$3.fields" "$1" "$2"
	else
		procinfo-check get "$1" "$2" --json "$3"
	fi
}

dget() {
	if [ -n "${3:-}" ]; then
		procinfo-check get "$1" "$2" --device --view "$3"
	else
		procinfo-check get "$1" "$2" --device
	fi
}

# shellcheck disable=SC2034
DEV=/dev/procinfo

kernel_kb() {
	awk '/^SUnreclaim:|^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo
}

expect_exit() {
	_want=$1
	_desc=$2
	shift 2
	_rc=0
	OUT=$("$@" 2>&1) || _rc=$?
	if [ "$_rc" -ne "$_want" ]; then
		echo "$OUT"
		fail "$_desc: exit $_rc, expected $_want: $*"
	fi
	ok "$_desc"
}

user_procs() {
	for _d in /proc/[0-9]*; do
		# Kernel threads have an empty cmdline and no exe.
		[ -e "$_d/exe" ] || continue
		read -r _comm <"$_d/comm" 2>/dev/null || continue
		echo "${_d#/proc/} $_comm"
	done
}
