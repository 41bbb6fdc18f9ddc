#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# vm.sdk-ci-junit LOG: the JUnit XML vm.sdk-ci printed on the guest's
# console, extracted as the README's CI recipe extracts it, is well-formed
# and holds the six comparisons of `procinfo-compare`, all passing.
# Exit 0 pass, 1 fail, 77 skip (no log: vm.sdk-ci skipped).
set -uo pipefail
log=$1
if [ ! -s "$log" ] || ! grep -q '^@@JUNIT-BEGIN@@$' "$log"; then
	if grep -q '^run-vm: SKIP\|SKIPPED' "$log" 2>/dev/null || [ ! -e "$log" ]; then
		echo "SKIPPED: no JUnit report in $log (vm.sdk-ci did not run)"
		exit 77
	fi
	echo "FAIL: $log holds no JUnit report"
	exit 1
fi
xml=$(mktemp)
trap 'rm -f "$xml"' EXIT
# The recipe's extraction, verbatim.
sed -n '/^@@JUNIT-BEGIN@@$/,/^@@JUNIT-END@@$/{//!p}' "$log" >"$xml"
python3 - "$xml" <<'PY' || exit 1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "0", "0"), root.attrib
suites = {s.get("name"): [c.get("name") for c in s.iter("testcase")] for s in root.iter("testsuite")}
assert sorted(suites) == ["procinfo-compare.all", "procinfo-compare.containers"], suites
for name, cases in suites.items():
    assert len(cases) == 3 and all(c.endswith("(live)") for c in cases), (name, cases)
print("PASS: JUnit report of vm.sdk-ci:", {k: len(v) for k, v in suites.items()})
PY
