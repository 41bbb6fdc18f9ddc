# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
#
# Shared helpers of the tests/vm/cases scripts (busybox ash). run-vm puts
# this file at /test/common.sh (--add ...:/test/common.sh); a case sources
# /test/lib.sh first, then this.
#
#   spawn_hostile          run hostile-spawn: HOSTILE ("PID LABEL" lines)
#                          and STRICT (their pids, comma separated)
#   pid_of LABEL           the pid hostile-spawn started for LABEL
#   jget PID FIELD FILE    one field of a JSON document (raw escaped form)
#   dget PID FIELD [VIEW]  one field of a fresh device snapshot

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
