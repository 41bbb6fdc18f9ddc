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
listed() {
	procinfo-check get "$1" pid --json /tmp/continfo.json >/dev/null 2>&1
}
for l in runc docker container busybox edge-in proctitle; do
	listed "$(pid_of $l)" || fail "$l (pid $(pid_of $l)) not in continfo"
	dget "$(pid_of $l)" pid containers >/dev/null 2>&1 ||
		fail "$l not in the device containers view"
done
ok "docker/container/runc/busybox (also set by setproctitle, and ending at byte 4096) listed"
for l in quote nearmiss farmatch edge-out zombie zparent bigarg; do
	listed "$(pid_of $l)" && fail "$l (pid $(pid_of $l)) listed in continfo"
	dget "$(pid_of $l)" pid containers >/dev/null 2>&1 &&
		fail "$l listed in the device containers view"
done
ok "near misses (case, split words, past the 4096-byte cap) not listed"
sed -n 1,4p /tmp/continfo.json | grep -q '"mem_total_kb"' || fail "continfo header"
assert_eq "$(sed -n 5p /tmp/continfo.json)" '  "containers": [' "continfo array key"

unload_modules
pass "continfo"
