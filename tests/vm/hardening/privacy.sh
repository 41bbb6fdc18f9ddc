# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh
# vm.hard.privacy: module parameter sysinfo.privacy. Default (0): a reader
# of uid 1000 sees every process, as stock /proc. privacy=1: it sees only
# uid 1000's processes through the JSON files and the device; root still
# sees all; a device file descriptor handed from root to uid 1000 does not
# give it root's pending snapshot.
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

U=1000
load_modules
PARAM=/sys/module/sysinfo/parameters/privacy
assert_file "$PARAM"
assert_eq "$(cat "$PARAM")" N "privacy default"

# Two long-lived processes of uid 1000
procinfo-hard as-uid $U sleep 600 &
procinfo-hard as-uid $U sleep 601 &
sleep 1
mine=$(ps -o pid,user,args 2>/dev/null | awk '$2 == "1000" && /sleep 60/ { print $1 }' | sort -n | tr '\n' ' ')
info "uid $U processes: $mine"

all=$(procinfo-hard list json "$SYSINFO" | wc -l)
u_json=$(procinfo-hard as-uid $U procinfo-hard list json "$SYSINFO" | wc -l)
u_dev=$(procinfo-hard as-uid $U procinfo-hard list device | wc -l)
info "default: root sees $all, uid $U sees $u_json (json) / $u_dev (device)"
[ "$u_json" -ge $((all - 3)) ] || fail "default mode: uid $U sees $u_json of $all"
[ "$u_dev" -ge $((all - 3)) ] || fail "default mode: uid $U device sees $u_dev of $all"

echo 1 >"$PARAM"
assert_eq "$(cat "$PARAM")" Y "privacy after echo 1"
procinfo-hard as-uid $U procinfo-hard list device >/tmp/dev.u
procinfo-hard as-uid $U procinfo-hard list json "$SYSINFO" >/tmp/json.u
procinfo-hard as-uid $U procinfo-hard list json "$CONTINFO" >/tmp/cont.u
cat /tmp/dev.u
bad=$(awk -v u=$U '$2 != u' /tmp/dev.u)
[ -z "$bad" ] || fail "privacy: uid $U sees other users' processes: $bad"
for p in $mine; do
	grep -q "^$p $U\$" /tmp/dev.u || fail "privacy: device lacks own process $p"
	grep -qx "$p" /tmp/json.u || fail "privacy: JSON lacks own process $p"
done
n_dev=$(wc -l </tmp/dev.u)
n_json=$(wc -l </tmp/json.u)
# the reader itself (and as-uid exec'ed into it) is uid 1000 as well
if [ "$n_dev" -lt 3 ] || [ "$n_dev" -gt 4 ]; then fail "privacy: device lists $n_dev processes"; fi
if [ "$n_json" -lt 3 ] || [ "$n_json" -gt 4 ]; then fail "privacy: JSON lists $n_json processes"; fi
awk '{ print $1 }' /tmp/dev.u >/tmp/devpids.u
while read -r p; do
	[ "$p" -gt 0 ] || continue
	grep -qx "$p" /tmp/devpids.u || [ ! -d "/proc/$p" ] || \
		[ "$(awk '/^Uid:/ { print $2 }' "/proc/$p/status")" = "$U" ] || \
		fail "privacy: JSON lists pid $p of another uid"
done </tmp/json.u
[ ! -s /tmp/cont.u ] || fail "privacy: continfo lists processes for uid $U: $(cat /tmp/cont.u)"
ok "privacy=1: uid $U sees only its own $n_dev (device) / $n_json (JSON) processes"
root_n=$(procinfo-hard list json "$SYSINFO" | wc -l)
[ "$root_n" -ge $((all - 3)) ] || fail "privacy: root sees $root_n of $all"
ok "privacy=1: root still sees all ($root_n)"

echo 0 >"$PARAM"
u_json=$(procinfo-hard as-uid $U procinfo-hard list json "$SYSINFO" | wc -l)
[ "$u_json" -ge $((root_n - 3)) ] || fail "privacy back to 0: uid $U sees $u_json"
ok "privacy=0 again: uid $U sees all ($u_json)"

# As a load-time parameter
unload_modules
insmod "$MODDIR/sysinfo.ko" privacy=1 || fail "insmod privacy=1"
assert_eq "$(cat "$PARAM")" Y "privacy=1 at load"
n=$(procinfo-hard as-uid $U procinfo-hard list device | awk -v u=$U '$2 != u' | wc -l)
assert_eq "$n" 0 "uid $U sees other users' processes with privacy=1 at load"
ok "privacy=1 as a load parameter"
kill %1 %2 2>/dev/null
wait
rmmod sysinfo || fail "rmmod sysinfo"
pass "privacy"
