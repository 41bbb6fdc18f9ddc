# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.continfo: /proc/continfo_so1_202041390 and the device's containers
# view list exactly the processes whose command line (NUL -> space, capped
# at 4096 bytes) contains docker, container, runc or busybox.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
spawn_hostile

check "continfo JSON: exactly the container processes, fields exact" \
	procinfo-check json "$CONTINFO" --view containers --strict-pids "$STRICT"
check "device containers view vs /proc and the continfo JSON" \
	procinfo-check device --view containers --strict-pids "$STRICT" --json "$CONTINFO"

cat "$CONTINFO" >/tmp/continfo.json
cat /tmp/continfo.json
# Who is listed: the saved document's pids, and one containers snapshot's
# (the hostile processes are stopped: one read of each is enough).
procinfo-check get all pid --json /tmp/continfo.json >/tmp/continfo.pids ||
	fail "cannot list the pids of the continfo document"
procinfo-check get all pid --device --view containers >/tmp/device.pids ||
	fail "cannot list the pids of a containers snapshot"
json_pids=" $(tr '\n' ' ' </tmp/continfo.pids)"
device_pids=" $(tr '\n' ' ' </tmp/device.pids)"
in_list() {	# LIST PID
	case $1 in *" $2 "*) return 0 ;; esac
	return 1
}
for l in runc docker container busybox edge-in proctitle; do
	p=$(pid_of $l) || fail "hostile-spawn started no $l"
	in_list "$json_pids" "$p" || fail "$l (pid $p) not in continfo"
	in_list "$device_pids" "$p" || fail "$l (pid $p) not in the device containers view"
done
ok "docker/container/runc/busybox (also set by setproctitle, and ending at byte 4096) listed"
for l in quote nearmiss farmatch edge-out zombie zparent bigarg; do
	p=$(pid_of $l) || fail "hostile-spawn started no $l"
	in_list "$json_pids" "$p" && fail "$l (pid $p) listed in continfo"
	in_list "$device_pids" "$p" && fail "$l (pid $p) listed in the device containers view"
done
ok "near misses (case, split words, past the 4096-byte cap) not listed"
sed -n 1,4p /tmp/continfo.json | grep -q '"mem_total_kb"' || fail "continfo header"
assert_eq "$(sed -n 5p /tmp/continfo.json)" '  "containers": [' "continfo array key"

unload_modules
pass "continfo"
