# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
#
# Shared helpers of the tests/vm/hardening scripts (busybox ash). run-vm
# puts this file at /test/hard.sh; a case sources /test/lib.sh, then this.
#
#   SYSINFO, CONTINFO, DEV  the driver's files
#   kernel_kb               unreclaimable kernel memory now (SUnreclaim +
#                           VmallocUsed, KiB): what a held snapshot grows

# shellcheck disable=SC2034 # used by the cases that source this file
SYSINFO=/proc/sysinfo_so1_202041390
# shellcheck disable=SC2034
CONTINFO=/proc/continfo_so1_202041390
# shellcheck disable=SC2034
DEV=/dev/procinfo

kernel_kb() {
	awk '/^SUnreclaim:|^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo
}
