# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-planted: a planted change to one field (rss_kb) of one process in a
# saved copy is reported by `procinfo-compare --strict` with exit 1, naming
# that pid and field, and nothing else: in a JSON document
# (`procinfo-ps --source device --json`, edited with sed) and in a binary
# file: snapshot (`procinfo-ps --save`, one byte of the record changed).
# The unedited copies compare equal (exit 0).
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

load_modules

# The planted mismatch must be the only one and name pid, field, values.
check_planted() {
	_what=$1
	_pid=$2
	echo "$OUT"
	echo "$OUT" | grep -q "^  mismatch pid $_pid (.*): rss_kb: A=$3 B=$4: " ||
		fail "$_what: the report does not name pid $_pid, rss_kb, $3 and $4"
	[ "$(echo "$OUT" | grep -c '^  mismatch ')" -eq 1 ] ||
		fail "$_what: more than the planted mismatch reported"
	echo "$OUT" | grep -q "^INCONSISTENT: 1 mismatch in 1 of 1 comparison$" ||
		fail "$_what: no 'INCONSISTENT: 1 mismatch' summary"
	ok "$_what: pid $_pid rss_kb $3 -> $4 reported, nothing else"
}

# ---- JSON: one process's rss_kb changed with sed
run_ok procinfo-ps --source device --json >/tmp/a.json
cp /tmp/a.json /tmp/b.json
expect_exit 0 "json copy against itself" \
	procinfo-compare json:/tmp/a.json json:/tmp/b.json --strict
# The first process with a resident set (pid 1, the init shell).
line=$(grep -m 1 '"rss_kb": [1-9]' /tmp/a.json) || fail "no process with rss_kb > 0 in /tmp/a.json"
pid=$(echo "$line" | sed 's/.*"pid": \([0-9]*\),.*/\1/')
rss=$(echo "$line" | sed 's/.*"rss_kb": \([0-9]*\),.*/\1/')
new=$((rss + 4))
info "planting rss_kb $rss -> $new for pid $pid"
sed "/\"pid\": $pid,/s/\"rss_kb\": $rss,/\"rss_kb\": $new,/" /tmp/a.json >/tmp/b.json
[ "$(cmp -l /tmp/a.json /tmp/b.json | wc -l)" -ge 1 ] || fail "sed changed nothing"
expect_exit 1 "json: planted rss_kb reported" \
	procinfo-compare json:/tmp/a.json json:/tmp/b.json --strict
check_planted "json" "$pid" "$rss" "$new"

# ---- file: snapshot: one byte of one record's rss_kb changed in place
run_ok procinfo-ps --source device --save /tmp/a.snap
cp /tmp/a.snap /tmp/b.snap
expect_exit 0 "file: copy against itself (mem_free_kb equal: one read)" \
	procinfo-compare file:/tmp/a.snap file:/tmp/b.snap --strict
# Header 80 bytes, records 104 bytes: pid at +0, rss_kb (u64 LE) at +40.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }
hsize=$(u32 /tmp/a.snap 12)
rsize=$(u32 /tmp/a.snap 16)
count=$(u32 /tmp/a.snap 20)
i=0
while [ "$i" -lt "$count" ]; do
	rss=$(u64 /tmp/a.snap $((hsize + i * rsize + 40)))
	[ "$rss" -gt 0 ] && break
	i=$((i + 1))
done
[ "$i" -lt "$count" ] || fail "no record with rss_kb > 0 in /tmp/a.snap"
rec=$((hsize + i * rsize))
pid=$(u32 /tmp/a.snap "$rec")
# Bit 0 of the second byte: rss_kb +- 256.
off=$((rec + 41))
byte=$(od -An -tu1 -j "$off" -N1 /tmp/a.snap | tr -d ' ')
# shellcheck disable=SC2059 # the format is the octal escape built here
printf "\\$(printf %03o $((byte ^ 1)))" | dd of=/tmp/b.snap bs=1 seek="$off" conv=notrunc 2>/dev/null
new=$(u64 /tmp/b.snap $((rec + 40)))
info "planted rss_kb $rss -> $new for pid $pid (record $i, byte $off)"
[ "$new" != "$rss" ] || fail "the byte edit changed nothing"
expect_exit 1 "file: planted rss_kb reported" \
	procinfo-compare file:/tmp/a.snap file:/tmp/b.snap --strict
check_planted "file:" "$pid" "$rss" "$new"

# ---- the JSON report names them too
expect_exit 1 "file: planted rss_kb, --json report" \
	procinfo-compare file:/tmp/a.snap file:/tmp/b.snap --strict --json
echo "$OUT" | grep -q "\"pid\": $pid, \"name\": \"[^\"]*\", \"field\": \"rss_kb\", \"a\": $rss, \"b\": $new, " ||
	{ echo "$OUT"; fail "--json report does not name pid $pid and rss_kb"; }
ok "--json report names pid $pid, rss_kb, $rss and $new"

unload_modules
pass "sdk-planted"
