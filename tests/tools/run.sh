#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
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

# shellcheck source=tests/tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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

save-targets)
  # Defect 1: --save replaces nothing but a regular file it may write.
  make_snapshot
  src=file:$tmp/snap
  # '-' is standard output, not a file named '-'.
  (cd "$tmp" && "$ps" --source "$src" --save - >"$tmp/stdout.snap" 2>"$tmp/err")
  status=$?
  expect_status 0
  [ ! -e "$tmp/-" ] || fail "--save - created a file named '-'"
  [ "$(head -c 8 "$tmp/stdout.snap")" = PROCSNAP ] || fail "--save - did not write the snapshot to stdout"
  cmp -s "$tmp/stdout.snap" "$tmp/snap" || fail "--save - wrote other bytes than --save FILE"
  # file:PATH names PATH.
  (cd "$tmp" && "$ps" --source "$src" --save file:named.snap >"$tmp/out" 2>"$tmp/err")
  status=$?
  expect_status 0
  [ -f "$tmp/named.snap" ] || fail "--save file:named.snap did not write named.snap"
  [ ! -e "$tmp/file:named.snap" ] || fail "--save file:named.snap wrote a file named 'file:named.snap'"
  # A symlink is written through, and stays a symlink.
  mkdir "$tmp/real"
  echo old >"$tmp/real/target.snap"
  ln -s real/target.snap "$tmp/link.snap"
  run "$ps" --source "$src" --save "$tmp/link.snap"
  expect_status 0
  [ -L "$tmp/link.snap" ] || fail "--save replaced the symlink"
  cmp -s "$tmp/real/target.snap" "$tmp/snap" || fail "--save did not write the symlink's target"
  # A read-only file is refused, never made writable.
  echo keep >"$tmp/ro.snap"
  chmod 0444 "$tmp/ro.snap"
  run "$ps" --source "$src" --save "$tmp/ro.snap"
  expect_status 2
  expect_in err '^procinfo-ps: .*ro\.snap is read-only \(mode 0444\)'
  [ "$(cat "$tmp/ro.snap")" = keep ] || fail "the read-only file was changed"
  [ "$(stat -c %a "$tmp/ro.snap")" = 444 ] || fail "the read-only file's mode changed"
  # A character device stays one (a node of our own: never the host's /dev/null).
  if mknod "$tmp/null" c 1 3 2>/dev/null; then
    run "$ps" --source "$src" --save "$tmp/null"
    expect_status 0
    [ -c "$tmp/null" ] || fail "--save replaced a character device with a regular file"
  else
    echo "SKIPPED part: mknod not permitted (not root)"
  fi
  # /dev/stdout (a link into /proc) is written, not renamed over.
  run "$ps" --source "$src" --save /dev/stdout
  expect_status 0
  [ "$(head -c 8 "$tmp/out")" = PROCSNAP ] || fail "--save /dev/stdout did not write standard output"
  [ -L /dev/stdout ] || [ -c /dev/stdout ] || fail "/dev/stdout was replaced"
  # A FIFO is written, not replaced.
  mkfifo "$tmp/fifo"
  timeout 20 cat "$tmp/fifo" >"$tmp/from-fifo" &
  reader=$!
  run "$ps" --source "$src" --save "$tmp/fifo"
  expect_status 0
  wait "$reader"
  [ -p "$tmp/fifo" ] || fail "--save replaced the FIFO"
  [ "$(head -c 8 "$tmp/from-fifo")" = PROCSNAP ] || fail "nothing came through the FIFO"
  # A directory is refused.
  run "$ps" --source "$src" --save "$tmp/real"
  expect_status 2
  expect_in err 'is a directory'
  # No temporary file is left anywhere.
  leftovers=$(find "$tmp" -name '.*.tmp' | wc -l)
  [ "$leftovers" -eq 0 ] || fail "temporary files left: $(find "$tmp" -name '.*.tmp')"
  ;;

output-errors)
  # Defect 2: every lost byte of output is exit 2 and a message on stderr.
  make_snapshot
  src=file:$tmp/snap
  cp "$tmp/snap" "$tmp/copy"
  check_full() {  # DESC CMD...: run with stdout on /dev/full
    local desc=$1
    shift
    "$@" >/dev/full 2>"$tmp/err"
    status=$?
    [ "$status" -eq 2 ] || fail "$desc >/dev/full: exit $status, expected 2"
    grep -q 'No space left on device' "$tmp/err" || fail "$desc >/dev/full: no message: $(cat "$tmp/err")"
    "$@" >&- 2>"$tmp/err"
    status=$?
    [ "$status" -eq 2 ] || fail "$desc >&-: exit $status, expected 2"
    grep -q 'standard output is closed' "$tmp/err" || fail "$desc >&-: no message: $(cat "$tmp/err")"
    # A reader that went away: EPIPE, whatever SIGPIPE's disposition.
    python3 - "$@" <<'PY' || fail "$desc with a closed pipe"
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
err = p.stderr.decode()
assert p.returncode == 2, (p.returncode, err)
assert "broken pipe" in err, err
PY
    echo "ok: $desc"
  }
  check_full "ps table" "$ps" --source "$src" --width 0
  check_full "ps --json" "$ps" --source "$src" --json
  check_full "ps csv" "$ps" --source "$src" -o csv
  check_full "ps --save -" "$ps" --source "$src" --save -
  check_full "ps --help" "$ps" --help
  check_full "compare" "$compare" "file:$tmp/snap" "file:$tmp/copy"
  check_full "compare --json" "$compare" --json "file:$tmp/snap" "file:$tmp/copy"
  check_full "compare --version" "$compare" --version
  # With stdout closed, a --save file is not taken for standard output.
  "$ps" --source "$src" --save "$tmp/saved" >&- 2>"$tmp/err"
  status=$?
  expect_status 0
  cmp -s "$tmp/saved" "$tmp/snap" || fail "--save with stdout closed wrote something else"
  ;;

