# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.ctrlargv: N processes sharing one address space whose argv is
# 4,000 bytes of 0x01, the worst case for the JSON escapes ("\u0001" is
# six bytes each). Both paths are read whole; the kernel log must stay
# clean (no soft lockup, no RCU stall: run-vm checks it), the JSON file
# holds only the records while open, and the command line is stored once.
# ARGS: [N]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

N=${1:-30000}
echo 65536 >/proc/sys/kernel/pid_max
echo 200000 >/proc/sys/kernel/threads-max
load_modules

t0=$(stamp)
out=$(procinfo-hard spawn-shared "$N" 4000) || fail "spawn-shared failed"
info "$out; $(nproc_now) processes after $(awk -v a="$t0" -v b="$(stamp)" 'BEGIN { print b - a }') s"
shared=$(ps -o pid,args | awk '/spawn-shared/ && !/awk/ { print $1; exit }')

# one pass over the document: its size, and the lines with the argv
scan=$(procinfo-hard scan "$SYSINFO" '\u0001\u0001\u0001\u0001') || fail "JSON read failed"
info "JSON: $scan"
lines=$(echo "$scan" | sed -n 's/.*matching=\([0-9]*\).*/\1/p')
bytes=$(echo "$scan" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
[ "$lines" -ge "$N" ] || fail "JSON shows the shared argv on $lines lines, not $N"

dev=$(procinfo-hard cmdflags "$shared") || fail "snapshot failed"
info "device: $dev"
case $dev in *cmdline_len=40[0-9][0-9]*) ;; *) fail "the shared argv is not in its record" ;; esac
strings=$(echo "$dev" | sed -n 's/.*strings_bytes=\([0-9]*\).*/\1/p')
[ "$strings" -lt $((4096 * 4)) ] || fail "the shared argv is stored $((strings / 4096)) times"

k0=$(kernel_kb)
exec 3<"$SYSINFO"
k1=$(kernel_kb)
exec 3<&-
echo "HELD kernel_before_kb=$k0 kernel_while_open_kb=$k1 held_kb=$((k1 - k0)) json_bytes=$bytes"
# records (144 bytes each) and one copy of the argv, not the text
[ $((k1 - k0)) -le $((N * 144 * 3 / 2 / 1024 + 2048)) ] ||
	fail "an open JSON file holds $((k1 - k0)) KiB for $N records"
unload_modules
pass "ctrlargv"
