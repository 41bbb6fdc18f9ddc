# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.execrace: the exec race on the command line. Four exec-flip
# targets exec themselves without pause, alternately with a long argv and
# with an environment full of "SECRET" at the same addresses (ASLR off). A
# reader of uid 65534 takes device snapshots and reads the JSON file all
# along: no byte of any target's environment may ever reach it (the command
# line is read through the address space taken once, never looked up
# again). The driver before this rule leaked about one snapshot in 250 here.
# ARGS: [SECONDS]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SECONDS_=${1:-40}
load_modules
for _ in 1 2 3 4; do
	exec-flip &
done
sleep 1
out=$(procinfo-hard as-uid 65534 procinfo-hard leakscan --seconds "$SECONDS_" --json "$SYSINFO")
rc=$?
echo "$out"
kill %1 %2 %3 %4 2>/dev/null
wait
[ "$rc" -eq 0 ] || fail "a reader of uid 65534 saw another process's environment"
pass "execrace: no environment byte in any snapshot or document"