compare-modes)
  # Defects 3, 4: saved data is compared strictly; saved against live and
  # --strict on live sources are refused with a message.
  make_snapshot
  cp "$tmp/snap" "$tmp/copy"
  "$ps" --source "file:$tmp/snap" --json >"$tmp/copy.json"
  run "$compare" "file:$tmp/snap" "json:$tmp/copy.json"
  expect_status 0
  expect_in out '\(view all, strict\)'
  run "$compare" "file:$tmp/snap" procfs
  expect_status 2
  expect_in err 'saved data and procfs:/proc is live'
  run "$compare" --strict "json:$tmp/copy.json" procfs
  expect_status 2
  run "$compare" --strict procfs procfs
  expect_status 2
  expect_in err '^procinfo-compare: --strict compares saved data, and procfs:/proc is live'
  # Two live sources: live mode, consistent on a live system (the comparing
  # process itself is left out and named).
  run "$compare" procfs procfs
  expect_status 0
  expect_in out "^excluded: pid [0-9]+ \(procinfo-compare itself\)"
  expect_in out '\(view all, live\): [0-9]+ processes, no mismatches'
  ;;

compare-unavailable)
  # Defect 6: a missing module is exit 3 (0 with --skip-unavailable), the
  # rest is still checked, and --json always prints one object.
  if [ -e /dev/procinfo ] || [ -e /proc/sysinfo_so1_202041390 ]; then
    echo "SKIPPED: the procinfo modules are loaded on this machine"
    exit 77
  fi
  run "$compare" device procfs
  expect_status 3
  expect_in out '^UNAVAILABLE device:/dev/procinfo vs procfs:/proc \(view all, live\): /dev/procinfo not found'
  expect_in err 'modprobe sysinfo$'
  run "$compare" --skip-unavailable device procfs
  expect_status 0
  expect_in out '^SKIP '
  run "$compare" --json
  expect_status 3
  python3 - "$tmp/out" <<'PY' || fail "--json without the modules"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == 3 and d["consistent"] is False, d
assert len(d["comparisons"]) == 6, d
assert {c["status"] for c in d["comparisons"]} == {"unavailable"}, d
PY
  # A source that exists but cannot be read is 2, not 3.
  run "$compare" "file:$tmp/none.snap" "file:$tmp/none.snap"
  expect_status 2
  # Usage errors under --json: still exactly one JSON object.
  for args in "--json --bogus" "--json onlyone" "--json --view x" "--json bogus:x procfs" "--json --strict procfs procfs"; do
    # shellcheck disable=SC2086 # word splitting wanted
    run "$compare" $args
    expect_status 2
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["exit_status"] == 2 and d["error"], d' "$tmp/out" ||
      fail "procinfo-compare $args: not one JSON object with the error"
  done
  ;;

compare-json)
  # The JSON report: schema version, tool version, sources, times, numbers.
  make_snapshot
  "$ps" --source "file:$tmp/snap" --json >"$tmp/a.json" || fail "procinfo-ps --json"
  python3 - "$tmp/a.json" "$tmp/b.json" <<'PY' || fail "planting"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
idx = max(i for i, l in enumerate(lines) if l.lstrip().startswith('{ "pid"'))
lines[idx] = re.sub(r'"proc_jiffies": (\d+)', lambda m: '"proc_jiffies": %d' % (int(m.group(1)) + 7), lines[idx])
open(sys.argv[2], "w").write("\n".join(lines))
PY
  run "$compare" --json --verbose "json:$tmp/a.json" "json:$tmp/b.json"
  expect_status 1
  python3 - "$tmp/out" <<'PY' || fail "--json report"
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
assert d["schema_version"] == 1 and d["tool"] == "procinfo-compare", d
assert d["tool_version"].count(".") == 2, d
assert d["exit_status"] == 1 and d["consistent"] is False and d["error"] is None, d
assert d["summary"]["mismatches"] == 1, d
(c,) = d["comparisons"]
assert c["status"] == "inconsistent" and c["mode"] == "strict" and c["view"] == "all", c
assert c["source_a"].startswith("json:") and c["source_b"].endswith("/b.json"), c
assert [r["role"] for r in c["reads"]] == ["a", "b"], c
for r in c["reads"]:
    assert r["taken_at"].endswith("Z") and isinstance(r["read_duration_ns"], int), r
