# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.dethread: a process whose non-leader threads keep exec'ing
# (de_thread() hands the tgid to the exec'ing thread and releases the old
# leader). Snapshots and documents taken all along must show the process
# as its leader is at that moment: never a dead leader (state X, ppid 0).
# ARGS: [SECONDS]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
check "no phantom records across de_thread()" \
	procinfo-hard dethread --seconds "${1:-30}" --json "$SYSINFO"
pass "dethread"
