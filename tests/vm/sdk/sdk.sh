# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
#
# Shared helpers of the tests/vm/sdk scripts (busybox ash). run-vm puts this
# file at /test/sdk.sh; a script sources /test/lib.sh first, then this.
#
#   expect_exit N DESC CMD...   run CMD; fail with DESC and CMD's output
#                               unless it exits N; its output is in $OUT
#   user_procs                  the non-kernel processes: "PID NAME" lines

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