(diff,) = [x for x in c["diffs"] if x["mismatch"]]
assert diff["field"] == "proc_jiffies", diff
assert isinstance(diff["a"], int) and diff["b"] == diff["a"] + 7, diff
PY
  ;;

compare-junit)
  make_snapshot
  cp "$tmp/snap" "$tmp/copy"
  "$ps" --source "file:$tmp/snap" --json >"$tmp/a.json" || fail "procinfo-ps --json"
  sed '0,/"rss_kb": [0-9]*/s//"rss_kb": 123456789/' "$tmp/a.json" >"$tmp/b.json"
  run "$compare" --junit "$tmp/ok.xml" "file:$tmp/snap" "file:$tmp/copy"
  expect_status 0
  run "$compare" --junit "$tmp/bad.xml" "json:$tmp/a.json" "json:$tmp/b.json"
  expect_status 1
  run "$compare" --junit "$tmp/err.xml" "file:$tmp/none" "file:$tmp/none"
  expect_status 2
  # '-': the XML alone on standard output.
  run "$compare" --junit - "file:$tmp/snap" "file:$tmp/copy"
  expect_status 0
  head -1 "$tmp/out" | grep -q '^<?xml ' || fail "--junit - did not print the XML first"
  grep -q '^consistent' "$tmp/out" && fail "--junit - also printed the text report"
  run "$compare" --junit - --json "file:$tmp/snap" "file:$tmp/copy"
  expect_status 2
  python3 - "$tmp" <<'PY' || fail "JUnit XML"
import sys, xml.etree.ElementTree as ET
d = sys.argv[1]
ok = ET.parse(d + "/ok.xml").getroot()
assert ok.tag == "testsuites" and ok.get("tests") == "1" and ok.get("failures") == "0", ET.tostring(ok)
(case,) = ok.iter("testcase")
assert case.get("classname") == "procinfo-compare.all" and "file:" in case.get("name"), case.attrib
bad = ET.parse(d + "/bad.xml").getroot()
(f,) = bad.iter("failure")
assert bad.get("failures") == "1" and "1 mismatch" in f.get("message") and "rss_kb" in f.text, ET.tostring(bad)
err = ET.parse(d + "/err.xml").getroot()
(e,) = err.iter("error")
assert err.get("errors") == "1" and "not found" in e.get("message"), ET.tostring(err)
PY
  # Without the modules: an error per unavailable pair, skipped with --skip-unavailable.
  if [ ! -e /dev/procinfo ]; then
    run "$compare" --junit "$tmp/un.xml" --skip-unavailable
    expect_status 0
    python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); assert r.get("tests") == "6" and r.get("skipped") == "6", ET.tostring(r)' "$tmp/un.xml" ||
      fail "--junit --skip-unavailable"
  fi
  ;;

compare-exclusions)
  make_snapshot
  "$ps" --source "file:$tmp/snap" --json >"$tmp/a.json" || fail "procinfo-ps --json"
  # Plant: the last process's rss and the first process's name.
  python3 - "$tmp/a.json" "$tmp/b.json" "$tmp/pids" <<'PY' || fail "planting"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
procs = [i for i, l in enumerate(lines) if l.lstrip().startswith('{ "pid"')]
last, first = procs[-1], procs[0]
lines[last] = re.sub(r'"rss_kb": (\d+)', lambda m: '"rss_kb": %d' % (int(m.group(1)) + 1), lines[last])
lines[first] = re.sub(r'"name": "[^"]*"', '"name": "renamed"', lines[first])
open(sys.argv[2], "w").write("\n".join(lines))
pid = lambda i: re.search(r'"pid": (\d+)', lines[i]).group(1)
name = lambda i: re.search(r'"name": "([^"]*)"', lines[i]).group(1)
open(sys.argv[3], "w").write("%s %s\n" % (pid(last), re.escape(name(last))))
PY
  read -r last_pid last_name <"$tmp/pids"
  run "$compare" "json:$tmp/a.json" "json:$tmp/b.json"
  expect_status 1
  expect_in out '^INCONSISTENT: 2 mismatches'
  run "$compare" "json:$tmp/a.json" "json:$tmp/b.json" --exclude-pid "$last_pid" --ignore-field name
  expect_status 0
  expect_in out "^excluded: pid $last_pid\$"
  expect_in out '^ignored fields: name$'
  run "$compare" "json:$tmp/a.json" "json:$tmp/b.json" --exclude-name "^${last_name}\$" --ignore-field name,cmdline
  expect_status 0
  expect_in out "^excluded: names matching /"
  run "$compare" "json:$tmp/a.json" "json:$tmp/b.json" --ignore-field bogus
  expect_status 2
  expect_in err "--ignore-field: 'bogus' is not a field; fields: cgroup, cmdline, container_id, "
  run "$compare" "json:$tmp/a.json" "json:$tmp/b.json" --exclude-name '('
  expect_status 2
  expect_in err "not a valid extended regular expression"
  ;;

