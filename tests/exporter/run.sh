#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# procinfo-exporter on the host: run.sh CASE EXPORTER PROCINFO-PS
#   scrape       every metric's value on a container-shaped procfs tree, read
#                as procfs, as a file: snapshot and as JSON; promtool check
#                metrics on each and on the host's /proc; --top-n; --view
#   churn        processes and containers coming and going: no stale series,
#                the container CPU counter never goes back
#   resilience   the source disappearing and coming back; bad HTTP requests,
#                half-open and idle connections, parallel scrapes
#   single-flight  scrapes that arrive during one read share it
#   cli          flags, usage errors, a port in use, SIGTERM and SIGINT
#   scale        10,000 processes in 500 containers: what a scrape adds to
#                the snapshot's own time (< 100 ms)
set -uo pipefail
case_name=$1
exporter=$2
ps=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/tools/lib.sh
. "$here/../tools/lib.sh"
http() { python3 "$here/webclient.py" "$@"; }

command -v promtool >/dev/null || {
  echo "SKIPPED: promtool not found (apt-get install prometheus)" >&2
  exit 77
}

exp_pid=
stop_exporter() {
  [ -n "$exp_pid" ] || return 0
  kill "$exp_pid" 2>/dev/null
  wait "$exp_pid" 2>/dev/null
  exp_pid=
}
trap 'stop_exporter; rm -rf "$tmp"' EXIT

# start_exporter ARGS...: on a free loopback port; sets exp_pid, url and
# keeps its standard error in $tmp/exporter.log.
start_exporter() {
  stop_exporter
  "$exporter" --web.listen-address 127.0.0.1:0 "$@" >/dev/null 2>"$tmp/exporter.log" &
  exp_pid=$!
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^procinfo-exporter: listening on 127\.0\.0\.1:\([0-9]*\), .*/\1/p' "$tmp/exporter.log")
    [ -n "$port" ] && break
    kill -0 "$exp_pid" 2>/dev/null || { cat "$tmp/exporter.log"; fail "the exporter exited at start"; }
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$tmp/exporter.log"; fail "the exporter did not say where it listens"; }
  base=http://127.0.0.1:$port
  url=$base/metrics
}

# scrape [FILE]: GETs the metrics into $tmp/FILE (default scrape.txt).
scrape() {
  local out=$tmp/${1:-scrape.txt}
  http get "$url" >"$out" || fail "scrape of $url did not answer 200"
}

# value SERIES [FILE]: the value of the series (name with its labels, as
# the exporter writes it) in the last scrape; empty if absent.
value() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/${2:-scrape.txt}"; }

expect_value() {  # SERIES EXPECTED [FILE]
  local got
  got=$(value "$1" "${3:-scrape.txt}")
  python3 -c 'import sys; g, w = sys.argv[1], sys.argv[2]; sys.exit(0 if g and abs(float(g) - float(w)) <= 1e-9 * max(1.0, abs(float(w))) else 1)' "$got" "$2" ||
    fail "$1: got '${got:-absent}', want $2"
}

expect_absent() {  # PATTERN [FILE]: no sample line matches
  if grep -Eq -- "$1" "$tmp/${2:-scrape.txt}"; then
    grep -E -- "$1" "$tmp/${2:-scrape.txt}" | head -5
    fail "series matching /$1/ should not be there"
  fi
}

promtool_check() {  # FILE
  promtool check metrics <"$tmp/$1" >"$tmp/promtool.out" 2>&1 || {
    cat "$tmp/promtool.out"
    fail "promtool check metrics failed on $1"
  }
  if grep -q procinfo_ "$tmp/promtool.out"; then
    cat "$tmp/promtool.out"
    fail "promtool check metrics has remarks on procinfo_ metrics"
  fi
}

