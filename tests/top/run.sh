#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host tests of procinfo-top: run.sh CASE TOP PS
#   batch        -b frames on procfs: header and table in each, a CPU burner
#                at ~100 %CPU over a 2-second interval, a sleeper at ~0
#                (and a CJK name and command line cut by display width)
#   cli          usage errors, --help, --version, a closed or full standard
#                output (exit 2 with a message), the bash completion
#   interactive  the view in tmux: P M N R T > reorder rows, / filters, C and
#                g change the view (container tree), Enter expands a
#                container, resizes redraw to fit (wide characters too), k
#                refused on saved data and without permission, sent, and to a
#                process gone; q, SIGTERM and -n restore the terminal (stty -a
#                before and after equal)
#   scale        10,000 processes: the time a frame takes to compute and lay
#                out, and a whole batch frame, well under the interval
set -uo pipefail
case_name=$1
top=$2
ps=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/tools/lib.sh
. "$here/../tools/lib.sh"

# Marks this run's processes: cases run at once must not see each other's.
mark=pitop$$
children=()
cleanup() {
  local pid
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null; done
  [ -n "${sock:-}" ] && tmux -L "$sock" kill-server 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A process that burns one CPU, and one that sleeps; their pids in burner
# and sleeper. $mark in their command lines.
start_burner_and_sleeper() {
  sh -c 'while :; do :; done' "$mark-burner" &
  burner=$!
  children+=("$burner")
  bash -c "exec -a $mark-sleeper sleep 600" &
  sleeper=$!
  children+=("$sleeper")
}

# add_wide_process ROOT: adds pid 60 to a make_container_tree tree, a host
# process whose name and command line are CJK (two columns a character).
add_wide_process() {
  cp -r "$1/40" "$1/60"
  sed -i 's/^40 (bash)/60 (日本語のプロセス名)/' "$1/60/stat"
  sed -i 's/^Name:\tbash/Name:\t日本語のプロセス名/' "$1/60/status"
  printf '%s\0' /usr/bin/日本語 --長いオプション=値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値値 >"$1/60/cmdline"
}

# max_width FILE: the widest line of FILE in terminal columns.
max_width() {
  python3 -c '
import sys, unicodedata
w = lambda c: 0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
print(max([sum(map(w, l.rstrip("\n"))) for l in open(sys.argv[1], encoding="utf-8")] or [0]))' "$1"
}

# frame N FILE: the lines of the Nth frame (from 1) of batch output.
frame() { awk -v n="$1" 'BEGIN { f = 1 } /^$/ { f++; next } f == n' "$2"; }

# cpu_of PID: the %CPU cell of PID in the frame on stdin.
cpu_of() { awk -v p="$1" '$1 == p { print $4 }'; }

case $case_name in
batch)
  start_burner_and_sleeper
  sleep 0.5
  # The burner's own CPU use over the run, from /proc, against which the
  # figure is checked: on a loaded machine it gets less than a CPU.
  ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
  t0=$(ticks "$burner")
  w0=$(date +%s%N)
  run "$top" -b -n 2 -d 2 --source procfs
  t1=$(ticks "$burner")
  w1=$(date +%s%N)
  expect_status 0
  [ "$(grep -c '^procinfo-top ' "$tmp/out")" -eq 2 ] || fail "expected two frame headers"
  [ "$(grep -c '^Processes: ' "$tmp/out")" -eq 2 ] || fail "expected two process count lines"
  [ "$(grep -c '^Mem: ' "$tmp/out")" -eq 2 ] || fail "expected two memory lines"
  [ "$(grep -cE '^ +PID USER +S +%CPU +RSS +VSZ +%MEM +TIME\+ CONTAINER +COMMAND$' "$tmp/out")" -eq 2 ] ||
    fail "expected two table headers"
  frame 2 "$tmp/out" >"$tmp/f2"
  b=$(cpu_of "$burner" <"$tmp/f2")
  s=$(cpu_of "$sleeper" <"$tmp/f2")
  want=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v w="$((w1 - w0))" 'BEGIN { printf "%.1f", t / hz * 1e11 / w }')
  echo "frame 2: burner $burner at $b %CPU (/proc says $want over the run), sleeper $sleeper at $s %CPU"
  if [ -z "$b" ] || [ -z "$s" ]; then cat "$tmp/f2"; fail "burner or sleeper missing from frame 2"; fi
  awk -v b="$b" -v w="$want" 'BEGIN { d = b - w; exit !(d <= 10 && d >= -10) }' ||
    fail "burner at $b %CPU, /proc says $want"
  if awk -v w="$want" 'BEGIN { exit !(w >= 90) }'; then
    awk -v b="$b" 'BEGIN { exit !(b >= 90 && b <= 110) }' || fail "burner at $b %CPU, not ~100"
  else
    echo "note: the machine is loaded: the burner got $want % of a CPU"
  fi
  awk -v s="$s" 'BEGIN { exit !(s <= 2) }' || fail "sleeper at $s %CPU, not ~0"
  # The frames list the rows by %CPU, largest first.
  frame 2 "$tmp/out" | awk 'NR > 4 && $4 != "-" { if (seen && $4 + 0 > last + 0) exit 1; last = $4; seen = 1 }' ||
    fail "frame 2 is not sorted by %CPU"
  # -w cuts every line to the width; -c shows command lines.
  # (The pattern does not match the tool's own command line.)
  run "$top" -b -n 1 -w 80 -c --source procfs --filter "$mark-(b|s)"
  expect_status 0
  awk 'length($0) > 80 { exit 1 }' "$tmp/out" || fail "-w 80 left a line longer than 80"
  expect_in out "^ +$burner root .* sh -c while"
  [ "$(awk 'NR > 4' "$tmp/out" | wc -l)" -eq 2 ] || fail "--filter: expected 2 rows"
  # The container tree: --containers, --group; wide characters.
  make_container_tree "$tmp/tree"
  add_wide_process "$tmp/tree"
  for w in 80 100; do
    run "$top" -b -n 1 -c -w "$w" --source "procfs:$tmp/tree"
    expect_status 0
    expect_in out "^ +60 root +S .* /usr/bin/日"
    [ "$(max_width "$tmp/out")" -le "$w" ] || { cat "$tmp/out"; fail "-w $w: a line wider than $w columns"; }
  done
  run "$top" -b -n 1 -c --source "procfs:$tmp/tree"
  expect_in out " /usr/bin/日本語 --長いオプション=値+$"
  run "$top" -b -n 1 --source "procfs:$tmp/tree" --containers -o pid
  expect_status 0
  [ "$(awk 'NR > 4 { printf "%s ", $1 }' "$tmp/out")" = "10 11 20 30 50 " ] ||
    fail "--containers -o pid: expected pids 10 11 20 30 50"
  expect_in out "^ +10 root +S .* docker:aaaaaaaaaaaa +nginx$"
  run "$top" -b -n 1 --source "procfs:$tmp/tree" --group -o rss
  expect_status 0
  [ "$(awk 'NR > 4' "$tmp/out" | wc -l)" -eq 3 ] || fail "--group: expected 3 container rows"
  expect_in out '^ +\[\+\] .* 600K +1.2M .* docker:aaaaaaaaaaaa +2 processes$'
  expect_in out "containerd:bbbbbbbbbbbb +1 process in pod $pod$"
  ;;

