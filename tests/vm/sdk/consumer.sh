# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-consumer: examples/consumer (built in the tree against libprocinfo)
# prints the five largest processes from the device and from procfs, and
# from the JSON file (5 lines each); a missing device is an error message
# and exit 1, not a crash.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules
for src in device procfs json; do
	expect_exit 0 "consumer $src" procinfo-vm-consumer "$src"
	echo "$OUT" | sed "s/^/  $src: /"
	n=$(echo "$OUT" | wc -l)
	assert_eq "$n" 5 "consumer $src: lines"
	echo "$OUT" | grep -qv '^ *[0-9][0-9]* *[0-9][0-9]* kB *[0-9]*\.[0-9][0-9]% ' &&
		fail "consumer $src: a line is not 'PID RSS kB PCT% NAME'"
done
expect_exit 1 "consumer on a missing device fails cleanly" procinfo-vm-consumer device:/dev/nonexistent
echo "$OUT"
echo "$OUT" | grep -q '^consumer: ' || fail "no 'consumer:' error message"
unload_modules
expect_exit 1 "consumer device without the module: exit 1 with a message" procinfo-vm-consumer device
echo "$OUT"
expect_exit 0 "consumer procfs without the module" procinfo-vm-consumer procfs
pass "sdk-consumer"
