# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.pidns: a reader in a new pid namespace sees only that namespace's
# processes, with the namespace's pids (JSON and device), as /proc shows
# them there; outside, the same processes appear with their global pids.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
cat >/tmp/inner.sh <<'EOF_INNER'
. /test/lib.sh
[ "$$" = 1 ] || fail "the inner shell is pid $$, not 1, in the new namespace"
spawn_hostile
check "sysinfo in a pid namespace: exactly its processes, its pids" \
	procinfo-check json "$SYSINFO" --strict-pids "$STRICT" --exact-set
check "device in a pid namespace" \
	procinfo-check device --strict-pids "$STRICT" --exact-set --json "$SYSINFO"
check "continfo in a pid namespace" \
	procinfo-check json "$CONTINFO" --strict-pids "$STRICT" --exact-set
cat "$SYSINFO" >/tmp/ns.json
assert_eq "$(jget 1 cmdline /tmp/ns.json)" "sh /tmp/inner.sh" "pid 1 in the namespace"
jget 2 pid /tmp/ns.json >/dev/null 2>&1 && fail "pid 2 (kthreadd, not in this namespace) listed"
assert_eq "$(dget 1 ppid)" 0 "ppid of the namespace's init (parent outside)"
echo "$HOSTILE" | awk '{ print $1 }' >/tmp/ns.pids
n=$(($(wc -l </tmp/ns.json) - 7))
info "namespace view: $n processes"
[ "$n" -lt 40 ] || fail "$n processes listed in a namespace holding about 25"
touch /tmp/ns.ready
while [ ! -e /tmp/ns.done ]; do sleep 0.1; done
EOF_INNER
unshare -p -f --mount-proc sh /tmp/inner.sh >/tmp/inner.out 2>&1 &
ns=$!
i=0
while [ ! -e /tmp/ns.ready ]; do
	if ! kill -0 $ns 2>/dev/null; then
		cat /tmp/inner.out
		fail "the pid-namespace part failed"
	fi
	i=$((i + 1))
	[ $i -lt 1200 ] || { cat /tmp/inner.out; fail "the pid-namespace part timed out"; }
	sleep 0.1
done
cat /tmp/inner.out
# Outside: every process of the namespace, under its global pid.
check "sysinfo outside the namespace" procinfo-check json "$SYSINFO"
total=$(($(wc -l <"$SYSINFO") - 7))
# More than the namespace's own processes (the debug kernel has far fewer
# kernel threads than Debian's, so no fixed count).
inner=$(sed -n 's/.*namespace view: \([0-9]*\) processes.*/\1/p' /tmp/inner.out)
[ -n "$inner" ] || fail "no namespace view count in the inner output"
[ "$total" -gt $((inner + 10)) ] ||
	fail "only $total processes listed outside the namespace ($inner inside)"
grep -q '"cmdline": "sh /tmp/inner.sh"' "$SYSINFO" ||
	fail "the namespace's init is not listed outside"
touch /tmp/ns.done
wait $ns || fail "the pid-namespace part failed"
unload_modules
pass "pidns"