# The container tree's series, computed from its inputs (lib.sh).
check_tree_metrics() {  # FILE
  local f=$1 d k
  d="runtime=\"docker\",container_id=\"$h1\",pod_uid=\"\""
  k="runtime=\"containerd\",container_id=\"$h2\",pod_uid=\"$pod\""
  expect_value procinfo_memory_total_bytes $((4000000 * 1024)) "$f"
  expect_value procinfo_memory_free_bytes $((1000000 * 1024)) "$f"
  for s in R D T t X Z P I; do expect_value "procinfo_processes{state=\"$s\"}" 0 "$f"; done
  expect_value 'procinfo_processes{state="S"}' 6 "$f"
  expect_value "procinfo_container_processes{$d}" 2 "$f"
  expect_value "procinfo_container_processes{$k}" 1 "$f"
  expect_value "procinfo_container_cpu_seconds_total{$d}" "$(((150 + 50 + 100) / hz))" "$f"
  expect_value "procinfo_container_cpu_seconds_total{$k}" "$(python3 -c "print((7 + 3) / $hz)")" "$f"
  expect_value "procinfo_container_resident_memory_bytes{$d}" $(((100 + 50) * page_kb * 1024)) "$f"
  expect_value "procinfo_container_virtual_memory_bytes{$d}" $(((100 + 50) * 2 * page_kb * 1024)) "$f"
  expect_value "procinfo_container_resident_memory_bytes{$k}" $((30 * page_kb * 1024)) "$f"
  [ "$(grep -c '^procinfo_container_processes{' "$tmp/$f")" -eq 2 ] ||
    fail "expected exactly two containers in $f"
  expect_value 'procinfo_scrape_errors_total' 0 "$f"
  for m in procinfo_memory_total_bytes procinfo_memory_free_bytes procinfo_processes \
    procinfo_container_processes procinfo_container_resident_memory_bytes \
    procinfo_container_virtual_memory_bytes procinfo_scrape_duration_seconds procinfo_source_info; do
    grep -q "^# TYPE $m gauge$" "$tmp/$f" || fail "$f: no '# TYPE $m gauge'"
    grep -q "^# HELP $m " "$tmp/$f" || fail "$f: no HELP for $m"
  done
  for m in procinfo_container_cpu_seconds_total procinfo_scrape_errors_total; do
    grep -q "^# TYPE $m counter$" "$tmp/$f" || fail "$f: no '# TYPE $m counter'"
  done
}

case $case_name in
scrape)
  make_container_tree "$tmp/proc"
  start_exporter --source "procfs:$root"
  scrape tree.txt
  check_tree_metrics tree.txt
  expect_value 'procinfo_threads' 6 tree.txt
  expect_value "procinfo_source_info{source=\"procfs:$root\"}" 1 tree.txt
  promtool_check tree.txt
  grep -q "^procinfo-exporter: reading procfs:$root (view all)$" "$tmp/exporter.log" ||
    fail "the log does not say which source it reads: $(cat "$tmp/exporter.log")"

  # The same processes saved as a file: snapshot.
  "$ps" --source "procfs:$root" --save "$tmp/tree.snap" || fail "procinfo-ps --save"
  start_exporter --source "file:$tmp/tree.snap"
  scrape file.txt
  check_tree_metrics file.txt
  promtool_check file.txt

  # As the driver's JSON: no container identity, no thread counts there.
  "$ps" --source "procfs:$root" --json >"$tmp/tree.json" || fail "procinfo-ps --json"
  start_exporter --source "json:$tmp/tree.json"
  scrape json.txt
  expect_value 'procinfo_processes{state="S"}' 6 json.txt
  expect_value procinfo_memory_total_bytes $((4000000 * 1024)) json.txt
  expect_absent '^procinfo_container_' json.txt
  expect_absent '^procinfo_threads ' json.txt
  promtool_check json.txt

  # --view containers: the container processes only (by cgroup and pid
  # namespace: the exporter does not read command lines, so the keyword
  # rule does not apply and the host dockerd is not one).
  start_exporter --source "procfs:$root" --view containers
  scrape view.txt
  expect_value 'procinfo_processes{state="S"}' 4 view.txt
  grep -q "reading procfs:$root (view containers)" "$tmp/exporter.log" || fail "view not logged"

  # --top-n 1: the largest by RSS (pid 10, 100 pages) and by CPU (pid 10
  # too: 200 ticks) is one process; --top-n 2 adds pid 11 (50 pages, 100
  # ticks) for both.
  start_exporter --source "procfs:$root" --top-n 1
  scrape top1.txt
  [ "$(grep -c '^procinfo_process_resident_memory_bytes{' "$tmp/top1.txt")" -eq 1 ] ||
    fail "--top-n 1: expected one process series"
  expect_value 'procinfo_process_resident_memory_bytes{pid="10",name="nginx"}' $((100 * page_kb * 1024)) top1.txt
  expect_value 'procinfo_process_cpu_seconds_total{pid="10",name="nginx"}' $((200 / hz)) top1.txt
  promtool_check top1.txt
  start_exporter --source "procfs:$root" --top-n 2
  scrape top2.txt
  expect_value 'procinfo_process_cpu_seconds_total{pid="11",name="worker"}' $((100 / hz)) top2.txt
  [ "$(grep -c '^procinfo_process_cpu_seconds_total{' "$tmp/top2.txt")" -eq 2 ] ||
    fail "--top-n 2: expected two process series"
  start_exporter --source "procfs:$root"
  scrape none.txt
  expect_absent '^procinfo_process_' none.txt

  # The host's own /proc, with every name and state it has.
  start_exporter --source procfs --top-n 20
  scrape host.txt
  promtool_check host.txt
  n=$(awk '/^procinfo_processes\{/ { s += $2 } END { print s }' "$tmp/host.txt")
  [ "$n" -gt 1 ] || fail "the host's /proc gave $n processes"
  ;;

