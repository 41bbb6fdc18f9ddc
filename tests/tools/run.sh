#!/bin/bash
# Runs one test case of the tools on fixtures made from the host's procfs.
#
#   run.sh CASE PROCINFO_PS PROCINFO_COMPARE
#
# Exit 0 pass, 1 fail.
set -uo pipefail
export LC_ALL=C

case_name=$1
ps=$2
compare=$3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs a command, keeps its stdout/stderr in $tmp/out and $tmp/err and its
# exit status in $status.
run() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  echo "\$ $* -> exit $status"
}

expect_status() {
  [ "$status" -eq "$1" ] || {
    echo "--- stdout"; head -50 "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    fail "expected exit $1, got $status"
  }
}

expect_in() {  # FILE PATTERN: an extended regex the file must match
  grep -Eq -- "$2" "$tmp/$1" || {
    echo "--- $1"; head -50 "$tmp/$1"; fail "$1 does not match /$2/"
  }
}

# Prints the widest line of $tmp/out in code points.
max_width() {
  python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] + [0]))' "$tmp/out"
}

# Saves a snapshot of the host's /proc as $tmp/snap.
make_snapshot() {
  run "$ps" --source procfs --save "$tmp/snap"
  expect_status 0
  [ -s "$tmp/snap" ] || fail "--save wrote no file"
}

case $case_name in
help-version)
  for tool in "$ps" "$compare"; do
    run "$tool" --help
    expect_status 0
    expect_in out '--json'
    run "$tool" --version
    expect_status 0
    expect_in out '[0-9]+\.[0-9]+'
    run "$tool" --no-such-option
    expect_status 2
    expect_in err '^procinfo-(ps|compare): '
  done
  ;;

ps-table)
  make_snapshot
  src=file:$tmp/snap
  run "$ps" --source "$src" --width 0
  expect_status 0
  expect_in out '^ *PID STATE +%MEM +VSZ +RSS +TIME NAME +COMMAND$'
  total=$(($(wc -l <"$tmp/out") - 1))
  [ "$total" -ge 2 ] || fail "expected at least 2 processes, got $total"
  # Default order: ascending pid.
  tail -n +2 "$tmp/out" | awk '{print $1}' >"$tmp/pids"
  sort -n -c "$tmp/pids" || fail "default order is not by ascending pid"

  # Sorted by descending rss, then the pid filter.
  run "$ps" --source "$src" --sort=-rss --no-header --width 0
  expect_status 0
  [ "$(wc -l <"$tmp/out")" -eq "$total" ] || fail "--sort changed the number of rows"
  awk '{print $5}' "$tmp/out" | sort -n -r -c || fail "--sort=-rss is not descending by RSS"
  awk '{print $5}' "$tmp/out" >"$tmp/rss"
  # Two keys: state ascending, then pid descending within a state.
  run "$ps" --source "$src" --sort state,-pid --no-header --width 0
  expect_status 0
  awk '{print $2, $1}' "$tmp/out" | sort -k1,1 -k2,2nr -c || fail "--sort state,-pid"

  first=$(sed -n 1p "$tmp/pids")
  second=$(sed -n 2p "$tmp/pids")
  run "$ps" --source "$src" --pid "$first,$second" --no-header
  expect_status 0
  [ "$(awk '{print $1}' "$tmp/out" | tr '\n' ' ')" = "$first $second " ] ||
    fail "--pid $first,$second listed: $(cat "$tmp/out")"

  name=$(awk -v p="$first" '$1 == p {print $7}' <("$ps" --source "$src" --no-header --width 0))
  run "$ps" --source "$src" --name "$name" --no-header --width 0
  expect_status 0
  [ "$(awk '{print $7}' "$tmp/out" | grep -vcF -- "$name")" -eq 0 ] ||
    fail "--name $name listed other names"

  # Width: no line longer than asked.
  run "$ps" --source "$src" --width 40
  expect_status 0
  [ "$(max_width)" -le 40 ] ||
    fail "--width 40 printed longer lines"
  COLUMNS=50 run "$ps" --source "$src"
  expect_status 0
  [ "$(max_width)" -le 50 ] ||
    fail "COLUMNS=50 printed longer lines"

  run "$ps" --source "$src" --sort bogus
  expect_status 2
  expect_in err 'procinfo-ps: .*bogus'
  ;;

