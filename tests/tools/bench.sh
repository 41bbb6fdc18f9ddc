#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# tools.bench: procinfo-bench's command line, output and checks on the host,
# with the methods that need no driver (the driver's are absent here, and
# timed in the guest by vm.bench).
#
#   bench.sh PROCINFO_BENCH
#
# Exit 0 pass, 1 fail.
set -uo pipefail
export LC_ALL=C
bench=$1
# shellcheck source=tests/tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run "$bench" --list
expect_status 0
[ "$(wc -l <"$tmp/out")" -eq 12 ] || fail "--list: $(wc -l <"$tmp/out") methods, want 12"
expect_in out '^procinfo-ps-device '

run "$bench" --methods procfs-c,nope
expect_status 2
expect_in err "no method 'nope'"
run "$bench" --min-ratio-fraction 0
expect_status 2
run "$bench" --rounds 0
expect_status 2

# Two methods, CSV on stdout (the table on stderr), JSON in a file.
run "$bench" --methods sdk-procfs,procfs-c --rounds 2 --csv - --json "$tmp/r.json" --label host
expect_status 0
[ "$(head -n 1 "$tmp/out")" = "label,processes,method,rounds,min_ms,median_ms,max_ms,per_process_us,count" ] ||
	fail "CSV header: $(head -n 1 "$tmp/out")"
# Report order, whatever order --methods gave.
[ "$(cut -d, -f1,3,4 "$tmp/out" | tail -n +2 | tr '\n' ' ')" = "host,procfs-c,2 host,sdk-procfs,2 " ] ||
	fail "CSV rows: $(cat "$tmp/out")"
expect_in err '^procfs-c +[0-9]+ +2 '
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["label"] == "host" and len(r["methods"]) == 2 and len(r["methods"][0]["ms"]) == 2' \
	"$tmp/r.json" || fail "JSON report: $(cat "$tmp/r.json")"

# A method that cannot run is reported absent: no row, no failure.
run "$bench" --methods floor,procfs-c --rounds 1 --csv "$tmp/c.csv"
expect_status 0
expect_in out '^floor +absent: no /proc/procinfo_walk_floor'
! grep -q ',floor,' "$tmp/c.csv" || fail "an absent method has a CSV row"

# A count off --expect fails the run, naming the method and round.
run "$bench" --methods procfs-c --rounds 1 --expect 1 --tolerance 0
expect_status 1
expect_in err 'procfs-c saw [0-9]+ processes in round 1, expected 1 \+/- 0'

# busybox's ps is not measured as ps.
if [ -x /bin/busybox ]; then
	run "$bench" --methods ps --rounds 1 --ps /bin/busybox
	expect_status 0
	expect_in out "^ps +absent: /bin/busybox is not procps's ps"
fi
echo "PASS: tools.bench"
