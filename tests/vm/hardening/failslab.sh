# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.failslab: fault injection (failslab, fail-nth) on every slab
# allocation an open+read of each /proc file and a snapshot ioctl reach:
# the call fails with ENOMEM (or the allocation's fallback copes), the next
# call works; kmemleak (when the kernel has it) is checked by run-vm.
# fail-nth counts every fault-injection point of the task: with
# CONFIG_FAULT_INJECTION_USERCOPY (the debug kernel) a copy to or from user
# space fails as well, and then EFAULT is the defined error.
# Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS: skipped on
# Debian's stock kernel, which has neither; runs on the debug kernel.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

FS=/sys/kernel/debug/failslab
if [ ! -d "$FS" ] || [ ! -e "/proc/$$/task/$$/fail-nth" ]; then
	echo "SKIPPED: kernel $(uname -r) lacks CONFIG_FAILSLAB / CONFIG_FAULT_INJECTION_DEBUG_FS"
	exit 77
fi
load_modules
# Fail GFP_KERNEL (sleeping) allocations too; no stack dumps. Probability
# stays 0: only fail-nth, only in this task, fails anything.
echo N >"$FS/ignore-gfp-wait"
echo 0 >"$FS/verbose"
echo N >"$FS/cache-filter" 2>/dev/null || true
check "fail-nth on open+read and on the snapshot ioctl" \
	procinfo-hard failslab "$SYSINFO" "$CONTINFO"
check "JSON still valid afterwards" procinfo-hard list json "$SYSINFO" >/dev/null
unload_modules
pass "failslab"
