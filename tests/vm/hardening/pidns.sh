# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.pidns: a reader that is pid 1 of a new pid namespace (busybox
# unshare -p -f --mount-proc) sees only that namespace's processes, with
# that namespace's pids, through both the JSON file and the device.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
host_n=$(procinfo-hard list json "$SYSINFO" | wc -l)
info "host namespace: $host_n processes"
check "pid namespace view (sysinfo + device)" \
	unshare -p -f --mount-proc procinfo-hard nscheck "$SYSINFO"
# A shell as pid 1 with a few children: counts match its own /proc
# shellcheck disable=SC2016 # expanded by the shell inside the namespace
inner='sleep 60 & sleep 60 &
	n_json=$(procinfo-hard list json "$SYSINFO" | wc -l)
	n_dev=$(procinfo-hard list device | wc -l)
	first=$(procinfo-hard list device | head -n 1)
	echo "$n_json $n_dev $first"
	kill %1 %2 2>/dev/null'
export SYSINFO
out=$(unshare -p -f --mount-proc sh -c "$inner") || fail "unshare shell failed"
info "inside (json dev first-record): $out"
# shellcheck disable=SC2086 # split on purpose
set -- $out
if [ "$1" -lt 4 ] || [ "$1" -gt 7 ]; then fail "namespace JSON lists $1 processes"; fi
if [ "$2" -lt 4 ] || [ "$2" -gt 7 ]; then fail "namespace device lists $2 processes"; fi
assert_eq "$3" 1 "first pid inside the namespace"
assert_eq "$(procinfo-hard list json "$SYSINFO" | wc -l)" "$host_n" "host view after"
unload_modules
pass "pidns"
