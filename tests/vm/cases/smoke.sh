# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.smoke: the modules load, create their files and unload.
# Run by: run-vm --modules DIR tests/vm/cases/smoke.sh
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SYSINFO=/proc/sysinfo_so1_202041390
CONTINFO=/proc/continfo_so1_202041390

[ ! -e "$SYSINFO" ] || fail "$SYSINFO exists before insmod"
load_modules
ok "insmod sysinfo.ko, continfo.ko"

assert_file "$SYSINFO"
assert_file "$CONTINFO"
assert_file /dev/procinfo
[ -c /dev/procinfo ] || fail "/dev/procinfo is not a character device"
assert_nonempty "$SYSINFO"
assert_nonempty "$CONTINFO"
ok "$SYSINFO: $(wc -l <"$SYSINFO") lines, $CONTINFO: $(wc -l <"$CONTINFO") lines"
head -n 8 "$SYSINFO"
grep -q '"pid": 1,' "$SYSINFO" || fail "$SYSINFO does not list pid 1"

unload_modules
ok "rmmod continfo, sysinfo"
[ ! -e "$SYSINFO" ] || fail "$SYSINFO still exists after rmmod"
[ ! -e "$CONTINFO" ] || fail "$CONTINFO still exists after rmmod"
[ ! -e /dev/procinfo ] || fail "/dev/procinfo still exists after rmmod"

modprobe continfo || fail "modprobe continfo"
module_loaded sysinfo || fail "modprobe continfo did not pull in sysinfo"
modprobe -r continfo || fail "modprobe -r continfo"
module_loaded sysinfo && fail "modprobe -r continfo left sysinfo loaded"
ok "modprobe continfo / modprobe -r continfo"
pass "smoke"
