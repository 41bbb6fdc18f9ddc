# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-ci: procinfo-compare as a CI step, and the tools when modules are
# missing:
#   - no module: procinfo-compare exits 3 (--json: one object, exit_status
#     3), 0 with --skip-unavailable; procinfo-ps falls back to procfs and
#     says so;
#   - sysinfo.ko only: the all view is checked and consistent, the
#     containers view of the JSON file is reported unavailable (exit 3),
#     while procfs against the device's containers view is still checked;
#   - both modules: `procinfo-compare --junit FILE` exits 0; the XML is
#     printed between @@JUNIT-BEGIN@@ and @@JUNIT-END@@ for the host
#     (vm.sdk-ci-junit checks it; the README's CI recipe publishes it);
#   - --strict on live sources and a saved snapshot against a live source
#     are refused (exit 2);
#   - /dev/procinfo that cannot be opened (uid nobody, mode 0400):
#     procinfo-ps falls back to procfs with a note.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# A container process (its command line has "busybox"), so that the
# containers view is not empty.
busybox sleep 100000 &
container=$!

# ---- no module
expect_exit 3 "no module: procinfo-compare exits 3" procinfo-compare
echo "$OUT" | grep -q '^UNAVAILABLE: 6 of 6 comparisons' || { echo "$OUT"; fail "no 'UNAVAILABLE: 6 of 6' summary"; }
expect_exit 0 "no module: --skip-unavailable exits 0" procinfo-compare --skip-unavailable
expect_exit 3 "no module: --json exits 3" procinfo-compare --json
echo "$OUT" | grep -q '"exit_status": 3' || fail "--json: no exit_status 3"
[ "$(echo "$OUT" | grep -c '^{')" -eq 1 ] || fail "--json: not exactly one object"
procinfo-ps --pid 1 --no-header >/tmp/ps.out 2>/tmp/ps.err || fail "procinfo-ps without the module: exit $?"
grep -q '^ *1 ' /tmp/ps.out || fail "procinfo-ps without the module listed no pid 1"
grep -q '^procinfo-ps: note: /dev/procinfo not found .*reading procfs' /tmp/ps.err ||
	{ cat /tmp/ps.err; fail "procinfo-ps fell back without a note"; }
ok "procinfo-ps without the module: procfs, with a note"

# ---- sysinfo.ko only
_lib_insmod sysinfo
expect_exit 3 "sysinfo only: exit 3 (containers view unavailable)" procinfo-compare
echo "$OUT"
for line in \
	'^ok   json:/proc/sysinfo_so1_202041390 vs device:/dev/procinfo \(view all, live\)' \
	'^ok   procfs:/proc vs json:/proc/sysinfo_so1_202041390 \(view all, live\)' \
	'^ok   procfs:/proc vs device:/dev/procinfo \(view all, live\)' \
	'^ok   procfs:/proc vs device:/dev/procinfo \(view containers, live\): [1-9][0-9]* process' \
	'^UNAVAILABLE json:/proc/continfo_so1_202041390 vs device:/dev/procinfo \(view containers, live\): .*modprobe continfo' \
	'^UNAVAILABLE: 2 of 6 comparisons'; do
	echo "$OUT" | grep -Eq "$line" || fail "sysinfo only: no line /$line/"
done
expect_exit 0 "sysinfo only: --skip-unavailable" procinfo-compare --skip-unavailable
expect_exit 3 "sysinfo only: --json" procinfo-compare --json
echo "$OUT" | grep -q '"status": "consistent"' || fail "--json: no consistent comparison"
echo "$OUT" | grep -q '"status": "unavailable"' || fail "--json: no unavailable comparison"

# ---- both modules: the CI run
_lib_insmod continfo
expect_exit 0 "procinfo-compare --junit" procinfo-compare --junit /tmp/procinfo-compare.xml
echo "$OUT"
grep -q '<testsuites name="procinfo-compare" tests="6" failures="0" errors="0"' /tmp/procinfo-compare.xml ||
	{ cat /tmp/procinfo-compare.xml; fail "JUnit report: not 6 passing test cases"; }
echo "@@JUNIT-BEGIN@@"
cat /tmp/procinfo-compare.xml
echo "@@JUNIT-END@@"
expect_exit 0 "procinfo-compare --json" procinfo-compare --json
echo "$OUT" | grep -q '"exit_status": 0' || fail "--json: exit_status not 0"

# ---- modes
expect_exit 2 "--strict on live sources is refused" procinfo-compare json device --strict
echo "$OUT" | grep -q 'is live: two reads of a running system are never equal' || fail "no reason given"
run_ok procinfo-ps --source device --save /tmp/now.snap
expect_exit 2 "a saved snapshot against a live source is refused" procinfo-compare file:/tmp/now.snap device
echo "$OUT" | grep -q 'saved data and device:/dev/procinfo is live' || fail "no reason given"
expect_exit 0 "a saved snapshot against itself" procinfo-compare file:/tmp/now.snap file:/tmp/now.snap

# ---- a device that cannot be opened
chmod 0400 /dev/procinfo
as_nobody() {
	su -s /bin/sh nobody -c "$*"
}
as_nobody '/usr/local/bin/procinfo-ps --pid 1 --no-header' >/tmp/ps.out 2>/tmp/ps.err ||
	{ cat /tmp/ps.err; fail "procinfo-ps as nobody with /dev/procinfo 0400: exit $?"; }
cat /tmp/ps.err
grep -q '^ *1 ' /tmp/ps.out || fail "procinfo-ps as nobody listed no pid 1"
grep -q '^procinfo-ps: note: cannot open /dev/procinfo: permission denied .*; reading procfs' /tmp/ps.err ||
	fail "procinfo-ps as nobody did not say it fell back"
grep -q 'Permission denied$' /tmp/ps.err && fail "the message repeats itself"
ok "procinfo-ps falls back to procfs when /dev/procinfo cannot be opened, and says so"
rc=0
as_nobody '/usr/local/bin/procinfo-ps --source device --pid 1' >/tmp/ps.out 2>/tmp/ps.err || rc=$?
[ "$rc" -eq 2 ] || fail "procinfo-ps --source device as nobody: exit $rc, expected 2"
chmod 0444 /dev/procinfo

kill "$container"
wait
unload_modules
pass "sdk-ci"