churn)
  make_container_tree "$tmp/proc"
  d="runtime=\"docker\",container_id=\"$h1\",pod_uid=\"\""
  start_exporter --source "procfs:$root"
  scrape a.txt
  expect_value "procinfo_container_cpu_seconds_total{$d}" $((300 / hz)) a.txt
  # pid 11 (100 ticks) exits; pid 10 goes on; a new process joins.
  rm -rf "$root/11"
  scrape b.txt
  expect_value "procinfo_container_processes{$d}" 1 b.txt
  expect_value "procinfo_container_cpu_seconds_total{$d}" $((300 / hz)) b.txt
  cp -r "$root/10" "$root/12"
  sed -i 's/^10 (nginx) S 1 10 10/12 (nginx) S 1 12 12/' "$root/12/stat"
  scrape c.txt
  expect_value "procinfo_container_processes{$d}" 2 c.txt
  expect_value "procinfo_container_cpu_seconds_total{$d}" $(((300 + 200) / hz)) c.txt
  # The pod's only process goes: so does every series of that container.
  rm -rf "$root/20"
  scrape d.txt
  expect_absent "$h2" d.txt
  [ "$(grep -c '^procinfo_container_processes{' "$tmp/d.txt")" -eq 1 ] || fail "a stale container"
  # A pid reused by another process (a later start time) is a new process.
  sed -i 's/ 20 0 1 0 100 / 20 0 1 0 900 /' "$root/10/stat"
  scrape e.txt
  expect_value "procinfo_container_cpu_seconds_total{$d}" $(((300 + 200 + 200) / hz)) e.txt
  promtool_check e.txt
  ;;