cli)
  run "$top" --help
  expect_status 0
  for flag in -b -n -d -w -o -R -c --containers --group --filter --source --version; do
    expect_in out "(^|[ ,])$flag([ ,=]|$)"
  done
  run "$top" --version
  expect_status 0
  expect_in out '^[0-9]+\.[0-9]+\.[0-9]+'
  for bad in "--bogus" "-d 0.05" "-d x" "-d inf" "-n 0" "-n -1" "-o nope" "--filter (" \
    "-b -w 10" "-w 100" "--source nope:x" "-b extra"; do
    # shellcheck disable=SC2086 # the words of each case
    run "$top" $bad
    expect_status 2
    expect_in err "^procinfo-top: .*"
    expect_in err "Run 'procinfo-top --help' for usage"
  done
  # The view needs a terminal.
  run "$top" --source procfs </dev/null
  expect_status 2
  expect_in err "needs a terminal"
  # Standard output closed or full.
  "$top" -b -n 1 --source procfs >&- 2>"$tmp/err"
  status=$?
  expect_status 2
  expect_in err "^procinfo-top: cannot write the frame to standard output: standard output is closed"
  "$top" -b -n 1 --source procfs >/dev/full 2>"$tmp/err"
  status=$?
  expect_status 2
  expect_in err "^procinfo-top: cannot write the frame to standard output: No space left on device"
  # A source that is not there.
  run "$top" -b -n 1 --source "procfs:$tmp/none"
  expect_status 2
  expect_in err "^procinfo-top: "
  # The bash completion.
  completion=$here/../../tools/completion/procinfo-top
  bash -n "$completion" || fail "completion: syntax"
  bash -c '
    set -u
    . "$1"
    try() {  # WORDS...: COMPREPLY for the last word
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      COMPREPLY=()
      _procinfo_top
      printf "%s\n" "${COMPREPLY[@]}"
    }
    try procinfo-top --sou | grep -qx -- --source || exit 11
    try procinfo-top --source "" | grep -qx device || exit 12
    try procinfo-top -o c | grep -qx container || exit 13
    try procinfo-top --gr | grep -qx -- --group || exit 14
    [ -z "$(try procinfo-top -d "")" ] || exit 15
  ' _ "$completion" || fail "completion: case $?"
  ;;

