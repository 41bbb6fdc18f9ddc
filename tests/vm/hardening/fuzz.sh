# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.fuzz: the seeded ioctl fuzzer (random and boundary commands,
# sizes, flags, reserved bits, hostile pointers) and the unmap race. Every
# call succeeds or fails with a documented errno; run-vm checks the kernel
# log. Reproduce with: procinfo-hard fuzz --seed SEED --calls CALLS
# ARGS: [SEED [SECONDS]]
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SEED=${1:-20250101}
SECONDS_MAX=${2:-30}
load_modules
check "fuzzer, seed $SEED" procinfo-hard fuzz --seed "$SEED" --calls 200000 --seconds "$SECONDS_MAX"
# the second seed and the unmap race for a third and a half of that
check "fuzzer, a second seed" \
	procinfo-hard fuzz --seed $((SEED + 1)) --calls 20000 --seconds $((SECONDS_MAX / 3))
check "snapshots into a buffer unmapped by another thread" \
	procinfo-hard race --seconds $((SECONDS_MAX / 2))
check "device still works" procinfo-hard list device >/dev/null
unload_modules
pass "fuzz"