resilience)
  make_container_tree "$tmp/proc"
  "$ps" --source "procfs:$root" --save "$tmp/tree.snap" || fail "procinfo-ps --save"
  start_exporter --source "file:$tmp/tree.snap"
  scrape a.txt
  expect_value procinfo_scrape_errors_total 0 a.txt
  # The source goes away: 200, the exporter's own metrics, one more error.
  mv "$tmp/tree.snap" "$tmp/away.snap"
  scrape b.txt
  expect_value procinfo_scrape_errors_total 1 b.txt
  expect_value "procinfo_source_info{source=\"file:$tmp/tree.snap\"}" 1 b.txt
  expect_absent '^procinfo_processes' b.txt
  expect_absent '^procinfo_container' b.txt
  grep -q '^procinfo_scrape_duration_seconds ' "$tmp/b.txt" || fail "no scrape duration after an error"
  promtool_check b.txt
  scrape c.txt
  expect_value procinfo_scrape_errors_total 2 c.txt
  [ "$(grep -c 'cannot read a snapshot' "$tmp/exporter.log")" -eq 1 ] ||
    fail "the same failure should be logged once: $(cat "$tmp/exporter.log")"
  # It comes back.
  mv "$tmp/away.snap" "$tmp/tree.snap"
  scrape d.txt
  expect_value procinfo_scrape_errors_total 2 d.txt
  expect_value 'procinfo_processes{state="S"}' 6 d.txt
  grep -q "is readable again" "$tmp/exporter.log" || fail "the recovery is not logged"
  # A corrupt source is an error too, never a crash.
  head -c 100 "$tmp/tree.snap" >"$tmp/cut.snap" && mv "$tmp/cut.snap" "$tmp/tree.snap"
  scrape e.txt
  expect_value procinfo_scrape_errors_total 3 e.txt

  # Bad HTTP: unknown paths, malformed and oversized requests.
  [ "$(http status "$base/")" = 404 ] || fail "/ should be 404"
  [ "$(http status "$base/nope")" = 404 ] || fail "/nope should be 404"
  http hostile "${base##*:}" || fail "a hostile request broke the client side"
  kill -0 "$exp_pid" 2>/dev/null || fail "the exporter died of bad requests"
  # 40 half-open connections held for 20 s: a scrape still gets through
  # (each holds a thread for at most the 5 s request timeout).
  http half-open "${base##*:}" 40 20 &
  holder=$!
  sleep 1
  start=$(date +%s)
  http get "$url" >"$tmp/f.txt" || fail "no scrape beside 40 half-open connections"
  took=$(($(date +%s) - start))
  echo "scrape beside 40 half-open connections: ${took} s"
  [ "$took" -le 15 ] || fail "a scrape beside 40 half-open connections took ${took} s"
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  # 30 scrapes at once
  mkdir -p "$tmp/par"
  http parallel 30 "$url" "$tmp/par" || fail "parallel scrapes"
  grep -q '^procinfo_scrape_errors_total' "$tmp/par/29.txt" || fail "a parallel scrape lacks the metrics"
  kill -0 "$exp_pid" 2>/dev/null || fail "the exporter died"
  ;;

single-flight)
  # A FIFO as the JSON source: a read waits for a writer, so scrapes that
  # arrive meanwhile can be seen to share the one read.
  make_container_tree "$tmp/proc"
  "$ps" --source "procfs:$root" --json >"$tmp/tree.json" || fail "procinfo-ps --json"
  mkfifo "$tmp/fifo"
  # the start-up read
  cat "$tmp/tree.json" >"$tmp/fifo" &
  writer=$!
  start_exporter --source "json:$tmp/fifo"
  wait "$writer"
  mkdir -p "$tmp/par"
  http parallel 8 "$url" "$tmp/par" &
  scrapers=$!
  sleep 2
  # one document for all eight; a second read would wait forever (until
  # the test's timeout)
  cat "$tmp/tree.json" >"$tmp/fifo"
  wait "$scrapers" || fail "the eight scrapes did not all answer"
  for i in 0 1 2 3 4 5 6 7; do
    expect_value 'procinfo_processes{state="S"}' 6 "par/$i.txt"
    expect_value procinfo_scrape_errors_total 0 "par/$i.txt"
  done
  ;;