views)
  # Defect 7: a file: snapshot honours the view.
  sleep_pid=
  bash -c 'exec -a container-test-sleeper sleep 60' &
  sleep_pid=$!
  sleep 0.2
  make_snapshot
  run "$ps" --source "file:$tmp/snap" --containers --no-header --width 0
  expect_status 0
  grep -q "^ *$sleep_pid .* container-test-sleeper 60\$" "$tmp/out" || fail "the container process is not listed"
  all=$("$ps" --source "file:$tmp/snap" --no-header | wc -l)
  containers=$(wc -l <"$tmp/out")
  [ "$containers" -lt "$all" ] || fail "--containers listed every process ($containers of $all)"
  grep -Ev 'docker|container|runc|busybox' "$tmp/out" && fail "--containers listed processes that are not container processes"
  "$ps" --source "file:$tmp/snap" --containers --save "$tmp/c.snap" || fail "saving the containers view"
  run "$compare" "file:$tmp/snap" "file:$tmp/c.snap"
  expect_status 2
  expect_in err 'c\.snap holds the containers view only'
  run "$compare" "file:$tmp/snap" "file:$tmp/c.snap" --view containers
  expect_status 0
  expect_in out "\(view containers, strict\): $containers process(es)?, no mismatches"
  run "$ps" --source "file:$tmp/c.snap"
  expect_status 2
  expect_in err '--containers'
  kill "$sleep_pid"
  ;;

json-layouts)
  # Defect 8 through the tools: sorted keys, extra keys, the other view.
  make_snapshot
  "$ps" --source "file:$tmp/snap" --json >"$tmp/a.json" || fail "procinfo-ps --json"
  python3 - "$tmp/a.json" "$tmp" <<'PY' || fail "rewriting the document"
import json, sys
d = json.load(open(sys.argv[1]))
d["added_later"] = {"x": 1}
for p in d["processes"]:
    p["extra"] = [1, 2]
json.dump(d, open(sys.argv[2] + "/sorted.json", "w"), sort_keys=True)
c = {"mem_total_kb": d["mem_total_kb"], "mem_free_kb": d["mem_free_kb"], "mem_used_kb": d["mem_used_kb"], "containers": []}
json.dump(c, open(sys.argv[2] + "/c.json", "w"))
PY
  run "$compare" "json:$tmp/a.json" "json:$tmp/sorted.json"
  expect_status 0
  run "$ps" --source "json:$tmp/c.json"
  expect_status 2
  expect_in err 'c\.json holds the containers view only.*--containers'
  run "$ps" --source "json:$tmp/c.json" --containers
  expect_status 1  # a valid, empty list
  ;;

bad-state)
  # Defect 9: a file: snapshot whose state byte is '"' is refused, so
  # --json can never print "state": """.
  make_snapshot
  python3 - "$tmp/snap" "$tmp/bad.snap" <<'PY' || fail "corrupting"
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
hsize, rsize = struct.unpack_from("<II", b, 12)
b[hsize + 96] = ord('"')
open(sys.argv[2], "wb").write(b)
PY
  run "$ps" --source "file:$tmp/bad.snap" --json
  expect_status 2
  expect_in err 'expected a state among R S D T t X Z P I'
  ;;

ps-width)
  # Defect 10: widths in display columns (CJK and emoji take two).
  python3 - "$tmp/wide.json" <<'PY' || fail "writing the document"
import json, sys
procs = [
    {"pid": 10, "name": "\u65e5\u672c\u8a9e", "cmdline": "\u65e5\u672c\u8a9e\u306e\u30b3\u30de\u30f3\u30c9 " * 6},
    {"pid": 11, "name": "emoji", "cmdline": "run \U0001F600\U0001F680\U0001F389 " * 8},
    {"pid": 12, "name": "mixed", "cmdline": "a\u65e5b\u0301c\U0001F600" * 10},
]
out = ['{\n  "mem_total_kb": 1000,\n  "mem_free_kb": 500,\n  "mem_used_kb": 500,\n  "processes": [']
rows = []
for p in procs:
    rows.append('    { "pid": %d, "name": %s, "cmdline": %s, "vsz_kb": 10, "rss_kb": 1, "mem_pct": "0.10", "proc_jiffies": 1, "state": "S" }'
                % (p["pid"], json.dumps(p["name"], ensure_ascii=False), json.dumps(p["cmdline"], ensure_ascii=False)))
out.append(",\n".join(rows))
out.append("  ]\n}\n")
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out))
PY
  for w in 40 41 57 80; do
    run "$ps" --source "json:$tmp/wide.json" --width "$w"
    expect_status 0
    python3 - "$tmp/out" "$w" <<'PY' || fail "--width $w"
