# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.sdk-top: procinfo-top on the live driver, driven in tmux: it reads the
# device by itself; / filters; P, M, N and R reorder the rows; C keeps the
# container processes and g groups them by container; resizing the window
# to 80x24 redraws to fit; q exits with status 0 and the terminal as it was
# (stty -a before and after). Then a batch frame (-b) of the same.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

CG=/sys/fs/cgroup
[ -e $CG/cgroup.procs ] || fail "no cgroup2 at $CG"
load_modules
export TERMINFO_DIRS=/lib/terminfo:/usr/share/terminfo
# tmux needs a UTF-8 locale: glibc's C.UTF-8 (its LC_CTYPE is in the guest)
export LANG=C.UTF-8
MARK=vmtop$$
H1=$(printf '%064d' 0 | tr 0 a)

# Three marked processes, each one shell that never forks once ready
# (busybox runs some applets in a forked shell, which keeps its command
# line): they wait reading a FIFO nobody writes.
mkfifo /tmp/never
sh -c 'while :; do :; done' "$MARK-burner" &
burner=$!
# about 8 MB resident: the largest of the marked processes
sh -c 'x=$(head -c 8000000 /dev/zero | tr "\0" a); : >/tmp/hog.ready; read -r _ </tmp/never' "$MARK-hog" &
hog=$!
mkdir -p "$CG/system.slice/docker-$H1.scope"
sh -c 'read -r _ </tmp/never' "$MARK-sleeper" &
sleeper=$!
echo $sleeper >"$CG/system.slice/docker-$H1.scope/cgroup.procs" || fail "move into the container"
_i=0
until [ -e /tmp/hog.ready ]; do
	_i=$((_i + 1))
	[ $_i -lt 600 ] || fail "the hog never filled its memory"
	sleep 0.1
done

# (the socket name must not contain MARK: the tmux processes would match)
t() { tmux -L vm-sdk-top "$@"; }
screen() { t capture-pane -p -t top >/tmp/screen; }
wait_for() {	# PATTERN WHAT: until the pane shows an extended regex (30 s)
	_i=0
	while :; do
		screen
		grep -Eq -- "$1" /tmp/screen && return 0
		_i=$((_i + 1))
		[ $_i -lt 300 ] || { cat /tmp/screen; fail "the pane never showed /$1/ ($2)"; }
		sleep 0.1
	done
}
rows() { awk 'NR > 5 && NF > 0' /tmp/screen; }
expect_first() {	# PID WHAT
	_i=0
	while :; do
		screen
		_got=$(awk 'NR == 6 { print $1 }' /tmp/screen)
		[ "$_got" = "$1" ] && { ok "$2: first row $1"; return 0; }
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { cat /tmp/screen; fail "$2: first row $_got, expected $1"; }
		sleep 0.1
	done
}

t -f /dev/null new-session -d -s top -x 120 -y 40 "env TERM=screen TERMINFO_DIRS=$TERMINFO_DIRS LANG=C.UTF-8 sh" ||
	fail "cannot start tmux"
t send-keys -t top "stty -a >/tmp/stty.before; procinfo-top -d 0.5 2>/tmp/top.err; echo status=\$? >/tmp/status; stty -a >/tmp/stty.after; clear" Enter
wait_for '^ +PID USER +S +%CPU' "the table"
grep -q 'device' /tmp/screen || { cat /tmp/screen; fail "the header does not name the device as the source"; }
t send-keys -t top / "$MARK" Enter
wait_for "filter /$MARK/" "the filter in the header"
sleep 1.5 # a refresh or two: CPU% over an interval
screen
[ "$(rows | wc -l)" -eq 3 ] || { cat /tmp/screen; fail "/$MARK: expected 3 rows"; }
ok "/ filters: 3 rows"
t send-keys -t top P
expect_first "$burner" "P (by %CPU)"
t send-keys -t top M
expect_first "$hog" "M (by memory)"
lowest=$(printf '%s\n' "$burner" "$sleeper" "$hog" | sort -n | head -n 1)
highest=$(printf '%s\n' "$burner" "$sleeper" "$hog" | sort -n | tail -n 1)
t send-keys -t top N
expect_first "$lowest" "N (by pid)"
t send-keys -t top R
expect_first "$highest" "R (reversed)"
kill $burner
t send-keys -t top C
wait_for 'containers only' "C"
wait_for "^ *$sleeper " "C: the container's process"
[ "$(rows | wc -l)" -eq 1 ] || { cat /tmp/screen; fail "C: expected only the process in the container"; }
ok "C: the container process only"
t send-keys -t top g
wait_for 'docker:aaaaaaaaaaaa +1 process' "g: one row for the container"
ok "g: grouped by container"
t resize-window -t top -x 80 -y 24
_i=0
while :; do
	screen
	[ "$(wc -l </tmp/screen)" -eq 24 ] && awk 'length($0) > 80 { exit 1 }' /tmp/screen && break
	_i=$((_i + 1))
	[ $_i -lt 100 ] || { cat /tmp/screen; fail "resize to 80x24: not redrawn to fit"; }
	sleep 0.1
done
ok "resized to 80x24: redrawn to fit"
t send-keys -t top q
_i=0
until [ -s /tmp/status ] && [ -s /tmp/stty.after ]; do
	_i=$((_i + 1))
	[ $_i -lt 300 ] || fail "q: procinfo-top did not exit ($(cat /tmp/top.err))"
	sleep 0.1
done
[ "$(cat /tmp/status)" = "status=0" ] || fail "q: $(cat /tmp/status): $(cat /tmp/top.err)"
sed 's/rows [0-9]*; columns [0-9]*;//' /tmp/stty.before >/tmp/stty.1
sed 's/rows [0-9]*; columns [0-9]*;//' /tmp/stty.after >/tmp/stty.2
cmp -s /tmp/stty.1 /tmp/stty.2 || { diff /tmp/stty.1 /tmp/stty.2; fail "q: the terminal settings differ"; }
ok "q: exit 0, terminal restored"
t kill-server

procinfo-top -b -n 2 -d 0.5 --filter "$MARK" >/tmp/batch 2>/tmp/batch.err ||
	fail "procinfo-top -b: exit $? ($(cat /tmp/batch.err))"
grep -q "^ *$hog " /tmp/batch || { cat /tmp/batch; fail "-b: the hog is not in the frames"; }
ok "-b: two frames from the device"
kill $hog $sleeper
pass "sdk-top"