cli)
  run "$exporter" --version
  expect_status 0
  expect_in out '^procinfo-exporter [0-9]+\.[0-9]+\.[0-9]+$|^[0-9]+\.[0-9]+\.[0-9]+$'
  run "$exporter" --help
  expect_status 0
  for flag in --web.listen-address --web.telemetry-path --source --view --top-n; do
    grep -q -- "$flag" "$tmp/out" || fail "--help does not mention $flag"
  done
  grep -q '127.0.0.1:9356' "$tmp/out" || fail "--help does not give the default address"
  for bad in "--top-n -1" "--top-n x" "--top-n 10001" "--view some" "--source bogus:x" \
    "--web.listen-address 1.2.3.4" "--web.listen-address 127.0.0.1:70000" \
    "--web.telemetry-path metrics" "--no-such-flag" "extra"; do
    # shellcheck disable=SC2086 # the flag and its value
    run "$exporter" $bad
    expect_status 2
    expect_in err '^procinfo-exporter: '
    grep -Eq 'not in range|At Most|Could not convert|was not expected' "$tmp/err" &&
      fail "CLI11's words reached the user: $(cat "$tmp/err")"
  done
  # A port in use: a message and exit 2.
  make_container_tree "$tmp/proc"
  start_exporter --source "procfs:$root" --web.telemetry-path /custom/path
  [ "$(http status "$base/metrics")" = 404 ] || fail "/metrics should be 404 with another path"
  http get "$base/custom/path" >"$tmp/custom.txt" || fail "--web.telemetry-path"
  grep -q '^procinfo_processes{state="S"} 6$' "$tmp/custom.txt" || fail "the custom path has no metrics"
  run timeout 10 "$exporter" --source "procfs:$root" --web.listen-address "127.0.0.1:${base##*:}"
  expect_status 2
  expect_in err 'cannot listen on 127\.0\.0\.1:[0-9]+ .*--web.listen-address'
  # SIGTERM and SIGINT: exit 0.
  kill -TERM "$exp_pid"
  wait "$exp_pid" || fail "SIGTERM: exit status not 0"
  exp_pid=
  start_exporter --source "procfs:$root"
  kill -INT "$exp_pid"
  wait "$exp_pid" || fail "SIGINT: exit status not 0"
  exp_pid=
  # The default source order: no driver on the build host, so the log says
  # the device and the JSON file were tried, then procfs.
  if [ ! -e /dev/procinfo ] && [ ! -e /proc/sysinfo_so1_202041390 ]; then
    start_exporter
    grep -q '^procinfo-exporter: note: device: /dev/procinfo not found' "$tmp/exporter.log" ||
      fail "no note about the device: $(cat "$tmp/exporter.log")"
    grep -q '^procinfo-exporter: reading procfs (view all)$' "$tmp/exporter.log" ||
      fail "no fallback to procfs: $(cat "$tmp/exporter.log")"
    scrape
    expect_value 'procinfo_source_info{source="procfs"}' 1
  fi
  ;;

scale)
  make_big_snapshot "$ps"
  for top in 0 20; do
    start_exporter --source "file:$tmp/big.snap" --top-n "$top"
    scrape warm.txt
    # Timed in one client process: each request, then the snapshot time
    # the exporter measured for the read it served (its own clock).
    best=
    for _ in 1 2 3 4 5; do
      took=$(http timed "$url" 1 "$tmp/big.txt") || fail "timed scrape"
      over=$(python3 -c "print(round((float('$took') - float('$(value procinfo_scrape_duration_seconds big.txt)')) * 1000))")
      echo "top-n $top: scrape $(python3 -c "print(round(float('$took') * 1000))") ms, of which the snapshot $(python3 -c "print(round(float('$(value procinfo_scrape_duration_seconds big.txt)') * 1000))") ms: +$over ms"
      if [ -z "$best" ] || [ "$over" -lt "$best" ]; then best=$over; fi
    done
    [ "$(grep -c '^procinfo_container_processes{' "$tmp/big.txt")" -eq 500 ] || fail "expected 500 containers"
    n=$(awk '/^procinfo_processes\{/ { s += $2 } END { print s }' "$tmp/big.txt")
    [ "$n" -eq 10000 ] || fail "expected 10000 processes, got $n"
    promtool_check big.txt
    echo "top-n $top: best of 5, a scrape adds $best ms to the snapshot at 10,000 processes"
    [ "$best" -lt 100 ] || fail "a scrape adds $best ms (>= 100 ms) to the snapshot"
  done
  ;;

*)
  fail "unknown case $case_name"
  ;;
esac
echo "PASS: exporter.$case_name"