import sys, unicodedata
def width(s):
    n = 0
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n
w = int(sys.argv[2])
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
widths = [width(l) for l in lines]
assert max(widths) <= w, (w, widths, lines)
# Cut lines fill the width: short by one where a wide character did not
# fit, by two where a space before it was dropped as trailing.
assert all(x >= w - 2 for x in widths[1:]), (w, widths)
PY
  done
  ;;

ps-no-match)
  # Defect 11: nothing matched is exit 1, as ps -p and pgrep.
  make_snapshot
  src=file:$tmp/snap
  run "$ps" --source "$src" --pid 99999999
  expect_status 1
  run "$ps" --source "$src" -p 99999998,99999999 --json
  expect_status 1
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["processes"] == []' "$tmp/out" ||
    fail "--json of nothing"
  run "$ps" --source "$src" --name '^no such process name$'
  expect_status 1
  run "$ps" --source "$src" --pid 1
  expect_status 0
  ;;

messages)
  # Defect 12: no CLI11 jargon, no repeated messages, the fallback said,
  # "1 process".
  run "$ps" --width abc
  expect_status 2
  expect_in err "^procinfo-ps: --width: 'abc' is not a number of columns from 0 to 65535$"
  run "$ps" --width 99999
  expect_status 2
  expect_in err "not a number of columns from 0 to 65535"
  run "$ps" --pid x
  expect_status 2
  expect_in err "^procinfo-ps: --pid: 'x' is not a pid"
  run "$ps" --source procfs --source procfs --pid 1
  expect_status 0
  run "$ps" --bogus
  expect_status 2
  expect_in err "^procinfo-ps: unknown option '--bogus'$"
  run "$compare" a b c
  expect_status 2
  expect_in err "^procinfo-compare: unexpected argument 'c'$"
  grep -Eq 'not in range|At Most|Could not convert|was not expected' "$tmp/err" && fail "CLI11's words reached the user"
  if [ ! -e /dev/procinfo ]; then
    run "$ps" --pid 1 --no-header
    expect_status 0
    expect_in err '^procinfo-ps: note: /dev/procinfo not found — is sysinfo.ko loaded\? try: sudo modprobe sysinfo; reading procfs \(/proc\) instead'
    grep -q 'No such file or directory' "$tmp/err" && fail "the message repeats itself"
    run "$compare" device procfs
    grep -c 'modprobe sysinfo' "$tmp/err" | grep -qx 1 || fail "the message repeats itself: $(cat "$tmp/err")"
  fi
  "$ps" --source procfs --pid 1 --save "$tmp/one.snap" || fail "saving one process"
  run "$compare" "file:$tmp/one.snap" "file:$tmp/one.snap"
  expect_status 0
  expect_in out ': 1 process, no mismatches$'
  ;;

ps-columns)
  # The ps features: -o, --user, --state, --name/--cmd REGEX, --forest,
  # --human, json-lines, csv, the truncation marker, --interval.
  sleeper_cmd="procinfo-test-sleeper-$$"
  bash -c "exec -a $sleeper_cmd sleep 60" &
  sleeper=$!
  sleep 0.2
  make_snapshot
  src=file:$tmp/snap
  run "$ps" --source "$src" -o pid,ppid,user,uid,nlwp,state,start,elapsed,time,vsz,rss,mem,cpu,name,cmd --width 0
  expect_status 0
  expect_in out '^ *PID +PPID USER +UID NLWP STATE +START +ELAPSED +TIME +VSZ +RSS +%MEM +%CPU NAME +COMMAND$'
  run "$ps" --source "$src" -o pid,%mem,comm,args -p "$sleeper" --no-header --width 0
  expect_status 0
  expect_in out "^ *$sleeper +[0-9]+\.[0-9]{2} sleep +$sleeper_cmd 60\$"
  run "$ps" --source "$src" --user root --no-header -o user
  expect_status 0
  grep -vqx root "$tmp/out" && fail "--user root listed other users"
  run "$ps" --source "$src" --user no-such-user-here
  expect_status 2
  expect_in err "no user named 'no-such-user-here'"
  run "$ps" --source "$src" --state S --no-header -o state
  expect_status 0
  grep -vqx S "$tmp/out" && fail "--state S listed other states"
  run "$ps" --source "$src" --name '^sle+p$' --cmd "^$sleeper_cmd" --no-header -o pid
  expect_status 0
  [ "$(tr -d ' ' <"$tmp/out")" = "$sleeper" ] || fail "--name/--cmd REGEX: $(cat "$tmp/out")"
  run "$ps" --source "$src" --name '['
  expect_status 2
  expect_in err "^procinfo-ps: --name: '\[' is not a valid extended regular expression"
  # --forest: the sleeper under its parent, indented.
  run "$ps" --source "$src" --forest -o pid,ppid,cmd --no-header --width 0
  expect_status 0
  python3 - "$tmp/out" "$sleeper" <<'PY' || fail "--forest"
