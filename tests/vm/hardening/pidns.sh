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
# Back in the host namespace the reader sees the host's processes again:
# every pid /proc lists both before and after the read (kernel threads come
# and go meanwhile, so not a count taken earlier), kthreadd (pid 2) included,
# which no child namespace can see.
proc_pids() {
	for _p in /proc/[0-9]*; do echo "${_p#/proc/}"; done | sort
}
proc_pids >/tmp/pidns.before
procinfo-hard list json "$SYSINFO" >/tmp/pidns.list || fail "host JSON read failed"
proc_pids >/tmp/pidns.after
sort /tmp/pidns.list >/tmp/pidns.json
stable=$(sort /tmp/pidns.before /tmp/pidns.after | uniq -d)
missing=$(printf '%s\n' "$stable" | sort - /tmp/pidns.json /tmp/pidns.json | uniq -u | tr '\n' ' ')
[ -z "$missing" ] || fail "host view after: JSON lacks pids /proc lists: $missing"
grep -qx 2 /tmp/pidns.json || fail "host view after: JSON lacks kthreadd (pid 2)"
ok "host view after: $(wc -l </tmp/pidns.json) processes, every pid /proc kept"
unload_modules
pass "pidns"
