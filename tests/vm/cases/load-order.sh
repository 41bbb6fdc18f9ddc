# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.load-order: the original steps (insmod sysinfo.ko && insmod
# continfo.ko, rmmod continfo && rmmod sysinfo), modprobe dependency
# resolution, continfo refused without sysinfo (Unknown symbol naming the
# missing procinfo exports), sysinfo pinned while continfo is loaded.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

none_loaded() {
	! module_loaded sysinfo && ! module_loaded continfo
}

# continfo alone: refused, and the log names the missing symbols.
dmesg -c >/dev/null
if out=$(insmod "$MODDIR/continfo.ko" 2>&1); then
	fail "insmod continfo.ko succeeded without sysinfo"
fi
none_loaded || fail "a module is loaded after the failed insmod"
dmesg >/tmp/dmesg.txt
grep 'Unknown symbol' /tmp/dmesg.txt
syms=$(sed -n 's/.*continfo: Unknown symbol \([A-Za-z0-9_]*\).*/\1/p' /tmp/dmesg.txt | sort -u)
[ -n "$syms" ] || fail "no 'continfo: Unknown symbol' line in dmesg ($out)"
ok "insmod continfo.ko without sysinfo refused ($out); missing: $(echo "$syms" | tr '\n' ' ')"

# The original steps.
check "insmod sysinfo.ko" insmod "$MODDIR/sysinfo.ko"
for s in $syms; do
	grep -q " $s	\[sysinfo\]\$" /proc/kallsyms ||
		fail "missing symbol $s is not provided by sysinfo"
done
ok "the missing symbols are sysinfo's exports"
check "insmod continfo.ko" insmod "$MODDIR/continfo.ko"
assert_file "$SYSINFO"
assert_file "$CONTINFO"
assert_file /dev/procinfo
grep -q '^sysinfo .* continfo' /proc/modules || fail "sysinfo's users do not list continfo: $(grep sysinfo /proc/modules)"
if out=$(rmmod sysinfo 2>&1); then
	fail "rmmod sysinfo succeeded while continfo is loaded"
fi
module_loaded sysinfo || fail "sysinfo gone after a refused rmmod"
ok "rmmod sysinfo refused while continfo uses it: $out"
check "rmmod continfo" rmmod continfo
[ ! -e "$CONTINFO" ] || fail "$CONTINFO remains after rmmod continfo"
assert_file "$SYSINFO"
check "rmmod sysinfo" rmmod sysinfo
none_loaded || fail "modules still loaded"
[ ! -e "$SYSINFO" ] || fail "$SYSINFO remains after rmmod"
[ ! -e /dev/procinfo ] || fail "/dev/procinfo remains after rmmod"

# modprobe resolves the dependency both ways.
check "modprobe continfo" modprobe continfo
lsmod
module_loaded sysinfo || fail "modprobe continfo did not load sysinfo"
module_loaded continfo || fail "modprobe continfo did not load continfo"
check "modprobe -r continfo sysinfo" modprobe -r continfo sysinfo
none_loaded || fail "modprobe -r left modules loaded: $(cat /proc/modules)"
check "modprobe sysinfo alone" modprobe sysinfo
module_loaded continfo && fail "modprobe sysinfo loaded continfo"
check "modprobe -r sysinfo" modprobe -r sysinfo
none_loaded || fail "modprobe -r sysinfo left it loaded"

# Repeated cycles: files come back every time, no warnings in the log.
i=0
while [ $i -lt 5 ]; do
	load_modules
	head -c 1 "$SYSINFO" >/dev/null || fail "cycle $i: $SYSINFO unreadable"
	head -c 1 "$CONTINFO" >/dev/null || fail "cycle $i: $CONTINFO unreadable"
	procinfo-check get 1 pid --device >/dev/null || fail "cycle $i: device unusable"
	unload_modules
	i=$((i + 1))
done
ok "5 load/use/unload cycles"
pass "load-order"
