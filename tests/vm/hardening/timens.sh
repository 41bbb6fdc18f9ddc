# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.timens: a reader in a time namespace whose CLOCK_BOOTTIME is
# 100,000 s ahead gets start times and the snapshot timestamp in that
# namespace's time, as /proc/<pid>/stat field 22 and clock_gettime() give.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
procinfo-hard timens
rc=$?
[ "$rc" -eq 77 ] && skip "kernel without time namespaces (CONFIG_TIME_NS)"
[ "$rc" -eq 0 ] || fail "times are not those of the reader's time namespace"
pass "timens"