ps-json)
  make_snapshot
  run "$ps" --source "file:$tmp/snap" --json
  expect_status 0
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["processes"], d' \
    "$tmp/out" || fail "--json printed invalid JSON"
  expect_in out '^\{$'
  expect_in out '"mem_total_kb": [0-9]+,'
  ;;

compare-identical)
  make_snapshot
  cp "$tmp/snap" "$tmp/copy"
  run "$compare" --strict "file:$tmp/snap" "file:$tmp/copy"
  expect_status 0
  expect_in out '^consistent'
  run "$compare" "file:$tmp/snap" "file:$tmp/copy"
  expect_status 0
  run "$compare" --strict --json "file:$tmp/snap" "file:$tmp/copy"
  expect_status 0
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["consistent"] is True' \
    "$tmp/out" || fail "--json report is not consistent:true"
  ;;

compare-planted)
  make_snapshot
  "$ps" --source "file:$tmp/snap" --json >"$tmp/a.json" || fail "procinfo-ps --json"
  # Plant a change in one field of one process: the last one's rss_kb.
  python3 - "$tmp/a.json" "$tmp/b.json" "$tmp/planted" <<'PY' || fail "planting the change"
import json, re, sys
text = open(sys.argv[1]).read()
lines = text.split("\n")
idx = max(i for i, l in enumerate(lines) if l.lstrip().startswith('{ "pid"'))
m = re.search(r'"pid": (\d+),.*"rss_kb": (\d+)', lines[idx])
pid, rss = m.group(1), int(m.group(2))
lines[idx] = re.sub(r'"rss_kb": \d+', '"rss_kb": %d' % (rss + 1), lines[idx])
open(sys.argv[2], "w").write("\n".join(lines))
open(sys.argv[3], "w").write(pid)
json.loads("\n".join(lines))
PY
  pid=$(cat "$tmp/planted")
  run "$compare" --strict "json:$tmp/a.json" "json:$tmp/b.json"
  expect_status 1
  expect_in out "pid $pid .*rss_kb"
  expect_in out '^INCONSISTENT: 1 mismatch'
  run "$compare" --strict --json "json:$tmp/a.json" "json:$tmp/b.json"
  expect_status 1
  python3 - "$tmp/out" "$pid" <<'PY' || fail "--json report does not name pid $pid and rss_kb"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["consistent"] is False
diffs = [x for c in d["comparisons"] for x in c["diffs"] if x["mismatch"]]
assert [(x["pid"], x["field"]) for x in diffs] == [(int(sys.argv[2]), "rss_kb")], diffs
PY
  ;;

bad-source)
  run "$compare" bogus:x "file:$tmp/none"
  expect_status 2
  expect_in err '^procinfo-compare: .*(json|procfs)'
  run "$compare" onlyone
  expect_status 2
  run "$compare" --view nonsense procfs procfs
  expect_status 2
  run "$compare" --strict "file:$tmp/does-not-exist" "file:$tmp/does-not-exist"
  expect_status 2
  expect_in err "^procinfo-compare: .*does-not-exist"
  run "$ps" --source bogus:x
  expect_status 2
  expect_in err '^procinfo-ps: .*(json|procfs)'
  run "$ps" --source "file:$tmp/does-not-exist"
  expect_status 2
  expect_in err "^procinfo-ps: .*does-not-exist"
  ;;

*)
  fail "unknown case $case_name"
  ;;
esac
echo PASS
