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
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

ok() {
	echo "ok: $*"
}

info() {
	echo "info: $*"
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

pid_of() {
	echo "$HOSTILE" | awk -v l="$1" '$2 == l { print $1 }'
}

jget() {
	procinfo-check get "$1" "$2" --json "$3"
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
