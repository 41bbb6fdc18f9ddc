# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.device: /dev/procinfo snapshots — ABI layout (version, sorting, zero
# padding and reserved bytes, string-area bounds), every record against
# /proc and against the JSON document read right after, and the ioctl
# error contract.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
[ -c /dev/procinfo ] || fail "/dev/procinfo is not a character device"
spawn_hostile
burn=$(cpu-burn 2 1) || fail "cpu-burn failed"
STRICT="$STRICT,$burn"

check "device snapshot vs /proc and vs the sysinfo JSON" \
	procinfo-check device --strict-pids "$STRICT" --json "$SYSINFO"
check "device containers view vs /proc and vs the continfo JSON" \
	procinfo-check device --view containers --strict-pids "$STRICT" --json "$CONTINFO"

# Flags and raw fields of the hostile records, from one snapshot.
snapshot_table /tmp/records "pid flags cmdline_len state ppid comm nr_threads uid" --device
rec() {	# PID FIELD
	table_get /tmp/records "$1" "$2"
}
flags_has() {
	case ",$(rec "$1" flags)," in
	*",$2,"*) return 0 ;;
	esac
	return 1
}
big=$(pid_of bigarg)
flags_has "$big" truncated || fail "bigarg: no truncated flag ($(rec "$big" flags))"
assert_eq "$(rec "$big" cmdline_len)" 4096 "bigarg cmdline_len"
z=$(pid_of zombie)
flags_has "$z" no_mm || fail "zombie: no no_mm flag ($(rec "$z" flags))"
assert_eq "$(rec "$z" state)" Z "zombie state"
assert_eq "$(rec "$z" ppid)" "$(pid_of zparent)" "zombie ppid"
flags_has 2 kthread || fail "kthreadd: no kthread flag ($(rec 2 flags))"
flags_has 2 no_mm || fail "kthreadd: no no_mm flag"
flags_has 1 kthread && fail "pid 1 flagged kthread"
flags_has "$(pid_of runc)" container || fail "runc: no container flag"
flags_has "$(pid_of nearmiss)" container && fail "nearmiss flagged container"
assert_eq "$(rec "$(pid_of paren)" comm)" 'a) b (c) d)' "paren comm"
assert_eq "$(rec "$(pid_of emptyargv)" cmdline_len)" 0 "empty argv cmdline_len"
assert_eq "$(rec "$burn" nr_threads)" 3 "cpu-burn 2: nr_threads"
assert_eq "$(rec "$(pid_of quote)" uid)" 0 "uid"
ok "record flags and raw fields"

check "ioctl error contract" procinfo-check errors

procinfo-devdump -w 60 >/tmp/devdump.txt || fail "procinfo-devdump failed"
head -n 12 /tmp/devdump.txt
grep -E "^ *$(pid_of bigarg) " /tmp/devdump.txt
lines=$(($(wc -l </tmp/devdump.txt) - 2))
[ "$lines" -gt 50 ] || fail "procinfo-devdump printed only $lines processes"
ok "procinfo-devdump: $lines processes"

unload_modules
pass "device"