import sys
rows = [l.split(None, 2) for l in open(sys.argv[1]).read().splitlines()]
pos = {r[0]: i for i, r in enumerate(rows)}
for i, r in enumerate(rows):
    pid, ppid = r[0], r[1]
    if ppid in pos:
        assert pos[ppid] < i, ("child before parent", r)
        assert r[2].lstrip().startswith("\\_ "), ("child not marked", r)
me = rows[pos[sys.argv[2]]]
assert me[2].lstrip().startswith("\\_ "), me
PY
  "$ps" --source "$src" --json >"$tmp/all.json" || fail "procinfo-ps --json"
  run "$ps" --source "json:$tmp/all.json" --forest
  expect_status 2
  expect_in err '^procinfo-ps: --forest needs parent pids, which the source json:.* does not report'
  # --human: units.
  run "$ps" --source "$src" -p 1 -o vsz,rss --human --no-header
  expect_status 0
  expect_in out '^ *[0-9.]+[KMGT] +[0-9.]+[KMGT]$'
  # json-lines and csv: every field, numbers as numbers.
  run "$ps" --source "$src" --format json-lines
  expect_status 0
  python3 - "$tmp/out" "$sleeper" <<'PY' || fail "json-lines"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) >= 2
me = [r for r in rows if r["pid"] == int(sys.argv[2])][0]
for key in ("pid", "ppid", "uid", "nr_threads", "vsz_kb", "rss_kb", "cpu_ticks", "start_time_ns"):
    assert isinstance(me[key], int), (key, me)
assert isinstance(me["mem_pct"], (int, float)) and me["state"] == "S" and me["name"] == "sleep", me
assert me["cmdline_truncated"] is False and me["kernel_thread"] is False, me
PY
  run "$ps" --source "$src" --format csv -p "$sleeper"
  expect_status 0
  python3 - "$tmp/out" "$sleeper" <<'PY' || fail "csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 1 and rows[0]["pid"] == sys.argv[2] and rows[0]["name"] == "sleep", rows
assert int(rows[0]["rss_kb"]) > 0 and rows[0]["state"] == "S", rows
PY
  run "$ps" --source "$src" -o pid,bogus
  expect_status 2
  expect_in err "unknown column 'bogus'"
  # A command line cut at 4096 bytes ends in the marker.
  python3 - "$tmp/long.json" <<'PY' || fail "writing the document"
doc = ('{\n  "mem_total_kb": 1000,\n  "mem_free_kb": 500,\n  "mem_used_kb": 500,\n  "processes": [\n'
       '    { "pid": 5, "name": "long", "cmdline": "%s", "vsz_kb": 10, "rss_kb": 1, "mem_pct": "0.10", "proc_jiffies": 1, "state": "S" },\n'
       '    { "pid": 6, "name": "short", "cmdline": "short", "vsz_kb": 10, "rss_kb": 1, "mem_pct": "0.10", "proc_jiffies": 1, "state": "S" }\n'
       '  ]\n}\n') % ("x" * 4096)
open(__import__("sys").argv[1], "w").write(doc)
PY
  run "$ps" --source "json:$tmp/long.json" -o pid,cmd --no-header --width 0
  expect_status 0
  grep -q '^5 x*…$' "$tmp/out" || fail "no truncation marker on the cut command line"
  grep -q '^6 short$' "$tmp/out" || fail "a marker on a whole command line"
  # %CPU over an interval of a live source; refused for saved data.
  run "$ps" --source procfs --interval 0.2 -p "$sleeper" -o pid,cpu --no-header
  expect_status 0
  expect_in out "^ *$sleeper +0\.0$"
  run "$ps" --source "$src" --interval 1
  expect_status 2
  expect_in err 'needs a live source'
  kill "$sleeper"
  ;;

