# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.rmmod-open: unloading the modules while readers hold the /proc files
# open mid-read is refused cleanly or succeeds, and the readers' next read
# ends cleanly (EOF or EIO), never a crash; rmmod sysinfo while
# /dev/procinfo is open is refused until it is closed; unload during busy
# reading loops never crashes.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

wait_held() {
	i=0
	while ! grep -q '^held' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "reader never reported held ($1: $(cat "$1"))"
		sleep 0.1
	done
}

# 1. Readers of both /proc files hold them open after 100 bytes.
load_modules
slow-reader "$SYSINFO" 100 /tmp/go1 >/tmp/r1.out 2>&1 &
r1=$!
slow-reader "$CONTINFO" 100 /tmp/go1 >/tmp/r2.out 2>&1 &
r2=$!
wait_held /tmp/r1.out
wait_held /tmp/r2.out
ok "two readers hold the /proc files open mid-read"
for m in continfo sysinfo; do
	if out=$(rmmod $m 2>&1); then
		module_loaded $m && fail "rmmod $m succeeded but $m is still loaded"
		ok "rmmod $m with a reader open: unloaded"
	else
		module_loaded $m || fail "rmmod $m failed ($out) but $m is gone"
		ok "rmmod $m with a reader open: refused ($out)"
	fi
done
touch /tmp/go1
wait $r1
rc1=$?
wait $r2
rc2=$?
info "sysinfo reader: $(cat /tmp/r1.out)"
info "continfo reader: $(cat /tmp/r2.out)"
assert_eq "$rc1" 0 "sysinfo reader ended cleanly (EOF or EIO)"
assert_eq "$rc2" 0 "continfo reader ended cleanly (EOF or EIO)"
if module_loaded sysinfo || module_loaded continfo; then
	unload_modules
	ok "unloaded once the readers closed"
fi
[ ! -e "$SYSINFO" ] || fail "$SYSINFO still exists after rmmod"
[ ! -e /dev/procinfo ] || fail "/dev/procinfo still exists after rmmod"

# 2. /dev/procinfo open: rmmod sysinfo is refused until it is closed.
load_modules
slow-reader --device /dev/procinfo /tmp/go2 >/tmp/r3.out 2>&1 &
r3=$!
wait_held /tmp/r3.out
check "rmmod continfo with the device open" rmmod continfo
if out=$(rmmod sysinfo 2>&1); then
	fail "rmmod sysinfo succeeded while /dev/procinfo is open"
fi
module_loaded sysinfo || fail "sysinfo gone after a failed rmmod"
ok "rmmod sysinfo refused while /dev/procinfo is open: $out"
touch /tmp/go2
wait $r3 || fail "device holder failed: $(cat /tmp/r3.out)"
info "device holder: $(cat /tmp/r3.out)"
grep -q 'after: ioctl ok' /tmp/r3.out || fail "the held device stopped answering: $(cat /tmp/r3.out)"
check "rmmod sysinfo once the device is closed" rmmod sysinfo

# 3. Unload and reload while readers loop over the files and the device:
# for 12 s and at least 3 cycles (a slow guest, such as the debug kernel's
# under load, gets up to 5 minutes for them).
end=$(($(date +%s) + 12))
limit=$((end + 300))
rm -f /tmp/stop-readers
(
	while [ ! -e /tmp/stop-readers ]; do
		cat "$SYSINFO" >/dev/null 2>&1
		cat "$CONTINFO" >/dev/null 2>&1
	done
) &
l1=$!
(
	while [ ! -e /tmp/stop-readers ]; do
		dd if="$SYSINFO" bs=512 2>/dev/null | head -c 1000 >/dev/null
		procinfo-check get 1 pid --device >/dev/null 2>&1
	done
) &
l2=$!
cycles=0 busy=0
while now=$(date +%s) && { [ "$now" -lt "$end" ] || [ "$cycles" -lt 3 ]; } && [ "$now" -lt "$limit" ]; do
	insmod "$MODDIR/sysinfo.ko" 2>/dev/null
	insmod "$MODDIR/continfo.ko" 2>/dev/null
	sleep 0.2
	rmmod continfo 2>/dev/null
	if rmmod sysinfo 2>/dev/null; then
		cycles=$((cycles + 1))
	else
		busy=$((busy + 1))
	fi
done
touch /tmp/stop-readers
wait $l1
wait $l2
info "$cycles load/unload cycles under readers ($busy refusals: device in use)"
[ "$cycles" -ge 3 ] || fail "only $cycles load/unload cycles completed"
if module_loaded continfo; then rmmod continfo || fail "final rmmod continfo"; fi
if module_loaded sysinfo; then rmmod sysinfo || fail "final rmmod sysinfo"; fi
ok "load/unload under busy readers"

load_modules
check "after all that, sysinfo still matches /proc" procinfo-check json "$SYSINFO"
unload_modules
pass "rmmod-open"
