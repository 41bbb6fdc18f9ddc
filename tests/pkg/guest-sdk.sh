# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# pkg.install, in the VM: the packaged SDK and tools against the DKMS-built
# modules. consumer-cmake / consumer-pc are examples/consumer built against
# the installed libprocinfo-dev (find_package / pkg-config); procinfo-compare
# is the installed procinfo-tools binary.
# Run by: run-vm --modules DKMS_KOS --add ... -- tests/pkg/guest-sdk.sh
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
ok "insmod sysinfo.ko, continfo.ko (DKMS build)"
v=$(cat /sys/module/sysinfo/version 2>/dev/null || echo "?")
info "sysinfo version $v"

for c in consumer-cmake consumer-pc; do
	for src in device json procfs; do
		out=$("$c" "$src") || fail "$c $src exited $?"
		[ "$(printf '%s\n' "$out" | wc -l)" -eq 5 ] || fail "$c $src: expected 5 lines, got: $out"
	done
	ok "$c: device, json, procfs"
done
printf '%s\n' "$out"

procinfo-compare || fail "procinfo-compare (json/device/procfs live) exited $?"
ok "procinfo-compare"

unload_modules
pass "packaged SDK and tools"