completion)
  # bash completion of the tools (procinfo-ps and procinfo-compare from
  # procinfo-tools, procinfo-exporter from its own package).
  dir=$(dirname "$0")/../../tools/completion
  for t in procinfo-ps procinfo-compare procinfo-exporter; do
    bash -n "$dir/$t" || fail "$t completion: syntax"
  done
  bash -c '
    set -u
    . "$1/procinfo-ps"
    . "$1/procinfo-compare"
    complete -p procinfo-ps procinfo-compare >/dev/null || exit 11
    try() {  # FUNCTION WORDS...: COMPREPLY for the last word
      local f=$1; shift
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      COMPREPLY=()
      "$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
      printf "%s\n" "${COMPREPLY[@]}"
    }
    f=$(complete -p procinfo-ps | sed "s/.*-F \([^ ]*\) .*/\1/")
    try "$f" procinfo-ps --sou | grep -qx -- --source || exit 12
    try "$f" procinfo-ps --source "" | grep -qx "device" || exit 13
    try "$f" procinfo-ps --source fi | grep -qx "file:" || exit 14
    try "$f" procinfo-ps -o "pid,r" | grep -qx "pid,rss" || exit 15
    try "$f" procinfo-ps --format "" | grep -qx "json-lines" || exit 16
    try "$f" procinfo-ps --state "" | grep -qx "R" || exit 17
    g=$(complete -p procinfo-compare | sed "s/.*-F \([^ ]*\) .*/\1/")
    try "$g" procinfo-compare --ju | grep -qx -- --junit || exit 21
    try "$g" procinfo-compare --view "" | grep -qx containers || exit 22
    try "$g" procinfo-compare --ignore-field rs | grep -qx rss_kb || exit 23
    try "$g" procinfo-compare "" | grep -qx "json" || exit 24
    # procinfo-exporter: alone, without procinfo-ps (another package).
    ( unset -f _procinfo_source
      . "$1/procinfo-exporter"
      h=$(complete -p procinfo-exporter | sed "s/.*-F \([^ ]*\) .*/\1/")
      try "$h" procinfo-exporter --web.t | grep -qx -- --web.telemetry-path || exit 31
      try "$h" procinfo-exporter --source "" | grep -qx "procfs" || exit 32
      try "$h" procinfo-exporter --view "" | grep -qx containers || exit 33
      try "$h" procinfo-exporter --top | grep -qx -- --top-n || exit 34
    ) || exit
    # The completion knows every field the tool compares.
    try "$g" procinfo-compare --ignore-field "" | sort >"$2/completed-fields"
  ' completion "$dir" "$tmp"
  status=$?
  [ "$status" -eq 0 ] || fail "completion check $status failed"
  "$compare" procfs procfs --ignore-field bogus 2>&1 | sed -n 's/.*fields: //p' | tr -d ' ' | tr , '\n' | sort >"$tmp/tool-fields"
  diff "$tmp/tool-fields" "$tmp/completed-fields" || fail "the completion's fields differ from the tool's"
  ;;

ci-recipe)
  # The README's GitHub Actions recipe is valid YAML, a workflow GitHub
  # accepts in form, and names files and tests that exist.
  top=$(cd "$(dirname "$0")/../.." && pwd)
  python3 - "$top" <<'PY' || fail "the CI recipe in README.md"
import os, re, sys
import yaml
top = sys.argv[1]
readme = open(os.path.join(top, "README.md"), encoding="utf-8").read()
m = re.search(r"<!-- ci-recipe begin -->\n```yaml\n(.*?)```\n<!-- ci-recipe end -->", readme, re.S)
assert m, "no ```yaml block between the ci-recipe markers"
text = m.group(1)
wf = yaml.safe_load(text)
assert isinstance(wf, dict) and wf.get("name"), wf
# YAML 1.1 reads the key "on" as true; GitHub reads it as "on".
on = wf.get("on", wf.get(True))
assert on is not None and ("push" in on or "pull_request" in on), on
jobs = wf["jobs"]
assert jobs, "no jobs"
for name, job in jobs.items():
    assert "runs-on" in job, name
    steps = job["steps"]
    assert steps and all(isinstance(s, dict) for s in steps), name
    for s in steps:
        assert ("run" in s) != ("uses" in s), ("a step needs exactly one of run/uses", s)
        if "uses" in s:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", s["uses"]), s["uses"]
runs = "\n".join(s.get("run", "") for job in jobs.values() for s in job["steps"])
# Files the recipe runs exist; the tests it runs are defined.
for path in re.findall(r"\./(scripts/[\w./-]+)", runs):
    assert os.access(os.path.join(top, path), os.X_OK), path
cmake = open(os.path.join(top, "tests/vm/sdk/CMakeLists.txt")).read()
for test in ("vm.sdk-ci", "vm.sdk-ci-junit"):
    assert re.search(r"\b%s\b" % re.escape(test.replace("vm.sdk-", "")), cmake), test
assert "ctest" in runs and "vm\\.sdk-ci" in runs, runs
# The markers the recipe extracts are the ones the guest script prints.
ci = open(os.path.join(top, "tests/vm/sdk/ci.sh")).read()
for marker in ("@@JUNIT-BEGIN@@", "@@JUNIT-END@@"):
    assert marker in runs and 'echo "%s"' % marker in ci, marker
assert "--junit" in ci
print("CI recipe: %d job(s), %d steps, valid" % (len(jobs), sum(len(j["steps"]) for j in jobs.values())))
PY
  if command -v yamllint >/dev/null; then
    sed -n '/^<!-- ci-recipe begin -->$/,/^<!-- ci-recipe end -->$/p' "$top/README.md" | sed '1,2d;$d' | sed '$d' >"$tmp/recipe.yml"
    yamllint -d '{extends: default, rules: {document-start: disable, truthy: disable, line-length: {max: 120}}}' "$tmp/recipe.yml" ||
      fail "yamllint"
  fi
  ;;