interactive)
  command -v tmux >/dev/null || { echo "SKIPPED: tmux not found" >&2; exit 77; }
  sock=procinfo-top-test-$$
  start_burner_and_sleeper
  python3 -c 'import sys, time; x = bytearray(300 << 20); time.sleep(600)' "$mark-hog" &
  hog=$!
  children+=("$hog")
  make_container_tree "$tmp/tree"
  sleep 1
  t() { tmux -L "$sock" "$@"; }
  screen() { t capture-pane -p -t top >"$tmp/screen"; }
  # wait_for PATTERN [WHAT]: until the pane shows an extended regex (10 s).
  wait_for() {
    local _
    for _ in $(seq 100); do
      screen
      grep -Eq -- "$1" "$tmp/screen" && return 0
      sleep 0.1
    done
    echo "--- screen"; cat "$tmp/screen"
    fail "the pane never showed /$1/${2:+ ($2)}"
  }
  # first_pid: the pid of the first row of the table.
  first_pid() { screen; awk 'NR == 6 { print $1 }' "$tmp/screen"; }
  expect_first() {  # PID WHAT
    local got _
    for _ in $(seq 50); do
      got=$(first_pid)
      [ "$got" = "$1" ] && return 0
      sleep 0.1
    done
    cat "$tmp/screen"
    fail "$2: first row $got, expected $1"
  }
  # Runs the tool in the pane, between two stty -a, and says its status.
  launch() {
    t send-keys -t top "stty -a >$tmp/stty.before; bash -c 'echo \$\$ >$tmp/pid; exec ${prefix:-} $top $*'; echo \"status=\$?\" >$tmp/status; stty -a >$tmp/stty.after; clear" Enter
  }
  expect_restored() {  # WHAT
    local _
    for _ in $(seq 100); do
      [ -s "$tmp/status" ] && [ -s "$tmp/stty.after" ] && break
      sleep 0.1
    done
    [ "$(cat "$tmp/status" 2>/dev/null)" = "status=0" ] || fail "$1: $(cat "$tmp/status" 2>/dev/null || echo 'did not exit')"
    # (The size may differ: the window was resized.)
    diff <(sed 's/rows [0-9]*; columns [0-9]*;//' "$tmp/stty.before") \
      <(sed 's/rows [0-9]*; columns [0-9]*;//' "$tmp/stty.after") ||
      fail "$1: the terminal settings differ"
    rm -f "$tmp/status" "$tmp/stty.before" "$tmp/stty.after"
    echo "$1: exit 0, terminal restored"
  }

  t -f /dev/null new-session -d -s top -x 120 -y 40 "env -i PATH=$PATH HOME=$tmp HISTFILE= TERM=screen LANG=C.UTF-8 bash --norc --noprofile" ||
    fail "cannot start tmux"
  launch --source procfs -d 0.5
  wait_for '^ +PID USER +S +%CPU' "the table"
  t send-keys -t top / "$mark" Enter
  wait_for "filter /$mark/" "the filter in the header"
  sleep 1.2  # a refresh: CPU% over an interval
  screen
  [ "$(awk 'NR > 5 && NF > 0' "$tmp/screen" | wc -l)" -eq 3 ] || { cat "$tmp/screen"; fail "/$mark: expected 3 rows"; }
  t send-keys -t top P
  expect_first "$burner" "P (by %CPU)"
  t send-keys -t top M
  expect_first "$hog" "M (by memory)"
  lowest=$(printf '%s\n' "$burner" "$sleeper" "$hog" | sort -n | head -1)
  highest=$(printf '%s\n' "$burner" "$sleeper" "$hog" | sort -n | tail -1)
  t send-keys -t top N
  expect_first "$lowest" "N (by pid)"
  t send-keys -t top R
  expect_first "$highest" "R (reversed)"
  t send-keys -t top T
  expect_first "$burner" "T (by CPU time)"
  kill "$burner"  # its CPU is of no more use here: leave it to other tests
  # > moves the sort to the column right of TIME+: CONTAINER.
  t send-keys -t top '>'
  wait_for 'sort container' "> to the CONTAINER column"
  # Resize: every line fits 80 columns, the table still shows.
  t resize-window -t top -x 80 -y 24
  for _ in $(seq 50); do
    screen
    [ "$(wc -l <"$tmp/screen")" -eq 24 ] && awk 'length($0) > 80 { exit 1 }' "$tmp/screen" && break
    sleep 0.1
  done
  [ "$(wc -l <"$tmp/screen")" -eq 24 ] || fail "resize: not 24 lines"
  awk 'length($0) > 80 { exit 1 }' "$tmp/screen" || { cat "$tmp/screen"; fail "resize: a line longer than 80"; }
  wait_for '^ +PID USER +S +%CPU' "the table at 80x24"
  t send-keys -t top h
  wait_for 'procinfo-top keys' "help"
  t send-keys -t top x
  wait_for '^ +PID USER' "back from help"
  t send-keys -t top q
  expect_restored "q"

  # The container tree: wide characters at 80 columns, C, g, Enter.
  add_wide_process "$tmp/tree"
  launch "--source procfs:$tmp/tree -d 0.5 -o pid -c"
  wait_for '^ +60 root .*/usr/bin/日' "the tree"
  [ "$(max_width "$tmp/screen")" -le 80 ] || { cat "$tmp/screen"; fail "wide characters: a line wider than 80 columns"; }
  t resize-window -t top -x 120 -y 40
  wait_for '^ +60 root .* /usr/bin/日本語 --長いオプ' "the tree at 120 columns"
  [ "$(max_width "$tmp/screen")" -le 120 ] || { cat "$tmp/screen"; fail "wide characters: a line wider than 120 columns"; }
  [ "$(awk 'NR > 5 && NF > 0' "$tmp/screen" | wc -l)" -eq 7 ] || fail "the tree: expected 7 rows"
  t send-keys -t top C
  wait_for 'containers only' "C"
  screen
  [ "$(awk 'NR > 5 && NF > 0 { printf "%s ", $1 }' "$tmp/screen")" = "10 11 20 30 50 " ] ||
    { cat "$tmp/screen"; fail "C: expected the container processes 10 11 20 30 50"; }
  t send-keys -t top g
  wait_for 'grouped' "g"
  screen
  [ "$(awk 'NR > 5 && NF > 0' "$tmp/screen" | grep -c '^ *\[+\] ')" -eq 3 ] ||
    { cat "$tmp/screen"; fail "g: expected 3 container rows"; }
  grep -Eq 'docker:aaaaaaaaaaaa +2 processes' "$tmp/screen" || fail "g: the docker container row"
  t send-keys -t top Enter
  wait_for '^ +\[-\] .* docker:aaaaaaaaaaaa +2 processes' "Enter expands"
  screen
  [ "$(awk 'NR > 5 && NF > 0 { printf "%s ", $1 }' "$tmp/screen")" = "[-] 10 11 [+] [+] " ] ||
    { cat "$tmp/screen"; fail "Enter: expected the container's processes below its row"; }
  # k on saved data: refused with a message, the view goes on.
  t send-keys -t top Down k
  wait_for 'saved data' "k on saved data"
  # SIGTERM restores the terminal too.
  kill -TERM "$(cat "$tmp/pid")"
  expect_restored "SIGTERM"
  # -n: the view stops by itself after COUNT frames.
  launch "--source procfs:$tmp/tree -d 0.2 -n 3"
  expect_restored "-n 3"

  # k (the filter does not match the tool's own command line): as nobody,
  # a signal to root's sleeper is refused with a message; as
  # root it is sent; to a process that has gone, a message again.
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    prefix="setpriv --reuid=65534 --regid=65534 --clear-groups"
    launch "--source procfs -d 30 --filter $mark-slee[p]er"
    wait_for "^ +$sleeper " "the sleeper"
    t send-keys -t top k
    wait_for "signal to send to $sleeper \\(sleep\\) \\[15\\]:" "k's question"
    t send-keys -t top Enter
    wait_for "send SIGTERM to $sleeper \\(sleep\\)\\? \\[y/N\\]" "k's confirmation"
    t send-keys -t top y Enter
    wait_for "cannot send SIGTERM to $sleeper \\(sleep\\): not permitted" "EPERM"
    t send-keys -t top q
    expect_restored "k as nobody"
    prefix=
  else
    echo "note: not root: the refusal of k is not tested"
  fi
  disown "$sleeper"  # reaped without a word when it is killed
  launch "--source procfs -d 30 --filter $mark-slee[p]er"
  wait_for "^ +$sleeper " "the sleeper"
  t send-keys -t top k
  wait_for "signal to send to $sleeper " "k's question"
  t send-keys -t top KILL Enter
  wait_for "send SIGKILL to $sleeper \\(sleep\\)\\? \\[y/N\\]" "k's confirmation"
  t send-keys -t top y Enter
  wait_for "sent SIGKILL to $sleeper \\(sleep\\)" "the signal sent"
  for _ in $(seq 50); do
    [ -e "/proc/$sleeper" ] || break
    sleep 0.1
  done
  [ ! -e "/proc/$sleeper" ] || fail "the sleeper is still there after SIGKILL"
  # The row stays until the next refresh (30 s): the process has gone.
  t send-keys -t top k
  wait_for "signal to send to $sleeper " "k's question"
  t send-keys -t top Enter
  wait_for "send SIGTERM to $sleeper" "k's confirmation"
  t send-keys -t top y Enter
  wait_for "cannot send SIGTERM to $sleeper \\(sleep\\): no such process" "ESRCH"
  t send-keys -t top q
  expect_restored "k"
  ;;

