# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=bash
# What the tools' host tests share (sourced by run.sh and bench.sh): a
# scratch directory $tmp removed on exit, and checks of a command's exit
# status and output.

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

# Writes a procfs-like tree at ROOT (read with --source procfs:ROOT): two
# processes in one docker container, one in a Kubernetes pod, a host dockerd
# (keyword only), a plain shell, and one in a pid namespace below the
# reader's. Sets root, page_kb, hz, h1 and h2 (the two container ids) and
# pod (the pod uid) for the checks.
#   pid comm    utime stime rss(pages) cgroup
#   10  nginx   150   50    100        /system.slice/docker-$h1.scope
#   11  worker  100   0     50         /system.slice/docker-$h1.scope
#   20  app     7     3     30         /kubepods/besteffort/pod$pod/$h2
#   30  dockerd 1     1     10         /system.slice/docker.service
#   40  bash    1     1     10         /user.slice/user-1000.slice/session-1.scope
#   50  sleep   0     0     5          (same, in another pid namespace)
# Each has vsz = 2 * rss; MemTotal 4000000 kB, MemFree 1000000 kB; every
# process is in state S with one thread.
# shellcheck disable=SC2034 # the callers read what it sets
make_container_tree() {
  root=$1
  page_kb=$(($(getconf PAGESIZE) / 1024))
  hz=$(getconf CLK_TCK)
  h1=$(printf 'a%.0s' $(seq 64))
  h2=$(printf 'b%.0s' $(seq 64))
  pod=1b4e28ba-2fa1-11d2-883f-0016d3cca427
  mkdir -p "$root/self/ns"
  ln -s 'pid:[4026531836]' "$root/self/ns/pid"
  printf 'MemTotal:        4000000 kB\nMemFree:         1000000 kB\n' >"$root/meminfo"
  # mkproc PID COMM UTIME STIME RSS_PAGES CGROUP PIDNS CMDLINE...
  mkproc() {
    local pid=$1 comm=$2 ut=$3 st=$4 rss=$5 cg=$6 ns=$7 d=$root/$1
    shift 7
    mkdir -p "$d/ns"
    echo "$pid ($comm) S 1 $pid $pid 0 -1 4194560 10 0 0 0 $ut $st 0 0 20 0 1 0 100 $((rss * 2 * page_kb * 1024)) $rss 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0" >"$d/stat"
    echo "$((rss * 2)) $rss 0 0 0 0 0" >"$d/statm"
    printf '%s\0' "$@" >"$d/cmdline"
    printf 'Name:\t%s\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n' "$comm" >"$d/status"
    printf '0::%s\n' "$cg" >"$d/cgroup"
    ln -s "pid:[$ns]" "$d/ns/pid"
  }
  mkproc 10 nginx 150 50 100 "/system.slice/docker-$h1.scope" 4026531836 nginx -g 'daemon off;'
  mkproc 11 worker 100 0 50 "/system.slice/docker-$h1.scope" 4026531836 nginx-worker
  mkproc 20 app 7 3 30 "/kubepods/besteffort/pod$pod/$h2" 4026531836 /app
  mkproc 30 dockerd 1 1 10 /system.slice/docker.service 4026531836 /usr/bin/dockerd -H fd://
  mkproc 40 bash 1 1 10 /user.slice/user-1000.slice/session-1.scope 4026531836 bash
  mkproc 50 sleep 0 0 5 /user.slice/user-1000.slice/session-1.scope 4026532999 sleep 600
}

# make_big_snapshot PROCINFO-PS: $tmp/big.snap, a file: snapshot of a
# procfs-like tree ($tmp/proc) of 10,000 processes: 500 docker containers
# of 19 processes and 500 host processes, pids 100 up.
make_big_snapshot() {
  python3 - "$tmp/proc" <<'PY' || fail "making the tree"
import os, sys
root = sys.argv[1]
os.makedirs(f"{root}/self/ns")
os.symlink("pid:[4026531836]", f"{root}/self/ns/pid")
open(f"{root}/meminfo", "w").write("MemTotal: 16000000 kB\nMemFree: 8000000 kB\n")
for i in range(10000):
    pid = 100 + i
    d = f"{root}/{pid}"
    os.makedirs(f"{d}/ns")
    c = i % 20
    cg = "/user.slice/session-1.scope" if c == 19 else "/system.slice/docker-%064x.scope" % (i // 20)
    open(f"{d}/stat", "w").write(f"{pid} (proc{i}) S 1 {pid} {pid} 0 -1 4194560 10 0 0 0 {i} {i} 0 0 20 0 1 0 100 8192000 {i % 1000} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n")
    open(f"{d}/statm", "w").write(f"2000 {i % 1000} 0 0 0 0 0\n")
    open(f"{d}/cmdline", "w").write(f"proc{i}\0--flag\0")
    open(f"{d}/status", "w").write(f"Name:\tproc{i}\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")
    open(f"{d}/cgroup", "w").write(f"0::{cg}\n")
    os.symlink("pid:[4026531836]", f"{d}/ns/pid")
PY
  "$1" --source "procfs:$tmp/proc" --save "$tmp/big.snap" || fail "saving the big snapshot"
}