ps-containers)
  make_container_tree "$tmp/proc"
  src=procfs:$root

  run "$ps" --source "$src" --by-container --width 0
  expect_status 0
  cat "$tmp/out"
  expect_in out '^RUNTIME +CONTAINER +POD +PROCS +TIME +RSS +NAME$'
  # docker ps's short id: the first 12 hex digits
  expect_in out "^docker +aaaaaaaaaaaa +- +2 +00:0$(((150 + 50 + 100) / hz)) +$((150 * page_kb)) +nginx$"
  expect_in out "^containerd +bbbbbbbbbbbb +$pod +1 .* app$"
  [ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "--by-container: expected a header and 2 rows"

  run "$ps" --source "$src" --by-container --json
  expect_status 0
  python3 - "$tmp/out" "$h1" "$h2" "$pod" "$page_kb" <<'PY' || fail "--by-container --json"
import json, sys
doc = json.load(open(sys.argv[1]))
h1, h2, pod, page_kb = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
by_id = {c["container_id"]: c for c in doc}
assert set(by_id) == {h1, h2}, doc
d = by_id[h1]
assert list(d) == ["runtime", "container_id", "pod_uid", "pids", "cpu_ticks", "rss_kb"], d
assert d["runtime"] == "docker" and d["pod_uid"] is None, d
assert d["pids"] == [10, 11] and d["cpu_ticks"] == 300 and d["rss_kb"] == 150 * page_kb, d
k = by_id[h2]
assert k["runtime"] == "containerd" and k["pod_uid"] == pod and k["pids"] == [20], k
assert k["cpu_ticks"] == 10 and k["rss_kb"] == 30 * page_kb, k
PY

  run "$ps" --source "$src" --containers --json
  expect_status 0
  python3 - "$tmp/out" "$h1" "$h2" "$pod" <<'PY' || fail "--containers --json"
import json, sys
doc = json.load(open(sys.argv[1]))
h1, h2, pod = sys.argv[2:5]
contract = ["pid", "name", "cmdline", "vsz_kb", "rss_kb", "mem_pct", "proc_jiffies", "state"]
identity = ["cgroup", "runtime", "container_id", "pod_uid", "reasons"]
procs = {p["pid"]: p for p in doc["containers"]}
assert sorted(procs) == [10, 11, 20, 30, 50], sorted(procs)
for p in procs.values():
    assert list(p) == contract + identity, list(p)
assert procs[10]["cgroup"] == "/system.slice/docker-%s.scope" % h1
assert procs[10]["runtime"] == "docker" and procs[10]["container_id"] == h1
assert procs[10]["pod_uid"] is None and procs[10]["reasons"] == ["cgroup"]
assert procs[20]["runtime"] == "containerd" and procs[20]["pod_uid"] == pod
assert procs[20]["container_id"] == h2
assert procs[30]["runtime"] is None and procs[30]["container_id"] is None
assert procs[30]["reasons"] == ["keyword"], procs[30]
assert procs[50]["reasons"] == ["pidns"] and procs[50]["runtime"] is None, procs[50]
PY

  # --rule: the SDK filters by the reasons
  run "$ps" --source "$src" --containers --rule keywords --no-header -o pid
  expect_status 0
  [ "$(tr -d ' \n' <"$tmp/out")" = 30 ] || fail "--rule keywords listed: $(cat "$tmp/out")"
  run "$ps" --source "$src" --containers --rule cgroup --no-header -o pid
  expect_status 0
  [ "$(tr -d ' ' <"$tmp/out" | tr '\n' ' ')" = "10 11 20 50 " ] || fail "--rule cgroup listed: $(cat "$tmp/out")"
  run "$ps" --source "$src" --containers --width 0
  expect_status 0
  expect_in out '^ *PID RUNTIME +CONTAINER +STATE'
  expect_in out '^ *10 docker +aaaaaaaaaaaa +S '
  expect_in out '^ *30 - +- +S '

  # every field form carries the identity; a JSON document carries none
  run "$ps" --source "$src" -o json-lines --pid 20
  expect_status 0
  expect_in out "\"cgroup\": \"/kubepods/besteffort/pod$pod/$h2\", \"runtime\": \"containerd\", \"container_id\": \"$h2\", \"pod_uid\": \"$pod\", \"reasons\": \[\"cgroup\"\]\}$"
  "$ps" --source "$src" --json >"$tmp/doc.json" || fail "procinfo-ps --json"
  grep -q '"cgroup"' "$tmp/doc.json" && fail "--json without --containers grew identity keys"
  run "$ps" --source "json:$tmp/doc.json" --containers --rule cgroup
  expect_status 2
  expect_in err 'continfo'
  run "$ps" --source "json:$tmp/doc.json" --by-container
  expect_status 2
  expect_in err 'container ids'
  run "$ps" --rule cgroup
  expect_status 2

  # file: snapshots keep the identity
  run "$ps" --source "$src" --save "$tmp/c.snap"
  expect_status 0
  run "$compare" --strict "$src" "file:$tmp/c.snap"
  expect_status 0
  run "$ps" --source "file:$tmp/c.snap" --by-container --json
  expect_status 0
  expect_in out '"pids": \[10, 11\]'
  ;;

*)
  fail "unknown case $case_name"
  ;;
esac
echo PASS