scale)
  make_big_snapshot "$ps"
  for view in "" "-c" "--group" "-w 120"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # the words of the view
    "$top" -b -n 5 -d 0.1 --source "file:$tmp/big.snap" $view >"$tmp/out" || fail "batch frames"
    end=$(date +%s%N)
    # Each header says how long its snapshot took to read and its frame to
    # compute and lay out (every one of the 10,000 rows in batch mode).
    sed -n 's/^procinfo-top .* snapshot \([0-9.]*\) ms  frame \([0-9.]*\) ms$/\1 \2/p' "$tmp/out" >"$tmp/times"
    [ "$(wc -l <"$tmp/times")" -eq 5 ] || fail "expected 5 frames"
    read -r snap_ms frame_ms < <(sort -k2 -n "$tmp/times" | awk 'NR == 3')
    worst=$(sort -k2 -n "$tmp/times" | awk 'END { print $2 }')
    total=$(((end - start) / 1000000))
    echo "10,000 processes${view:+ ($view)}: median frame ${frame_ms} ms to compute and lay out" \
      "(slowest ${worst} ms), snapshot read ${snap_ms} ms; 5 frames at -d 0.1 in ${total} ms"
    awk -v f="$worst" 'BEGIN { exit !(f < 500) }' || fail "computing a frame took $worst ms"
    [ "$total" -lt 5400 ] || fail "5 frames took $total ms"
  done
  [ "$(frame 1 "$tmp/out" | awk 'NR > 4' | wc -l)" -eq 10000 ] || fail "expected 10000 rows"
  ;;

*)
  fail "unknown case $case_name"
  ;;
esac
echo "PASS: $case_name"
